// Files and pictures without the DOM (docs/files.md): sizes in words, the
// kind of a file by its type, names for pasted screenshots, the 10-file
// limit, the upload with its retry policy, and the composer's tray of files
// waiting to be sent. The view (view/attach.js, view/files.js) shows what
// this decides; node --test drives it with a fake XMLHttpRequest and clock.

// At most this many files go with one message (the server says the same).
export const MAX_FILES = 10;

// The pictures shown as previews; the server serves these inline.
export const PICTURE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

// The largest box a preview takes in the conversation (CSS keeps it within
// the column on a narrow screen).
export const PREVIEW_MAX_W = 640;
export const PREVIEW_MAX_H = 320;

// An upload that fails on the way (network, a restart of the server) is
// sent again whole, at most this many times, after these waits.
export const UPLOAD_RETRIES = 3;
export const UPLOAD_RETRY_MS = [1000, 2000, 4000];
const UPLOAD_RETRY_MAX_MS = 30000;

// baseType is the type without parameters, lowercase: "text/plain".
export function baseType(type) {
  return String(type || '').split(';')[0].trim().toLowerCase();
}

export function isPicture(type) { return PICTURE_TYPES.has(baseType(type)); }

// canOpen: the server shows these in the browser (Content-Disposition
// inline) and they are worth a tab of their own; pictures have the viewer.
export function canOpen(type) {
  const t = baseType(type);
  return t === 'application/pdf' || t === 'text/plain';
}

export function extension(name) {
  const m = /\.([A-Za-z0-9]{1,8})$/.exec(String(name || ''));
  return m ? m[1].toLowerCase() : '';
}

// formatSize says a size as people read it: 512 bytes, 1.5 KB, 179 KB,
// 4.5 MB (1 KB = 1024 bytes, as file managers count).
export function formatSize(bytes) {
  const n = Math.max(0, Number(bytes) || 0);
  if (n < 1024) return n === 1 ? '1 byte' : `${n} bytes`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024, u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  // One decimal under 10 (1.5 MB), whole numbers above (179 KB); 1023.6
  // would round up to "1024 KB", so it becomes the next unit.
  let shown = v < 10 ? Math.round(v * 10) / 10 : Math.round(v);
  if (shown >= 1024 && u < units.length - 1) { shown = 1; u++; }
  return `${shown} ${units[u]}`;
}

const OFFICE_EXT = {
  sheet: ['xlsx', 'xls', 'xlsm', 'ods', 'csv', 'tsv', 'numbers'],
  slides: ['pptx', 'ppt', 'odp', 'key'],
  doc: ['docx', 'doc', 'odt', 'rtf', 'pages'],
};
const ARCHIVE_EXT = ['zip', '7z', 'rar', 'tar', 'gz', 'tgz', 'bz2', 'xz', 'zst'];
const ARCHIVE_TYPES = ['application/zip', 'application/x-zip-compressed', 'application/x-7z-compressed', 'application/x-rar-compressed',
  'application/vnd.rar', 'application/x-tar', 'application/gzip', 'application/x-gzip', 'application/x-bzip2', 'application/x-xz', 'application/zstd'];
const AUDIO_EXT = ['mp3', 'wav', 'm4a', 'ogg', 'oga', 'flac', 'aac', 'opus'];
const VIDEO_EXT = ['mp4', 'mov', 'm4v', 'webm', 'mkv', 'avi', 'wmv'];
const TEXT_EXT = ['txt', 'md', 'log', 'json', 'xml', 'yaml', 'yml', 'ini'];

// officeKind tells a spreadsheet, a presentation or a document by type or
// name, or '' for none of them.
function officeKind(t, ext) {
  if (t === 'text/csv' || t === 'text/tab-separated-values' || /spreadsheet|ms-excel/.test(t) || OFFICE_EXT.sheet.includes(ext)) return 'sheet';
  if (/presentation|ms-powerpoint/.test(t) || OFFICE_EXT.slides.includes(ext)) return 'slides';
  if (t === 'application/msword' || t === 'application/rtf' || /wordprocessingml|opendocument\.text|ms-word/.test(t) || OFFICE_EXT.doc.includes(ext)) return 'doc';
  return '';
}

