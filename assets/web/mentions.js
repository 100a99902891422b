// Mentions without the DOM (docs/conversation.md, docs/client.md): the
// `@word` being typed at the caret, the people to suggest for it, the rule
// for @here and @channel, and when to ask before notifying everyone.
// view/mentions.js shows them; node --test checks them.
import { tokenize } from './text.js';

// The two words that notify a whole channel.
export const EVERYONE = {
  here: 'Notify everyone online in this conversation',
  channel: 'Notify everyone in this conversation',
};

// mentionQuery finds the @word that ends at the caret: {start, query}
// (start is the index of the @), or null. Not inside words or e-mail
// addresses, like the mentions themselves.
export function mentionQuery(value, caret = value.length) {
  const m = /(?:^|[^\p{L}\p{N}_.@])@([\p{L}\p{N}._-]{0,40})$/u.exec(value.slice(0, caret));
  if (!m) return null;
  return { start: caret - m[1].length - 1, query: m[1] };
}

// fold lower-cases and drops accents, so "jose" finds "José".
export function fold(s) {
  return String(s || '').normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

// quality says how well q matches a person: 0 a start of the user name or
// of the display name, 1 the start of another word of the display name,
// 2 anywhere in either; -1 not at all. An empty q matches everyone.
export function quality(q, name, display) {
  if (!q) return 0;
  const n = fold(name), d = fold(display || name);
  if (n.startsWith(q) || d.startsWith(q)) return 0;
  if (d.split(/[^\p{L}\p{N}]+/u).some((w) => w.startsWith(q))) return 1;
  if (n.includes(q) || d.includes(q)) return 2;
  return -1;
}

// mayMentionAll: the office's setting (GET /api/me mention_all_by,
// "everyone" or "admins") for this person's role.
export function mayMentionAll(mentionAllBy, role) {
  return mentionAllBy !== 'admins' || role === 'admin';
}

const RANK = { online: 0, away: 1 };

// candidates lists what to suggest for query, best first: the people of
// the conversation, then @here and @channel (in channels, and only for
// those the office lets use them), then everyone else. Within each group
// the better match, then people online, then by name. me is left out.
//   users: Map name → {name, display, status}; members: the conversation's
//   user names; direct: a direct conversation (no @here/@channel there).
export function candidates(query, { users, members = [], me = '', direct = false, mayAll = false, limit = 8 }) {
  const q = fold(query);
  const inConv = new Set(members);
  const out = [];
  for (const u of users.values()) {
    if (u.name === me) continue;
    const k = quality(q, u.name, u.display);
    if (k < 0) continue;
    out.push({ name: u.name, display: u.display || u.name, status: u.status || 'offline', member: inConv.has(u.name), group: inConv.has(u.name) ? 0 : 2, k });
  }
  if (mayAll && !direct) {
    for (const name of Object.keys(EVERYONE)) {
      if (name.startsWith(q)) out.push({ name, display: `@${name}`, special: true, said: EVERYONE[name], member: true, group: 1, k: 0 });
    }
  }
  out.sort((a, b) => a.group - b.group || a.k - b.k || (RANK[a.status] ?? 2) - (RANK[b.status] ?? 2)
    || (a.special ? 0 : a.display.localeCompare(b.display)) || a.name.localeCompare(b.name));
  return out.slice(0, limit);
}

// insertMention replaces the @query from start to caret with @name and a
// space; it returns the new value and where the caret goes.
export function insertMention(value, start, caret, name) {
  const after = value.slice(caret);
  const ins = `@${name}${after.startsWith(' ') ? '' : ' '}`;
  return { value: value.slice(0, start) + ins + after, caret: start + ins.length + (after.startsWith(' ') ? 1 : 0) };
}

// everyoneIn says which of @channel and @here a text uses ('channel'
// first, as it reaches more people), or ''.
export function everyoneIn(text) {
  const found = new Set(tokenize(text, (n) => n === 'here' || n === 'channel').filter((t) => t.type === 'mention').map((t) => t.name));
  return found.has('channel') ? 'channel' : found.has('here') ? 'here' : '';
}

// confirmCount: how many people a send of text would notify at once when
// the client must ask first ("Notify all N people?"), else 0. The office
// asks above mention_confirm_above members (0: never).
export function confirmCount(text, ch, above) {
  if (!ch || !(above > 0) || ch.kind === 'direct') return 0;
  const n = ch.members?.length || 0;
  if (n <= above || !everyoneIn(text)) return 0;
  return n - 1; // everyone but the one writing
}
