// Client state: people, channels, loaded messages and the outbox. No DOM
// here, so the rules (dedupe, unread, outbox) are testable with node --test.
import { mentionsMe } from './text.js';
import { isRecordKind, applyRecord, reactionsOf } from './reactions.js';
import { threadOnly, threadOf, bump, unbump, Followed } from './threads.js';

// newId makes a client message id. crypto.randomUUID needs a secure context;
// getRandomValues works on plain-http LAN addresses too.
export function newId() {
  const b = new Uint8Array(12);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

// insertBySeq keeps items sorted by seq and holds each seq once.
export function insertBySeq(items, msg) {
  const n = items.length;
  if (n === 0 || items[n - 1].seq < msg.seq) { items.push(msg); return true; }
  let lo = 0, hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (items[mid].seq < msg.seq) lo = mid + 1; else hi = mid;
  }
  if (lo < n && items[lo].seq === msg.seq) return false;
  items.splice(lo, 0, msg);
  return true;
}

// toMsg keeps what the view needs of a message frame. Edits and deletes
// are messages of their own (kind + ref, the archive keeps every version):
// they stay in the log, unseen, so paging by seq has no holes.
export function toMsg(f) {
  const m = { seq: f.seq, id: f.id, from: f.from, text: f.text || '', ts: Date.parse(f.ts) || Date.now(), v: 0 };
  // Reactions and pins (docs/conversation.md) are records too: react,
  // unreact, pin, unpin. Any record with a kind is never shown as a message.
  if (f.kind) { m.kind = f.kind; m.ref = f.ref; }
  else {
    const r = reactionsOf(f);
    if (r) m.reactions = r;
    if (f.pinned) m.pinned = true;
    if (f.confirm) m.confirm = true; // asks its readers to confirm (docs/people.md)
    // Threads (threads.js): a reply names its root; a root carries its summary.
    if (f.parent > 0) { m.parent = f.parent; if (f.also) m.also = true; }
    const t = threadOf(f);
    if (t) m.thread = t;
  }
  if (f.edited) m.edited = true;
  if (f.deleted) { m.deleted = true; m.text = ''; }
  // Files (docs/files.md): {name, type, size, w, h} each, in the order sent.
  // A deleted message shows none.
  else if (!m.kind && Array.isArray(f.files) && f.files.length) m.files = f.files.filter(isFileInfo).map(fileInfo);
  return m;
}

// fileInfo keeps what the view shows of a file; isFileInfo checks one from
// the server or the outbox.
export function isFileInfo(x) {
  return !!x && typeof x === 'object' && typeof x.name === 'string' && typeof x.type === 'string' && Number.isFinite(x.size);
}
export function fileInfo(x) {
  const out = { name: x.name, type: x.type, size: x.size };
  if (x.w > 0 && x.h > 0) { out.w = x.w; out.h = x.h; }
  return out;
}

// validEntry: an outbox entry read back from localStorage is one this
// client could have written (a send may carry upload ids and their files).
function validEntry(p) {
  if (!p || typeof p.id !== 'string' || typeof p.channel !== 'string' || typeof p.text !== 'string') return false;
  if (p.kind && !((p.kind === 'edit' || p.kind === 'delete' || isRecordKind(p.kind)) && Number.isInteger(p.ref))) return false;
  if (p.files !== undefined) {
    if (p.kind || !Array.isArray(p.files) || !p.files.length || !p.files.every((x) => typeof x === 'string')) return false;
    if (!Array.isArray(p.fileInfo) || p.fileInfo.length !== p.files.length || !p.fileInfo.every(isFileInfo)) return false;
  }
  // A reply (threads.js): the root's seq, and whether it shows in the channel too.
  if (p.parent !== undefined && (p.kind || !Number.isInteger(p.parent) || p.parent <= 0)) return false;
  if (p.also !== undefined && (p.also !== true || p.parent === undefined)) return false;
  return true;
}