// fileKind picks the card's icon: 'picture' (shown as a preview), 'pdf',
// 'text', 'office', 'archive', 'media' or 'other'. The server decides the
// type from the content; the name helps where the type is generic.
export function fileKind(type, name = '') {
  const t = baseType(type);
  const ext = extension(name);
  if (PICTURE_TYPES.has(t)) return 'picture';
  if (t === 'application/pdf' || (ext === 'pdf' && (!t || t === 'application/octet-stream'))) return 'pdf';
  if (officeKind(t, ext)) return 'office';
  if (ARCHIVE_TYPES.includes(t) || ARCHIVE_EXT.includes(ext)) return 'archive';
  if (t.startsWith('audio/') || t.startsWith('video/') || AUDIO_EXT.includes(ext) || VIDEO_EXT.includes(ext)) return 'media';
  if (t.startsWith('text/') || t === 'application/json' || t === 'application/xml' || TEXT_EXT.includes(ext)) return 'text';
  return 'other';
}

// kindLabel is the kind in a word or two, so the icon is never the only
// clue: "PDF", "Spreadsheet", "ZIP archive", "Video", "SVG file".
export function kindLabel(type, name = '') {
  const t = baseType(type);
  const ext = extension(name);
  switch (fileKind(type, name)) {
    case 'picture': return 'Picture';
    case 'pdf': return 'PDF';
    case 'office': return { sheet: 'Spreadsheet', slides: 'Presentation', doc: 'Document' }[officeKind(t, ext)];
    case 'archive': return ext ? `${ext.toUpperCase()} archive` : 'Archive';
    case 'media': return t.startsWith('audio/') || AUDIO_EXT.includes(ext) ? 'Audio' : 'Video';
    case 'text': return 'Text';
    default: return ext ? `${ext.toUpperCase()} file` : 'File';
  }
}

// fileURL is where a message's file is fetched (index from 0);
// download asks for it as an attachment.
export function fileURL(channel, seq, index, download = false) {
  return `/api/files/${encodeURIComponent(channel)}/${seq}/${index}${download ? '?download=1' : ''}`;
}

// previewURL is what a conversation shows of a picture: a JPEG the server
// makes once (the picture itself when it is small). The viewer and
// downloads use fileURL.
export function previewURL(channel, seq, index) {
  return `${fileURL(channel, seq, index)}/preview`;
}

export function uploadURL(channel, name) {
  return `/api/files?channel=${encodeURIComponent(channel)}&name=${encodeURIComponent(name)}`;
}

// fitBox is the size a w × h picture is shown at within maxW × maxH,
// never larger than it is. The preview carries it as width and height so
// the list does not jump while the picture loads.
export function fitBox(w, h, maxW = PREVIEW_MAX_W, maxH = PREVIEW_MAX_H) {
  if (!(w > 0) || !(h > 0)) return null;
  const scale = Math.min(1, maxW / w, maxH / h);
  return { width: Math.max(1, Math.round(w * scale)), height: Math.max(1, Math.round(h * scale)) };
}

const pad = (n) => String(n).padStart(2, '0');
const PICTURE_EXT = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'image/webp': 'webp' };

// screenshotName names a picture pasted from the clipboard by when it was
// pasted, in local time: "Screenshot 2026-12-05 14.03.png".
export function screenshotName(date, type = 'image/png') {
  const d = new Date(date);
  const ext = PICTURE_EXT[baseType(type)] || 'png';
  return `Screenshot ${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}.${pad(d.getMinutes())}.${ext}`;
}

// pastedName keeps the name of a file copied in a file manager; a picture
// from the clipboard (a screenshot) comes as "image.png" or without a name,
// and is named by the time instead.
export function pastedName(name, type, date) {
  const n = String(name || '');
  if (isPicture(type) && (!n || /^image\.(png|jpe?g|gif|webp)$/i.test(n) || /^blob/i.test(n))) return screenshotName(date, type);
  return n || 'Pasted file';
}

// uniqueName adds " (2)", " (3)"… before the extension when the tray holds
// a file of that name already (two screenshots in the same minute).
export function uniqueName(name, taken) {
  if (!taken.has(name)) return name;
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  for (let i = 2; ; i++) {
    const next = `${stem} (${i})${ext}`;
    if (!taken.has(next)) return next;
  }
}

const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

