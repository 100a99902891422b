// The message list. Only a window of at most MAX messages is in the DOM, so
// a channel with 10,000 messages scrolls as smoothly as one with ten: the
// window slides by PAGE as the person nears either edge, and older pages
// come from the server (history frames) when the window reaches the start.
// One's own messages carry Edit and Delete (buttons on hover, focus or a
// long press; E and Delete on a focused message); the edit box is inline.
import { h, icon, srOnly } from './dom.js';
import { dayKey, dayLabel, timeLabel, fullTime, isLong } from '../text.js';
import { indexOfSeq } from '../store.js';
import { threadOnly } from '../threads.js';
import { messageFiles, fileCard } from './files.js';
import { Reactions, focusPath } from './reactions.js';
import { formatText, formatKey } from './format.js';

const MAX = 300;
const PAGE = 100;
const EDGE = 900; // px from an edge at which the window slides
const GROUP_MS = 5 * 60 * 1000;
const LONG_PRESS_MS = 500;
// A conversation opens at its first unread message when that is at most
// this many messages back (pages of 200 load until it is there); further
// back, it opens at the newest and the line waits up the scroll.
const AIM_MAX = 1000;
const AIM_BEFORE = 20; // read messages kept above the New messages line

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
    this.aim = 0; // the first unread seq to open at, while its page loads
    this.win = null;
    this.ticking = false;
    this.initial = false;
    this.editing = null; // { channel, seq, input, back }
    this.unfolded = new Set(); // keys of long messages opened with Show more
    this.rx = new Reactions(this); // reactions, pins, saving, links (view/reactions.js)
    this.list.addEventListener('keydown', (e) => this.onKey(e));
    this.scroller.addEventListener('keydown', (e) => {
      // From the list itself, ↑ and ↓ step into the messages (PageUp and
      // PageDown still scroll).
      if (e.target !== this.scroller || (e.key !== 'ArrowUp' && e.key !== 'ArrowDown')) return;
      const msgs = this.focusable();
      const r = this.scroller.getBoundingClientRect();
      const seen = msgs.filter((el) => { const b = el.getBoundingClientRect(); return b.bottom > r.top && b.top < r.bottom; });
      const to = e.key === 'ArrowUp' ? seen.at(-1) || msgs.at(-1) : seen[0] || msgs[0];
      if (to) { e.preventDefault(); to.focus(); }
    });
    // The focused message's buttons join the tab order; the others' do not.
    this.list.addEventListener('focusin', (e) => this.tabbable(e.target.closest?.('.msg')));
    this.list.addEventListener('focusout', (e) => {
      const from = e.target.closest?.('.msg');
      if (from && !from.contains(e.relatedTarget)) this.tabbable(null, from);
    });
    // A long press on a touch screen shows a message's actions.
    let press = 0;
    this.list.addEventListener('pointerdown', (e) => {
      clearTimeout(press);
      for (const el of this.list.querySelectorAll('.msg.show-actions')) if (!el.contains(e.target)) el.classList.remove('show-actions');
      const li = e.target.closest('.msg');
      if (e.pointerType !== 'touch' || !li) return;
      press = setTimeout(() => li.classList.add('show-actions'), LONG_PRESS_MS);
    });
    for (const ev of ['pointerup', 'pointercancel', 'pointermove']) this.list.addEventListener(ev, () => clearTimeout(press), { passive: true });
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
    this.aim = this.marker && ch.unread <= AIM_MAX ? this.marker : 0;
    this.stick = true;
    this.end = log.items.length;
    this.start = Math.max(0, this.end - MAX);
    this.win = null;
    this.initial = true;
    this.cache = new Map();
    this.unfolded = new Set();
    if (this.aim && !this.chase()) { this.placeAt(this.aim); return; }
    this.render(false);
    if (ch && !log.complete && !log.loading && log.items.length < 50) {
      this.c.loadHistory(id, Math.min(200, Math.max(50, ch.unread + 30)));
    }
  }

  // chase loads older pages until the first unread message (aim) is
  // there; false once it is (or the log has no more).
  chase() {
    const log = this.log;
    const first = log.items[0]?.seq;
    if (log.complete || (first !== undefined && first <= this.aim)) return false;
    if (!log.loading) this.c.loadHistory(this.channel, first === undefined ? Math.min(200, this.store.channels.get(this.channel)?.unread + 30 || 50) : 200);
    return true;
  }

  // placeAt opens the window at message seq, a few read messages above it,
  // and scrolls the New messages line near the top.
  placeAt(seq) {
    this.aim = 0;
    const items = this.log.items;
    const i = indexOfSeq(items, seq);
    this.start = Math.max(0, Math.min(i - AIM_BEFORE, items.length - MAX));
    this.end = Math.min(items.length, this.start + MAX);
    this.stick = this.end === items.length;
    this.initial = true;
    this.render(false);
  }

  // clear shows content (an empty state) where the messages go, when there
  // is no conversation to open.
  clear(content) {
    this.channel = null;
    this.aim = 0;
    this.marker = 0;
    this.editing = null;
    this.list.replaceChildren();
    this.top.replaceChildren(content);
    this.jump.hidden = true;
  }

  // refresh re-renders after the log changed (live, synced, acked or an
  // older page), keeping the window on the same messages.
  refresh(older = false) {
    if (!this.channel) return;
    if (this.aim && !this.chase()) { this.placeAt(this.aim); return; }
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
    this.aim = 0;
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
    // Re-rendering moves nodes, which drops focus: put it back where it was
    // (the same node, or the new node of the same message, on the same
    // button of its tool bar or reactions when one had it).
    const active = document.activeElement;
    const focusKey = this.list.contains(active) ? active.closest('[data-key]')?.dataset.key : null;
    const focusSel = focusKey ? focusPath(active) : null;
    const sel = active?.tagName === 'TEXTAREA' ? [active.selectionStart, active.selectionEnd] : null;
    const { nodes, byKey, markerEl } = this.build();
    this.list.replaceChildren(...nodes);
    if (focusKey && document.activeElement !== active) {
      const to = active.isConnected ? active : (focusSel && byKey.get(focusKey)?.querySelector(focusSel)) || byKey.get(focusKey);
      to?.focus({ preventScroll: true });
      if (sel && to === active) active.setSelectionRange(...sel);
    }
    this.renderTop();
    if (anchor && byKey.has(anchor)) {
      s.scrollTop = byKey.get(anchor).offsetTop - offset;
    } else if (this.initial && !this.aim && markerEl && this.log.items.length) {
      s.scrollTop = Math.max(0, markerEl.offsetTop - 48);
      this.stick = this.atBottom();
    } else if (this.stick) {
      s.scrollTop = s.scrollHeight;
    }
    if ((this.log.items.length || this.log.complete) && !this.aim) this.initial = false;
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
      // Only invite a first message where one can be written.
      let title = 'No messages yet — say hello.';
      if (ch?.archived) title = 'This channel is archived and read-only. Nothing was posted here.';
      else if (ch?.announce && this.store.me.role !== 'admin') title = 'No announcements yet.';
      content = h('div', { class: 'empty' },
        h('p', { class: 'empty-title' }, title),
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
    // Without a message before the window, the line's place is known only
    // when the first unread message itself is loaded (or nothing is older).
    const known = this.start > 0 || this.log.complete || (items[0] && items[0].seq <= this.marker);
    const place = (m, key, make) => {
      const newDay = !prev || dayKey(prev.ts) !== dayKey(m.ts);
      // Separators are list items like the messages (a list holds only those).
      if (newDay) nodes.push(h('li', { class: 'day' }, h('span', null, dayLabel(m.ts))));
      const markHere = key !== null && this.marker && m.seq >= this.marker && (prev ? prev.seq < this.marker : known) && m.from !== me;
      if (markHere) {
        markerEl = h('li', { class: 'new-marker' }, h('span', null, 'New messages'));
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
    const changes = this.store.changesFor(this.channel);
    const ed = this.editing?.channel === this.channel ? this.editing.seq : 0;
    const ro = this.readOnly();
    // Seen / Seen by N (view/receipts.js): a row after the message it is about.
    const seen = this.c.receipts?.marks(this.channel, items, this.start, this.end);
    for (let i = this.start; i < this.end; i++) {
      const m = items[i];
      if (m.kind) continue; // an edit or delete: shown on its message
      if (threadOnly(m)) continue; // a reply kept in its thread (view/thread.js)
      const p = changes.get(m.seq);
      if (ed === m.seq && m.deleted) this.editing = null; // deleted elsewhere meanwhile
      place(m, String(m.seq), (head) => {
        let k = `${head ? 'h' : 'c'}${m.seq}.${m.v}${ro ? 'r' : ''}`;
        if (head) k += this.c.people?.sig(m.from) ?? ''; // its face and status (view/people.js)
        if (p) k += `.${p.id}.${p.state}.${this.c.online}`;
        k += this.rx.key(m);
        const editing = ed === m.seq && !!this.editing;
        if (editing) k += '.e';
        const el = cache.get(k) || this.message(m, head, p, editing);
        used.set(k, el);
        return el;
      });
      if (seen?.has(m.seq)) nodes.push(seen.get(m.seq));
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

  message(m, head, change = null, editing = false) {
    const me = this.store.me.name;
    let mentionsMe = false;
    const edited = m.edited && !m.deleted ? h('span', { class: 'edited muted' }, ' (edited)') : null;
    // Formatting (view/format.js): built from markdown.js's tree, never HTML.
    const runs = m.deleted ? [h('em', { class: 'muted' }, 'This message was deleted.')] : this.format(m.text, (t) => {
      if (t.name === me) mentionsMe = true;
      return h('span', { class: t.name === me ? 'mention me' : 'mention' }, t.text);
    }, edited);
    const time = h('time', { datetime: new Date(m.ts).toISOString(), title: fullTime(m.ts) }, timeLabel(m.ts));
    // Actions on one's own messages, while they still stand and the channel takes changes.
    const mine = m.from === me && !m.deleted && !this.readOnly() && change?.kind !== 'delete';
    const cls = ['msg', head ? 'head' : '', mentionsMe && m.from !== me ? 'mentioned' : '', m.from === me ? 'own' : '',
      mine ? 'mine' : '', change ? change.state : '', editing ? 'editing' : ''].join(' ');
    // dir=auto: Arabic or Hebrew reads right to left, each message on its own.
    let body = h('div', { class: 'text', dir: 'auto' }, runs);
    if (change?.kind === 'edit') body = h('div', { class: 'text', dir: 'auto' }, this.format(change.text));
    let fold = null;
    if (editing) body = this.editor(m);
    else if (!m.deleted && isLong(change?.kind === 'edit' ? change.text : m.text)) fold = this.fold(body, `s${m.seq}`);
    // Its files (an edit keeps them; a deleted message has none).
    const channel = this.channel;
    const files = !m.deleted && m.files?.length
      ? messageFiles(channel, m.seq, m.files, (index, link) => this.c.openViewer(channel, m.seq, index, link)) : null;
    return h('li', { class: cls, tabindex: -1, 'aria-keyshortcuts': mine ? 'E Delete' : null },
      head ? this.who(m.from) : srOnly(`${this.store.display(m.from)} `),
      // Threads (view/threads.js): a reply also sent here says so; a root shows its replies' line.
      h('span', { class: 'gutter' }, time), this.rx.pinNote(m), this.c.threads?.note(channel, m),
      m.confirm && !m.deleted ? h('div', { class: 'ask-note muted small' }, 'Asks for confirmation') : null, body, fold, files, this.rx.chips(m), this.c.threads?.summary(channel, m),
      change ? this.changeStatus(m, change) : null,
      // The tool bar (reactions, reply, more; view/reactions.js) ends with one's own Edit and Delete.
      editing ? null : this.rx.tools(m, mine ? h('div', { class: 'msg-actions', role: 'group', 'aria-label': 'Message actions' },
        h('button', { type: 'button', class: 'icon-button', tabindex: -1, 'aria-label': 'Edit message', title: 'Edit (E)', onclick: () => this.startEdit(m.seq, 'message') }, icon('edit')),
        h('button', { type: 'button', class: 'icon-button danger', tabindex: -1, 'aria-label': 'Delete message', title: 'Delete (Delete key)', onclick: () => this.c.confirmDelete(this.channel, m.seq) }, icon('trash'))) : null));
  }

  // who is the name at the start of a group, with the person's face and
  // status once view/people.js is loaded; a click opens their card.
  who(name) {
    const p = this.c.people;
    return h('div', { class: 'meta' }, p?.face(name), h('span', { class: 'author', dir: 'auto', 'data-user': name }, this.store.display(name)), p?.badge(name));
  }

  // format is a message text's nodes, formatted; mention makes each
  // @mention's element, tail ends the last paragraph ("(edited)").
  format(text, mention = null, tail = null) {
    const me = this.store.me.name;
    return formatText(text, { isUser: (n) => this.store.isUser(n), tail,
      mention: mention || ((t) => h('span', { class: t.name === me ? 'mention me' : 'mention' }, t.text)) });
  }

  // changeStatus says where an edit or delete of m stands.
  changeStatus(m, p) {
    const what = p.kind === 'edit' ? 'edit' : 'delete';
    if (p.state !== 'failed') {
      const doing = p.kind === 'edit' ? 'Saving your edit…' : 'Deleting…';
      return h('div', { class: 'status' }, icon('clock'), h('span', null, this.c.online ? doing : `Your ${what} waits for the connection…`));
    }
    const blocked = p.code === 'blocked';
    return h('div', { class: 'status failed', role: 'alert' }, icon('alert'),
      h('span', null, blocked ? p.error : `Your ${what} was not saved: ${p.error || 'the server refused it.'}`),
      blocked ? h('button', { type: 'button', class: 'link-button', onclick: () => { this.store.discard(p.id); this.startEdit(m.seq, 'message', p.text); } }, 'Change it')
        : h('button', { type: 'button', class: 'link-button', onclick: () => this.c.retry(p.id) }, 'Retry'),
      h('button', { type: 'button', class: 'link-button', onclick: () => this.store.discard(p.id) }, p.kind === 'edit' ? 'Discard edit' : 'Keep message'));
  }

  readOnly() { return !!this.store.channels.get(this.channel)?.archived; }

  // fold shows a long text folded, with the button that opens and closes
  // it; key keeps the person's choice while the list re-renders.
  fold(body, key) {
    const id = `text-${key}`;
    body.id = id;
    const btn = h('button', { type: 'button', class: 'link-button fold-toggle', 'aria-controls': id });
    const show = (open) => {
      body.classList.toggle('folded', !open);
      btn.setAttribute('aria-expanded', String(open));
      btn.textContent = open ? 'Show less' : 'Show more';
    };
    show(this.unfolded.has(key));
    btn.addEventListener('click', () => {
      const open = !this.unfolded.has(key);
      if (open) this.unfolded.add(key); else this.unfolded.delete(key);
      show(open);
      // Folding back from far below: keep the message in sight.
      if (!open && body.getBoundingClientRect().top < this.scroller.getBoundingClientRect().top) btn.closest('.msg')?.scrollIntoView({ block: 'nearest' });
    });
    return btn;
  }

  // ---- editing ----
  focusable() { return [...this.list.querySelectorAll('.msg[data-key]')]; }

  tabbable(li, from = null) {
    for (const b of (from || this.list).querySelectorAll('.msg-actions button, .msg-tools button, .reactions button, [data-action="open-thread"], button.face')) b.tabIndex = li && li.contains(b) ? 0 : -1;
  }

  onKey(e) {
    const li = e.target.closest('.msg');
    if (!li || e.target !== li || e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
      const all = this.focusable();
      const to = all[all.indexOf(li) + (e.key === 'ArrowUp' ? -1 : 1)];
      e.preventDefault();
      if (to) to.focus(); else if (e.key === 'ArrowDown') this.c.focusComposer();
      return;
    }
    if (e.key === 'Escape') { e.preventDefault(); this.c.focusComposer(); return; }
    const seq = Number(li.dataset.key);
    if (!li.classList.contains('mine') || !seq) return;
    if (e.key === 'e' || e.key === 'E') { e.preventDefault(); this.startEdit(seq, 'message'); }
    else if (e.key === 'Delete' || e.key === 'Backspace') { e.preventDefault(); this.c.confirmDelete(this.channel, seq); }
  }

  // lastOwn is the newest message of mine that can still be edited.
  lastOwn() {
    const items = this.log.items, me = this.store.me.name;
    for (let i = items.length - 1; i >= 0 && i >= items.length - 200; i--) {
      const m = items[i];
      if (m.from === me && !m.kind && !m.deleted && !threadOnly(m)) return m.seq;
    }
    return 0;
  }

  // startEdit opens the inline edit box on message seq; back says where
  // focus returns afterwards ('message' or 'composer').
  startEdit(seq, back = 'message', text = null) {
    const m = this.log.items[indexOfSeq(this.log.items, seq)];
    if (!m || m.seq !== seq || m.from !== this.store.me.name || m.deleted || this.readOnly()) return false;
    const pending = this.store.changesFor(this.channel).get(seq);
    const input = h('textarea', { class: 'edit-input', rows: 1, dir: 'auto', 'aria-label': 'Edit message', 'aria-describedby': 'edit-help' });
    input.value = text ?? (pending?.kind === 'edit' ? pending.text : m.text);
    this.editing = { channel: this.channel, seq, input, back };
    if (!this.reveal(seq, false)) this.refresh(false);
    input.focus();
    input.setSelectionRange(input.value.length, input.value.length);
    this.fit(input);
    return true;
  }

  editor(m) {
    const input = this.editing.input;
    const save = () => this.c.saveEdit(this.channel, m.seq, input.value);
    const form = h('form', { class: 'edit-form' }, input,
      h('div', { class: 'edit-foot' },
        h('span', { id: 'edit-help', class: 'hint muted' }, 'Enter to save · Esc to cancel'),
        h('button', { type: 'button', class: 'secondary small', onclick: () => this.stopEdit() }, 'Cancel'),
        h('button', { type: 'submit', class: 'primary small' }, 'Save')));
    form.addEventListener('submit', (e) => { e.preventDefault(); save(); });
    input.onkeydown = (e) => {
      if (formatKey(e, input)) return; // Ctrl+B, Ctrl+I
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && !e.altKey && !e.ctrlKey && !e.metaKey) { e.preventDefault(); save(); }
      else if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); this.stopEdit(); }
    };
    input.oninput = () => this.fit(input);
    return form;
  }

  fit(input) {
    input.style.height = 'auto';
    input.style.height = `${Math.min(input.scrollHeight, 240)}px`;
  }

  stopEdit() {
    const ed = this.editing;
    if (!ed) return;
    this.editing = null;
    this.refresh(false);
    if (ed.back === 'composer' || ed.channel !== this.channel) this.c.focusComposer();
    else this.list.querySelector(`[data-key="${ed.seq}"]`)?.focus();
  }

  // reveal slides the window to message seq and scrolls it into view; mark
  // highlights it for a moment and focuses it (a search result's target).
  reveal(seq, mark = true) {
    this.aim = 0;
    const items = this.log.items;
    const i = indexOfSeq(items, seq);
    if (items[i]?.seq !== seq) return false;
    const inWindow = i >= this.start && i < this.end;
    if (!inWindow) {
      this.start = Math.max(0, Math.min(i - PAGE, items.length - MAX));
      this.end = Math.min(items.length, this.start + MAX);
      this.stick = false;
    }
    this.initial = false;
    this.render(false);
    const el = this.list.querySelector(`[data-key="${seq}"]`);
    if (!el) return false;
    el.scrollIntoView({ block: mark ? 'center' : 'nearest' });
    this.stick = this.atBottom();
    if (mark) {
      el.classList.add('highlight');
      el.focus({ preventScroll: true });
      setTimeout(() => el.classList.remove('highlight'), 4000);
    }
    this.updateJump();
    return true;
  }

  pending(p, head) {
    const me = this.store.me.name;
    const failed = p.state === 'failed';
    const blocked = failed && p.code === 'blocked';
    // A content rule's refusal is the server's own sentence; sending the
    // same text again would be refused again, so it offers to change it.
    const status = failed
      ? h('div', { class: blocked ? 'status failed blocked' : 'status failed', role: 'alert' }, icon('alert'),
        h('span', null, blocked ? p.error : `Not sent: ${p.error || 'the server refused it.'}`),
        blocked ? h('button', { type: 'button', class: 'link-button', onclick: () => this.c.revise(p.id) }, 'Change it')
          : h('button', { type: 'button', class: 'link-button', onclick: () => this.c.retry(p.id) }, 'Retry'),
        h('button', { type: 'button', class: 'link-button', onclick: () => this.store.discard(p.id) }, 'Delete'))
      : h('div', { class: 'status' }, icon('clock'), h('span', null, this.c.online ? 'Sending…' : 'Waiting for the connection…'));
    const body = h('div', { class: 'text', dir: 'auto' }, this.format(p.text));
    // Its files are uploaded but not yet in a message: cards without links.
    const files = p.fileInfo?.length ? h('div', { class: 'msg-files' }, p.fileInfo.map((f) => fileCard(f))) : null;
    return h('li', { class: `msg own ${head ? 'head' : ''} ${failed ? 'failed' : 'pending'}`, tabindex: -1 },
      head ? this.who(me) : srOnly(`${this.store.display(me)} `),
      body, isLong(p.text) ? this.fold(body, `p${p.id}`) : null, files, status);
  }

  updateJump() {
    if (!this.channel) { this.jump.hidden = true; return; }
    const s = this.scroller;
    const below = this.end < this.log.items.length || s.scrollHeight - s.scrollTop - s.clientHeight > 200;
    this.jump.hidden = !below;
    const ch = this.store.channels.get(this.channel);
    this.jump.lastChild.textContent = ch?.unread ? `${ch.unread} new ${ch.unread === 1 ? 'message' : 'messages'}` : 'Jump to newest';
  }
}
