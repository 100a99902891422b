// Formatted message text as DOM (docs/client.md, "Formatting"): the tree of
// markdown.js becomes elements made with createElement and text nodes, never
// HTML. Links open in a new tab, without the referrer, and are never fetched
// for a preview; a link to a message of this Inhouse opens it here.
import { parse, wrap } from '../markdown.js';
import { parseMessageLink } from '../links.js';

// formatText returns the nodes of text, formatted, to go into a message's
// .text element. opts: isUser(name) (who @name can be), mention(node) (the
// element of a mention; a plain span.mention without it), tail (a node to
// end the last paragraph with, such as "(edited)").
export function formatText(text, opts = {}) {
  const tree = parse(text, opts.isUser);
  const out = blocks(tree.children, opts);
  if (opts.tail) {
    const last = out[out.length - 1];
    if (last && last.nodeType === 1 && last.tagName === 'P') last.append(opts.tail);
    else out.push(opts.tail);
  }
  return out;
}

function el(tag, cls, children) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (children) for (const c of children) e.append(c);
  return e;
}

// blocks: one paragraph alone needs no element of its own (most messages
// are one), so it costs no more than plain text did.
function blocks(list, opts) {
  if (list.length === 1 && list[0].type === 'p') return inlines(list[0].children, opts);
  return list.map((b) => block(b, opts));
}

function block(b, opts) {
  switch (b.type) {
    case 'p': return el('p', 'md-p', inlines(b.children, opts));
    case 'pre': return codeBlock(b);
    case 'quote': return el('blockquote', 'md-quote', blocks(b.children, opts));
    case 'list': {
      const l = el(b.ordered ? 'ol' : 'ul', 'md-list');
      if (b.ordered && b.start !== 1) l.start = b.start;
      for (const item of b.items) l.append(el('li', null, blocks(item, opts)));
      return l;
    }
  }
  return document.createTextNode('');
}

const TAGS = { strong: 'strong', em: 'em', del: 'del' };

function inlines(list, opts) {
  const out = [];
  for (const n of list) {
    switch (n.type) {
      case 'text': out.push(document.createTextNode(n.text)); break;
      case 'br': out.push(document.createTextNode('\n')); break; // the text keeps its lines (pre-wrap)
      case 'code': out.push(el('code', 'md-code', [n.text])); break;
      case 'mention': out.push(opts.mention ? opts.mention(n) : el('span', 'mention', [n.text])); break;
      case 'link': out.push(link(n, opts)); break;
      default: out.push(el(TAGS[n.type], null, inlines(n.children, opts)));
    }
  }
  return out;
}

// inApp is the hash of a link to this Inhouse's page (a message link of
// links.js, #/m/<channel>/<seq>, or a conversation, #/c/<channel>), or ''.
function inApp(href) {
  let u;
  try { u = new URL(href); } catch { return ''; }
  if (u.origin !== location.origin || u.pathname !== '/' || u.search) return '';
  return /^#\/[cm]\//.test(u.hash) ? u.hash : '';
}

function link(n, opts) {
  const a = el('a', 'md-link', inlines(n.children, opts));
  a.href = n.href;
  const hash = inApp(n.href);
  if (hash) {
    // It opens here, through the page's routing (app.js): the
    // conversation, scrolled to the message. Ctrl+click still opens a tab.
    a.classList.add('internal');
    if (parseMessageLink(hash)) a.classList.add('message-link');
    a.addEventListener('click', (e) => {
      if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
      e.preventDefault();
      if (location.hash !== hash) location.hash = hash;
      else dispatchEvent(new HashChangeEvent('hashchange'));
    });
    return a;
  }
  a.target = '_blank';
  a.rel = 'noopener noreferrer';
  // A label that is not its address says where it goes.
  if (!n.auto) a.title = n.href;
  return a;
}

function codeBlock(b) {
  const code = el('code', null, [b.text]);
  const copy = el('button', 'md-copy', ['Copy']);
  copy.type = 'button';
  copy.setAttribute('aria-label', b.lang ? `Copy ${b.lang} code` : 'Copy code');
  copy.addEventListener('click', async () => {
    const how = await copyText(b.text, code);
    copy.dataset.copied = how;
    copy.textContent = how === 'failed' ? 'Press Ctrl+C' : 'Copied';
    clearTimeout(copy.timer);
    copy.timer = setTimeout(() => { copy.textContent = 'Copy'; }, 2000);
  });
  const head = el('div', 'md-pre-head', [b.lang ? el('span', 'md-lang', [b.lang]) : null, copy].filter(Boolean));
  return el('div', 'md-pre', [head, el('pre', null, [code])]);
}

// copyText puts text on the clipboard: the Clipboard API where the page has
// it (HTTPS, localhost), else the browser's copy of the code selected. If
// neither works the code stays selected for Ctrl+C. It says how it went:
// 'clipboard', 'selection' or 'failed'.
export async function copyText(text, node) {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return 'clipboard';
    }
  } catch { /* refused, or no permission: select and copy */ }
  const sel = getSelection();
  const range = document.createRange();
  range.selectNodeContents(node);
  sel.removeAllRanges();
  sel.addRange(range);
  let ok = false;
  try { ok = document.execCommand('copy'); } catch { /* not allowed */ }
  if (ok) sel.removeAllRanges();
  return ok ? 'selection' : 'failed';
}

// ---- the composer ----

const MAC = typeof navigator === 'object' && /Mac|iPhone|iPad|iPod/.test(navigator.userAgentData?.platform || navigator.platform || '');

// formatKey handles Ctrl+B and Ctrl+I (⌘ on a Mac) in a textarea: the
// selection gets wrapped in ** or * (again: unwrapped), or the caret goes
// between a new pair. True when it took the key.
export function formatKey(e, input) {
  if (e.altKey || e.shiftKey || e.isComposing || !(MAC ? e.metaKey && !e.ctrlKey : e.ctrlKey && !e.metaKey)) return false;
  // The letter, or the key's place on a keyboard of another script.
  const k = /^[a-z]$/i.test(e.key) ? e.key.toLowerCase() : e.code === 'KeyB' ? 'b' : e.code === 'KeyI' ? 'i' : '';
  const marker = k === 'b' ? '**' : k === 'i' ? '*' : '';
  if (!marker || input.readOnly || input.disabled) return false;
  e.preventDefault();
  const r = wrap(input.value, input.selectionStart, input.selectionEnd, marker);
  input.setSelectionRange(r.from, r.to);
  // insertText keeps the browser's undo (Ctrl+Z); setRangeText where it is missing.
  let done = false;
  try { done = document.execCommand('insertText', false, r.insert); } catch { /* not supported */ }
  if (!done) {
    input.setRangeText(r.insert, r.from, r.to);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }
  input.setSelectionRange(r.start, r.end);
  return true;
}

// formatHint is the line under the composer that shows how to format.
export function formatHint(id) {
  const p = el('p', 'hint format-hint', ['**bold**', '*italic*', '~~strike~~', '`code`', '```block```', '> quote', '- list'].map((s) => el('span', null, [s])));
  p.id = id;
  return p;
}
