// The message list. Only a window of at most MAX messages is in the DOM, so
// a channel with 10,000 messages scrolls as smoothly as one with ten: the
// window slides by PAGE as the person nears either edge, and older pages
// come from the server (history frames) when the window reaches the start.
import { h, icon, srOnly } from './dom.js';
import { tokenize, dayKey, dayLabel, timeLabel, fullTime } from '../text.js';
import { indexOfSeq } from '../store.js';

const MAX = 300;
const PAGE = 100;
const EDGE = 900; // px from an edge at which the window slides
const GROUP_MS = 5 * 60 * 1000;

export class Conversation {
  constructor(client) {
    this.c = client;
    this.store = client.store;
    this.top = h('div', { class: 'list-top' });
    this.list = h('ol', { class: 'msgs' });
    this.scroller = h('section', { class: 'scroller', tabindex: 0, 'aria-label': 'Messages' }, this.top, this.list);
    this.jump = h('button', { type: 'button', class: 'jump', hidden: true }, icon('down'), h('span', null, 'New messages'));
    this.jump.addEventListener('click', () => this.toBottom(true));
    this.el = h('div', { class: 'conversation' }, this.scroller, this.jump);
    this.channel = null;
    this.start = 0;
    this.end = 0;
    this.stick = true;
    this.marker = 0;
    this.win = null;
    this.ticking = false;
    this.initial = false;
    this.scroller.addEventListener('scroll', () => {
      if (this.ticking) return;
      this.ticking = true;
      requestAnimationFrame(() => { this.ticking = false; this.onScroll(); });
    }, { passive: true });
  }

  get log() { return this.store.log(this.channel); }

  open(id) {
    this.channel = id;
    const ch = this.store.channels.get(id);
    const log = this.log;
    this.marker = ch && ch.unread > 0 ? ch.readSeq + 1 : 0;
    this.stick = true;
    this.end = log.items.length;
    this.start = Math.max(0, this.end - MAX);
    this.win = null;
    this.initial = true;
    this.cache = new Map();
    this.render(false);
    if (ch && !log.complete && !log.loading && log.items.length < 50) {
      this.c.loadHistory(id, Math.min(200, Math.max(50, ch.unread + 30)));
    }
  }

  // refresh re-renders after the log changed (live, synced, acked or an
  // older page), keeping the window on the same messages.
  refresh(older = false) {
    if (!this.channel) return;
    const items = this.log.items;
    let start = 0, end = items.length;
    if (this.win && !this.win.live) {
      start = indexOfSeq(items, this.win.first);
      end = Math.min(items.length, indexOfSeq(items, this.win.last) + 1);
    } else if (this.win && this.win.first != null) {
      start = indexOfSeq(items, this.win.first);
    }
    if (older) start = Math.max(0, start - PAGE);
    if (this.stick) start = Math.max(start, end - MAX);
    else end = Math.min(end, start + MAX + PAGE);
    this.start = start;
    this.end = end;
    this.render(!this.stick);
  }

  onScroll() {
    if (!this.channel) return;
    const s = this.scroller;
    const items = this.log.items;
    const fromBottom = s.scrollHeight - s.scrollTop - s.clientHeight;
    this.stick = fromBottom < 40 && this.end === items.length;
    if (s.scrollTop < EDGE) {
      if (this.start > 0) {
        this.start = Math.max(0, this.start - PAGE);
        this.end = Math.min(this.end, this.start + MAX);
        this.render(true);
      } else if (!this.log.complete && !this.log.loading) {
        this.c.loadHistory(this.channel, 100);
      }
    } else if (fromBottom < EDGE && this.end < items.length) {
      this.end = Math.min(items.length, this.end + PAGE);
      this.start = Math.max(this.start, this.end - MAX);
      this.render(true);
    }
    this.updateJump();
    if (this.stick) this.c.maybeRead();
  }

  atBottom() {
    const s = this.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight < 40 && this.end === this.log.items.length;
  }

  toBottom(focus) {
    const n = this.log.items.length;
    this.end = n;
    this.start = Math.max(0, n - MAX);
    this.stick = true;
    this.render(false);
    this.c.maybeRead();
    if (focus) this.c.focusComposer();
  }

  // noteUnseen places the "new messages" line when messages arrive that the
  // person is not looking at.
  noteUnseen(seq) {
    if (!this.marker) this.marker = seq;
  }

  render(keepAnchor) {
    const s = this.scroller;
    let anchor = null, offset = 0;
    if (keepAnchor) {
      for (const el of this.list.children) {
        if (el.dataset.key && el.offsetTop + el.offsetHeight > s.scrollTop) {
          anchor = el.dataset.key;
          offset = el.offsetTop - s.scrollTop;
          break;
        }
      }
    }
    const { nodes, byKey, markerEl } = this.build();
    this.list.replaceChildren(...nodes);
    this.renderTop();
    if (anchor && byKey.has(anchor)) {
      s.scrollTop = byKey.get(anchor).offsetTop - offset;
    } else if (this.initial && markerEl && this.log.items.length) {
      s.scrollTop = Math.max(0, markerEl.offsetTop - 48);
      this.stick = this.atBottom();
    } else if (this.stick) {
      s.scrollTop = s.scrollHeight;
    }
    if (this.log.items.length || this.log.complete) this.initial = false;
    const items = this.log.items;
    this.win = {
      first: items[this.start]?.seq ?? null,
      last: items[this.end - 1]?.seq ?? null,
      live: this.end === items.length,
    };
    this.updateJump();
  }

