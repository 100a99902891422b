// node --test server/e2e/  — formatting (assets/web/markdown.js): every
// construct, the nesting limits, adversarial and random input in linear
// time, and the text shown always being the text typed minus its markers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, textOf, wrap, MAX_NEST, MAX_EMPHASIS, MAX_NODES } from '../../assets/web/markdown.js';
import { tokenize } from '../../assets/web/text.js';

const known = (n) => n === 'ana' || n === 'ben';
const md = (s) => parse(s, known).children;
// One paragraph's inlines, compactly: text as strings, the rest as [type, …].
const brief = (nodes) => nodes.map((n) => {
  switch (n.type) {
    case 'text': return n.text;
    case 'br': return ['br'];
    case 'code': return ['code', n.text];
    case 'mention': return ['mention', n.name];
    case 'link': return ['link', n.href, ...brief(n.children)];
    default: return [n.type, ...brief(n.children)];
  }
});
const para = (s) => {
  const b = md(s);
  assert.equal(b.length, 1, `one block for ${JSON.stringify(s)}`);
  assert.equal(b[0].type, 'p');
  return brief(b[0].children);
};

// isSubsequence: every character shown comes from the text, in order.
function isSubsequence(text, shown) {
  let i = 0;
  for (let j = 0; j < shown.length; j++) {
    i = text.indexOf(shown[j], i);
    if (i < 0) return false;
    i++;
  }
  return true;
}

// depths measures a tree: quotes and lists inside one another, emphasis
// inside emphasis, and the number of nodes.
function depths(tree) {
  let nest = 0, emph = 0, nodes = 0;
  const inl = (n, d) => {
    nodes++;
    const em = n.type === 'strong' || n.type === 'em' || n.type === 'del';
    if (em) emph = Math.max(emph, d + 1);
    for (const c of n.children || []) inl(c, em ? d + 1 : d);
  };
  const blk = (b, d) => {
    nodes++;
    if (b.type === 'p') for (const c of b.children) inl(c, 0);
    if (b.type === 'quote') { nest = Math.max(nest, d + 1); for (const c of b.children) blk(c, d + 1); }
    if (b.type === 'list') { nest = Math.max(nest, d + 1); for (const it of b.items) for (const c of it) blk(c, d + 1); }
  };
  for (const b of tree.children) blk(b, 0);
  return { nest, emph, nodes };
}

test('inline formatting: bold, italic, strike, code', () => {
  assert.deepEqual(para('**bold** __also__ *it* _it_ ~~gone~~ `x = 1`'),
    [['strong', 'bold'], ' ', ['strong', 'also'], ' ', ['em', 'it'], ' ', ['em', 'it'], ' ', ['del', 'gone'], ' ', ['code', 'x = 1']]);
  assert.deepEqual(para('***both***'), [['em', ['strong', 'both']]]);
  assert.deepEqual(para('**bold with *italic* inside**'), [['strong', 'bold with ', ['em', 'italic'], ' inside']]);
  assert.deepEqual(para('a **b\nc** d'), ['a ', ['strong', 'b', ['br'], 'c'], ' d']);
  assert.deepEqual(para('`` a ` b ``'), [['code', 'a ` b']]);
  assert.deepEqual(para('`**not bold** https://x.org @ana`'), [['code', '**not bold** https://x.org @ana']]);
  assert.deepEqual(para('(*a*) "**b**"'), ['(', ['em', 'a'], ') "', ['strong', 'b'], '"']);
});

test('markers inside words, unclosed or escaped stay as typed', () => {
  assert.deepEqual(para('snake_case_name and 2*3*4 and a~~b~~c'), ['snake_case_name and 2*3*4 and a~~b~~c']);
  assert.deepEqual(para('**unclosed and *this too'), ['**unclosed and *this too']);
  assert.deepEqual(para('`open code'), ['`open code']);
  assert.deepEqual(para('5 * 3 * 2 and a * b'), ['5 * 3 * 2 and a * b']);
  assert.deepEqual(para('\\*not italic\\* and \\_no\\_'), ['*not italic* and _no_']);
  assert.deepEqual(para('~one tilde~ and ~~~three~~~'), ['~one tilde~ and ~~~three~~~']);
  assert.deepEqual(para('** spaced **'), ['** spaced **']);
});

