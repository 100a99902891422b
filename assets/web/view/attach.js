// Attaching files to the composer: the paperclip (a hidden file input),
// dropping files on the conversation (a drop zone shows while dragging),
// and pasting (a screenshot becomes "Screenshot 2026-12-05 14.03.png").
// Files wait as chips above the composer, one tray per conversation
// (FileTray in files.js decides; this shows it): a thumbnail for pictures,
// the name, the size, × to remove; while sending a progress bar and Cancel;
// after a failure the server's sentence and Retry.
import { api } from '../api.js';
import { h, icon } from './dom.js';
import { FileTray, upload, pastedName, formatSize, isPicture, fileKind, MAX_FILES, UPLOAD_RETRIES } from '../files.js';
import { kindIcon } from './files.js';

// The page's CSP may refuse blob: pictures; then a thumbnail is read as a
// data: URL instead, for pictures up to this size (an icon above it).
const DATA_THUMB_MAX = 8 << 20;

export class Attacher {
  constructor(client) {
    this.c = client;
    this.trays = new Map(); // channel → FileTray
    this.chips = new Map(); // item key → { el, parts…, url }
    this.input = h('input', { type: 'file', multiple: true, id: 'attach-input', class: 'attach-input', hidden: true, tabindex: -1 });
    this.input.addEventListener('change', () => {
      this.add([...this.input.files]);
      this.input.value = ''; // the same file may be picked again
    });
    this.button = h('button', { type: 'button', id: 'attach-button', class: 'icon-button attach-button', 'aria-label': 'Attach files',
      title: `Attach files (up to ${MAX_FILES})`, 'aria-controls': 'attachments' }, icon('clip'));
    this.button.addEventListener('click', () => this.input.click());
    this.list = h('ul', { id: 'attachments', class: 'attach-tray', 'aria-label': 'Files to send', hidden: true });
    this.status = h('p', { id: 'attach-status', class: 'attach-status', role: 'status', hidden: true });
    this.note = h('p', { id: 'attach-note', class: 'attach-note', role: 'alert', hidden: true });
    this.el = h('div', { class: 'attach' }, this.list, this.status, this.note);
    this.dropTitle = h('p', { class: 'drop-title' });
    this.dropZone = h('div', { id: 'drop-zone', class: 'drop-zone', hidden: true },
      h('div', { class: 'drop-card' }, icon('clip'), this.dropTitle, h('p', { class: 'small' }, `Up to ${MAX_FILES} files in one message.`)));
  }

  // ---- the trays ----
  tray(channel) { return this.trays.get(channel) || null; }

  trayFor(channel) {
    let t = this.trays.get(channel);
    if (!t) {
      t = new FileTray({
        upload: (item, hooks) => upload({ channel, name: item.name, file: item.file, makeXHR: () => new XMLHttpRequest(), csrf: () => api.csrf, ...hooks }),
        onChange: () => { if (channel === this.c.current) this.render(); else this.dispose(); },
        onSend: (text, infos) => this.c.sendFiles(channel, text, infos),
        maxBytes: () => this.c.store.maxFile,
      });
      this.trays.set(channel, t);
    }
    return t;
  }

  // busy: some conversation's files are being uploaded (the page asks
  // before it is closed).
  busy() { return [...this.trays.values()].some((t) => t.busy); }

  // canTake: files may be attached in the open conversation.
  canTake() { return !!this.c.current && !this.c.readOnly(this.c.store.channels.get(this.c.current)); }

  // add attaches files to the open conversation; names (optional, by
  // position) rename them, as for a pasted screenshot.
  add(files, names = []) {
    if (!files.length || !this.canTake()) return;
    this.say(this.trayFor(this.c.current).add(files, names));
    this.render();
  }

  // restore puts uploaded files back on channel's composer (infos: the
  // server's file objects, ids included).
  restore(channel, infos) {
    if (infos.length) this.trayFor(channel).restore(infos);
  }

