// Announcements that ask to be confirmed (docs/people.md), on the page:
// the amber band at the top of the open conversation (#announce-band), one
// card per announcement this person has not confirmed, with *I have read
// this*; and, for those the office lets ask, *Ask everyone to confirm*
// under the composer. What is pending is receipts.js's Pending; the
// sidebar asks asks(channel) for its marker. Loaded with view/receipts.js.
import { h, icon } from './dom.js';
import { api } from '../api.js';
import { notify } from '../notify.js';
import { indexOfSeq } from '../store.js';
import { messagePreview } from '../files.js';
import { formatText } from './format.js';
import { Pending, confirmPath, when } from '../receipts.js';

export class Announcements {
  constructor(client, receipts) {
    this.c = client;
    this.store = client.store;
    this.r = receipts;
    this.pending = new Pending();
    this.done = new Set(); // confirmed in this page's life (a fetch on its way may still list them)
    this.busy = new Set();
    this.cards = new Map(); // key → card, reused while it shows the same
    this.band = h('section', { class: 'announce-band', id: 'announce-band', 'aria-label': 'Announcements to confirm', hidden: true });
    client.conv.el.before(this.band);
    // The option rides on the next message sent from this composer (sending).
    this.box = h('input', { type: 'checkbox', id: 'ask-confirm', 'aria-describedby': 'ask-confirm-help' });
    this.toggle = h('label', { class: 'ask-confirm', hidden: true, title: 'Everyone here gets it pinned on top with “I have read this” until they confirm.' },
      this.box, h('span', null, 'Ask everyone to confirm'),
      h('span', { class: 'sr-only', id: 'ask-confirm-help' }, 'Everyone here gets your next message pinned on top until they confirm they have read it.'));
    const foot = client.typingEl.parentElement;
    if (foot) foot.prepend(this.toggle);
  }

  key(channel, seq) { return `${channel}\n${seq}`; }

  // fetch takes the pending list afresh: at start and at every socket open.
  // One at a time: a request made meanwhile goes once this one is back.
  async fetch() {
    if (this.fetching) { this.again = true; return; }
    this.fetching = true;
    let r = null;
    try {
      r = await api.call('GET', '/api/announcements');
    } catch { /* offline, or a server without announcements: nothing new */ }
    this.fetching = false;
    if (r) {
      this.pending.set((r.pending || []).filter((x) => !this.done.has(this.key(x?.channel, x?.seq))));
      this.changed();
    }
    if (this.again) { this.again = false; this.fetch(); }
  }

  changed() {
    this.render();
    this.c.mark('sidebar');
  }

  asks(channel) { return this.pending.has(channel); }

  // opened: the band follows the open conversation; the option starts
  // unticked in each.
  opened() {
    this.box.checked = false;
    this.render();
    this.renderToggle();
  }

  // renderToggle offers the option where this person may ask and can post.
  renderToggle() {
    const ch = this.store.channels.get(this.c.current);
    this.toggle.hidden = !(this.store.info?.may_announce && ch && !this.c.readOnly(ch));
    if (this.toggle.hidden) this.box.checked = false;
  }

  // sending: a message leaves the composer; with the option ticked it asks
  // for confirmation (the outbox entry keeps it through resends).
  sending(p) {
    if (!this.box.checked || this.toggle.hidden || p.kind || p.parent || p.channel !== this.c.current) return;
    p.confirm = true;
    this.store.saveOutbox();
    this.box.checked = false;
  }

  // arrived: live messages from others; one asking for confirmation is pending.
  arrived(channel, msgs) {
    let n = 0;
    for (const m of msgs) {
      if (m.confirm && m.from !== this.store.me.name && !this.done.has(this.key(channel, m.seq)) && this.pending.add(channel, m.seq, m)) n++;
    }
    if (n) this.changed();
  }

  // confirmed: here or in another tab (a confirmed frame).
  confirmed(channel, seq) {
    this.done.add(this.key(channel, seq));
    if (this.pending.remove(channel, seq)) this.changed();
  }