test('links: markdown links and bare links, http and https only', () => {
  assert.deepEqual(para('see [the docs](https://example.org/a_(b)) now'),
    ['see ', ['link', 'https://example.org/a_(b)', 'the docs'], ' now']);
  assert.deepEqual(para('[**bold** label](http://x.test/)'), [['link', 'http://x.test/', ['strong', 'bold'], ' label']]);
  assert.deepEqual(para('**https://x.org/a_b** and _https://x.org/c_'),
    [['strong', ['link', 'https://x.org/a_b', 'https://x.org/a_b']], ' and ', ['em', ['link', 'https://x.org/c', 'https://x.org/c']]]);
  assert.deepEqual(para('[x](javascript:alert(1)) [y](data:text/html,x) [z](ftp://x)'), ['[x](javascript:alert(1)) [y](data:text/html,x) [z](ftp://x)']);
  assert.deepEqual(para('[](https://x.org)'), ['[](', ['link', 'https://x.org/', 'https://x.org'], ')']);
  // No link inside a link's label.
  assert.deepEqual(para('[see https://a.org](https://b.org)'), [['link', 'https://b.org/', 'see https://a.org']]);
  assert.deepEqual(para('[a b](https://x.org/a b)'), ['[a b](', ['link', 'https://x.org/a', 'https://x.org/a'], ' b)']);
  // As text.js always did: trailing punctuation is not part of a link.
  assert.deepEqual(para('https://example.org/x.'), [['link', 'https://example.org/x', 'https://example.org/x'], '.']);
});

test('mentions as text.js makes them, known people only, not in code', () => {
  assert.deepEqual(para('@ana and @nobody and ana@ben.org'), [['mention', 'ana'], ' and @nobody and ana@ben.org']);
  assert.deepEqual(para('**@ben** `@ana`'), [['strong', ['mention', 'ben']], ' ', ['code', '@ana']]);
  assert.deepEqual(para('x`y`@ana'), ['x', ['code', 'y'], ['mention', 'ana']]);
  // The character before a piece is known to the tokenizer: no mention inside a word.
  assert.deepEqual(tokenize('@ana', known, 'x'), [{ type: 'text', text: '@ana' }]);
  assert.deepEqual(tokenize('**https://a.org/b**~~', known).map((r) => r.type), ['text', 'link', 'text']);
});

test('code blocks keep their whitespace, with an optional language', () => {
  assert.deepEqual(md('```js\n  two spaces\n\ttab\n\n   three\n```'), [{ type: 'pre', text: '  two spaces\n\ttab\n\n   three', lang: 'js' }]);
  assert.deepEqual(md('~~~\n**not bold** <b>\n~~~'), [{ type: 'pre', text: '**not bold** <b>', lang: '' }]);
  assert.deepEqual(md('````\n```\ninside\n```\n````'), [{ type: 'pre', text: '```\ninside\n```', lang: '' }]);
  assert.deepEqual(md('```<script>\nx\n```')[0].lang, '');
  const b = md('before\n```\ncode\n```\nafter');
  assert.deepEqual(b.map((x) => x.type), ['p', 'pre', 'p']);
  // Unclosed: the text as typed.
  assert.deepEqual(md('```\nno end'), [{ type: 'p', children: [{ type: 'text', text: '```' }, { type: 'br' }, { type: 'text', text: 'no end' }] }]);
  // A fence indented by two spaces takes two from each line.
  assert.deepEqual(md('  ```\n    four\n  ```'), [{ type: 'pre', text: '  four', lang: '' }]);
});

test('quotes, nested quotes and what they hold', () => {
  const b = md('> said **this**\n> and that\n>> earlier\n\nreply');
  assert.equal(b.length, 2);
  assert.equal(b[0].type, 'quote');
  assert.deepEqual(brief(b[0].children[0].children), ['said ', ['strong', 'this'], ['br'], 'and that']);
  assert.equal(b[0].children[1].type, 'quote');
  assert.deepEqual(brief(b[1].children), ['reply']);
  assert.deepEqual(md('> - a\n> - b')[0].children[0].type, 'list');
  assert.equal(md('>```\n>code\n>```')[0].children[0].type, 'pre');
});

