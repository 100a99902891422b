// The emoji list without the DOM: the picker's data (GET /emoji.json, the
// same file the server checks reactions against), search by name and the
// person's recent reactions. node --test drives all of it.

// The groups of emoji.json in the order the picker shows them.
export const GROUPS = [
  ['smileys', 'Smileys & emotion'],
  ['people', 'People & body'],
  ['animals', 'Animals & nature'],
  ['food', 'Food & drink'],
  ['travel', 'Travel & places'],
  ['activities', 'Activities'],
  ['objects', 'Objects'],
  ['symbols', 'Symbols'],
  ['flags', 'Flags'],
];

// The quick reactions live with the reaction rules (first load); this
// module loads with the picker.
export { QUICK } from './reactions.js';

export const RECENT_MAX = 24;

// words splits a name or a query into lowercase words: letters and digits
// (“woman’s hat” → woman, s, hat).
export function words(text) {
  return String(text).toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

// emojiList turns emoji.json ({"source", "emoji": [[emoji, name, group], …]},
// or the bare array) into entries {emoji, name, group, words}.
export function emojiList(data) {
  const rows = Array.isArray(data) ? data : Array.isArray(data?.emoji) ? data.emoji : [];
  const out = [];
  for (const r of rows) {
    if (!Array.isArray(r) || typeof r[0] !== 'string' || typeof r[1] !== 'string') continue;
    out.push({ emoji: r[0], name: r[1], group: typeof r[2] === 'string' ? r[2] : '', words: words(r[1]) });
  }
  return out;
}

// matches: every word of the query starts a word of the name (“thu up”
// finds thumbs up; “face grin” finds grinning face). The emoji itself,
// pasted, matches too.
export function matches(entry, query) {
  const q = String(query).trim();
  if (!q) return true;
  if (q === entry.emoji) return true;
  const want = words(q);
  if (!want.length) return false;
  return want.every((w) => entry.words.some((n) => n.startsWith(w)));
}

// recentFirst orders entries with the recent ones first (most recent
// first), the others after them in the list's order.
export function recentFirst(entries, recent = []) {
  const rank = new Map(recent.map((e, i) => [e, i]));
  const head = entries.filter((e) => rank.has(e.emoji)).sort((a, b) => rank.get(a.emoji) - rank.get(b.emoji));
  return head.concat(entries.filter((e) => !rank.has(e.emoji)));
}

// searchEmoji is the picker's result list for query: the matching entries,
// recent ones first.
export function searchEmoji(list, query, recent = []) {
  return recentFirst(list.filter((e) => matches(e, query)), recent);
}

// recentEntries are the entries of the recent emoji, most recent first
// (emoji no longer in the list are left out).
export function recentEntries(list, recent) {
  const by = new Map(list.map((e) => [e.emoji, e]));
  return recent.map((e) => by.get(e)).filter(Boolean);
}

// remember puts emoji at the front of the recent list, once, at most max long.
export function remember(recent, emoji, max = RECENT_MAX) {
  return [emoji, ...recent.filter((e) => e !== emoji)].slice(0, max);
}

// The recent list lives in localStorage per person (storage is passed in).
export function recentKey(user) { return `inhouse.emoji.recent.${user}`; }
export function readRecent(storage, user) {
  try {
    const v = JSON.parse(storage?.getItem(recentKey(user)) || '[]');
    return Array.isArray(v) ? v.filter((e) => typeof e === 'string' && e.length <= 32).slice(0, RECENT_MAX) : [];
  } catch { return []; }
}
export function writeRecent(storage, user, recent) {
  try { storage?.setItem(recentKey(user), JSON.stringify(recent.slice(0, RECENT_MAX))); } catch { /* full or disabled */ }
}