// tooLargeNote says why a file over the office's largest file (maxBytes)
// was not added: "“report.zip” is 120 MB: the office's limit is 100 MB."
export function tooLargeNote(name, size, maxBytes) {
  const limit = formatSize(maxBytes);
  const shown = formatSize(size);
  // 100.2 MB and 100 MB both read "100 MB": say it is larger instead.
  if (shown === limit) return `“${name}” is larger than the office's limit of ${limit}.`;
  return `“${name}” is ${shown}: the office's limit is ${limit}.`;
}

// checkFiles decides which of the files being added fit beside the count
// already attached: empty files are left out (the server refuses them),
// so are files larger than maxBytes (the office's largest file, from
// /api/me's max_file; 0: not known, the server decides), and nothing
// beyond MAX_FILES. It returns the files taken and the sentence saying
// what was left out ('' when all were taken).
export function checkFiles(attached, files, max = MAX_FILES, maxBytes = 0) {
  const notes = [];
  const nonEmpty = files.filter((f) => f.size > 0);
  const empty = files.length - nonEmpty.length;
  if (empty === 1) notes.push(`“${files.find((f) => !(f.size > 0)).name}” is empty and was not added.`);
  else if (empty > 1) notes.push(`${empty} empty files were not added.`);
  const fitting = maxBytes > 0 ? nonEmpty.filter((f) => f.size <= maxBytes) : nonEmpty;
  const large = nonEmpty.filter((f) => !fitting.includes(f));
  if (large.length === 1) notes.push(tooLargeNote(large[0].name, large[0].size, maxBytes));
  else if (large.length > 1) notes.push(`${large.length} files are larger than the office's limit of ${formatSize(maxBytes)} and were not added.`);
  const room = Math.max(0, max - attached);
  const take = fitting.slice(0, room);
  const over = fitting.length - take.length;
  if (over) notes.push(`A message can carry at most ${max} files: ${plural(over, 'file was', 'files were')} not added.`);
  return { take, message: notes.join(' ') };
}

// filesSummary names a message's files in a few words.
export function filesSummary(files) {
  if (!files?.length) return '';
  if (files.length === 1) return files[0].name;
  return `${files[0].name} and ${plural(files.length - 1, 'other file', 'other files')}`;
}

// messagePreview is a message in one line for a notification or a screen
// reader: its text, or what it shares when it has none.
export function messagePreview(text, files) {
  if (text) return text;
  return files?.length ? `shared ${filesSummary(files)}` : '';
}

// picturesOf lists the pictures of loaded messages (a log's items, in seq
// order) for the viewer, oldest first: { seq, index, file, from, ts }.
// Deleted messages have none; edits and deletes are not messages here.
export function picturesOf(items) {
  const out = [];
  for (const m of items) {
    if (m.kind || m.deleted || !m.files) continue;
    m.files.forEach((file, index) => { if (isPicture(file.type)) out.push({ seq: m.seq, index, file, from: m.from, ts: m.ts }); });
  }
  return out;
}

// ---- the upload ----

// shouldRetry: the failures that may pass by themselves (the network, a
// restarting or busy server, too many uploads a minute). 413, 415, 422,
// 403 and 507 say something about the file or the office, and every other
// answer would only come again.
export function shouldRetry(status) {
  return status === 0 || status === 408 || status === 429 || status === 500 || status === 502 || status === 503 || status === 504;
}

// retryDelay is how long to wait before sending an upload again after its
// failures-th failed attempt, or -1 when it is not sent again. A 429's
// Retry-After (seconds) is waited out, up to 30 s.
export function retryDelay(failures, status, retryAfter = 0) {
  if (!shouldRetry(status) || failures < 1 || failures > UPLOAD_RETRIES) return -1;
  const wait = UPLOAD_RETRY_MS[failures - 1] ?? UPLOAD_RETRY_MS.at(-1);
  return status === 429 && retryAfter > 0 ? Math.min(Math.max(wait, retryAfter * 1000), UPLOAD_RETRY_MAX_MS) : wait;
}

// uploadMessage is the sentence for a failed upload: the server's own when
// it sent one, else one that says what to do.
export function uploadMessage(status, body) {
  if (body && typeof body.message === 'string' && body.message) return body.message;
  switch (status) {
    case 0: return 'The upload was interrupted. Check your connection and try again.';
    case 401: return 'You were signed out. Sign in again to share files.';
    case 403: return 'You cannot share files in this conversation.';
    case 413: return 'This file is larger than the office allows.';
    case 415: return 'This kind of file cannot be shared here.';
    case 429: return 'Too many uploads at once. Wait a minute and try again.';
    case 507: return 'There is no room for more files on the server. Tell your office manager.';
    default: return `The server answered ${status}. Try again.`;
  }
}

