// Read receipts, announcements to confirm, the notification sound and the
// service worker, on the page (docs/people.md; docs/client.md "Receipts,
// announcements, notifications"). app.js loads this right after the first
// screen, so the first visit carries none of it, and reaches it as
// client.receipts (optional: the page works without it):
//   marks(channel, items, start, end) → Map(seq → <li>) the rows under
//     messages (view/conversation.js puts each after its message);
//   opened(id), arrived(channel, msgs), sending(p), asks(channel), ding().
// The rules are receipts.js's; the band and the composer's option are
// view/announce.js's.
import { h, modal } from './dom.js';
import { api } from '../api.js';
import { notify } from '../notify.js';
import { loadStyle } from './style.js';
import { chime } from '../sound.js';
import { Seen, receiptMode, dmMarks, seenBy, whoSaw, seenLabel, seenTitle, countLabel, when, soundOn } from '../receipts.js';
import { Announcements } from './announce.js';

export class Receipts {
  constructor(client) {
    this.c = client;
    this.store = client.store;
    this.seen = new Seen();
    this.nodes = new Map(); // key → <li>, reused while it says the same
    this.off = false; // the server said receipts_off (until /api/me says otherwise)
    this.ann = new Announcements(client, this);
    loadStyle('/receipts.css');
    this.store.on((what, channel, f) => this.onStore(what, channel, f));
    this.worker();
    this.opened(client.current);
    this.ann.fetch();
    client.mark('sidebar', 'conv');
  }

  get info() { return this.store.info || {}; }

  // mode: 'dm', 'channel' or '' (receipts.js's receiptMode).
  mode(channel) {
    const ch = this.store.channels.get(channel);
    if (this.off || !ch) return '';
    return receiptMode(ch, this.info.receipts, this.info.hide_receipts, this.store.others(ch).length + 1);
  }

  onStore(what, channel, f) {
    switch (what) {
      case 'me': // the socket opened again: /api/me is fresh; what was missed comes afresh
        this.off = false;
        this.load(this.c.current);
        this.ann.fetch();
        this.ann.renderToggle();
        this.c.mark('conv');
        break;
      case 'seen':
        if (this.mode(channel) && this.seen.update(f, this.store.me.name) && channel === this.c.current) this.c.mark('conv');
        break;
      case 'confirmed':
        if (Number.isSafeInteger(f?.seq)) this.ann.confirmed(channel, f.seq);
        break;
      case 'remind':
        this.ann.remind(f);
        break;
      case 'channels':
        this.ann.renderToggle();
        break;
      case 'log':
        if (channel === this.c.current && this.ann.asks(channel)) this.ann.render();
        break;
    }
  }

  // opened: a conversation was opened (id null: none). Its read positions
  // are fetched each time; live seen frames keep them current.
  opened(id) {
    this.ann.opened(id);
    this.load(id);
  }

  async load(id) {
    if (!id || !this.mode(id)) return;
    try {
      const r = await api.call('GET', `/api/channels/${encodeURIComponent(id)}/seen`);
      this.seen.set(id, r.seen, this.store.me.name);
    } catch (err) {
      if (err.code !== 'receipts_off') return; // offline: the next open asks again
      this.off = true;
      this.seen.forget();
    }
    if (id === this.c.current) this.c.mark('conv');
  }

  // hidden: the person hid (or showed again) their read receipts; one who
  // hides sees nobody's.
  hidden(hide) {
    if (this.store.info) this.store.info.hide_receipts = hide;
    this.seen.forget();
    this.nodes.clear();
    this.load(this.c.current);
    this.c.mark('conv');
  }

  arrived(channel, msgs) { this.ann.arrived(channel, msgs); }
  sending(p) { this.ann.sending(p); }
  asks(channel) { return this.ann.asks(channel); }

  // marker is the sidebar's sign on a conversation with an announcement
  // to confirm (data-said: what its link says to screen readers), or null.
  marker(channel) {
    if (!this.ann.asks(channel)) return null;
    return h('span', { class: 'ask-mark', 'aria-hidden': 'true', title: 'An announcement asks you to confirm', 'data-said': ', an announcement to confirm' }, '!');
  }

