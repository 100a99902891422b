// The emoji picker: a popover with a search box (every word of the query
// starts a word of the emoji's name), the person's recent reactions first,
// then Unicode's groups. Keyboard first: type to search, ↓ into the grid,
// arrows move, Enter picks, Esc closes (focus goes back to the button that
// opened it; view/reactions.js does that). Loaded on first use with
// /emoji.json, so neither costs the first visit anything.
import { h } from './dom.js';
import { GROUPS, QUICK, emojiList, searchEmoji, recentEntries } from '../emoji.js';

export { readRecent } from '../emoji.js';

let data = null; // the promise of the list, kept once it came

export function loadEmoji() {
  if (!data) {
    data = fetch('/emoji.json', { credentials: 'same-origin' })
      .then((r) => { if (!r.ok) throw new Error(`status ${r.status}`); return r.json(); })
      .then(emojiList)
      .catch((err) => { data = null; throw err; });
  }
  return data;
}

let ids = 0;

// emojiPicker builds the popover. recent: the person's recent emoji, most
// recent first. pick(emoji) and cancel() are called on a choice and on Esc.
export function emojiPicker({ recent = [], pick, cancel }) {
  const id = `emoji-${++ids}`;
  const input = h('input', { type: 'search', class: 'emoji-search', id: `${id}-q`, placeholder: 'Search emoji', autocomplete: 'off',
    spellcheck: 'false', 'aria-label': 'Search emoji by name', 'aria-controls': `${id}-list`, enterkeyhint: 'done' });
  const body = h('div', { class: 'emoji-body', id: `${id}-list` });
  const status = h('p', { class: 'emoji-status muted', role: 'status', 'aria-live': 'polite' });
  const preview = h('p', { class: 'emoji-preview muted', 'aria-hidden': 'true' }, ' ');
  const el = h('div', { class: 'popover emoji-picker', role: 'dialog', 'aria-label': 'Add reaction' },
    h('div', { class: 'emoji-head' }, input), body, status, preview);
  let list = null;
  let current = null; // the emoji button in the tab order

  // The name is the button's name; the glyph itself is not read out twice.
  const button = (e) => h('button', { type: 'button', class: 'emoji', tabindex: -1, 'data-emoji': e.emoji, 'aria-label': e.name, title: e.name },
    h('span', { 'aria-hidden': 'true' }, e.emoji));
  const section = (title, entries) => entries.length
    ? h('section', { class: 'emoji-section' }, h('h3', null, title), h('div', { class: 'emoji-grid', role: 'group', 'aria-label': title }, entries.map(button)))
    : null;

  const render = () => {
    const q = input.value.trim();
    let parts;
    if (!list) {
      // Without the list (it is loading, or could not load) the quick ones still work.
      parts = [section('Quick reactions', QUICK.map(([emoji, name]) => ({ emoji, name })))];
    } else if (q) {
      const found = searchEmoji(list, q, recent);
      parts = [section('Results', found)];
      status.textContent = found.length ? `${found.length} found.` : `No emoji match “${q}”.`;
    } else {
      parts = [section('Recent', recentEntries(list, recent)), ...GROUPS.map(([g, title]) => section(title, list.filter((e) => e.group === g)))];
      status.textContent = '';
    }
    body.replaceChildren(...parts.filter(Boolean));
    body.scrollTop = 0;
    setCurrent(body.querySelector('.emoji'), false);
  };

  const setCurrent = (btn, focus = true) => {
    if (current) current.tabIndex = -1;
    current = btn;
    if (!btn) { preview.textContent = ' '; return; }
    btn.tabIndex = 0;
    preview.textContent = `${btn.dataset.emoji} ${btn.title}`;
    if (focus) { btn.focus(); btn.scrollIntoView({ block: 'nearest' }); }
  };

  const buttons = () => [...body.querySelectorAll('.emoji')];

  // step finds the button above or below (the nearest in the next row up
  // or down, across sections), or left and right in reading order.
  const step = (from, key) => {
    const all = buttons();
    const i = all.indexOf(from);
    if (key === 'ArrowLeft') return all[i - 1] || null;
    if (key === 'ArrowRight') return all[i + 1] || null;
    if (key === 'Home') return all[0];
    if (key === 'End') return all.at(-1);
    const r = from.getBoundingClientRect();
    const x = r.left + r.width / 2;
    const rows = all.map((b) => [b, b.getBoundingClientRect()]);
    const down = key === 'ArrowDown' || key === 'PageDown';
    const far = key.startsWith('Page') ? 5 : 1;
    let target = null;
    const tops = [...new Set(rows.map(([, b]) => Math.round(b.top)))].sort((a, b) => a - b);
    const at = tops.indexOf(Math.round(r.top));
    const row = tops[down ? Math.min(tops.length - 1, at + far) : Math.max(0, at - far)];
    if (row === undefined || row === Math.round(r.top)) return null;
    let best = Infinity;
    for (const [b, br] of rows) {
      if (Math.round(br.top) !== row) continue;
      const d = Math.abs(br.left + br.width / 2 - x);
      if (d < best) { best = d; target = b; }
    }
    return target;
  };

  input.addEventListener('input', render);
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown') { e.preventDefault(); setCurrent(body.querySelector('.emoji')); }
    else if (e.key === 'Enter') {
      e.preventDefault();
      const first = body.querySelector('.emoji');
      if (first) pick(first.dataset.emoji);
    } else if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); cancel(); }
  });
  body.addEventListener('keydown', (e) => {
    const btn = e.target.closest?.('.emoji');
    if (!btn) return;
    if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); cancel(); return; }
    if (['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'Home', 'End', 'PageUp', 'PageDown'].includes(e.key)) {
      e.preventDefault();
      const to = step(btn, e.key);
      if (to) setCurrent(to);
      else if (e.key === 'ArrowUp') input.focus(); // from the first row back to the search
      return;
    }
    // Typing goes to the search box.
    if (e.key.length === 1 && e.key !== ' ' && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      input.value += e.key;
      input.focus();
      render();
    } else if (e.key === 'Backspace') {
      e.preventDefault();
      input.value = input.value.slice(0, -1);
      input.focus();
      render();
    }
  });
  body.addEventListener('click', (e) => {
    const btn = e.target.closest?.('.emoji');
    if (btn) pick(btn.dataset.emoji);
  });
  body.addEventListener('focusin', (e) => { const b = e.target.closest?.('.emoji'); if (b && b !== current) setCurrent(b, false); });
  body.addEventListener('pointerover', (e) => { const b = e.target.closest?.('.emoji'); if (b) preview.textContent = `${b.dataset.emoji} ${b.title}`; });

  render();
  status.textContent = 'Loading the emoji…';
  loadEmoji().then((l) => {
    list = l;
    const keep = document.activeElement === input;
    render();
    if (keep) input.focus();
  }).catch(() => {
    status.textContent = 'The full emoji list could not load: the connection to the server is needed. The quick reactions work.';
  });
  return el;
}
