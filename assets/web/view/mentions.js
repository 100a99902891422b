// @ suggestions in the composer (docs/client.md): typing @ opens a list of
// the people of the conversation, then @here and @channel (when the office
// lets this person use them), then everyone else, matched by user name or
// display name. The composer keeps focus and points at the highlighted
// option with aria-activedescendant; ↑ ↓ move, Enter or Tab choose, Esc
// closes, and a click chooses too. Also: the question before a message with
// @here or @channel reaches more people than the office allows unasked.
// Loaded after the first screen (app.js); the rules are in ../mentions.js.
import { h, modal } from './dom.js';
import { loadStyle } from './style.js';
import { mentionQuery, candidates, insertMention, mayMentionAll, everyoneIn, confirmCount } from '../mentions.js';

let made = 0;

// Mentions works on the composer by default; another composer (a thread's)
// passes its textarea, its form and how to tell its conversation.
export class Mentions {
  constructor(client, { input = client.input, form = client.composerForm, channel = () => client.current } = {}) {
    this.c = client;
    this.store = client.store;
    this.input = input;
    this.channel = channel;
    this.id = made++ ? `mention-list-${made}` : 'mention-list';
    this.items = [];
    this.active = 0;
    this.at = null; // {start, query} of the @word being completed
    this.dismissed = -1; // the @ whose list Esc closed
    loadStyle('/talk.css');
    this.list = h('ul', { id: this.id, role: 'listbox', class: 'mention-list', 'aria-label': 'People to mention', hidden: true });
    this.said = h('div', { class: 'sr-only', 'aria-live': 'polite' });
    form.append(this.list, this.said);
    this.input.setAttribute('aria-autocomplete', 'list');
    this.input.setAttribute('aria-controls', this.id);
    this.input.addEventListener('input', () => this.update());
    this.input.addEventListener('click', () => this.update());
    this.input.addEventListener('keyup', (e) => { if (['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(e.key)) this.update(); });
    this.input.addEventListener('blur', () => this.close());
    addEventListener('hashchange', () => this.close());
    // Capturing on the form: the list's keys never reach the composer's
    // own handlers (Enter sends, ↑ edits the last message).
    form.addEventListener('keydown', (e) => this.key(e), true);
    this.list.addEventListener('mousedown', (e) => e.preventDefault()); // the composer keeps focus
    this.list.addEventListener('click', (e) => {
      const li = e.target.closest('li[data-index]');
      if (li) this.pick(Number(li.dataset.index));
    });
  }

  get open() { return !this.list.hidden; }

  update() {
    const el = this.input;
    const ch = this.store.channels.get(this.channel());
    const at = el.selectionStart === el.selectionEnd && !el.readOnly && ch ? mentionQuery(el.value, el.selectionStart) : null;
    if (!at) { this.dismissed = -1; this.close(); return; }
    if (at.start === this.dismissed) return;
    const items = candidates(at.query, {
      users: this.store.users, members: ch.members || [], me: this.store.me.name, direct: ch.kind === 'direct',
      mayAll: mayMentionAll(this.store.mentionAllBy, this.store.me.role),
    });
    if (!items.length) { this.close(); return; }
    const keep = this.items[this.active]?.name;
    this.at = at;
    this.items = items;
    this.active = Math.max(0, items.findIndex((x) => x.name === keep));
    this.render(ch);
  }

  render(ch = this.store.channels.get(this.channel())) {
    const where = ch?.kind === 'direct' ? 'this conversation' : `#${ch?.name}`;
    this.list.replaceChildren(...this.items.map((x, i) => h('li', {
      id: `${this.id}-${i}`, role: 'option', 'data-index': String(i), 'data-name': x.name,
      'aria-selected': String(i === this.active), class: i === this.active ? 'active' : '',
    }, x.special
      ? [h('span', { class: 'mention-name' }, x.display), h('span', { class: 'muted small' }, x.said)]
      : [this.c.people?.face(x.name, 'sm'), h('span', { class: `dot ${x.status}`, 'aria-hidden': 'true' }), h('span', { class: 'mention-name', dir: 'auto' }, x.display),
        h('span', { class: 'muted small' }, `@${x.name}`, x.member ? '' : ` · not in ${where}`)])));
    const was = this.open;
    this.list.hidden = false;
    this.input.setAttribute('aria-activedescendant', `${this.id}-${this.active}`);
    this.list.children[this.active]?.scrollIntoView({ block: 'nearest' });
    if (!was) {
      const n = this.items.length;
      this.said.textContent = `${n} ${n === 1 ? 'suggestion' : 'suggestions'}. Up and down to choose, Enter to insert, Escape to close.`;
    }
  }

  close() {
    if (!this.open) return;
    this.list.hidden = true;
    this.list.replaceChildren();
    this.items = [];
    this.at = null;
    this.input.removeAttribute('aria-activedescendant');
  }

  key(e) {
    if (!this.open || e.target !== this.input || e.isComposing || e.altKey || e.ctrlKey || e.metaKey) return;
    const n = this.items.length;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      this.active = (this.active + (e.key === 'ArrowDown' ? 1 : -1) + n) % n;
      this.render();
    } else if ((e.key === 'Enter' || e.key === 'Tab') && !e.shiftKey) {
      this.pick(this.active);
    } else if (e.key === 'Escape') {
      this.dismissed = this.at?.start ?? -1;
      this.close();
    } else return;
    e.preventDefault();
    e.stopPropagation();
  }

  // pick puts @name (and a space) in place of the @word typed so far.
  pick(i) {
    const x = this.items[i];
    const at = this.at;
    if (!x || !at) return;
    const el = this.input;
    const r = insertMention(el.value, at.start, el.selectionStart, x.name);
    el.value = r.value;
    el.setSelectionRange(r.caret, r.caret);
    this.close();
    el.focus();
    this.said.textContent = `@${x.name} inserted.`;
    // The composer hears it as typing: its height, the draft, "is typing".
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }

  // ask: text is about to go to ch. True when it must not go now: @here or
  // @channel that this person may not use (said in a toast), or a
  // conversation larger than the office's limit, where the question
  // "Notify all N people?" decides (proceed() sends it).
  ask(text, ch, proceed) {
    const all = everyoneIn(text);
    if (!all || !ch) return false;
    if (!mayMentionAll(this.store.mentionAllBy, this.store.me.role)) {
      this.c.toast(`Only the office manager may notify everyone with @here or @channel. Remove @${all} to send it.`);
      return true;
    }
    const n = confirmCount(text, ch, this.store.confirmAbove);
    if (!n) return false;
    let go = false;
    const yes = h('button', { type: 'button', class: 'primary', id: 'notify-all-confirm' }, `Notify ${n} people`);
    const no = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
    const dlg = modal(`Notify all ${n} people?`, h('div', { class: 'stack' },
      h('p', null, all === 'channel'
        ? `@channel sends a notification to everyone in #${ch.name}, even where it is muted.`
        : `@here sends a notification to everyone in #${ch.name} who is online now, even where it is muted.`),
      h('div', { class: 'actions' }, no, yes)), {
      onclose: () => { if (go) proceed(); this.c.focusComposer(); },
    });
    no.addEventListener('click', () => dlg.close());
    yes.addEventListener('click', () => { go = true; dlg.close(); });
    yes.focus();
    return true;
  }
}