  say(text) {
    this.note.textContent = text || '';
    this.note.hidden = !text;
  }

  // send starts sending the open conversation's files with text as their
  // caption; false when there are none (or they are being sent).
  send(text) {
    const t = this.tray(this.c.current);
    if (!t || !t.count) return false;
    this.say('');
    t.send(text);
    return true;
  }

  // ---- drag and drop, paste ----
  watch(area, input) {
    let depth = 0;
    const hasFiles = (e) => [...(e.dataTransfer?.types || [])].includes('Files');
    const show = (on) => {
      if (on) {
        const ch = this.c.store.channels.get(this.c.current);
        this.dropTitle.textContent = `Drop files to share them ${ch?.kind === 'direct' ? `with ${this.c.store.label(ch)}` : `in #${ch?.name || ''}`}`;
      }
      this.dropZone.hidden = !on;
    };
    area.addEventListener('dragenter', (e) => {
      if (!hasFiles(e) || !this.canTake()) return;
      e.preventDefault();
      depth++;
      show(true);
    });
    area.addEventListener('dragover', (e) => {
      if (!hasFiles(e) || !this.canTake()) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
    });
    area.addEventListener('dragleave', (e) => {
      if (!hasFiles(e) || !depth) return;
      depth--;
      if (!depth) show(false);
    });
    area.addEventListener('drop', (e) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      show(false);
      this.add([...e.dataTransfer.files]);
      this.c.focusComposer();
    });
    // A file dropped anywhere else must not replace the page with itself.
    addEventListener('dragover', (e) => {
      if (!hasFiles(e) || e.defaultPrevented) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'none';
    });
    addEventListener('drop', (e) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      show(false);
    });
    // Pasting a file (a screenshot) attaches it. Cells copied from a
    // spreadsheet come as text and as a picture of themselves: the text is
    // what is meant then.
    input.addEventListener('paste', (e) => {
      const files = [...(e.clipboardData?.files || [])];
      if (!files.length || e.clipboardData.getData('text/plain')) return;
      e.preventDefault();
      const now = Date.now();
      this.add(files, files.map((f) => pastedName(f.name, f.type, now)));
    });
  }

  // ---- the chips ----
  render() {
    const t = this.tray(this.c.current);
    const items = t && this.canTake() ? t.items : [];
    const els = items.map((item) => this.chip(item, t));
    // Only what changed moves, so focus stays on a chip's button.
    els.forEach((el, i) => { if (this.list.children[i] !== el) this.list.insertBefore(el, this.list.children[i] || null); });
    while (this.list.children.length > els.length) this.list.lastChild.remove();
    this.list.hidden = !els.length;
    const uploading = items.filter((i) => i.state === 'uploading').length;
    const failed = items.some((i) => i.state === 'failed');
    let status = '';
    if (t?.busy) status = `Uploading ${uploading} ${uploading === 1 ? 'file' : 'files'}… The message is sent when every file is uploaded.`;
    else if (failed) status = 'Not sent: a file was not uploaded. Retry it, or remove it and send again.';
    this.status.textContent = status;
    this.status.hidden = !status;
    this.status.classList.toggle('failed', !t?.busy && failed);
    this.c.lockComposer(!!t?.busy);
    this.dispose();
  }

  // dispose forgets the chips of files no tray holds any more.
  dispose() {
    const live = new Set();
    for (const t of this.trays.values()) for (const i of t.items) live.add(i.key);
    for (const [key, c] of this.chips) {
      if (live.has(key)) continue;
      if (c.url) URL.revokeObjectURL(c.url);
      this.chips.delete(key);
    }
  }

  chip(item, tray) {
    let c = this.chips.get(item.key);
    if (!c) { c = this.makeChip(item, tray); this.chips.set(item.key, c); }
    const size = formatSize(item.size);
    c.el.dataset.state = item.state;
    let info = size;
    if (item.state === 'uploading') {
      if (item.retrying) info = `Trying again (${item.retrying} of ${UPLOAD_RETRIES})…`;
      else if (item.progress >= 1) info = `${size} · saving…`;
      else info = `${Math.floor(item.progress * 100)}% of ${size}`;
    } else if (item.state === 'done') info = `${size} · uploaded`;
    c.info.textContent = info;
    c.progress.hidden = item.state !== 'uploading';
    c.progress.value = item.progress;
    c.error.hidden = item.state !== 'failed';
    c.error.textContent = item.state === 'failed' ? item.error : '';
    c.retry.hidden = !(item.state === 'failed' && item.retryable);
    c.cancel.hidden = item.state !== 'uploading';
    c.remove.hidden = item.state === 'uploading';
    return c.el;
  }

  makeChip(item, tray) {
    const c = { url: '' };
    const thumb = isPicture(item.type) && item.file ? this.thumb(item, c)
      : h('span', { class: 'chip-icon file-icon', 'data-kind': fileKind(item.type, item.name) }, kindIcon(item.type, item.name));
    c.info = h('span', { class: 'chip-info' });
    c.progress = h('progress', { class: 'chip-progress', max: 1, value: 0, 'aria-label': `Upload of ${item.name}` });
    c.error = h('p', { class: 'chip-error', role: 'alert', hidden: true });
    c.retry = h('button', { type: 'button', class: 'link-button chip-retry', 'aria-label': `Retry ${item.name}` }, 'Retry');
    c.cancel = h('button', { type: 'button', class: 'link-button chip-cancel', 'aria-label': `Cancel the upload of ${item.name}` }, 'Cancel');
    c.remove = h('button', { type: 'button', class: 'icon-button chip-remove', 'aria-label': `Remove ${item.name}`, title: 'Remove' }, icon('close'));
    // Retry sends again: what is uploaded stays, the rest goes again.
    c.retry.addEventListener('click', () => this.c.submit());
    c.cancel.addEventListener('click', () => this.leave(c.el, () => tray.cancel(item.key)));
    c.remove.addEventListener('click', () => this.leave(c.el, () => tray.remove(item.key)));
    c.el = h('li', { class: 'chip', 'data-key': item.key, 'data-state': item.state },
      thumb,
      h('span', { class: 'chip-body' },
        h('span', { class: 'chip-name', dir: 'auto', title: item.name }, item.name),
        c.info, c.progress, c.error),
      c.retry, c.cancel, c.remove);
    return c;
  }

  // leave takes a chip away and puts focus on the next chip (or the one
  // before, or the composer), as a list does when an item is deleted.
  leave(el, take) {
    const chips = [...this.list.children];
    const i = chips.indexOf(el);
    take();
    this.render();
    const rest = [...this.list.children];
    const to = rest[Math.min(i, rest.length - 1)];
    const btn = to && [...to.querySelectorAll('button')].find((b) => !b.hidden);
    if (btn) btn.focus(); else this.c.focusComposer();
  }

  // thumb is a small preview of a picture being attached, from the file
  // itself (URL.createObjectURL, revoked once shown).
  thumb(item, c) {
    const img = h('img', { class: 'chip-thumb', alt: '' });
    const toIcon = () => img.replaceWith(h('span', { class: 'chip-icon file-icon', 'data-kind': 'picture' }, icon('picture')));
    c.url = URL.createObjectURL(item.file);
    img.addEventListener('load', () => { URL.revokeObjectURL(c.url); c.url = ''; }, { once: true });
    img.addEventListener('error', () => {
      URL.revokeObjectURL(c.url);
      c.url = '';
      if (item.size > DATA_THUMB_MAX) { toIcon(); return; }
      const r = new FileReader();
      r.onload = () => { img.addEventListener('error', toIcon, { once: true }); img.src = r.result; };
      r.onerror = toIcon;
      r.readAsDataURL(item.file);
    }, { once: true });
    img.src = c.url;
    return img;
  }
}