// applyChange shows an edit or delete on the message it is about, if loaded
// (pages loaded later come with the latest version already).
export function applyChange(items, change) {
  const target = items[indexOfSeq(items, change.ref)];
  if (!target || target.seq !== change.ref || target.kind) return;
  // An edit changes the text only: the files stay. A delete takes both.
  if (change.kind === 'edit') { target.text = change.text; target.edited = true; } else if (change.kind === 'delete') { target.deleted = true; target.text = ''; delete target.files; }
  // A reaction or pin (reactions.js); a kind this client does not know changes nothing.
  else if (!applyRecord(target, change)) return;
  target.v++;
}

// groupLabel names a group by its other people's display names, in
// alphabetical order: "Ben, Cleo and Dan".
export function groupLabel(names) {
  const s = [...names].sort((a, b) => a.localeCompare(b));
  return s.length < 2 ? s.join('') : `${s.slice(0, -1).join(', ')} and ${s.at(-1)}`;
}

// notifyWanted says whether a message deserves a desktop notification by
// the person's level for its conversation (docs/conversation.md): all,
// mentions (only those of them, @here and @channel) or none; a muted
// conversation notifies its mentions only.
export function notifyWanted(ch, text, me) {
  const level = ch?.notify || 'all';
  if (!ch || level === 'none') return false;
  if (mentionsMe(text, me)) return true;
  return level === 'all' && !ch.muted;
}

export function indexOfSeq(items, seq) {
  let lo = 0, hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (items[mid].seq < seq) lo = mid + 1; else hi = mid;
  }
  return lo;
}

export class Store {
  constructor(storage = null) {
    this.storage = storage;
    this.me = null;
    this.office = 'Inhouse';
    this.policy = { version: 0, text: '', banner: '' };
    this.maxText = 8000;
    this.maxFile = 0; // the office's largest file in bytes (0: not known)
    this.users = new Map();
    this.channels = new Map();
    this.logs = new Map();
    this.outbox = [];
    this.typing = new Map();
    this.listeners = new Set();
    this.followed = new Followed(); // the Threads view (threads.js)
  }

  on(fn) { this.listeners.add(fn); return () => this.listeners.delete(fn); }
  emit(what, channel, data) { for (const fn of this.listeners) fn(what, channel, data); }

  setMe(me) {
    this.me = me.user;
    this.info = me; // all of /api/me (view/receipts.js)
    this.office = me.office || 'Inhouse';
    this.policy = me.policy || this.policy;
    this.maxText = me.max_text || 8000;
    this.maxFile = me.max_file > 0 ? me.max_file : 0;
    // @here and @channel (docs/conversation.md): who may, and above how
    // many members the client asks first.
    this.mentionAllBy = me.mention_all_by || 'everyone';
    this.confirmAbove = me.mention_confirm_above > 0 ? me.mention_confirm_above : 0;
    this.loadOutbox();
  }

  // The outbox lives in localStorage so a reload or a crash loses nothing;
  // entries keep their id, so a resend is stored once.
  get outboxKey() { return `inhouse.outbox.${this.me.name}`; }
  loadOutbox() {
    try {
      const v = JSON.parse(this.storage?.getItem(this.outboxKey) || '[]');
      this.outbox = Array.isArray(v) ? v.filter(validEntry) : [];
    } catch { this.outbox = []; }
  }
  saveOutbox() {
    try { this.storage?.setItem(this.outboxKey, JSON.stringify(this.outbox)); } catch { /* full or disabled: keep in memory */ }
  }

  setUsers(list) {
    this.users = new Map(list.map((u) => [u.name, { ...u }]));
    this.emit('users');
  }
  presence(user, status) {
    const u = this.users.get(user);
    if (u && u.status !== status) { u.status = status; this.emit('users'); }
  }
  // person: a person frame (docs/people.md); presence and my role stay.
  person(u) {
    if (!u?.name) return;
    this.users.set(u.name, { status: this.users.get(u.name)?.status, ...u });
    if (u.name === this.me?.name) this.me = { role: this.me.role, ...u };
    this.emit('users');
  }
  // quietNow: I am not notified now (do not disturb, quiet hours).
  quietNow(now = Date.now()) {
    const u = this.me, q = u?.quiet;
    return q?.now ? !(Date.parse(q.until) <= now) : Date.parse(u?.next_quiet) <= now;
  }
  display(name) { return this.users.get(name)?.display || name; }
  isUser(name) { return this.users.has(name); }

