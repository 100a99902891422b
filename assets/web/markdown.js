// Formatting (docs/client.md, "Formatting"): a small Markdown subset parsed
// into a tree of plain objects, without DOM (tested with node --test). The
// view builds elements from the tree with createElement and text nodes;
// nothing here or there is ever inserted as HTML. The archive keeps the text
// as typed.
//
// Blocks: paragraphs, fenced code blocks (``` or ~~~, with an optional
// language label), quotes (>), bullet lists (- * +) and numbered lists (1.
// or 1)). Inlines: **bold** (or __bold__), *italic* (or _italic_),
// ~~strike~~, `code`, [links](https://…), bare links and @mentions (the
// tokenizer of text.js, one for both), line breaks.
//
// Any input parses in linear time: every scan moves forward, code spans are
// matched through per-length queues, brackets and parentheses through one
// stack, emphasis through one delimiter stack (each entry leaves it once).
// Nesting is bounded: quotes and lists at most MAX_NEST deep, emphasis at
// most MAX_EMPHASIS; deeper markers stay as typed text. So do markers that
// are not closed, and * and _ inside words (snake_case, 2*3*4).
//
// The tree:
//   doc        {type:'doc', children: [block]}
//   block      {type:'p', children: [inline]}
//              {type:'pre', text, lang}
//              {type:'quote', children: [block]}
//              {type:'list', ordered, start, items: [[block]]}
//   inline     {type:'text', text}  {type:'br'}  {type:'code', text}
//              {type:'strong'|'em'|'del', marker, children: [inline]}
//              {type:'link', href, auto, children: [inline]}
//              {type:'mention', name, text}
import { tokenize, safeHref } from './text.js';

export const MAX_NEST = 4;
export const MAX_EMPHASIS = 8;
// At most this many formatted nodes (blocks, list items, emphasis, code,
// links, mentions) per text; the rest of a longer one is plain text. A
// message (at most 32,000 bytes) rarely comes near it.
export const MAX_NODES = 10000;

// parse turns a message text into the tree. isUser(name) says whether
// @name is a person (unknown names stay text), as for tokenize.
export function parse(text, isUser = () => true) {
  const src = text.includes('\r\n') ? text.replace(/\r\n/g, '\n') : text;
  return { type: 'doc', children: blocks(src.split('\n'), 0, { isUser, left: MAX_NODES }) };
}

// ---- blocks ----

function isBlank(line) {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c !== 32 && c !== 9) return false;
  }
  return true;
}

// indentOf counts leading columns (a tab as 4).
function indentOf(line) {
  let n = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 32) n++;
    else if (c === 9) n += 4;
    else break;
  }
  return n;
}

// dedent removes up to n columns of leading spaces and tabs.
function dedent(line, n) {
  let i = 0, cols = 0;
  while (i < line.length && cols < n) {
    const c = line.charCodeAt(i);
    if (c === 32) cols++;
    else if (c === 9) cols += 4;
    else break;
    i++;
  }
  return i ? line.slice(i) : line;
}