  // remind: the office manager sent a reminder; it shows again (the frame
  // names it, GET /api/announcements has it), with a notification unless
  // the person is quiet, and a word on the page.
  async remind(f) {
    if (!f || typeof f.channel !== 'string' || !Number.isSafeInteger(f.seq)) return;
    const ch = this.store.channels.get(f.channel);
    if (!ch) return;
    this.done.delete(this.key(f.channel, f.seq));
    if (!this.pending.find(f.channel, f.seq)) {
      if (f.message) this.pending.add(f.channel, f.seq, f.message);
      else {
        try {
          const r = await api.call('GET', '/api/announcements');
          this.pending.set((r.pending || []).filter((x) => !this.done.has(this.key(x?.channel, x?.seq))));
        } catch { /* offline: the next socket open fetches it */ }
      }
    }
    this.changed();
    const x = this.pending.find(f.channel, f.seq);
    if (!x) return;
    const where = ch.kind === 'direct' ? this.store.label(ch) : `#${ch.name}`;
    this.c.toast(`Reminder: please confirm you have read the announcement in ${where}.`);
    this.band.querySelector(`.announce[data-seq="${f.seq}"]`)?.classList.add('reminded');
    const quiet = typeof this.store.quietNow === 'function' && this.store.quietNow();
    if (!quiet) {
      this.r.ding();
      notify.show(`Please confirm: ${this.store.display(x.message.from)} in ${where}`, messagePreview(x.message.text, x.message.files),
        `confirm-${f.channel}-${f.seq}`, () => this.c.go(f.channel), f.channel);
    }
  }

  // render draws the open conversation's pending announcements, oldest
  // first, as the log has them now (an edit shows; a deleted one goes).
  render() {
    const id = this.c.current;
    const items = id ? this.store.log(id).items : [];
    const cards = [];
    const used = new Map();
    for (const x of id ? this.pending.of(id) : []) {
      const live = items[indexOfSeq(items, x.seq)];
      const m = live?.seq === x.seq ? live : null;
      if (m?.deleted) continue;
      const text = m ? m.text : x.message.text;
      const k = `${this.key(x.channel, x.seq)}\n${text}`;
      const card = this.cards.get(k) || this.card(x, text);
      // While it goes to the server the button says so, and keeps focus.
      const busy = this.busy.has(this.key(x.channel, x.seq));
      const yes = card.querySelector('.confirm-button');
      yes.textContent = busy ? 'Confirming…' : 'I have read this';
      if (busy) yes.setAttribute('aria-disabled', 'true'); else yes.removeAttribute('aria-disabled');
      used.set(k, card);
      cards.push(card);
    }
    this.cards = used;
    // The same cards in the same order stay put: moving them would drop focus.
    const now = [...this.band.children];
    if (now.length !== cards.length || now.some((el, i) => el !== cards[i])) this.band.replaceChildren(...cards);
    this.band.hidden = !cards.length;
  }

  card(x, text) {
    const m = x.message;
    const me = this.store.me.name;
    const body = h('div', { class: 'text announce-text', dir: 'auto' }, formatText(text, {
      isUser: (n) => this.store.isUser(n),
      mention: (t) => h('span', { class: t.name === me ? 'mention me' : 'mention' }, t.text),
    }));
    const files = m.files?.length ? h('p', { class: 'muted small' }, messagePreview('', m.files).replace(/^s/, 'S')) : null;
    const yes = h('button', { type: 'button', class: 'primary small confirm-button' }, 'I have read this');
    yes.addEventListener('click', () => this.confirm(x.channel, x.seq));
    const show = h('button', { type: 'button', class: 'link-button' }, 'Show in conversation');
    show.addEventListener('click', () => this.c.openAt(x.channel, x.seq));
    return h('article', { class: 'announce', 'data-seq': String(x.seq), 'aria-label': `Announcement from ${this.store.display(m.from)}` },
      h('div', { class: 'announce-head' }, icon('alert'), h('strong', null, 'Please confirm you have read this'),
        h('span', { class: 'muted' }, `${this.store.display(m.from)} · `, h('time', { datetime: new Date(m.ts).toISOString() }, when(m.ts)))),
      body, files, h('div', { class: 'announce-actions' }, show, yes));
  }

  // confirm tells the server this person read it; the band lets it go.
  async confirm(channel, seq) {
    const key = this.key(channel, seq);
    if (this.busy.has(key)) return;
    const had = this.band.contains(document.activeElement);
    this.busy.add(key);
    this.render();
    let gone = false;
    try {
      await api.call('POST', confirmPath(channel, seq), {});
      gone = true;
      this.done.add(key);
      this.c.live.textContent = 'Confirmed. The announcement is no longer pinned.';
    } catch (err) {
      // Not one asking this person (any more): it goes, with the server's word.
      if (err.status === 404) gone = true;
      this.c.toast(err.status === 404 ? err.message : `Not confirmed: ${err.message}`);
    }
    this.busy.delete(key);
    if (gone) this.pending.remove(channel, seq);
    this.changed();
    if (had && !this.band.contains(document.activeElement)) {
      const next = this.band.querySelector('.confirm-button');
      if (next) next.focus(); else this.c.focusComposer();
    }
  }
}