  // A fresh channel list from the server: its unread counts win; what this
  // client has received (seen) is kept so sync asks only for what it missed.
  setChannels(list) {
    const next = new Map();
    for (const c of list) next.set(c.id, this.merged(c));
    this.channels = next;
    for (const id of this.logs.keys()) if (!next.has(id)) this.logs.delete(id);
    this.emit('channels');
  }
  merged(c) {
    const old = this.channels.get(c.id);
    const unread = c.unread || 0;
    return {
      ...c,
      unread,
      mentions: unread ? old?.mentions || 0 : 0,
      seen: old ? Math.max(old.seen, 0) : c.last_seq,
      readSeq: c.last_seq - unread,
    };
  }
  upsertChannel(c) {
    this.channels.set(c.id, this.merged(c));
    this.emit('channels');
  }
  removeChannel(id) {
    this.channels.delete(id);
    this.logs.delete(id);
    this.emit('channels');
  }

  partner(ch) {
    const names = ch.members?.length ? ch.members : ch.name.split(',');
    return names.find((n) => n !== this.me.name) || this.me.name;
  }
  // A direct conversation of 3 to 8 people (a group) is named by the
  // others' display names, never by its raw name.
  isGroup(ch) { return ch?.kind === 'direct' && (ch.members?.length ? ch.members : ch.name.split(',')).length > 2; }
  others(ch) { return (ch.members?.length ? ch.members : ch.name.split(',')).filter((n) => n !== this.me.name); }
  label(ch) {
    if (ch.kind !== 'direct') return ch.name;
    return this.isGroup(ch) ? groupLabel(this.others(ch).map((n) => this.display(n))) : this.display(this.partner(ch));
  }

  syncPoints() {
    const out = {};
    for (const c of this.channels.values()) out[c.id] = c.seen;
    return out;
  }

  log(id) {
    let l = this.logs.get(id);
    if (!l) { l = { items: [], complete: false, loading: false }; this.logs.set(id, l); }
    return l;
  }

  // addMessages stores live or synced messages once each (by seq). viewing
  // says the person is looking at the channel's newest messages: then nothing
  // becomes unread. It returns the messages that are new to this client.
  addMessages(channel, frames, viewing = false) {
    const ch = this.channels.get(channel);
    const log = this.log(channel);
    const fresh = [];
    let outbox = false;
    for (const f of frames) {
      const m = toMsg(f);
      if (!insertBySeq(log.items, m)) continue;
      if (m.from === this.me.name && this.dropPending(m.id)) outbox = true;
      // A reply deleted live leaves its thread's count (threads.js).
      if (m.kind === 'delete') this.unthread(log.items, m.ref);
      if (m.kind) applyChange(log.items, m);
      else if (m.parent > 0) this.threadReply(channel, log.items, m);
      if (!ch) continue;
      if (m.seq > ch.seen) ch.seen = m.seq;
      if (m.seq > ch.last_seq) {
        ch.last_seq = m.seq;
        if (m.from === this.me.name) ch.readSeq = Math.max(ch.readSeq, m.seq);
        // A reply kept in its thread is not unread in the channel (the Threads view counts it).
        else if (!viewing && !m.kind && !threadOnly(m)) {
          ch.unread++;
          if (mentionsMe(m.text, this.me.name)) ch.mentions++;
        }
        if (!m.kind && !threadOnly(m)) fresh.push(m);
      }
    }
    if (outbox) this.saveOutbox();
    if (frames.length) this.emit('log', channel);
    return fresh;
  }

