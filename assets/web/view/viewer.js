// The picture viewer: a full-window modal over the conversation with one
// picture fitted to the window, Previous and Next (buttons, ← and →, a
// swipe) across the pictures of the conversation's loaded messages,
// Download, and the file's name, who sent it and when. It is a modal
// <dialog> (the rest of the page is inert), Tab stays inside it, Esc
// closes it and focus goes back where it was.
import { h, icon } from './dom.js';
import { picturesOf, fileURL, formatSize } from '../files.js';
import { fullTime } from '../text.js';

const SWIPE_PX = 50;

// openViewer shows picture index of message seq in channel. opener is the
// element focused afterwards (found again if the list was re-rendered).
export function openViewer(client, channel, seq, index, opener = null) {
  const store = client.store;
  const pics = picturesOf(store.log(channel).items);
  let at = pics.findIndex((p) => p.seq === seq && p.index === index);
  if (at < 0 || document.querySelector('dialog[open]')) return null;

  const title = h('h2', { id: 'viewer-title', class: 'viewer-title', dir: 'auto' });
  const meta = h('p', { id: 'viewer-meta', class: 'viewer-meta' });
  const count = h('span', { class: 'viewer-count', 'aria-live': 'polite' });
  const download = h('a', { id: 'viewer-download', class: 'viewer-button', download: '' }, icon('download'), h('span', null, 'Download'));
  const close = h('button', { type: 'button', id: 'viewer-close', class: 'viewer-button icon-only', 'aria-label': 'Close', title: 'Close (Esc)' }, icon('close'));
  const prev = h('button', { type: 'button', id: 'viewer-prev', class: 'viewer-nav prev', 'aria-label': 'Previous picture', title: 'Previous (←)' }, icon('left'));
  const next = h('button', { type: 'button', id: 'viewer-next', class: 'viewer-nav next', 'aria-label': 'Next picture', title: 'Next (→)' }, icon('right'));
  const img = h('img', { id: 'viewer-image', class: 'viewer-image', alt: '' });
  const note = h('p', { class: 'viewer-note', role: 'status' });
  const stage = h('div', { class: 'viewer-stage' }, img, note, prev, next);
  const dlg = h('dialog', { class: 'viewer', id: 'viewer', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'viewer-title', 'aria-describedby': 'viewer-meta' },
    h('header', { class: 'viewer-head' },
      h('div', { class: 'viewer-info' }, title, meta),
      count, download, close),
    stage);

  const show = (i) => {
    at = Math.max(0, Math.min(pics.length - 1, i));
    const p = pics[at];
    const url = fileURL(channel, p.seq, p.index);
    title.textContent = p.file.name;
    meta.textContent = `${store.display(p.from)} · ${fullTime(p.ts)} · ${formatSize(p.file.size)}`;
    count.textContent = pics.length > 1 ? `${at + 1} of ${pics.length}` : '';
    download.href = fileURL(channel, p.seq, p.index, true);
    download.setAttribute('download', p.file.name);
    download.setAttribute('aria-label', `Download ${p.file.name}`);
    dlg.dataset.seq = String(p.seq);
    dlg.dataset.index = String(p.index);
    const focused = document.activeElement;
    prev.disabled = at === 0;
    next.disabled = at === pics.length - 1;
    // At the first or last picture the button pressed is disabled: focus
    // moves to the other one (or Close), never out of the viewer.
    if (focused === prev && prev.disabled) (next.disabled ? close : next).focus();
    if (focused === next && next.disabled) (prev.disabled ? close : prev).focus();
    note.textContent = 'Loading…';
    img.alt = p.file.name;
    img.src = url;
    // The next one is likely wanted next.
    if (pics[at + 1]) new Image().src = fileURL(channel, pics[at + 1].seq, pics[at + 1].index);
  };
  img.addEventListener('load', () => { note.textContent = ''; });
  img.addEventListener('error', () => { note.textContent = 'This picture could not be loaded. Try Download, or check your connection.'; });

  prev.addEventListener('click', () => show(at - 1));
  next.addEventListener('click', () => show(at + 1));
  close.addEventListener('click', () => dlg.close());
  dlg.addEventListener('keydown', (e) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
      e.preventDefault();
      show(at + (e.key === 'ArrowLeft' ? -1 : 1));
    } else if (e.key === 'Home' || e.key === 'End') {
      e.preventDefault();
      show(e.key === 'Home' ? 0 : pics.length - 1);
    } else if (e.key === 'Tab') {
      // Keep Tab within the viewer (the browser's own bar included in none).
      const all = [...dlg.querySelectorAll('button:not(:disabled), a[href]')];
      const i = all.indexOf(document.activeElement);
      const to = e.shiftKey ? (i <= 0 ? all.at(-1) : all[i - 1]) : (i === all.length - 1 ? all[0] : all[i + 1]);
      if (to) { e.preventDefault(); to.focus(); }
    }
  });
  // Clicking the dark area around the picture closes, as in most viewers.
  stage.addEventListener('click', (e) => { if (e.target === stage) dlg.close(); });
  let downX = null;
  stage.addEventListener('pointerdown', (e) => { downX = e.pointerType === 'mouse' ? null : e.clientX; });
  stage.addEventListener('pointerup', (e) => {
    if (downX === null) return;
    const dx = e.clientX - downX;
    downX = null;
    if (Math.abs(dx) > SWIPE_PX) show(at + (dx < 0 ? 1 : -1));
  });
  dlg.addEventListener('close', () => {
    dlg.remove();
    const sel = `.file-preview[data-channel="${CSS.escape(channel)}"][data-seq="${seq}"][data-index="${index}"]`;
    const back = opener?.isConnected ? opener : document.querySelector(sel);
    if (back) back.focus(); else client.focusComposer();
  });

  document.body.append(dlg);
  show(at);
  dlg.showModal();
  close.focus();
  return dlg;
}