// fenceAt reads an opening fence: up to 3 spaces, 3 or more ` or ~, and an
// info string (no backtick after backticks).
function fenceAt(line) {
  let i = 0;
  while (i < 3 && line.charCodeAt(i) === 32) i++;
  const ch = line[i];
  if (ch !== '`' && ch !== '~') return null;
  let j = i;
  while (line[j] === ch) j++;
  if (j - i < 3) return null;
  const info = line.slice(j);
  if (ch === '`' && info.includes('`')) return null;
  const word = info.trim().split(/\s/, 1)[0];
  return { indent: i, ch, len: j - i, lang: /^[\w+#.-]{1,32}$/.test(word) ? word : '' };
}

// closerAt reads a line made of a fence only (a closing fence): its
// character and length, or null.
function closerAt(line) {
  let i = 0;
  while (i < 3 && line.charCodeAt(i) === 32) i++;
  const ch = line[i];
  if (ch !== '`' && ch !== '~') return null;
  let j = i;
  while (line[j] === ch) j++;
  if (j - i < 3 || !isBlank(line.slice(j))) return null;
  return { ch, len: j - i };
}

// Fences closes fences among lines in linear time: for each line, the
// longest closing fence of each kind at or after it, so an opener without a
// closer is known at once (it stays text).
class Fences {
  constructor(lines) {
    const n = lines.length;
    this.lines = lines;
    this.tick = new Int32Array(n + 1);
    this.tilde = new Int32Array(n + 1);
    for (let i = n - 1; i >= 0; i--) {
      this.tick[i] = this.tick[i + 1];
      this.tilde[i] = this.tilde[i + 1];
      const c = closerAt(lines[i]);
      if (!c) continue;
      const arr = c.ch === '`' ? this.tick : this.tilde;
      if (c.len > arr[i]) arr[i] = c.len;
    }
  }

  // close finds the line that closes fence f opened on line i, or -1.
  close(i, f) {
    const best = f.ch === '`' ? this.tick : this.tilde;
    if (best[i + 1] < f.len) return -1;
    for (let j = i + 1; j < this.lines.length; j++) {
      const c = closerAt(this.lines[j]);
      if (c && c.ch === f.ch && c.len >= f.len) return j;
    }
    return -1;
  }
}

// A thematic break (--- or * * *) is not a list of empty items.
const RULE = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;

// itemAt reads a list item's marker: a bullet (- * +) or a number of up to
// 9 digits with . or ), at least one space, and some text.
function itemAt(line) {
  let i = 0;
  while (i < 3 && line.charCodeAt(i) === 32) i++;
  const c = line[i];
  let j, ordered = false, start = 1, delim;
  if (c === '-' || c === '*' || c === '+') {
    j = i + 1;
    delim = c;
  } else {
    j = i;
    while (j - i < 9 && line.charCodeAt(j) >= 48 && line.charCodeAt(j) <= 57) j++;
    if (j === i || (line[j] !== '.' && line[j] !== ')')) return null;
    ordered = true;
    delim = line[j];
    start = Number(line.slice(i, j));
    j++;
  }
  let k = j;
  while (k < line.length && (line.charCodeAt(k) === 32 || line.charCodeAt(k) === 9)) k++;
  if (k === j || k === line.length) return null;
  if (!ordered && line.length - i < 64 && RULE.test(line)) return null;
  const content = k - j > 4 ? j + 1 : k;
  return { ordered, delim, start, indent: i, content, need: Math.min(content, i + 2), rest: line.slice(content) };
}

function quoteAt(line) {
  let i = 0;
  while (i < 3 && line.charCodeAt(i) === 32) i++;
  return line[i] === '>' ? i : -1;
}

function blocks(lines, depth, ctx) {
  const out = [];
  const n = lines.length;
  const nest = depth < MAX_NEST;
  let fences = null;
  let para = -1; // first line of the open paragraph
  const flush = (end) => {
    if (para < 0) return;
    ctx.left--;
    out.push({ type: 'p', children: inline(lines.slice(para, end).join('\n'), ctx, true) });
    para = -1;
  };
  let i = 0;
  while (i < n) {
    if (ctx.left <= 0) { // the rest is plain text
      if (para < 0) para = i;
      break;
    }
    const line = lines[i];
    if (isBlank(line)) { flush(i); i++; continue; }
    const f = fenceAt(line);
    if (f) {
      fences ||= new Fences(lines);
      const end = fences.close(i, f);
      if (end >= 0) {
        flush(i);
        const code = [];
        for (let j = i + 1; j < end; j++) code.push(f.indent ? dedent(lines[j], f.indent) : lines[j]);
        out.push({ type: 'pre', text: code.join('\n'), lang: f.lang });
        ctx.left--;
        i = end + 1;
        continue;
      }
    }
    if (nest && quoteAt(line) >= 0) {
      flush(i);
      const inner = [];
      for (; i < n; i++) {
        const q = quoteAt(lines[i]);
        if (q < 0) break;
        const l = lines[i];
        const c = l.charCodeAt(q + 1);
        inner.push(l.slice(c === 32 || c === 9 ? q + 2 : q + 1));
      }
      ctx.left--;
      out.push({ type: 'quote', children: blocks(inner, depth + 1, ctx) });
      continue;
    }
    const item = nest ? itemAt(line) : null;
    // A numbered list interrupts a paragraph only from 1 ("in\n2019. we…").
    if (item && (para < 0 || !item.ordered || item.start === 1)) {
      flush(i);
      i = list(lines, i, item, depth, ctx, out);
      continue;
    }
    if (para < 0) para = i;
    i++;
  }
  flush(n);
  return out;
}

function list(lines, i, first, depth, ctx, out) {
  const n = lines.length;
  const items = [];
  let m = first;
  for (;;) {
    const content = [m.rest];
    let j = i + 1;
    while (j < n) {
      const l = lines[j];
      if (isBlank(l)) {
        // Blank lines stay in the item when an indented line follows.
        let k = j + 1;
        while (k < n && isBlank(lines[k])) k++;
        if (k < n && indentOf(lines[k]) >= m.need) {
          for (; j < k; j++) content.push('');
          continue;
        }
        break;
      }
      const ind = indentOf(l);
      if (ind < m.need) break;
      content.push(dedent(l, Math.min(ind, m.content)));
      j++;
    }
    ctx.left -= 2; // the item and its paragraph, at least
    items.push(blocks(content, depth + 1, ctx));
    // The next item of the same list, maybe after blank lines.
    let k = j;
    while (k < n && isBlank(lines[k])) k++;
    const next = k < n ? itemAt(lines[k]) : null;
    if (!next || next.ordered !== first.ordered || next.delim !== first.delim || ctx.left <= 0) { i = j; break; }
    m = next;
    i = k;
  }
  out.push({ type: 'list', ordered: first.ordered, start: first.start, items });
  return i;
}

// ---- inlines ----

function isSpace(c) {
  if (c === undefined) return true;
  const k = c.charCodeAt(0);
  if (k < 128) return k === 32 || k === 10 || k === 9 || k === 13 || k === 12 || k === 11;
  return /\s/.test(c);
}

function isWordChar(c) {
  if (c === undefined) return false;
  const k = c.charCodeAt(0);
  if (k < 128) return (k >= 48 && k <= 57) || (k >= 65 && k <= 90) || (k >= 97 && k <= 122);
  return /[\p{L}\p{N}]/u.test(c);
}

// inline parses a paragraph's text (or a link's label when links is false).
function inline(s, ctx, links) {
  const pieces = []; // [from, to] text ranges of s and atom nodes, in order
  const text = (a, b) => { if (b > a) pieces.push([a, b]); };
  const runs = (a, b) => {
    if (b <= a) return;
    if (ctx.left <= 0) { text(a, b); return; }
    let pos = a;
    for (const r of tokenize(s.slice(a, b), ctx.isUser, a > 0 ? s[a - 1] : '', ctx.left)) {
      const len = r.text.length;
      if (r.type === 'mention') {
        pieces.push({ type: 'mention', name: r.name, text: r.text });
        ctx.left--;
      } else if (r.type === 'link' && links) {
        pieces.push({ type: 'link', href: r.href, auto: true, children: [{ type: 'text', text: r.text }] });
        ctx.left--;
      } else {
        text(pos, pos + len); // text, or a link inside a link's label
      }
      pos += len;
    }
  };
  const outside = links ? (a, b) => mdLinks(s, a, b, runs, pieces, ctx) : runs;
  codeSpans(s, outside, pieces, ctx);
  const out = emphasis(s, pieces, ctx);
  return links ? clamp(out, 0) : out;
}

// codeSpans finds `code` spans: a run of n backticks up to the next run of
// exactly n. Runs of each length wait in a queue, read once front to back.
function codeSpans(s, outside, pieces, ctx) {
  const starts = [], lens = [];
  for (let i = ctx.left > 0 ? s.indexOf('`') : -1; i >= 0; i = s.indexOf('`', i)) {
    let j = i;
    while (s.charCodeAt(j) === 96) j++;
    starts.push(i);
    lens.push(j - i);
    i = j;
  }
  if (!starts.length) { outside(0, s.length); return; }
  const byLen = new Map();
  for (let k = 0; k < starts.length; k++) {
    let q = byLen.get(lens[k]);
    if (!q) byLen.set(lens[k], q = { at: 0, runs: [] });
    q.runs.push(k);
  }
  let from = 0;
  for (let k = 0; k < starts.length && ctx.left > 0;) {
    const q = byLen.get(lens[k]);
    while (q.at < q.runs.length && q.runs[q.at] <= k) q.at++;
    if (q.at === q.runs.length) { k++; continue; }
    const m = q.runs[q.at];
    outside(from, starts[k]);
    let code = s.slice(starts[k] + lens[k], starts[m]);
    // One space on both sides is padding (`` `x` `` shows `x`).
    if (code.length > 2 && code[0] === ' ' && code[code.length - 1] === ' ' && code.trim()) code = code.slice(1, -1);
    pieces.push({ type: 'code', text: code });
    ctx.left--;
    from = starts[m] + lens[m];
    k = m + 1;
  }
  outside(from, s.length);
}

// mdLinks finds [label](http…) links in s[a:b]; the rest goes to runs
// (bare links and mentions). The label holds no [ and the address no
// whitespace and no [, so no range is read twice.
function mdLinks(s, a, b, runs, pieces, ctx) {
  let i = s.indexOf('](', a);
  if (i < 0 || i >= b || ctx.left <= 0) { runs(a, b); return; }
  const close = new Map(); // ( → its )
  const stack = [];
  for (let j = a; j < b; j++) {
    const c = s.charCodeAt(j);
    if (c === 40) stack.push(j);
    else if (c === 41 && stack.length) close.set(stack.pop(), j);
  }
  let from = a, pos = a, rb = -1, lb = -1, ws = -1;
  while (ctx.left > 0) {
    const open = s.indexOf('[', pos);
    if (open < 0 || open >= b) break;
    pos = open + 1;
    if (rb <= open) { rb = s.indexOf(']', open + 1); if (rb < 0 || rb >= b) break; }
    if (lb <= open) { lb = s.indexOf('[', open + 1); if (lb < 0) lb = Infinity; }
    if (lb < rb || rb === open + 1) continue;
    const cp = close.get(rb + 1);
    if (cp === undefined || lb < cp) continue;
    if (ws <= rb) { ws = rb + 2; while (ws < b && !isSpace(s[ws])) ws++; }
    if (ws < cp || !s.startsWith('http', rb + 2)) continue;
    const href = safeHref(s.slice(rb + 2, cp));
    if (!href) continue;
    runs(from, open);
    ctx.left--;
    pieces.push({ type: 'link', href, auto: false, children: inline(s.slice(open + 1, rb), ctx, false) });
    from = pos = cp + 1;
  }
  runs(from, b);
}

// emphasis reads the delimiters (* _ ~~) in the text pieces and builds the
// inline nodes; atoms (code, links, mentions) pass through whole.
function emphasis(s, pieces, ctx) {
  const out = [];
  const stack = []; // openers: {ch, n, node}
  const open = { '*': 0, _: 0, '~': 0 }; // openers of each kind on the stack
  let used = 0; // delimiter characters on the stack: the depth it may reach
  const push = (t) => {
    const last = out[out.length - 1];
    if (last && last.type === 'text' && !last.delim) last.text += t;
    else out.push({ type: 'text', text: t });
  };
  for (const p of pieces) {
    if (!Array.isArray(p)) { out.push(p); continue; }
    const [a, b] = p;
    let from = a;
    for (let i = a; i < b;) {
      const c = s.charCodeAt(i);
      if (c === 10 && ctx.left > 0) { // past the budget, \n stays in the text
        if (i > from) push(s.slice(from, i));
        out.push({ type: 'br' });
        ctx.left--;
        from = ++i;
        continue;
      }
      if (c === 92 && i + 1 < b && '*_~'.includes(s[i + 1]) && ctx.left > 0) { // \* is a star
        if (i > from) push(s.slice(from, i));
        ctx.left--;
        from = i + 1;
        i += 2;
        continue;
      }
      if ((c !== 42 && c !== 95 && c !== 126) || (ctx.left <= 0 && !stack.length)) { i++; continue; }
      const ch = s[i];
      let j = i + 1;
      while (j < b && s.charCodeAt(j) === c) j++;
      const len = j - i;
      if (ch === '~' ? len !== 2 : len > 3) { i = j; continue; } // as typed
      const before = s[i - 1], after = s[j];
      const bs = isSpace(before), as = isSpace(after);
      const bw = isWordChar(before), aw = isWordChar(after);
      const bp = !bs && !bw, ap = !as && !aw;
      const closes = !bs && (!bp || as || ap) && !aw && open[ch] > 0 && ctx.left > 0;
      const opens = !as && (!ap || bs || bp) && !bw && ctx.left > 0;
      // Markers that neither close nor open stay in the text as typed.
      if (!closes && !(opens && used + len <= MAX_EMPHASIS)) { i = j; continue; }
      if (i > from) push(s.slice(from, i));
      let rem = len;
      while (closes && rem > 0 && open[ch] > 0) {
        let k = stack.length - 1;
        while (stack[k].ch !== ch) k--;
        // Openers between are left as typed.
        while (stack.length - 1 > k) {
          const o = stack.pop();
          open[o.ch]--;
          used -= o.n;
          o.node.delim = false;
        }
        const o = stack[k];
        const use = ch === '~' ? 2 : rem >= 2 && o.n >= 2 ? 2 : 1;
        const at = out.lastIndexOf(o.node);
        const children = out.splice(at + 1);
        o.n -= use;
        used -= use;
        rem -= use;
        if (o.n === 0) {
          out.pop();
          stack.pop();
          open[ch]--;
        } else {
          o.node.text = ch.repeat(o.n);
        }
        out.push({ type: ch === '~' ? 'del' : use === 2 ? 'strong' : 'em', marker: ch.repeat(use), children: merged(children) });
        ctx.left--;
      }
      from = j - rem; // what is left of the run: an opener, or text
      if (rem > 0 && opens && used + rem <= MAX_EMPHASIS) {
        const node = { type: 'text', text: ch.repeat(rem), delim: true };
        out.push(node);
        stack.push({ ch, n: rem, node });
        open[ch]++;
        used += rem;
        from = j;
      }
      i = j;
    }
    if (b > from) push(s.slice(from, b));
  }
  for (const o of stack) o.node.delim = false;
  return merged(out);
}

// merged joins neighbouring text nodes (markers left as typed).
function merged(nodes) {
  let w = 0;
  for (let r = 0; r < nodes.length; r++) {
    const n = nodes[r];
    const last = w > 0 ? nodes[w - 1] : null;
    if (n.type === 'text' && last && last.type === 'text' && !last.delim && !n.delim) last.text += n.text;
    else nodes[w++] = n;
  }
  nodes.length = w;
  return nodes;
}

// clamp keeps emphasis at most MAX_EMPHASIS deep (a link's label inside
// emphasis adds its own): deeper markers show as typed.
function clamp(nodes, depth) {
  let out = null;
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i];
    if (n.delim !== undefined) delete n.delim;
    if (n.children) {
      const em = n.type === 'strong' || n.type === 'em' || n.type === 'del';
      const d = em ? depth + 1 : depth;
      n.children = clamp(n.children, Math.min(d, MAX_EMPHASIS));
      if (em && d > MAX_EMPHASIS) {
        out ||= nodes.slice(0, i);
        out.push({ type: 'text', text: n.marker }, ...n.children, { type: 'text', text: n.marker });
        continue;
      }
    }
    if (out) out.push(n);
  }
  return out || nodes;
}

