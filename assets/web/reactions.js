// Reactions, pins and saved messages without the DOM (docs/conversation.md).
//
// The rules: message objects from `history` (and `sync`) carry the current
// `reactions` and `pinned`; `react`/`unreact`/`pin`/`unpin` records (message
// frames with `kind`, `ref`, the emoji in `text`, `from`) change their
// target when they arrive live or by `sync`, never when they come in a
// history page (that page is already current). Such records are never
// shown as messages. Applying is idempotent (a set per emoji), so a record
// seen twice, or after a snapshot that already has it, changes nothing.

export const RECORD_KINDS = new Set(['react', 'unreact', 'pin', 'unpin']);

// The reactions offered on every message without opening the picker, with
// their names (aria-label, tooltip), so the picker's data is not needed.
export const QUICK = [['👍', 'thumbs up'], ['✅', 'check mark button'], ['😀', 'grinning face']];
export function isRecordKind(kind) { return RECORD_KINDS.has(kind); }

// reactionsOf keeps the well-formed reactions of a message object:
// [{emoji, people: [user names]}] in the order first used, none empty.
export function reactionsOf(f) {
  if (!Array.isArray(f?.reactions)) return null;
  const out = [];
  for (const r of f.reactions) {
    if (!r || typeof r.emoji !== 'string' || !r.emoji || !Array.isArray(r.people)) continue;
    const people = [...new Set(r.people.filter((p) => typeof p === 'string' && p))];
    if (people.length && !out.some((x) => x.emoji === r.emoji)) out.push({ emoji: r.emoji, people });
  }
  return out.length ? out : null;
}

// applyRecord changes target (a message of the log) by one record
// {kind, text, from}; true when something changed.
export function applyRecord(target, rec) {
  switch (rec.kind) {
    case 'react': return addReaction(target, rec.text, rec.from);
    case 'unreact': return removeReaction(target, rec.text, rec.from);
    case 'pin':
      if (target.pinned) return false;
      target.pinned = true;
      return true;
    case 'unpin':
      if (!target.pinned) return false;
      delete target.pinned;
      return true;
    default: return false;
  }
}

function addReaction(m, emoji, who) {
  if (!emoji || !who) return false;
  const list = m.reactions || (m.reactions = []);
  let r = list.find((x) => x.emoji === emoji);
  if (!r) { r = { emoji, people: [] }; list.push(r); }
  if (r.people.includes(who)) return false;
  r.people.push(who);
  return true;
}

function removeReaction(m, emoji, who) {
  const list = m.reactions;
  const i = list ? list.findIndex((x) => x.emoji === emoji) : -1;
  if (i < 0) return false;
  const j = list[i].people.indexOf(who);
  if (j < 0) return false;
  list[i].people.splice(j, 1);
  if (!list[i].people.length) list.splice(i, 1);
  if (!list.length) delete m.reactions;
  return true;
}

// pendingFor: one's unsettled reaction and pin entries of the outbox for
// message seq of channel, oldest first.
export function pendingFor(outbox, channel, seq) {
  return outbox.filter((p) => p.channel === channel && p.ref === seq && isRecordKind(p.kind));
}

// shownReactions is what the chips under message m show: the stored state
// with one's own unsettled changes (pending) on top. Each chip:
// {emoji, count, mine, people, pending}.
export function shownReactions(m, pending, me) {
  const copy = { reactions: (m.reactions || []).map((r) => ({ emoji: r.emoji, people: [...r.people] })) };
  const waiting = new Set();
  for (const p of pending) {
    if ((p.kind === 'react' || p.kind === 'unreact') && applyRecord(copy, { kind: p.kind, text: p.text, from: me })) waiting.add(p.text);
  }
  return (copy.reactions || []).map((r) => ({
    emoji: r.emoji, count: r.people.length, mine: r.people.includes(me), people: r.people, pending: waiting.has(r.emoji),
  }));
}

// shownPinned: the message's pinned state with one's unsettled pin or unpin on top.
export function shownPinned(m, pending) {
  let pinned = !!m.pinned;
  for (const p of pending) if (p.kind === 'pin') pinned = true; else if (p.kind === 'unpin') pinned = false;
  return pinned;
}

// toggleKind: clicking emoji (a chip, a quick reaction or the picker)
// takes one's reaction back when one has it, and adds it otherwise.
export function toggleKind(chips, emoji) {
  return chips.some((c) => c.emoji === emoji && c.mine) ? 'unreact' : 'react';
}

// pendingKey sums up the unsettled entries for a message's cache key.
export function pendingKey(pending) {
  return pending.map((p) => `${p.kind}${p.text}`).join(',');
}

// recordFrame is the socket frame of a reaction or pin outbox entry.
export function recordFrame(p) {
  const f = p.kind === 'react' || p.kind === 'unreact'
    ? { type: 'react', id: p.id, channel: p.channel, seq: p.ref, emoji: p.text }
    : { type: 'pin', id: p.id, channel: p.channel, seq: p.ref };
  if (p.kind === 'unreact' || p.kind === 'unpin') f.remove = true;
  return f;
}

// whoReacted is a chip's tooltip: the people's display names.
export function whoReacted(chip, display) {
  return chip.people.map(display).join(', ');
}

// SavedSet: which messages the person saved (GET /api/saved), so each
// message offers Save or Unsave. Message objects carry no `saved` flag.
export class SavedSet {
  constructor() { this.keys = new Set(); this.loaded = false; }
  static key(channel, seq) { return `${channel}\n${seq}`; }
  set(messages) {
    this.keys = new Set();
    for (const m of messages || []) if (m && typeof m.channel === 'string' && Number.isInteger(m.seq)) this.keys.add(SavedSet.key(m.channel, m.seq));
    this.loaded = true;
  }
  has(channel, seq) { return this.keys.has(SavedSet.key(channel, seq)); }
  add(channel, seq) { this.keys.add(SavedSet.key(channel, seq)); }
  remove(channel, seq) { this.keys.delete(SavedSet.key(channel, seq)); }
}