  // threadReply: a reply arrived live, by sync or with its ack. Its root's
  // summary counts it (unless a page already did) and the Threads view
  // notes it; 'reply' tells the page, with the message.
  threadReply(channel, items, m) {
    const i = indexOfSeq(items, m.parent);
    const root = items[i]?.seq === m.parent && !items[i].kind ? items[i] : null;
    if (root) bump(root, m);
    if (this.followed.reply(channel, m, root, this.me.name)) this.emit('threads', channel);
    this.emit('reply', channel, m);
  }
  // unthread: reply seq was deleted live; its root counts one reply less.
  unthread(items, seq) {
    const r = items[indexOfSeq(items, seq)];
    if (r?.seq !== seq || r.kind || !(r.parent > 0) || r.deleted) return;
    const root = items[indexOfSeq(items, r.parent)];
    if (root?.seq === r.parent && !root.kind) unbump(root);
  }
  // setThreads takes GET /api/threads's list; threadRead clears a thread
  // once my read position in it went to the server (protocol.js).
  setThreads(list) {
    this.followed.set(list);
    this.emit('threads');
  }
  threadRead(channel, root) {
    if (this.followed.read(channel, root)) this.emit('threads', channel);
  }

  // addHistory stores an older page; fewer than asked means the start.
  addHistory(channel, frames, limit) {
    const log = this.log(channel);
    log.loading = false;
    for (const f of frames) {
      const m = toMsg(f);
      // A history page is current: its reactions and pins are in its messages already.
      if (insertBySeq(log.items, m) && m.kind && !isRecordKind(m.kind)) applyChange(log.items, m);
    }
    if (frames.length < limit || log.items[0]?.seq === 1 || log.items.length === 0) log.complete = true;
    this.emit('history', channel);
  }

  // queue puts a new message in the outbox. files: the server's file
  // objects of its uploads ({id, name, type, size, w, h}); the entry keeps
  // the ids to send (files) and what to show until it is stored (fileInfo).
  queue(channel, text, files = [], reply = null) {
    const p = { id: newId(), channel, text, ts: Date.now(), state: 'pending' };
    if (files.length) {
      p.files = files.map((f) => f.id);
      p.fileInfo = files.map(fileInfo);
    }
    // A reply in the thread of reply.parent (threads.js), also in the channel with reply.also.
    if (reply?.parent > 0) { p.parent = reply.parent; if (reply.also) p.also = true; }
    this.outbox.push(p);
    this.saveOutbox();
    this.emit('outbox', channel);
    return p;
  }
  // queueChange puts an edit (new text) or a delete of message ref in the
  // outbox: it waits, resends and fails like a new message.
  queueChange(channel, kind, ref, text = '') {
    const p = { id: newId(), channel, kind, ref, text: kind === 'edit' ? text : '', ts: Date.now(), state: 'pending' };
    this.outbox.push(p);
    this.saveOutbox();
    this.emit('outbox', channel);
    return p;
  }
  // queueRecord puts a reaction (kind react/unreact, text the emoji) or a
  // pin (pin/unpin) of message ref in the outbox, to go like an edit.
  queueRecord(channel, kind, ref, text = '') {
    const p = { id: newId(), channel, kind, ref, text: kind === 'react' || kind === 'unreact' ? text : '', ts: Date.now(), state: 'pending' };
    this.outbox.push(p);
    this.saveOutbox();
    this.emit('outbox', channel);
    return p;
  }
  // pendingFor: new messages not yet stored (edits and deletes show on
  // the message they change, see changesFor).
  pendingFor(channel) { return this.outbox.filter((p) => p.channel === channel && !p.kind && !threadOnly(p)); }
  // pendingReplies: replies to root not yet stored (the thread shows them).
  pendingReplies(channel, root) { return this.outbox.filter((p) => p.channel === channel && !p.kind && p.parent === root); }
  // changesFor maps a message's seq to the latest unsettled edit or delete of it.
  changesFor(channel) {
    const out = new Map();
    for (const p of this.outbox) if (p.channel === channel && (p.kind === 'edit' || p.kind === 'delete')) out.set(p.ref, p);
    return out;
  }
  dropPending(id) {
    const i = this.outbox.findIndex((p) => p.id === id);
    if (i < 0) return null;
    const [p] = this.outbox.splice(i, 1);
    return p;
  }