// ---- reading the tree ----

// textOf is the text a tree shows (what a screen reader or a copy gets,
// without the list numbers): line breaks as \n, blocks one after another.
export function textOf(node) {
  switch (node.type) {
    case 'text': case 'code': case 'mention': case 'pre': return node.text;
    case 'br': return '\n';
    case 'list': return node.items.map((it) => it.map(textOf).join('')).join('');
    default: return node.children.map(textOf).join('');
  }
}

// single says whether a tree is one paragraph of text, links and mentions
// only: the view then needs no block elements at all.
export function single(tree) {
  return tree.children.length === 1 && tree.children[0].type === 'p';
}

// ---- the composer's shortcuts ----

// wrap puts marker (** for bold, * for italic) around the selection
// [start, end) of value, or takes it away when the selection is wrapped in
// it already; an empty selection gets both markers and the caret between
// them. Spaces at the selection's edges stay outside (a closing marker
// after a space would not close). It returns the replaced range and the
// new selection: {from, to, insert, start, end}.
export function wrap(value, start, end, marker) {
  const m = marker.length;
  const star = marker[0];
  while (start < end && isSpace(value[start])) start++;
  while (end > start && isSpace(value[end - 1])) end--;
  const sel = value.slice(start, end);
  // Is this kind of emphasis in runs of b and a stars? (italic in ***x*** too)
  const is = (b, a) => { const r = Math.min(b, a); return m === 2 ? r === 2 || r === 3 : r === 1 || r === 3; };
  let b = 0, a = 0;
  while (start - b > 0 && value[start - b - 1] === star) b++;
  while (end + a < value.length && value[end + a] === star) a++;
  if (sel && is(b, a)) return { from: start - m, to: end + m, insert: sel, start: start - m, end: end - m };
  // The selection holds its markers itself: **x** selected.
  let lead = 0, trail = 0;
  while (lead < sel.length && sel[lead] === star) lead++;
  while (trail < sel.length - lead && sel[sel.length - 1 - trail] === star) trail++;
  if (lead + trail < sel.length && is(lead, trail)) {
    const inner = sel.slice(m, sel.length - m);
    return { from: start, to: end, insert: inner, start, end: start + inner.length };
  }
  return { from: start, to: end, insert: marker + sel + marker, start: start + m, end: end + m };
}