  renderTop() {
    const log = this.log;
    const ch = this.store.channels.get(this.channel);
    let content;
    if (this.start > 0 || !log.complete) {
      content = h('p', { class: 'muted loading' }, log.loading ? 'Loading earlier messages…' : ' ');
    } else if (log.items.length === 0 && this.store.pendingFor(this.channel).length === 0) {
      content = h('div', { class: 'empty' },
        h('p', { class: 'empty-title' }, 'No messages yet — say hello.'),
        h('p', { class: 'muted' }, ch?.kind === 'direct'
          ? `This is the start of your conversation with ${this.store.label(ch)}.`
          : `This is the start of #${ch?.name || 'this channel'}.`));
    } else {
      content = h('p', { class: 'muted start' }, ch?.kind === 'direct'
        ? `This is the start of your conversation with ${this.store.label(ch)}.`
        : `This is the start of #${ch?.name || 'this channel'}.`);
    }
    this.top.replaceChildren(content);
  }

  build() {
    const items = this.log.items;
    const me = this.store.me.name;
    const nodes = [];
    const byKey = new Map();
    let markerEl = null;
    let prev = this.start > 0 ? items[this.start - 1] : null;
    const place = (m, key, make) => {
      const newDay = !prev || dayKey(prev.ts) !== dayKey(m.ts);
      if (newDay) nodes.push(h('li', { class: 'day', role: 'separator' }, h('span', null, dayLabel(m.ts))));
      const markHere = key !== null && this.marker && m.seq >= this.marker && (!prev || prev.seq < this.marker) && m.from !== me;
      if (markHere) {
        markerEl = h('li', { class: 'new-marker', role: 'separator' }, h('span', null, 'New messages'));
        nodes.push(markerEl);
      }
      const head = newDay || markHere || !prev || prev.from !== m.from || m.ts - prev.ts > GROUP_MS;
      const el = make(head);
      if (key) { el.dataset.key = key; byKey.set(key, el); }
      nodes.push(el);
      prev = m;
    };
    // Stored messages never change, so their nodes are reused while the
    // window slides: a shift builds only the new page.
    const cache = this.cache || (this.cache = new Map());
    const used = new Map();
    for (let i = this.start; i < this.end; i++) {
      const m = items[i];
      if (m.kind) continue; // an edit or delete: shown on its message
      place(m, String(m.seq), (head) => {
        const k = `${head ? 'h' : 'c'}${m.seq}.${m.v}`;
        const el = cache.get(k) || this.message(m, head);
        used.set(k, el);
        return el;
      });
    }
    this.cache = used;
    if (this.end === items.length) {
      for (const p of this.store.pendingFor(this.channel)) {
        const m = { from: me, ts: p.ts, seq: Infinity };
        place(m, `p${p.id}`, (head) => this.pending(p, head));
      }
    }
    return { nodes, byKey, markerEl };
  }

  message(m, head) {
    const me = this.store.me.name;
    let mentionsMe = false;
    const runs = m.deleted ? [h('em', { class: 'muted' }, 'This message was deleted.')] : tokenize(m.text, (n) => this.store.isUser(n)).map((t) => {
      if (t.type === 'link') return h('a', { href: t.href, target: '_blank', rel: 'noopener noreferrer nofollow' }, t.text);
      if (t.type === 'mention') {
        if (t.name === me) mentionsMe = true;
        return h('span', { class: t.name === me ? 'mention me' : 'mention' }, t.text);
      }
      return t.text;
    });
    const time = h('time', { datetime: new Date(m.ts).toISOString(), title: fullTime(m.ts) }, timeLabel(m.ts));
    const cls = ['msg', head ? 'head' : '', mentionsMe && m.from !== me ? 'mentioned' : '', m.from === me ? 'own' : ''].join(' ');
    return h('li', { class: cls },
      head ? h('div', { class: 'meta' }, h('span', { class: 'author' }, this.store.display(m.from))) : srOnly(`${this.store.display(m.from)} `),
      h('span', { class: 'gutter' }, time),
      h('div', { class: 'text' }, runs, m.edited && !m.deleted ? h('span', { class: 'edited muted' }, ' (edited)') : null));
  }

  pending(p, head) {
    const me = this.store.me.name;
    const failed = p.state === 'failed';
    const status = failed
      ? h('div', { class: 'status failed' }, icon('alert'), h('span', null, `Not sent: ${p.error || 'the server refused it.'}`),
        h('button', { type: 'button', class: 'link-button', onclick: () => this.c.retry(p.id) }, 'Retry'),
        h('button', { type: 'button', class: 'link-button', onclick: () => this.store.discard(p.id) }, 'Delete'))
      : h('div', { class: 'status' }, icon('clock'), h('span', null, this.c.online ? 'Sending…' : 'Waiting for the connection…'));
    return h('li', { class: `msg own ${head ? 'head' : ''} ${failed ? 'failed' : 'pending'}` },
      head ? h('div', { class: 'meta' }, h('span', { class: 'author' }, this.store.display(me))) : srOnly(`${this.store.display(me)} `),
      h('div', { class: 'text' }, p.text), status);
  }

  updateJump() {
    const s = this.scroller;
    const below = this.end < this.log.items.length || s.scrollHeight - s.scrollTop - s.clientHeight > 200;
    this.jump.hidden = !below;
    const ch = this.store.channels.get(this.channel);
    this.jump.lastChild.textContent = ch?.unread ? `${ch.unread} new ${ch.unread === 1 ? 'message' : 'messages'}` : 'Jump to newest';
  }
}