  // ack: the message is durable. Without the outbox entry (acked in an
  // earlier life of the page) the message frame brings the text.
  ack(f) {
    const p = this.dropPending(f.id);
    if (!p) return;
    this.saveOutbox();
    // A reaction or pin changes its message at once; its record is not put
    // in the log from here: an ack of one that stored nothing new (reacting
    // twice) may name an older seq, and the record's own message frame
    // follows anyway.
    if (isRecordKind(p.kind)) {
      const items = this.log(f.channel).items;
      const target = items[indexOfSeq(items, p.ref)];
      if (target?.seq === p.ref && !target.kind && applyRecord(target, { kind: p.kind, text: p.text, from: this.me.name })) target.v++;
      this.emit('log', f.channel);
      this.emit('outbox', f.channel);
      return;
    }
    // The message frame that follows is a duplicate by seq and is dropped:
    // the files must come from the entry.
    this.addMessages(f.channel, [{ seq: f.seq, id: f.id, from: this.me.name, text: p.text, ts: f.ts, kind: p.kind, ref: p.ref, files: p.fileInfo, parent: p.parent, also: p.also, confirm: p.confirm }]);
    this.emit('outbox', f.channel);
  }
  // fail keeps the entry and its text with the server's reason; code
  // 'blocked' (a content rule) is shown as the server's own sentence.
  fail(id, message, code = '') {
    const p = this.outbox.find((x) => x.id === id);
    if (!p) return;
    p.state = 'failed';
    p.error = message;
    if (code) p.code = code; else delete p.code;
    this.saveOutbox();
    this.emit('outbox', p.channel);
  }
  retry(id) {
    const p = this.outbox.find((x) => x.id === id);
    if (!p) return null;
    p.state = 'pending';
    delete p.error;
    delete p.code;
    this.saveOutbox();
    this.emit('outbox', p.channel);
    return p;
  }
  discard(id) {
    const p = this.dropPending(id);
    if (p) { this.saveOutbox(); this.emit('outbox', p.channel); }
  }

  // unreadSeq is the seq a read of channel would report, or 0 when it is read.
  unreadSeq(channel) {
    const ch = this.channels.get(channel);
    return !ch || (ch.unread === 0 && ch.readSeq >= ch.last_seq) ? 0 : ch.last_seq;
  }
  // markRead returns the seq to report, or 0 when nothing changed.
  markRead(channel) {
    const ch = this.channels.get(channel);
    if (!this.unreadSeq(channel)) return 0;
    ch.readSeq = ch.last_seq;
    ch.unread = 0;
    ch.mentions = 0;
    this.emit('unread', channel);
    return ch.last_seq;
  }
  // readElsewhere: another tab of mine read up to seq.
  readElsewhere(channel, seq) {
    const ch = this.channels.get(channel);
    if (!ch || seq <= ch.readSeq) return;
    ch.readSeq = seq;
    if (seq >= ch.last_seq) { ch.unread = 0; ch.mentions = 0; } else ch.unread = Math.min(ch.unread, ch.last_seq - seq);
    this.emit('unread', channel);
  }
  totalUnread() {
    let n = 0;
    // A muted channel counts only its mentions.
    for (const c of this.channels.values()) n += c.muted ? c.mentions : c.unread;
    return n;
  }

  typingIn(channel, user, now = Date.now()) {
    if (!this.typing.has(channel)) this.typing.set(channel, new Map());
    this.typing.get(channel).set(user, now + 5000);
    this.emit('typing', channel);
  }
  stopTyping(channel, user) {
    if (this.typing.get(channel)?.delete(user)) this.emit('typing', channel);
  }
  typers(channel, now = Date.now()) {
    const m = this.typing.get(channel);
    if (!m) return [];
    const out = [];
    for (const [u, until] of m) {
      if (until > now) out.push(this.display(u)); else m.delete(u);
    }
    return out;
  }
}