test('bullet and numbered lists, nested', () => {
  const [l] = md('- one\n- two **2**\n  - nested\n  - more\n- three');
  assert.equal(l.type, 'list');
  assert.equal(l.ordered, false);
  assert.equal(l.items.length, 3);
  assert.deepEqual(brief(l.items[1][0].children), ['two ', ['strong', '2']]);
  assert.equal(l.items[1][1].type, 'list');
  assert.equal(l.items[1][1].items.length, 2);
  const [o] = md('3. c\n4. d');
  assert.deepEqual([o.type, o.ordered, o.start, o.items.length], ['list', true, 3, 2]);
  assert.deepEqual(md('* a\n+ b').map((x) => x.type), ['list', 'list'], 'another bullet starts another list');
  assert.deepEqual(md('Shopping:\n- milk\n- eggs').map((x) => x.type), ['p', 'list']);
  assert.deepEqual(md('In\n2019. we grew').map((x) => x.type), ['p'], 'a number other than 1 does not interrupt a paragraph');
  assert.deepEqual(md('- a\n\n- b')[0].items.length, 2, 'blank lines between items');
  assert.deepEqual(md('- a\n\n  more of a')[0].items[0].map((x) => x.type), ['p', 'p']);
  assert.deepEqual(md('-not a list\n1.5 hours\n---\n* * *').map((x) => x.type), ['p']);
  assert.deepEqual(md('1) x')[0].ordered, true);
});

test('paragraphs and line breaks; nothing is HTML', () => {
  assert.deepEqual(md('a\nb\n\nc').map((b) => brief(b.children)), [['a', ['br'], 'b'], ['c']]);
  assert.deepEqual(para('<img src=x onerror=alert(1)> &amp;'), ['<img src=x onerror=alert(1)> &amp;']);
  assert.deepEqual(para('  kept  spaces'), ['  kept  spaces']);
  assert.deepEqual(md(''), []);
  assert.deepEqual(md('\r\n**x**\r\n'), [{ type: 'p', children: [{ type: 'strong', marker: '**', children: [{ type: 'text', text: 'x' }] }] }]);
});

test('nesting limits: quotes and lists 4 deep, emphasis 8 deep, the rest as typed', () => {
  const q = parse('> '.repeat(6) + 'deep');
  assert.equal(depths(q).nest, MAX_NEST);
  assert.equal(textOf(q), '> > deep');
  const l = parse('- '.repeat(6) + 'deep');
  assert.equal(depths(l).nest, MAX_NEST);
  assert.equal(textOf(l), '- - deep');
  let indented = '';
  for (let i = 0; i < 8; i++) indented += ' '.repeat(2 * i) + '- level ' + i + '\n';
  assert.equal(depths(parse(indented)).nest, MAX_NEST);
  assert.equal(depths(parse('> - > - > - x')).nest, MAX_NEST);
  const e = parse('*a _b '.repeat(6) + 'x' + ' b_ a*'.repeat(6));
  assert.equal(depths(e).emph, MAX_EMPHASIS);
  const e8 = parse('*a _b '.repeat(4) + 'x' + ' b_ a*'.repeat(4));
  assert.equal(depths(e8).emph, 8);
  assert.equal(textOf(e8), 'a b '.repeat(4) + 'x' + ' b a'.repeat(4));
  // A link's label inside emphasis counts from the outside.
  const deep = '*a _b *c _d *e _f *g _h [*i _j k_ l*](https://x.org) h_ g* f_ e* d_ c* b_ a*';
  assert.ok(depths(parse(deep)).emph <= MAX_EMPHASIS);
});

const MB = 1 << 20;
const fill = (unit) => unit.repeat(Math.ceil(MB / unit.length)).slice(0, MB);

// timed parses s three times and gives the tree and the fastest time: the
// machine may be busy with other tests (node --test runs files at once).
function timed(s) {
  let best = Infinity, tree;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    tree = parse(s, known);
    best = Math.min(best, performance.now() - t0);
    if (best < 50) break;
  }
  return { tree, ms: best };
}

