// Replies and threads without the DOM (docs/client.md, "Threads"): a reply
// (`parent`: its root's seq) stays in its channel's log but shows in the list,
// and counts as unread there, only with `also`. A root's `thread` summary is
// taken from pages as it is; live and synced replies bump it. Followed: the
// Threads view (GET /api/threads), kept current by live replies.
import { mentions } from './text.js';

// threadOnly: a reply (or its outbox entry) kept in its thread only.
export function threadOnly(m) { return !!m && !m.kind && m.parent > 0 && !m.also; }

// threadOf: a message object's summary {replies, last (ms), people}, or null.
export function threadOf(f) {
  const t = f?.thread;
  if (!t || typeof t !== 'object' || !(t.replies > 0)) return null;
  const people = Array.isArray(t.people) ? [...new Set(t.people.filter((p) => typeof p === 'string' && p))] : [];
  return { replies: Math.floor(t.replies), last: Date.parse(t.last) || 0, people };
}

// bump counts reply on its root; false when the summary has it already (a
// page's summary counts up to its `last`; after a live one, by seq).
export function bump(root, reply) {
  const t = root.thread;
  if (t && (t.seen ? reply.seq <= t.seen : reply.ts <= t.last)) return false;
  const next = t ? { ...t, people: [...t.people] } : { replies: 0, last: 0, people: [] };
  next.replies++;
  next.last = Math.max(next.last, reply.ts);
  next.seen = Math.max(next.seen || 0, reply.seq);
  if (reply.from && !next.people.includes(reply.from)) next.people.push(reply.from);
  root.thread = next;
  root.v++;
  return true;
}

// unbump takes a reply deleted live off its root's summary.
export function unbump(root) {
  const t = root.thread;
  if (!t) return false;
  if (t.replies > 1) root.thread = { ...t, replies: t.replies - 1 };
  else delete root.thread;
  root.v++;
  return true;
}

// repliesOf: the replies to root in a log's items (after it, by seq).
export function repliesOf(items, root) {
  const out = [];
  for (let i = items.length - 1; i >= 0 && items[i].seq > root; i--) {
    const m = items[i];
    if (!m.kind && m.parent === root) out.push(m);
  }
  return out.reverse();
}

// rootReached: the log (no holes up to the newest) reaches back to root, so
// every reply is loaded.
export function rootReached(log, root) {
  return log.complete || (log.items.length > 0 && log.items[0].seq <= root);
}

export function repliesLabel(n) { return `${n} ${n === 1 ? 'reply' : 'replies'}`; }

// peopleLabel names who takes part: "Ana, Ben", "Ana, Ben, Cleo and 2 more".
export function peopleLabel(names, display = (n) => n, max = 3) {
  const shown = names.slice(0, max).map(display).join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}

// lastLabel: "14:02", "yesterday 14:02", "Tuesday 14 March 14:02".
export function lastLabel(ts, dayLabel, timeLabel, now = Date.now()) {
  const day = dayLabel(ts, now);
  if (day === 'Today') return timeLabel(ts);
  return `${day === 'Yesterday' ? 'yesterday' : day} ${timeLabel(ts)}`;
}

// summaryText is the line under a root: "3 replies · last 14:02 · Ana, Ben".
export function summaryText(t, { display = (n) => n, dayLabel, timeLabel, now = Date.now() }) {
  const parts = [repliesLabel(t.replies)];
  if (t.last) parts.push(`last ${lastLabel(t.last, dayLabel, timeLabel, now)}`);
  if (t.people.length) parts.push(peopleLabel(t.people, display));
  return parts.join(' · ');
}

const key = (channel, seq) => `${channel}/${seq}`;

export class Followed {
  constructor() {
    this.map = new Map(); // "channel/root" → {channel, seq, message, replies, last, unread, seen}
    this.loaded = false;
    this.stale = false; // a thread is followed that the fetched list lacks: fetch it again
  }

  // set takes GET /api/threads's list as the truth.
  set(list) {
    const next = new Map();
    for (const t of Array.isArray(list) ? list : []) {
      if (!t || typeof t.channel !== 'string' || !Number.isInteger(t.seq) || t.seq <= 0) continue;
      next.set(key(t.channel, t.seq), {
        channel: t.channel, seq: t.seq, message: t.message && typeof t.message === 'object' ? t.message : null,
        replies: Number.isInteger(t.replies) ? t.replies : 0, last: Date.parse(t.last) || 0,
        unread: Number.isInteger(t.unread) && t.unread > 0 ? t.unread : 0, seen: 0,
      });
    }
    this.map = next;
    this.loaded = true;
    this.stale = false;
  }

  get(channel, seq) { return this.map.get(key(channel, seq)) || null; }

  // reply notes a live or synced reply m (root: its root if loaded):
  // 'counted', 'new' (now followed, not listed: fetch again) or ''. One
  // follows what one wrote (root or reply) or was @mentioned in.
  reply(channel, m, root, me) {
    let t = this.map.get(key(channel, m.parent));
    if (!t) {
      const follows = m.from === me || root?.from === me || mentions(m.text || '', me) || !!root?.thread?.people?.includes(me);
      if (!follows) return '';
      t = { channel, seq: m.parent, message: root ? { seq: root.seq, from: root.from, text: root.text, ts: new Date(root.ts).toISOString() } : null,
        replies: 1, last: m.ts, unread: m.from === me ? 0 : 1, seen: m.seq };
      this.map.set(key(channel, m.parent), t);
      this.stale = true;
      return 'new';
    }
    if (t.seen ? m.seq <= t.seen : m.ts <= t.last) return '';
    t.seen = m.seq;
    t.replies++;
    t.last = Math.max(t.last, m.ts);
    if (m.from !== me) t.unread++;
    return 'counted';
  }

  // read: the thread was read to its newest reply; true when that changed.
  read(channel, seq) {
    const t = this.map.get(key(channel, seq));
    if (!t || !t.unread) return false;
    t.unread = 0;
    return true;
  }

  // unread: unread replies in the threads of channels has(channel).
  unread(has = () => true) {
    let n = 0;
    for (const t of this.map.values()) if (has(t.channel)) n += t.unread;
    return n;
  }

  // list: unread threads first, then the newest reply first.
  list(has = () => true) {
    return [...this.map.values()].filter((t) => has(t.channel))
      .sort((a, b) => (b.unread > 0) - (a.unread > 0) || b.last - a.last || b.seq - a.seq);
  }
}
