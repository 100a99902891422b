// Pure text helpers (no DOM, tested with node --test): message text becomes
// runs of plain text, links and mentions. The view puts every run into the
// DOM as text; nothing here is ever parsed as HTML.

const RUN = /(https?:\/\/[^\s<>"]+)|@([a-z0-9][a-z0-9._-]*)/gi;

// tokenize splits text into {type:'text'|'link'|'mention', text, href?, name?}.
// isUser(name) says whether @name is a person (unknown names stay text);
// before is the character in front of text, when text is part of a longer
// one (markdown.js tokenizes the pieces between code spans and links);
// after max links and mentions the rest is text. Linear in the text's
// length, whatever it holds.
export function tokenize(text, isUser = () => true, before = '', max = Infinity) {
  const out = [];
  let last = 0, found = 0;
  const push = (end) => { if (end > last) out.push({ type: 'text', text: text.slice(last, end) }); };
  RUN.lastIndex = 0;
  for (let m; found < max && (m = RUN.exec(text));) {
    const start = m.index;
    if (m[1]) {
      const s = trimURL(m[1]);
      const href = safeHref(s);
      if (!href) continue;
      push(start);
      out.push({ type: 'link', text: s, href });
      found++;
      last = start + s.length;
      RUN.lastIndex = last;
    } else {
      // Not inside words or e-mail addresses (ana@example.org).
      const prev = start > 0 ? text[start - 1] : before;
      if (prev && /[\p{L}\p{N}_.@]/u.test(prev)) continue;
      let n = m[2].length;
      while (n > 0 && '._-'.includes(m[2][n - 1])) n--;
      const name = m[2].slice(0, n);
      if (!isUser(name.toLowerCase())) continue;
      push(start);
      out.push({ type: 'mention', text: '@' + name, name: name.toLowerCase() });
      found++;
      last = start + 1 + name.length;
      RUN.lastIndex = last;
    }
  }
  push(text.length);
  return out;
}

// trimURL drops sentence punctuation after a link, keeping a closing
// parenthesis that belongs to it (Wikipedia-style links), and formatting
// markers (**https://…**), as GitHub does. Parentheses are counted once.
function trimURL(s) {
  let end = s.length, open = -1, close = 0;
  for (;;) {
    const c = s[end - 1];
    if ('.,;:!?\'"]}*_~'.includes(c)) { end--; continue; }
    if (c === ')') {
      if (open < 0) { open = count(s, '('); close = count(s, ')'); }
      if (open < close) { end--; close--; continue; }
    }
    return s.slice(0, end);
  }
}

function count(s, ch) { let n = 0; for (let i = s.indexOf(ch); i >= 0; i = s.indexOf(ch, i + 1)) n++; return n; }

// safeHref accepts http and https only: never javascript:, data: and the like.
export function safeHref(s) {
  try {
    const u = new URL(s);
    if (u.protocol === 'http:' || u.protocol === 'https:') return u.href;
  } catch { /* not a URL */ }
  return null;
}

export function mentions(text, name) {
  return tokenize(text, (n) => n === name).some((t) => t.type === 'mention');
}

// mentionsMe: the text mentions name, or everyone with @here or @channel
// (docs/conversation.md). It counts apart from unread and notifies even in
// a muted channel.
export function mentionsMe(text, name) {
  return tokenize(text, (n) => n === name || n === 'here' || n === 'channel').some((t) => t.type === 'mention');
}

// Dates in the browser's locale.
export function dayKey(ts) {
  const d = new Date(ts);
  return d.getFullYear() * 10000 + d.getMonth() * 100 + d.getDate();
}

export function dayLabel(ts, now = Date.now()) {
  if (dayKey(ts) === dayKey(now)) return 'Today';
  if (dayKey(ts) === dayKey(now - 86400000)) return 'Yesterday';
  const d = new Date(ts);
  const opts = { weekday: 'long', day: 'numeric', month: 'long' };
  if (d.getFullYear() !== new Date(now).getFullYear()) opts.year = 'numeric';
  return d.toLocaleDateString(undefined, opts);
}

// Formatters are made once: toLocale*String builds one per call, which is
// most of the cost of rendering a page of messages.
let timeFmt, fullFmt;
export function timeLabel(ts) {
  timeFmt ||= new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
  return timeFmt.format(ts);
}

export function fullTime(ts) {
  fullFmt ||= new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' });
  return fullFmt.format(ts);
}

// utf8Length is what the server's byte limit counts.
export function utf8Length(s) {
  return new TextEncoder().encode(s).length;
}

// Characters as people see them (grapheme clusters: an emoji with its skin
// tone is one), where the browser can tell; code points otherwise.
let segmenter;
function graphemes(s) {
  if (segmenter === undefined) segmenter = typeof Intl.Segmenter === 'function' ? new Intl.Segmenter(undefined, { granularity: 'grapheme' }) : null;
  return segmenter ? Array.from(segmenter.segment(s), (x) => x.segment) : Array.from(s);
}

export function chars(s) { return graphemes(s).length; }

// overBy is how many characters must go from the end of text for it to fit
// in maxBytes (the server's limit, in bytes of UTF-8).
export function overBy(text, maxBytes) {
  let bytes = utf8Length(text);
  if (bytes <= maxBytes) return 0;
  const g = graphemes(text);
  let n = 0;
  for (let i = g.length - 1; i >= 0 && bytes > maxBytes; i--, n++) bytes -= utf8Length(g[i]);
  return n;
}

// charsLeft estimates how many more characters fit, counting them as long
// as the ones typed so far (exact for plain Latin text).
export function charsLeft(text, maxBytes) {
  const bytes = utf8Length(text);
  const n = chars(text);
  const per = n ? Math.max(1, bytes / n) : 1;
  return Math.max(0, Math.floor((maxBytes - bytes) / per));
}

// limitNote tells a text's length against the limit in characters: nothing
// well under it, what is left near it, how much to cut over it.
export function limitNote(text, maxBytes) {
  const bytes = utf8Length(text);
  const plural = (n) => `${n} ${n === 1 ? 'character' : 'characters'}`;
  if (bytes > maxBytes) return `Too long by ${plural(overBy(text, maxBytes))}`;
  if (bytes <= maxBytes * 0.9) return '';
  return `${plural(charsLeft(text, maxBytes))} left`;
}

// A message longer than this folds behind "Show more": a 4,000-line paste
// should not be 87,000 px tall for every reader.
export const FOLD_LINES = 20;
export const FOLD_CHARS = 2000;

export function isLong(text) {
  let lines = 1;
  for (let i = text.indexOf('\n'); i >= 0 && lines <= FOLD_LINES; i = text.indexOf('\n', i + 1)) lines++;
  if (lines > FOLD_LINES) return true;
  return text.length > FOLD_CHARS && chars(text) > FOLD_CHARS;
}

// typingText says who is typing in a few words.
export function typingText(names) {
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return 'Several people are typing…';
}

// Search asks the server each time: without the connection there is none.
export const SEARCH_OFFLINE = 'Search needs the connection to the server. Try again when you are back online.';

// searchWords splits a search the way the server's index does: lowercase
// runs of letters and digits (at most 40 characters each).
export function searchWords(q) {
  return (q.toLowerCase().match(/[\p{L}\p{N}]+/gu) || []).map((w) => w.slice(0, 40));
}

// matchesWord: a word of a message (lower-cased, cut like the index's)
// matches a query word that equals it or, from 3 characters on, starts it
// (docs/search.md: "print" finds "printer").
export function matchesWord(word, q) {
  return word === q || (word.startsWith(q) && Array.from(q).length >= 3);
}

// highlight splits text into runs, {text, mark}, marking the words the
// search matched (docs/search.md). The view puts the runs into the DOM as text.
export function highlight(text, q) {
  const words = [...new Set(searchWords(q))];
  const out = [];
  let last = 0;
  if (words.length) {
    for (const m of text.matchAll(/[\p{L}\p{N}]+/gu)) {
      const w = m[0].toLowerCase().slice(0, 40);
      if (!words.some((x) => matchesWord(w, x))) continue;
      if (m.index > last) out.push({ text: text.slice(last, m.index), mark: false });
      out.push({ text: m[0], mark: true });
      last = m.index + m[0].length;
    }
  }
  if (last < text.length) out.push({ text: text.slice(last), mark: false });
  return out;
}