// Linear time: each 1 MB of adversarial input parses in tens of
// milliseconds (the slowest is logged; its speed is not what is tested).
// The bound below is far above that, so a busy machine does not trip it,
// and far below what one quadratic step costs on 1 MB (minutes).
const LINEAR_MS = 2000;
test('adversarial input: 10,000 levels, 100,000 backticks, 1 MB in linear time', () => {
  const cases = {
    'quotes 10,000 deep': '>'.repeat(10000) + ' x',
    'quotes 10,000 deep, spaced': '> '.repeat(10000) + 'x',
    'quote lines 1,400 deep (1 MB)': Array.from({ length: 1400 }, (_, i) => '>'.repeat(i + 1) + ' x').join('\n'),
    'lists 10,000 deep': '- '.repeat(10000) + 'x',
    'lists 1,000 deep, indented (1 MB)': Array.from({ length: 1000 }, (_, i) => ' '.repeat(2 * i) + '- x').join('\n'),
    'lists 10,000 lines, alternately indented': Array.from({ length: 10000 }, (_, i) => ' '.repeat(2 * (i % 8)) + '- x').join('\n'),
    'emphasis 10,000 deep': '*a _b '.repeat(5000) + 'x' + ' b_ a*'.repeat(5000),
    'emphasis markers 10,000': '*_'.repeat(5000) + 'x' + '_*'.repeat(5000),
    'emphasis openers 10,000': '**a '.repeat(10000),
    'strike 10,000 deep': '~~a '.repeat(10000) + 'x' + ' a~~'.repeat(10000),
    'links 10,000 deep': '[a]('.repeat(10000) + 'https://x.org' + ')'.repeat(10000),
    'backticks 100,000': '`'.repeat(100000),
    'backtick runs 1..1000': Array.from({ length: 1000 }, (_, i) => '`'.repeat(i + 1) + 'x').join(''),
    'fences 100,000 backticks': '`'.repeat(100000) + '\nx\n' + '`'.repeat(99999),
    '1 MB stars': fill('*'),
    '1 MB *a': fill('*a '),
    '1 MB *_': fill('*_'),
    '1 MB _a': fill('_a '),
    '1 MB ~~': fill('~~a '),
    '1 MB brackets': fill('['),
    '1 MB [a](http…': fill('[a](http://x'),
    '1 MB parentheses': fill('('),
    '1 MB )': 'https://x.org/' + fill(')'),
    '1 MB dots after a link': 'https://x.org/' + fill('.'),
    '1 MB mention dashes': '@a' + fill('-') + 'b',
    '1 MB mentions': fill('@ana '),
    '1 MB list items': fill('- a\n'),
    '1 MB fences': fill('```\n'),
    '1 MB fences, shrinking': (() => { let s = ''; for (let n = 1400; n >= 3; n--) s += '`'.repeat(n) + '\n'; return s; })(),
    '1 MB escapes': fill('\\*'),
    '1 MB newlines': fill('\n'),
    '1 MB of code': '```\n' + fill('  x = 1\n') + '\n```',
  };
  let slowest = ['', 0];
  for (const [name, s] of Object.entries(cases)) {
    const { tree, ms } = timed(s);
    if (ms > slowest[1]) slowest = [name, ms];
    assert.ok(ms < LINEAR_MS, `${name}: ${ms.toFixed(0)} ms`);
    const d = depths(tree);
    assert.ok(d.nest <= MAX_NEST && d.emph <= MAX_EMPHASIS, `${name}: nesting ${d.nest}, emphasis ${d.emph}`);
    assert.ok(isSubsequence(s, textOf(tree)), `${name}: the text shown is not the text typed`);
  }
  assert.equal(textOf(parse('`'.repeat(100000))), '`'.repeat(100000), 'unmatched backticks stay as typed');
  console.log(`slowest 1 MB case: ${slowest[0]}, ${slowest[1].toFixed(1)} ms`);
});

test('the text shown is the text typed minus its markers', () => {
  const cases = [
    ['**bold** *it* ~~s~~ `c`', 'bold it s c'],
    ['> quoted\n- item\n1. first', 'quoteditemfirst'],
    ['[label](https://x.org) and https://y.org.', 'label and https://y.org.'],
    ['```\n  code\n```', '  code'],
    ['snake_case 2*3*4 **unclosed', 'snake_case 2*3*4 **unclosed'],
  ];
  for (const [s, want] of cases) assert.equal(textOf(parse(s, known)), want, s);
  // Text without markers shows as it is.
  const plain = 'Morning! Is the invoice out?\nAnd the delivery note? ana@example.org (see https://example.org/a?b=1)';
  assert.equal(textOf(parse(plain, known)), plain);
});