  // settings opens Notifications and privacy (view/settings.js, loaded on first use).
  async settings() {
    try {
      (await import(this.tries ? `./settings.js?try=${this.tries}` : './settings.js')).openSettings(this.c);
    } catch {
      this.tries = (this.tries || 0) + 1;
      this.c.toast('The settings need the connection to the server. Try again when you are back online.');
    }
  }

  // ding is a notification's sound: when the person has it on and the tab
  // is out of sight (when notifications show). The caller checked quiet.
  ding() {
    if (document.hidden && soundOn(localStorage, this.store.me.name)) chime();
  }

  // marks builds the rows under messages in items[start, end) of channel:
  // *Seen* (who and when in the tooltip) in direct messages and small
  // groups, *Seen by N* (a button: the list) under one's own in channels.
  marks(channel, items, start, end) {
    const out = new Map();
    const mode = this.mode(channel);
    const seen = this.seen.get(channel);
    if (!mode || !seen?.size) { this.nodes.clear(); return out; }
    const me = this.store.me.name;
    const display = (n) => this.store.display(n);
    const used = new Map();
    const keep = (key, make) => {
      const el = this.nodes.get(key) || make();
      used.set(key, el);
      return el;
    };
    // Only the rows of messages in the window are drawn.
    const lo = items[start]?.seq ?? Infinity, hi = items[end - 1]?.seq ?? -Infinity;
    if (mode === 'dm') {
      const group = this.store.isGroup(this.store.channels.get(channel));
      for (const [seq, list] of dmMarks(items, seen, me)) {
        if (seq < lo || seq > hi) continue;
        const text = seenLabel(list, group, display);
        const title = seenTitle(list, display, when);
        out.set(seq, keep(`d${channel}\n${seq}\n${title}`, () => h('li', { class: 'seen-row', 'data-seq': String(seq) },
          h('span', { class: 'seen', title }, h('span', { 'aria-hidden': 'true' }, text), h('span', { class: 'sr-only' }, title)))));
      }
    } else {
      for (const [seq, n] of seenBy(items, seen, me)) {
        if (seq < lo || seq > hi) continue;
        out.set(seq, keep(`c${channel}\n${seq}\n${n}`, () => h('li', { class: 'seen-row', 'data-seq': String(seq) },
          h('button', { type: 'button', class: 'seen link-button', 'aria-haspopup': 'dialog', onclick: (e) => this.showWho(channel, seq, e.currentTarget) }, countLabel(n)))));
      }
    }
    // The list re-renders by moving nodes, which drops focus: a focused
    // Seen by N keeps it.
    const a = document.activeElement;
    if (a?.closest?.('.seen-row') && [...used.values()].some((li) => li.contains(a))) {
      queueMicrotask(() => { if (a.isConnected && document.activeElement !== a) a.focus({ preventScroll: true }); });
    }
    this.nodes = used;
    return out;
  }

  // showWho lists who saw one's message seq and when.
  showWho(channel, seq, opener) {
    if (document.querySelector('dialog[open]')) return;
    const list = whoSaw(this.seen.get(channel), seq, this.store.me.name);
    const rows = list.map((x) => h('li', null, h('span', { class: 'seen-name', dir: 'auto' }, this.store.display(x.user)),
      h('span', { class: 'muted' }, x.ts ? when(x.ts) : '')));
    modal(countLabel(list.length), h('div', { class: 'stack seen-who' },
      h('ul', { class: 'seen-list' }, rows),
      this.info.receipts === 'on' ? h('p', { class: 'muted small' }, 'People who hide their read receipts are not counted.') : null), {
      onclose: () => {
        if (opener.isConnected) opener.focus();
        else this.c.conv.list.querySelector(`.seen-row[data-seq="${seq}"] button, [data-key="${seq}"]`)?.focus();
      },
    });
  }

  // worker registers /sw.js (it reopens the app from a notification and
  // caches nothing); notifications then go through it (notify.js). A click
  // on one while a tab is open comes back here as a message.
  worker() {
    const sw = navigator.serviceWorker;
    if (!sw || !window.isSecureContext) return;
    sw.register('/sw.js').catch(() => {});
    sw.ready.then((reg) => { notify.sw = reg; }).catch(() => {});
    sw.addEventListener('message', (e) => {
      const d = e.data;
      if (d?.type === 'inhouse:open' && typeof d.channel === 'string' && this.store.channels.has(d.channel)) this.c.go(d.channel);
    });
    sw.startMessages?.();
  }
}