export class UploadError extends Error {
  constructor(status, code, message, cancelled = false) {
    super(message);
    this.status = status;
    this.code = code;
    this.cancelled = cancelled;
  }
}

// sendOnce is one POST /api/files with the raw file as the body, through
// XMLHttpRequest for its upload progress. It resolves with
// { status, body, retryAfter } for any answer (status 0: none came), and
// with { cancelled: true } when aborted.
function sendOnce(xhr, url, file, csrf, onProgress) {
  return new Promise((resolve) => {
    xhr.open('POST', url);
    if (csrf) xhr.setRequestHeader('X-CSRF-Token', csrf);
    if (xhr.upload) {
      xhr.upload.onprogress = (e) => { if (e.lengthComputable && e.total > 0) onProgress(Math.min(1, e.loaded / e.total)); };
    }
    xhr.onload = () => {
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch { /* not JSON */ }
      resolve({ status: xhr.status, body, retryAfter: Number(xhr.getResponseHeader?.('Retry-After')) || 0 });
    };
    xhr.onerror = () => resolve({ status: 0, body: null, retryAfter: 0 });
    xhr.ontimeout = xhr.onerror;
    xhr.onabort = () => resolve({ cancelled: true });
    xhr.send(file);
  });
}

// upload sends file to channel under name, whole, again after a failure
// on the way (retryDelay), and resolves with the server's file object
// ({id, name, type, size, w, h}); it rejects with an UploadError (the
// server's sentence, or cancelled). cancel() aborts it, waiting or not.
// makeXHR makes an XMLHttpRequest; csrf() gives the current token; later
// is the timer; onProgress(0..1) and onRetry(attempt, ms) tell the view.
export function upload({ channel, name, file, makeXHR, csrf = () => '', later = (fn, ms) => setTimeout(fn, ms),
  cancelLater = (t) => clearTimeout(t), onProgress = () => {}, onRetry = () => {} }) {
  let xhr = null, timer = null, cancelled = false, wake = null;
  const promise = (async () => {
    for (let failures = 0; ; ) {
      if (cancelled) throw new UploadError(0, 'cancelled', 'The upload was cancelled.', true);
      xhr = makeXHR();
      onProgress(0);
      const r = await sendOnce(xhr, uploadURL(channel, name), file, csrf(), onProgress);
      xhr = null;
      if (r.cancelled || cancelled) throw new UploadError(0, 'cancelled', 'The upload was cancelled.', true);
      if (r.status >= 200 && r.status < 300 && r.body?.file?.id) return r.body.file;
      const status = r.status >= 200 && r.status < 300 ? 502 : r.status; // a 2xx without a file is a broken answer
      failures++;
      const wait = retryDelay(failures, status, r.retryAfter);
      if (wait < 0) throw new UploadError(status, r.body?.error || (status ? `http_${status}` : 'network'), uploadMessage(status, r.body));
      onRetry(failures, wait);
      await new Promise((resolve) => { wake = resolve; timer = later(resolve, wait); });
      wake = null;
    }
  })();
  return {
    promise,
    cancel() {
      cancelled = true;
      if (xhr) xhr.abort();
      if (wake) { cancelLater(timer); wake(); }
    },
  };
}

// ---- the composer's tray ----

// FileTray holds the files attached to one conversation's composer until
// they go as a message. Each item: { key, file, name, size, type, state,
// progress, error, retryable, info }, state being 'ready' (attached),
// 'uploading', 'done' (uploaded: info is the server's file object) or
// 'failed' (error is the sentence; retryable says Retry may help).
//
// send(text) uploads every item not yet uploaded, all at once; when each
// is uploaded, onSend(text, infos) queues the message and the tray empties.
// If any upload fails, sending stops once the others are done: the person
// sees why on the chip and presses Retry (send again: only what is not
// uploaded goes again) or removes the file. Cancel on a chip aborts that
// upload and leaves the file out of the message; cancelling them all
// stops the send, the text stays in the composer.
export class FileTray {
  // upload(item, hooks) → { promise, cancel } (upload() above, bound to the
  // channel); onChange() re-renders; onSend(text, infos) queues the message;
  // maxBytes() is the office's largest file (0: not known).
  constructor({ upload: start, onChange = () => {}, onSend = () => {}, maxBytes = () => 0 }) {
    this.start = start;
    this.maxBytes = maxBytes;
    this.onChange = onChange;
    this.onSend = onSend;
    this.items = [];
    this.sending = null; // { text } while a send is under way
    this.next = 1;
  }

