// Read receipts and announcements to confirm, without the DOM
// (docs/people.md): where *Seen* goes in a direct message or small group,
// how many saw each of one's own messages in a channel, and the
// announcements still waiting for this person's confirmation. The page
// (view/receipts.js, view/announce.js) only draws what this file decides,
// so node --test checks the rules.
import { indexOfSeq } from './store.js';
import { threadOnly } from './threads.js';
import { dayKey, dayLabel, timeLabel } from './text.js';

// Direct messages and groups up to this many people get *Seen* under the
// last message each member read; larger ones count like channels.
export const SMALL_GROUP = 8;
// How far back a read position is followed past records (reactions, edits,
// replies kept in their thread) to the message the list shows.
const WALK_BACK = 500;

// shown: a message the list draws (not a record, not a reply kept in its thread).
export function shown(m) { return !!m && !m.kind && !threadOnly(m); }

// receiptMode is how a conversation shows receipts: 'dm' (Seen under the
// last message read), 'channel' (Seen by N under one's own) or '' (none:
// the office has them off, or not told yet, or the person hides theirs and
// so sees nobody's). people: how many members it has.
export function receiptMode(ch, receipts, hide, people) {
  if (!ch || (receipts !== 'on' && receipts !== 'always')) return '';
  if (receipts === 'on' && hide) return '';
  return ch.kind === 'direct' && people <= SMALL_GROUP ? 'dm' : 'channel';
}

function validSeen(x) {
  return !!x && typeof x.user === 'string' && x.user !== '' && Number.isSafeInteger(x.seq) && x.seq > 0;
}

// Seen holds, per conversation, the read position of every other member
// that may be shown: user → { seq, ts } (ts in ms, 0 when not known).
export class Seen {
  constructor() { this.by = new Map(); }

  get(channel) { return this.by.get(channel); }
  has(channel) { return this.by.has(channel); }

  // set takes GET /api/channels/{id}/seen's list. A live frame that came
  // while the list was on its way is newer: positions only move forward.
  // Whoever the list leaves out (left, or hides theirs now) goes.
  set(channel, list, me = '') {
    const old = this.by.get(channel);
    const next = new Map();
    for (const x of Array.isArray(list) ? list : []) {
      if (!validSeen(x) || x.user === me) continue;
      const r = { seq: x.seq, ts: Date.parse(x.ts) || 0 };
      const o = old?.get(x.user);
      next.set(x.user, o && o.seq > r.seq ? o : r);
    }
    this.by.set(channel, next);
  }

  // update takes a seen frame; true when a position moved. A frame for a
  // conversation whose list is not loaded yet is kept until it is.
  update(f, me = '') {
    if (!f || typeof f.channel !== 'string' || !validSeen(f) || f.user === me) return false;
    let m = this.by.get(f.channel);
    if (!m) { m = new Map(); this.by.set(f.channel, m); }
    const o = m.get(f.user);
    if (o && o.seq >= f.seq) return false;
    m.set(f.user, { seq: f.seq, ts: Date.parse(f.ts) || 0 });
    return true;
  }

  forget(channel) { if (channel === undefined) this.by.clear(); else this.by.delete(channel); }
}

// dmMarks places *Seen* in a direct message or small group: for each other
// member, the last message the list shows at or before their read
// position, unless they wrote it themselves (their own message says they
// were there). → Map(seq → [{ user, ts }], by time).
export function dmMarks(items, seen, me) {
  const out = new Map();
  if (!seen) return out;
  for (const [user, r] of seen) {
    if (user === me) continue;
    let i = indexOfSeq(items, r.seq + 1) - 1;
    for (let n = 0; i >= 0 && n < WALK_BACK && !shown(items[i]); n++) i--;
    const m = items[i];
    if (i < 0 || !shown(m) || m.from === user) continue;
    if (!out.has(m.seq)) out.set(m.seq, []);
    out.get(m.seq).push({ user, ts: r.ts });
  }
  for (const list of out.values()) list.sort((a, b) => a.ts - b.ts || a.user.localeCompare(b.user));
  return out;
}

// seenBy places *Seen by N* under one's own messages: under the last of
// them each other member's read position reached, N counting everyone
// whose position reached that message. Read positions only move forward,
// so an earlier message of one's own was seen by at least as many: the
// rows say where the count changes, at most one per reader, however long
// the history (deleted messages say nothing). → Map(seq → n).
export function seenBy(items, seen, me) {
  const out = new Map();
  if (!seen?.size) return out;
  const seqs = [];
  for (const [user, r] of seen) if (user !== me) seqs.push(r.seq);
  if (!seqs.length) return out;
  seqs.sort((a, b) => a - b);
  const own = [];
  for (const m of items) if (m.from === me && !m.deleted && shown(m)) own.push(m.seq);
  for (const r of seqs) {
    const i = upperBound(own, r) - 1;
    if (i >= 0 && !out.has(own[i])) out.set(own[i], seqs.length - lowerBound(seqs, own[i]));
  }
  return out;
}