// A seeded generator, so a failure can be replayed.
function rng(seed) {
  return () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
}
const PARTS = ['*', '**', '***', '_', '__', '~~', '~', '`', '``', '```', '~~~', '[', ']', '(', ')', '](', '](https://x.org/',
  'https://a.org/p_(q)', '@ana', '@zed', ' ', '  ', '\n', '\n\n', '> ', '>', '- ', '* ', '+ ', '1. ', '2) ', 'word', 'snake_case',
  '2*3', '\\', '\\*', '\t', '    ', 'é', '😀', '\r\n', '<b>', '&amp;'];

test('fuzz: random mixes of markers never throw, stay bounded and show only typed text', () => {
  const rand = rng(20240601);
  let total = 0, worst = 0;
  for (let round = 0; round < 3000; round++) {
    const n = 1 + Math.floor(rand() * (round % 10 === 0 ? 2000 : 60));
    let s = '';
    for (let i = 0; i < n; i++) s += PARTS[Math.floor(rand() * PARTS.length)];
    const t0 = performance.now();
    const tree = parse(s, known);
    const ms = performance.now() - t0;
    worst = Math.max(worst, ms / s.length);
    total += s.length;
    const d = depths(tree);
    assert.ok(d.nest <= MAX_NEST, `nesting ${d.nest} for ${JSON.stringify(s)}`);
    assert.ok(d.emph <= MAX_EMPHASIS, `emphasis ${d.emph} for ${JSON.stringify(s)}`);
    assert.ok(d.nodes <= 3 * s.length + 2, `${d.nodes} nodes for ${s.length} characters: ${JSON.stringify(s)}`);
    assert.ok(isSubsequence(s.replace(/\r\n/g, '\n'), textOf(tree)), `text not from the input: ${JSON.stringify(s)}`);
    for (const h of collectHrefs(tree)) assert.match(h, /^https?:\/\//);
  }
  // Long random input: linear, like the rest.
  let long = '';
  while (long.length < MB) long += PARTS[Math.floor(rand() * PARTS.length)];
  const { tree, ms } = timed(long);
  assert.ok(ms < LINEAR_MS, `1 MB of random markers: ${ms.toFixed(0)} ms`);
  assert.ok(depths(tree).nodes <= 3 * MAX_NODES + long.length / 2);
  console.log(`fuzz: ${total} characters in 3000 texts; 1 MB random in ${ms.toFixed(1)} ms`);
});

function collectHrefs(tree) {
  const out = [];
  const walk = (n) => {
    if (n.type === 'link') out.push(n.href);
    for (const c of n.children || []) walk(c);
    for (const it of n.items || []) it.forEach(walk);
  };
  walk(tree);
  return out;
}

test('Ctrl+B and Ctrl+I wrap the selection, or put the caret between markers', () => {
  assert.deepEqual(wrap('hello world', 6, 11, '**'), { from: 6, to: 11, insert: '**world**', start: 8, end: 13 });
  assert.deepEqual(wrap('hello world', 5, 11, '*'), { from: 6, to: 11, insert: '*world*', start: 7, end: 12 }, 'spaces stay outside');
  assert.deepEqual(wrap('hi ', 3, 3, '**'), { from: 3, to: 3, insert: '****', start: 5, end: 5 });
  assert.deepEqual(wrap('a **b** c', 4, 5, '**'), { from: 2, to: 7, insert: 'b', start: 2, end: 3 }, 'again takes it away');
  assert.deepEqual(wrap('a **b** c', 2, 7, '**'), { from: 2, to: 7, insert: 'b', start: 2, end: 3 });
  assert.deepEqual(wrap('a **b** c', 4, 5, '*'), { from: 4, to: 5, insert: '*b*', start: 5, end: 6 }, 'italic inside bold');
  assert.deepEqual(wrap('a *b* c', 3, 4, '*'), { from: 2, to: 5, insert: 'b', start: 2, end: 3 });
  const r = wrap('make this bold', 5, 9, '**');
  const v = 'make this bold'.slice(0, r.from) + r.insert + 'make this bold'.slice(r.to);
  assert.deepEqual(brief(parse(v).children[0].children), ['make ', ['strong', 'this'], ' bold']);
});
