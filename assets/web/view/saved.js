// The Pinned and Saved panels beside the conversation (docs/conversation.md),
// in the place of the search and files panels. Pinned: GET
// /api/channels/{id}/pins, newest pin first, kept current while open (a pin
// or unpin record of the channel reloads it). Saved: GET /api/saved,
// newest saved first, across one's conversations. A row opens its message
// as a search result does. Loaded on first use (view/lists.js).
import { api } from '../api.js';
import { h, icon } from './dom.js';
import { dayLabel, timeLabel, fullTime } from '../text.js';
import { messagePreview } from '../files.js';

class ListPanel {
  constructor(client, lists, { id, title, button }) {
    this.c = client;
    this.lists = lists;
    this.store = client.store;
    this.button = button;
    this.run = 0;
    this.status = h('p', { class: 'list-status muted', role: 'status', 'aria-live': 'polite' });
    this.list = h('ol', { class: 'results', id: `${id}-list`, 'aria-labelledby': `${id}-title` });
    this.title = h('h2', { id: `${id}-title` }, title);
    this.closeButton = h('button', { type: 'button', class: 'icon-button', id: `${id}-close`, 'aria-label': `Close ${title.toLowerCase()}` }, icon('close'));
    this.closeButton.addEventListener('click', () => this.hide(true));
    this.el = h('aside', { class: `list-panel side-panel ${id}`, id, 'aria-labelledby': `${id}-title`, hidden: true },
      h('header', { class: 'search-head' }, this.title, this.closeButton), this.status, this.list);
    this.el.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); this.hide(true); }
    });
  }

  get open() { return !this.el.hidden; }

  reveal(focus) {
    this.el.hidden = false;
    this.c.shell.classList.add('searching');
    this.button.setAttribute('aria-expanded', 'true');
    if (focus) this.closeButton.focus();
  }

  hide(focus) {
    this.el.hidden = true;
    this.run++;
    if (!this.lists.pins?.open && !this.lists.saved?.open) this.c.shell.classList.remove('searching');
    this.button.setAttribute('aria-expanded', 'false');
    if (focus) this.button.focus();
  }

  async fetchRows(path, empty, where) {
    const run = ++this.run;
    this.status.textContent = this.list.children.length ? 'Updating…' : 'Loading…';
    let messages;
    try {
      messages = (await api.call('GET', path)).messages || [];
    } catch (err) {
      if (run !== this.run) return;
      this.status.textContent = err.status === 0 ? 'This list needs the connection to the server. Try again when you are back online.' : err.message;
      return null;
    }
    if (run !== this.run) return null;
    const focusKey = this.list.contains(document.activeElement) ? document.activeElement.closest('li')?.dataset.key : null;
    this.list.replaceChildren(...messages.filter((m) => m && Number.isInteger(m.seq)).map((m) => this.row(m, where)));
    const n = this.list.children.length;
    this.status.textContent = n ? `${n} ${n === 1 ? 'message' : 'messages'}.` : empty;
    if (focusKey) (this.list.querySelector(`li[data-key="${CSS.escape(focusKey)}"] .result`) || this.closeButton).focus();
    return messages;
  }

  // row: where (for Saved), who and when, the text; a click opens it.
  row(m, where) {
    const channel = m.channel || this.channel;
    const ts = Date.parse(m.ts) || 0;
    const ch = this.store.channels.get(channel);
    const place = where && ch ? (ch.kind === 'direct' ? `Direct message with ${this.store.label(ch)}` : `#${ch.name}`) : '';
    const text = m.deleted ? 'This message was deleted.' : messagePreview(m.text, m.files);
    const open = h('button', { type: 'button', class: 'result', 'data-channel': channel, 'data-seq': String(m.seq), title: 'Show the message' },
      h('span', { class: 'result-meta' },
        place ? h('span', { class: 'result-where', dir: 'auto' }, place) : null,
        h('span', { class: 'author', dir: 'auto' }, this.store.display(m.from)),
        h('time', { class: 'muted', datetime: ts ? new Date(ts).toISOString() : null, title: ts ? fullTime(ts) : null }, ts ? `${dayLabel(ts)} ${timeLabel(ts)}` : '')),
      h('span', { class: 'result-text', dir: 'auto' }, text));
    open.addEventListener('click', () => {
      if (matchMedia('(max-width: 720px)').matches) this.hide(false);
      this.c.openAt(channel, m.seq);
    });
    const action = this.action(channel, m);
    return h('li', { class: 'list-item', 'data-key': `${channel}/${m.seq}` }, open, action);
  }

  action() { return null; }
}

export class PinsPanel extends ListPanel {
  constructor(client, lists) {
    super(client, lists, { id: 'pins-panel', title: 'Pinned', button: lists.pinsButton });
    this.channel = null;
    this.checked = 0; // the last seq of the log looked through for pin records
    this.timer = 0;
    // A pin or unpin record of the open list's channel (live or synced,
    // one's own included: the server sends it to every socket) reloads it.
    this.store.on((what, channel) => {
      if (what !== 'log' || !this.open || channel !== this.channel) return;
      const items = this.store.log(channel).items;
      let changed = false;
      for (let i = items.length - 1; i >= 0 && items[i].seq > this.checked; i--) {
        if (items[i].kind === 'pin' || items[i].kind === 'unpin') changed = true;
      }
      this.checked = Math.max(this.checked, items.at(-1)?.seq || 0);
      if (changed) { clearTimeout(this.timer); this.timer = setTimeout(() => this.load(), 200); }
    });
  }

  show(channel, focus = true) {
    this.channel = channel;
    this.checked = this.store.log(channel).items.at(-1)?.seq || 0;
    const ch = this.store.channels.get(channel);
    this.title.textContent = ch ? `Pinned in ${ch.kind === 'direct' ? this.store.label(ch) : `#${ch.name}`}` : 'Pinned';
    this.list.replaceChildren();
    this.reveal(focus);
    this.load();
  }

  load() {
    if (!this.channel) return;
    return this.fetchRows(`/api/channels/${encodeURIComponent(this.channel)}/pins`,
      'Nothing is pinned here yet. Pin a message from its More actions (⋯): everyone in the conversation finds it here.', false);
  }

  action(channel, m) {
    const ch = this.store.channels.get(channel);
    if (!ch || ch.archived || (ch.announce && this.store.me.role !== 'admin')) return null;
    return h('button', { type: 'button', class: 'secondary small', 'data-action': 'unpin', onclick: () => {
      this.c.protocol.post(this.store.queueRecord(channel, 'unpin', m.seq));
    } }, 'Unpin');
  }
}

export class SavedPanel extends ListPanel {
  constructor(client, lists) {
    super(client, lists, { id: 'saved-panel', title: 'Saved', button: lists.savedButton });
  }

  show(focus = true) {
    this.reveal(focus);
    this.load();
  }

  // load fetches the list; it also keeps the messages' Save and Unsave
  // in step with it (another device may have saved since).
  async load() {
    const messages = await this.fetchRows('/api/saved',
      'Nothing saved yet. Save a message from its More actions (⋯) to find it here later. Only you see what you saved.', true);
    if (!messages) return;
    this.c.conv.rx.saved.set(messages);
    this.c.mark('conv');
  }

  action(channel, m) {
    return h('button', { type: 'button', class: 'secondary small', 'data-action': 'unsave', 'aria-label': 'Remove from saved', title: 'Remove from saved', onclick: () => this.c.conv.rx.toggleSave(m.seq, channel) }, 'Remove');
  }
}