function upperBound(a, x) {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] <= x) lo = mid + 1; else hi = mid;
  }
  return lo;
}

function lowerBound(a, x) {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] < x) lo = mid + 1; else hi = mid;
  }
  return lo;
}

// whoSaw lists those whose read position reached seq, by time: the list
// behind *Seen by N*.
export function whoSaw(seen, seq, me) {
  const out = [];
  for (const [user, r] of seen || []) if (user !== me && r.seq >= seq) out.push({ user, ts: r.ts });
  return out.sort((a, b) => a.ts - b.ts || a.user.localeCompare(b.user));
}

// seenLabel is the words under a message in a direct message ('Seen') or
// a group ('Seen by Ben, Cleo').
export function seenLabel(list, group, display = (n) => n) {
  if (!group) return 'Seen';
  return `Seen by ${list.map((x) => display(x.user)).join(', ')}`;
}

// seenTitle says who and when, for the tooltip and screen readers:
// 'Seen by Ben at 14:02, Cleo at 14:05'. when(ts) formats a time.
export function seenTitle(list, display = (n) => n, when = String) {
  return `Seen by ${list.map((x) => (x.ts ? `${display(x.user)} at ${when(x.ts)}` : display(x.user))).join(', ')}`;
}

export function countLabel(n) { return `Seen by ${n}`; }

// when is a time as the receipts and the band say it: '14:02' today,
// 'Yesterday 14:02', 'Monday 3 March 14:02' before.
export function when(ts, now = Date.now()) {
  return dayKey(ts) === dayKey(now) ? timeLabel(ts) : `${dayLabel(ts, now)} ${timeLabel(ts)}`;
}

// ---- announcements ----

// asMessage keeps what the band shows of a message object from the server
// ({seq, from, text, ts (RFC 3339), files}) or the store (ts in ms).
function asMessage(m, seq) {
  if (!m || typeof m !== 'object' || typeof m.from !== 'string') return null;
  const ts = typeof m.ts === 'number' ? m.ts : Date.parse(m.ts) || 0;
  const out = { seq, from: m.from, text: typeof m.text === 'string' ? m.text : '', ts };
  if (Array.isArray(m.files) && m.files.length) out.files = m.files;
  return out;
}

// Pending is the announcements this person has not confirmed, oldest first:
// { channel, seq, message }.
export class Pending {
  constructor() { this.list = []; }

  // set takes GET /api/announcements's pending list.
  set(list) {
    this.list = [];
    for (const x of Array.isArray(list) ? list : []) this.add(x?.channel, x?.seq, x?.message);
  }

  // add notes one (a message asking for confirmation, a reminder); true when new.
  add(channel, seq, message) {
    if (typeof channel !== 'string' || !channel || !Number.isSafeInteger(seq) || seq <= 0) return false;
    const m = asMessage(message, seq);
    if (!m || this.find(channel, seq)) return false;
    this.list.push({ channel, seq, message: m });
    this.list.sort((a, b) => a.message.ts - b.message.ts || (a.channel === b.channel ? a.seq - b.seq : a.channel.localeCompare(b.channel)));
    return true;
  }

  find(channel, seq) { return this.list.find((x) => x.channel === channel && x.seq === seq) || null; }

  // remove: confirmed (here, in another tab) or gone; true when it was there.
  remove(channel, seq) {
    const n = this.list.length;
    this.list = this.list.filter((x) => !(x.channel === channel && x.seq === seq));
    return this.list.length !== n;
  }

  of(channel) { return this.list.filter((x) => x.channel === channel); }
  has(channel) { return this.list.some((x) => x.channel === channel); }
  get size() { return this.list.length; }
}

// confirmPath is the request that confirms one.
export function confirmPath(channel, seq) {
  return `/api/announcements/${encodeURIComponent(channel)}/${seq}/confirm`;
}

// ---- sound ----

// The sound is on unless the person turned it off, per person in this
// browser.
export function soundKey(user) { return `inhouse.sound.${user}`; }
export function soundOn(storage, user) {
  try { return storage?.getItem(soundKey(user)) !== 'off'; } catch { return true; }
}
export function setSound(storage, user, on) {
  try { storage?.setItem(soundKey(user), on ? 'on' : 'off'); } catch { /* private mode: this page only */ }
}
