// Threads on the page (docs/client.md, "Threads"), what loads with it: the
// sidebar's Threads entry (#threads-button), the line under a root
// (.thread-summary), the note on a reply also sent (.thread-note). Reply
// ('inhouse:reply' on document, {channel, seq}), a line or a Threads entry
// opens the panel (view/thread.js, loaded on first use).
import { h } from './dom.js';
import { glyph } from './reactions.js';
import { api } from '../api.js';
import { summaryText, threadOnly } from '../threads.js';
import { indexOfSeq } from '../store.js';
import { dayLabel, timeLabel, fullTime, mentionsMe } from '../text.js';

export class Threads {
  constructor(client) {
    this.c = client;
    this.store = client.store;
    this.panel = null; // view/thread.js's ThreadPanel, once loaded
    this.fetchTimer = 0;
    this.fetching = false;
    this.badge = h('span', { class: 'pill', 'aria-hidden': 'true', hidden: true });
    this.button = h('button', { type: 'button', id: 'threads-button', class: 'threads-button', 'aria-controls': 'thread-panel', 'aria-expanded': 'false' },
      glyph('reply'), h('span', { class: 'label' }, 'Threads'), this.badge);
    this.button.addEventListener('click', () => {
      if (this.panel?.open && this.panel.mode === 'list') this.panel.hide(true); else this.showList();
    });
    // First in the sidebar's shortcuts, before Saved (view/lists.js).
    const sw = client.sidebar.el.querySelector('.switch-button');
    if (sw) sw.after(this.button); else client.sidebar.el.prepend(this.button);
    document.addEventListener('inhouse:reply', (e) => {
      const { channel, seq } = e.detail || {};
      if (typeof channel === 'string' && Number.isInteger(seq)) this.reply(channel, seq, document.activeElement);
    });
    this.store.on((what, channel, m) => {
      // A fresh channel list comes at every socket open: so does the list of threads.
      if (what === 'channels') this.refresh();
      else if (what === 'threads') { this.renderBadge(); if (this.store.followed.stale) this.refresh(); }
      else if (what === 'reply') this.replied(channel, m);
    });
    this.renderBadge();
  }

  // refresh fetches the threads one follows, soon (a burst asks once).
  refresh(ms = 300) {
    clearTimeout(this.fetchTimer);
    this.fetchTimer = setTimeout(() => this.fetch(), ms);
  }

  async fetch() {
    if (this.fetching) { this.refresh(); return; }
    this.fetching = true;
    try {
      const r = await api.call('GET', '/api/threads');
      this.store.setThreads(r.threads || []);
    } catch { /* offline: the next socket open asks again */ }
    this.fetching = false;
  }

  // renderBadge: the unread replies of the threads one follows.
  renderBadge() {
    const n = this.store.followed.unread((c) => this.store.channels.has(c));
    this.badge.hidden = !n;
    this.badge.textContent = String(n);
    this.button.classList.toggle('unread', n > 0);
    this.button.setAttribute('aria-label', n ? `Threads, ${n} unread ${n === 1 ? 'reply' : 'replies'}` : 'Threads');
  }

  // replied: a reply arrived (live, by sync or its ack). One now following a
  // thread not listed yet gets the list again; a reply to me or mentioning
  // me notifies as in the channel.
  replied(channel, m) {
    if (!m) return;
    const me = this.store.me.name;
    const t = this.store.followed.get(channel, m.parent);
    if (!t) return;
    if (m.from !== me && (mentionsMe(m.text, me) || this.store.channels.get(channel)?.kind === 'direct') && !this.panel?.showing(channel, m.parent)) {
      this.c.notifyAbout(channel, m);
    }
  }

  // summary is the line under a message with replies; a click opens the thread.
  summary(channel, m) {
    const t = m.thread;
    if (!t || !(t.replies > 0) || m.parent) return null;
    const display = (n) => this.store.display(n);
    const text = summaryText(t, { display, dayLabel, timeLabel });
    const faces = t.people.slice(0, 3).map((n) => h('span', { class: 'face', title: display(n) }, initial(display(n))));
    return h('button', { type: 'button', class: 'thread-summary', tabindex: -1, 'data-action': 'open-thread', title: t.last ? `Last reply ${fullTime(t.last)}` : null,
      onclick: (e) => this.open(channel, m.seq, e.currentTarget) },
    h('span', { class: 'faces', 'aria-hidden': 'true' }, faces), h('span', { class: 'thread-text' }, text));
  }

  // note: a reply also sent to the channel says so, and opens its thread.
  note(channel, m) {
    if (!(m.parent > 0) || !m.also) return null;
    return h('div', { class: 'thread-note' }, glyph('reply'), h('span', null, 'Replied in a thread: '),
      h('button', { type: 'button', class: 'link-button', tabindex: -1, 'data-action': 'open-thread', onclick: (e) => this.open(channel, m.parent, e.currentTarget) }, 'Show the thread'));
  }

  // load brings the panel and its styles (thread.css) on first use.
  async load() {
    if (this.panel) return this.panel;
    let mod;
    try {
      [mod] = await Promise.all([import(this.tries ? `./thread.js?try=${this.tries}` : './thread.js'), style('/thread.css')]);
    } catch {
      this.tries = (this.tries || 0) + 1;
      this.c.toast('Threads need the connection to the server. Try again when you are back online.');
      return null;
    }
    this.panel ||= new mod.ThreadPanel(this.c, this);
    return this.panel;
  }

  // reply opens the thread of message seq (a reply's own thread: its root).
  reply(channel, seq, opener) {
    const items = this.store.log(channel).items;
    const m = items.find((x) => x.seq === seq);
    this.open(channel, m?.parent > 0 ? m.parent : seq, opener);
  }

  // open shows the thread of root; mark: a reply to scroll to and highlight.
  async open(channel, root, opener = null, fromList = false, mark = 0) {
    if (!this.store.channels.has(channel)) { this.c.toast('You are no longer in that conversation.'); return; }
    const panel = await this.load();
    if (panel) panel.showThread(channel, root, opener, fromList, mark);
  }

  // revealReply: a search result or a link naming a reply kept in its
  // thread opens that thread with the reply marked; false for any other.
  revealReply(channel, seq) {
    const items = this.store.log(channel).items;
    const m = items[indexOfSeq(items, seq)];
    if (m?.seq !== seq || !threadOnly(m)) return false;
    this.c.conv.reveal(m.parent, false);
    this.open(channel, m.parent, null, false, seq);
    return true;
  }

  async showList() {
    this.c.drawer(false);
    const panel = await this.load();
    if (panel) panel.showList(this.button);
  }
}

// style adds a style sheet to the page once it has loaded (CSP: 'self').
function style(href) {
  if (document.querySelector(`link[rel=stylesheet][href="${href}"]`)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const link = h('link', { rel: 'stylesheet', href });
    link.addEventListener('load', () => resolve());
    link.addEventListener('error', () => { link.remove(); reject(new Error(`${href} did not load`)); });
    document.head.append(link);
  });
}

// initial is the first letter of a name (a face where there is no picture).
function initial(name) {
  const ch = [...(name || '?').trim()][0] || '?';
  return ch.toLocaleUpperCase();
}