  get count() { return this.items.length; }
  get busy() { return !!this.sending; }
  get uploading() { return this.items.filter((i) => i.state === 'uploading').length; }

  // add attaches files ({ name, size, type } each; names may be given
  // separately, e.g. for a pasted screenshot). Returns the sentence about
  // the ones left out, or ''.
  add(files, names = []) {
    if (this.sending) return 'Wait until the files being sent are uploaded, then add more.';
    const { take, message } = checkFiles(this.items.length, files, MAX_FILES, this.maxBytes());
    const taken = new Set(this.items.map((i) => i.name));
    for (const f of take) {
      const name = uniqueName(names[files.indexOf(f)] || f.name || 'file', taken);
      taken.add(name);
      this.items.push({ key: `f${this.next++}`, file: f, name, size: f.size, type: f.type || '', state: 'ready', progress: 0, error: '', retryable: false, info: null });
    }
    if (take.length) this.onChange();
    return message;
  }

  // restore puts back files uploaded already (the server's file objects),
  // e.g. of a message taken back to change its caption.
  restore(infos) {
    if (this.sending) return;
    for (const info of infos.slice(0, Math.max(0, MAX_FILES - this.items.length))) {
      this.items.push({ key: `f${this.next++}`, file: null, name: info.name, size: info.size, type: info.type || '', state: 'done', progress: 1, error: '', retryable: false, info });
    }
    this.onChange();
  }

  // remove takes a file off (not while it uploads: cancel is for that).
  remove(key) {
    const i = this.items.findIndex((x) => x.key === key);
    if (i < 0 || this.items[i].state === 'uploading') return null;
    const [item] = this.items.splice(i, 1);
    this.onChange();
    return item;
  }

  // cancel aborts an upload under way and leaves the file out.
  cancel(key) {
    const item = this.items.find((x) => x.key === key);
    if (!item) return null;
    if (item.state !== 'uploading') return this.remove(key);
    item.cancelled = true;
    item.handle?.cancel();
    this.items.splice(this.items.indexOf(item), 1);
    if (!this.items.length) this.sending = null; // nothing left to send with: the send stops
    this.onChange();
    this.settle();
    return item;
  }

  // send uploads what is not uploaded yet, then sends. text is the caption.
  send(text) {
    if (this.sending || !this.items.length) return false;
    this.sending = { text };
    for (const item of this.items) if (item.state !== 'done') this.begin(item);
    this.onChange();
    this.settle();
    return true;
  }

  begin(item) {
    item.state = 'uploading';
    item.progress = 0;
    item.error = '';
    item.retrying = 0;
    const handle = this.start(item, {
      onProgress: (p) => { item.progress = p; this.onChange(); },
      onRetry: (n) => { item.retrying = n; this.onChange(); },
    });
    item.handle = handle;
    handle.promise.then((info) => {
      if (item.cancelled) return;
      item.state = 'done';
      item.info = info;
      item.progress = 1;
      item.handle = null;
      this.onChange();
      this.settle();
    }, (err) => {
      if (item.cancelled || err?.cancelled) return;
      item.state = 'failed';
      item.error = err?.message || uploadMessage(0, null);
      item.retryable = shouldRetry(err?.status ?? 0);
      item.handle = null;
      this.onChange();
      this.settle();
    });
  }

  // settle ends a send once nothing uploads any more: the message goes if
  // every file is uploaded; otherwise the send stops for the person to act.
  settle() {
    if (!this.sending || this.uploading) return;
    const { text } = this.sending;
    this.sending = null;
    if (this.items.length && this.items.every((i) => i.state === 'done')) {
      const infos = this.items.map((i) => i.info);
      this.items = [];
      this.onSend(text, infos);
    }
    this.onChange();
  }

  // clear drops everything, aborting uploads (the person signs out, say).
  clear() {
    for (const i of this.items) { i.cancelled = true; i.handle?.cancel(); }
    this.items = [];
    this.sending = null;
    this.onChange();
  }
}
