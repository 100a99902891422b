// node --test server/e2e/  — files and pictures in the client (docs/files.md):
// sizes in words, the kind of a file, screenshot names, the 10-file limit,
// the upload and its retry policy (a fake XMLHttpRequest and clock), and the
// composer's tray from attaching to the message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_FILES, formatSize, fileKind, kindLabel, canOpen, isPicture, fileURL, uploadURL, fitBox,
  screenshotName, pastedName, uniqueName, checkFiles, filesSummary, messagePreview, picturesOf,
  shouldRetry, retryDelay, uploadMessage, upload, FileTray, UPLOAD_RETRIES, previewURL, tooLargeNote,
} from '../../assets/web/files.js';
import { Store } from '../../assets/web/store.js';

test('sizes read as people say them', () => {
  assert.equal(formatSize(0), '0 bytes');
  assert.equal(formatSize(1), '1 byte');
  assert.equal(formatSize(1023), '1023 bytes');
  assert.equal(formatSize(1024), '1 KB');
  assert.equal(formatSize(1536), '1.5 KB');
  assert.equal(formatSize(183004), '179 KB');
  assert.equal(formatSize(1024 * 1024 - 1), '1 MB', 'never "1024 KB"');
  assert.equal(formatSize(4.5 * 1024 * 1024), '4.5 MB');
  assert.equal(formatSize(250 * 1024 * 1024), '250 MB');
  assert.equal(formatSize(3 * 1024 ** 3), '3 GB');
  assert.equal(formatSize(undefined), '0 bytes');
});

test('the kind of a file picks its icon and its word', () => {
  const cases = [
    ['image/jpeg', 'photo.jpg', 'picture', 'Picture'],
    ['image/webp', 'x.webp', 'picture', 'Picture'],
    ['image/svg+xml', 'logo.svg', 'other', 'SVG file'],
    ['application/pdf', 'invoice.pdf', 'pdf', 'PDF'],
    ['application/octet-stream', 'scan.pdf', 'pdf', 'PDF'],
    ['text/plain; charset=utf-8', 'notes.txt', 'text', 'Text'],
    ['text/csv', 'q3.csv', 'office', 'Spreadsheet'],
    ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'q3.xlsx', 'office', 'Spreadsheet'],
    ['application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'letter.docx', 'office', 'Document'],
    ['application/vnd.oasis.opendocument.presentation', 'deck.odp', 'office', 'Presentation'],
    ['application/zip', 'photos.zip', 'archive', 'ZIP archive'],
    ['application/gzip', 'logs.tar.gz', 'archive', 'GZ archive'],
    ['audio/mpeg', 'call.mp3', 'media', 'Audio'],
    ['video/mp4', 'demo.mp4', 'media', 'Video'],
    ['application/octet-stream', 'data.bin', 'other', 'BIN file'],
    ['', 'README', 'other', 'File'],
  ];
  for (const [type, name, kind, label] of cases) {
    assert.equal(fileKind(type, name), kind, `${type} ${name}`);
    assert.equal(kindLabel(type, name), label, `${type} ${name}`);
  }
  assert.ok(isPicture('image/png') && isPicture('IMAGE/GIF') && !isPicture('image/svg+xml') && !isPicture('image/heic'));
  assert.ok(canOpen('application/pdf') && canOpen('text/plain; charset=utf-8'));
  assert.ok(!canOpen('text/html') && !canOpen('image/svg+xml') && !canOpen('application/zip'), 'only what the server shows inline, pictures aside');
});

test('addresses of uploads and files', () => {
  assert.equal(uploadURL('c4k2', 'Q3 report & notes.pdf'), '/api/files?channel=c4k2&name=Q3%20report%20%26%20notes.pdf');
  assert.equal(fileURL('c4k2', 42, 0), '/api/files/c4k2/42/0');
  assert.equal(fileURL('c4k2', 42, 1, true), '/api/files/c4k2/42/1?download=1');
  assert.equal(previewURL('c4k2', 42, 1), '/api/files/c4k2/42/1/preview', 'what the conversation shows of a picture');
  assert.equal(previewURL('a/b', 7, 0), '/api/files/a%2Fb/7/0/preview');
});

test('a preview keeps its shape within 640 × 320, never enlarged', () => {
  assert.deepEqual(fitBox(4000, 3000), { width: 427, height: 320 });
  assert.deepEqual(fitBox(3000, 4000), { width: 240, height: 320 });
  assert.deepEqual(fitBox(6400, 1000), { width: 640, height: 100 });
  assert.deepEqual(fitBox(200, 100), { width: 200, height: 100 });
  assert.deepEqual(fitBox(10000, 10), { width: 640, height: 1 });
  assert.equal(fitBox(0, 100), null);
  assert.equal(fitBox(undefined, undefined), null, 'no w/h: CSS alone sizes it');
});

test('a pasted screenshot is named by the time it was pasted', () => {
  const at = new Date(2026, 11, 5, 14, 3, 59);
  assert.equal(screenshotName(at), 'Screenshot 2026-12-05 14.03.png');
  assert.equal(screenshotName(new Date(2026, 0, 9, 8, 7), 'image/jpeg'), 'Screenshot 2026-01-09 08.07.jpg');
  assert.equal(pastedName('image.png', 'image/png', at), 'Screenshot 2026-12-05 14.03.png');
  assert.equal(pastedName('', 'image/png', at), 'Screenshot 2026-12-05 14.03.png');
  assert.equal(pastedName('holiday.png', 'image/png', at), 'holiday.png', 'a file copied in a file manager keeps its name');
  assert.equal(pastedName('report.pdf', 'application/pdf', at), 'report.pdf');
  assert.equal(pastedName('', 'text/plain', at), 'Pasted file');
  const taken = new Set(['Screenshot 2026-12-05 14.03.png', 'Screenshot 2026-12-05 14.03 (2).png']);
  assert.equal(uniqueName('Screenshot 2026-12-05 14.03.png', taken), 'Screenshot 2026-12-05 14.03 (3).png');
  assert.equal(uniqueName('notes', new Set(['notes'])), 'notes (2)');
  assert.equal(uniqueName('new.txt', taken), 'new.txt');
});

const file = (name, size = 10, type = 'application/octet-stream') => ({ name, size, type });

test('at most 10 files a message: the rest are refused with a sentence; empty files too', () => {
  const twelve = Array.from({ length: 12 }, (_, i) => file(`f${i}.txt`));
  let r = checkFiles(0, twelve);
  assert.equal(r.take.length, MAX_FILES);
  assert.deepEqual(r.take.map((f) => f.name), twelve.slice(0, 10).map((f) => f.name), 'the first ten, in order');
  assert.equal(r.message, 'A message can carry at most 10 files: 2 files were not added.');
  r = checkFiles(9, [file('a'), file('b')]);
  assert.equal(r.take.length, 1);
  assert.equal(r.message, 'A message can carry at most 10 files: 1 file was not added.');
  r = checkFiles(10, [file('a')]);
  assert.equal(r.take.length, 0);
  r = checkFiles(0, [file('a'), file('b')]);
  assert.equal(r.take.length, 2);
  assert.equal(r.message, '');
  r = checkFiles(0, [file('empty.txt', 0), file('a')]);
  assert.deepEqual(r.take.map((f) => f.name), ['a']);
  assert.equal(r.message, '“empty.txt” is empty and was not added.');
});

test('a file over the office\'s limit is refused when attached, with a sentence', () => {
  const MB = 1024 * 1024;
  assert.equal(tooLargeNote('report.zip', 120 * MB, 100 * MB), '“report.zip” is 120 MB: the office\'s limit is 100 MB.');
  assert.equal(tooLargeNote('scan.pdf', 100 * MB + 200 * 1024, 100 * MB), '“scan.pdf” is larger than the office\'s limit of 100 MB.',
    'never "is 100 MB: the limit is 100 MB"');
  let r = checkFiles(0, [file('report.zip', 120 * MB), file('a.pdf', 100 * MB)], MAX_FILES, 100 * MB);
  assert.deepEqual(r.take.map((f) => f.name), ['a.pdf'], 'exactly the limit is allowed');
  assert.equal(r.message, '“report.zip” is 120 MB: the office\'s limit is 100 MB.');
  r = checkFiles(0, [file('a.mov', 3 * MB), file('b.mov', 4 * MB), file('c.txt', 10), file('e.txt', 0)], MAX_FILES, 1 * MB);
  assert.deepEqual(r.take.map((f) => f.name), ['c.txt']);
  assert.equal(r.message, '“e.txt” is empty and was not added. 2 files are larger than the office\'s limit of 1 MB and were not added.');
  r = checkFiles(9, [file('big', 2 * MB), file('a'), file('b')], MAX_FILES, MB);
  assert.deepEqual(r.take.map((f) => f.name), ['a'], 'a file too large takes no room');
  assert.match(r.message, /“big” is 2 MB: the office's limit is 1 MB\. A message can carry at most 10 files: 1 file was not added\./);
  r = checkFiles(0, [file('huge', 5e9)]);
  assert.equal(r.take.length, 1, 'no limit known: the server decides');

  // The tray asks for the limit when files are attached (it may change).
  let limit = 0;
  const started = [];
  const t = new FileTray({ upload: (item) => { started.push(item.name); return { promise: new Promise(() => {}), cancel() {} }; }, maxBytes: () => limit });
  assert.equal(t.add([file('report.zip', 120 * MB)]), '');
  assert.equal(t.count, 1);
  t.clear();
  limit = 100 * MB;
  assert.equal(t.add([file('report.zip', 120 * MB), file('ok.pdf', 5 * MB)]), '“report.zip” is 120 MB: the office\'s limit is 100 MB.');
  assert.deepEqual(t.items.map((i) => i.name), ['ok.pdf']);
  assert.ok(t.send('caption'));
  assert.deepEqual(started, ['ok.pdf'], 'only the file within the limit is uploaded');

  // The limit comes from /api/me.
  const store = new Store(null);
  assert.equal(store.maxFile, 0);
  store.setMe({ user: { name: 'ana' }, max_text: 8000, max_file: 100 * MB, policy: { accepted: true, version: 1 } });
  assert.equal(store.maxFile, 100 * MB);
  store.setMe({ user: { name: 'ana' }, policy: { accepted: true, version: 1 } });
  assert.equal(store.maxFile, 0, 'a server without max_file: no check in the client');
});

test('a message without text is told by its files', () => {
  assert.equal(messagePreview('hello', [file('a.pdf')]), 'hello');
  assert.equal(messagePreview('', [file('a.pdf')]), 'shared a.pdf');
  assert.equal(messagePreview('', [file('a.pdf'), file('b.png'), file('c.png')]), 'shared a.pdf and 2 other files');
  assert.equal(filesSummary([file('a.pdf'), file('b.png')]), 'a.pdf and 1 other file');
  assert.equal(messagePreview('', undefined), '');
});

test('the viewer goes through the pictures of loaded messages, not deleted ones', () => {
  const png = (name) => ({ name, type: 'image/png', size: 5, w: 10, h: 10 });
  const items = [
    { seq: 1, from: 'ana', ts: 1, files: [png('a.png'), file('doc.pdf', 5, 'application/pdf'), png('b.png')] },
    { seq: 2, from: 'ben', ts: 2, text: 'no files' },
    { seq: 3, from: 'ben', ts: 3, deleted: true },
    { seq: 4, from: 'ben', ts: 4, files: [png('c.png')] },
    { seq: 5, from: 'ben', ts: 5, kind: 'edit', ref: 4 },
  ];
  assert.deepEqual(picturesOf(items).map((p) => [p.seq, p.index, p.file.name, p.from]),
    [[1, 0, 'a.png', 'ana'], [1, 2, 'b.png', 'ana'], [4, 0, 'c.png', 'ben']]);
});

test('the retry policy: the network and a busy server up to 3 times, never what the file or office decides', () => {
  for (const s of [0, 408, 429, 500, 502, 503, 504]) assert.ok(shouldRetry(s), `${s} retried`);
  for (const s of [400, 401, 403, 404, 411, 413, 415, 422, 507]) assert.ok(!shouldRetry(s), `${s} not retried`);
  assert.deepEqual([1, 2, 3, 4].map((n) => retryDelay(n, 0)), [1000, 2000, 4000, -1]);
  assert.equal(UPLOAD_RETRIES, 3);
  assert.equal(retryDelay(1, 413), -1);
  assert.equal(retryDelay(1, 429, 10), 10000, 'Retry-After is waited out');
  assert.equal(retryDelay(1, 429, 600), 30000, 'but not for long');
  assert.equal(uploadMessage(413, { error: 'too_large', message: 'Files may be at most 100 MB.' }), 'Files may be at most 100 MB.');
  assert.equal(uploadMessage(0, null), 'The upload was interrupted. Check your connection and try again.');
  assert.equal(uploadMessage(507, {}), 'There is no room for more files on the server. Tell your office manager.');
});

// A fake XMLHttpRequest: each one made is recorded; the test answers it.
function xhrs() {
  const made = [];
  const make = () => {
    const x = {
      headers: {}, sent: null, aborted: false, upload: {},
      open(method, url) { this.method = method; this.url = url; },
      setRequestHeader(k, v) { this.headers[k] = v; },
      getResponseHeader(k) { return (this.resHeaders || {})[k] ?? null; },
      send(body) { this.sent = body; },
      abort() { this.aborted = true; this.onabort?.(); },
      // answer(status, body): the server answers; fail(): the network does.
      answer(status, body, resHeaders = {}) { this.status = status; this.responseText = JSON.stringify(body); this.resHeaders = resHeaders; this.onload(); },
      fail() { this.onerror(); },
      progress(loaded, total) { this.upload.onprogress({ lengthComputable: true, loaded, total }); },
    };
    made.push(x);
    return x;
  };
  return { made, make };
}

function clock() {
  const c = { now: 0, timers: [] };
  c.later = (fn, ms) => { const t = { at: c.now + ms, fn }; c.timers.push(t); return t; };
  c.cancel = (t) => { c.timers = c.timers.filter((x) => x !== t); };
  c.tick = (ms) => {
    const until = c.now + ms;
    for (;;) {
      c.timers.sort((a, b) => a.at - b.at);
      if (!c.timers.length || c.timers[0].at > until) break;
      const t = c.timers.shift();
      c.now = t.at;
      t.fn();
    }
    c.now = until;
  };
  return c;
}

const settle = () => new Promise((r) => setImmediate(r));
const INFO = { id: 'u1', name: 'photo.jpg', type: 'image/jpeg', size: 183004, w: 4000, h: 3000 };

test('an upload posts the raw file with the CSRF token and reports progress', async () => {
  const x = xhrs(), c = clock();
  const body = { name: 'photo.jpg', size: 183004 };
  const progress = [];
  const u = upload({ channel: 'c4k2', name: 'photo.jpg', file: body, makeXHR: x.make, csrf: () => 'tok', later: c.later, cancelLater: c.cancel, onProgress: (p) => progress.push(p) });
  await settle();
  const req = x.made[0];
  assert.equal(req.method, 'POST');
  assert.equal(req.url, '/api/files?channel=c4k2&name=photo.jpg');
  assert.equal(req.headers['X-CSRF-Token'], 'tok');
  assert.equal(req.sent, body, 'the file itself is the body: no form, no JSON');
  req.progress(91502, 183004);
  req.answer(201, { file: INFO });
  assert.deepEqual(await u.promise, INFO);
  assert.deepEqual(progress, [0, 0.5]);
});

test('an interrupted upload goes again whole, 3 times after 1, 2 and 4 s, then gives the reason', async () => {
  const x = xhrs(), c = clock();
  const retries = [];
  const u = upload({ channel: 'c1', name: 'a.pdf', file: {}, makeXHR: x.make, later: c.later, cancelLater: c.cancel, onRetry: (n, ms) => retries.push([n, ms]) });
  const failed = u.promise.catch((e) => e);
  await settle();
  x.made[0].fail();
  await settle();
  assert.equal(x.made.length, 1, 'waits before trying again');
  c.tick(999);
  await settle();
  assert.equal(x.made.length, 1);
  c.tick(1);
  await settle();
  assert.equal(x.made.length, 2, 'again after 1 s');
  x.made[1].answer(503, { error: 'unavailable', message: 'The server is busy. Try again.' });
  await settle();
  c.tick(2000);
  await settle();
  assert.equal(x.made.length, 3);
  x.made[2].fail();
  await settle();
  c.tick(4000);
  await settle();
  assert.equal(x.made.length, 4);
  x.made[3].fail();
  const err = await failed;
  assert.equal(x.made.length, 4, 'three retries, then no more');
  assert.deepEqual(retries, [[1, 1000], [2, 2000], [3, 4000]]);
  assert.equal(err.status, 0);
  assert.equal(err.message, 'The upload was interrupted. Check your connection and try again.');
  assert.ok(!err.cancelled);
});

test('413, 415, 422, 403 and 507 are the server\'s last word: its sentence, no retry', async () => {
  for (const [status, error] of [[413, 'too_large'], [415, 'kind_not_allowed'], [422, 'blocked'], [403, 'forbidden'], [507, 'storage_full']]) {
    const x = xhrs(), c = clock();
    const u = upload({ channel: 'c1', name: 'a.exe', file: {}, makeXHR: x.make, later: c.later, cancelLater: c.cancel });
    await settle();
    x.made[0].answer(status, { error, message: `Refused (${status}).` });
    const err = await u.promise.catch((e) => e);
    c.tick(60000);
    await settle();
    assert.equal(x.made.length, 1, `${status} not retried`);
    assert.equal(err.status, status);
    assert.equal(err.code, error);
    assert.equal(err.message, `Refused (${status}).`);
  }
});

test('cancel aborts the upload under way, or the wait before the next try', async () => {
  let x = xhrs(), c = clock();
  let u = upload({ channel: 'c1', name: 'a', file: {}, makeXHR: x.make, later: c.later, cancelLater: c.cancel });
  await settle();
  u.cancel();
  let err = await u.promise.catch((e) => e);
  assert.ok(x.made[0].aborted, 'xhr.abort()');
  assert.ok(err.cancelled);

  x = xhrs(); c = clock();
  u = upload({ channel: 'c1', name: 'a', file: {}, makeXHR: x.make, later: c.later, cancelLater: c.cancel });
  await settle();
  x.made[0].fail();
  await settle();
  u.cancel();
  err = await u.promise.catch((e) => e);
  assert.ok(err.cancelled);
  c.tick(10000);
  await settle();
  assert.equal(x.made.length, 1, 'no try after a cancel');
  assert.equal(c.timers.length, 0, 'the wait is cleared');
});

// A tray whose uploads the test settles by hand.
function tray() {
  const t = { starts: [], sent: [], changes: 0 };
  t.tray = new FileTray({
    upload: (item, hooks) => {
      let resolve, reject;
      const promise = new Promise((a, b) => { resolve = a; reject = b; });
      const u = { item, hooks, resolve, reject, cancelled: false, promise, cancel() { u.cancelled = true; reject(Object.assign(new Error('cancelled'), { cancelled: true })); } };
      t.starts.push(u);
      return u;
    },
    onChange: () => t.changes++,
    onSend: (text, infos) => t.sent.push([text, infos]),
  });
  t.info = (name) => ({ id: `u-${name}`, name, type: 'application/pdf', size: 10 });
  return t;
}

test('the tray: files wait, then upload on send, then go as one message with the caption', async () => {
  const t = tray();
  assert.equal(t.tray.add([file('a.pdf'), file('b.pdf')]), '');
  assert.deepEqual(t.tray.items.map((i) => [i.name, i.state]), [['a.pdf', 'ready'], ['b.pdf', 'ready']]);
  assert.equal(t.starts.length, 0, 'nothing uploads before Send');
  assert.ok(t.tray.send('the delivery note'));
  assert.ok(t.tray.busy);
  assert.equal(t.starts.length, 2, 'every file at once');
  assert.equal(t.tray.add([file('c.pdf')]), 'Wait until the files being sent are uploaded, then add more.');
  assert.ok(!t.tray.send('again'), 'one send at a time');
  t.starts[0].hooks.onProgress(0.5);
  assert.equal(t.tray.items[0].progress, 0.5);
  t.starts[0].resolve(t.info('a.pdf'));
  await settle();
  assert.deepEqual(t.sent, [], 'not before every file is uploaded');
  t.starts[1].resolve(t.info('b.pdf'));
  await settle();
  assert.deepEqual(t.sent, [['the delivery note', [t.info('a.pdf'), t.info('b.pdf')]]]);
  assert.equal(t.tray.count, 0);
  assert.ok(!t.tray.busy);
});

test('the tray: a failed upload stops the send; Retry uploads only what failed', async () => {
  const t = tray();
  t.tray.add([file('a.pdf'), file('b.pdf')]);
  t.tray.send('caption');
  t.starts[1].reject(Object.assign(new Error('The upload was interrupted.'), { status: 0 }));
  await settle();
  assert.ok(t.tray.busy, 'the other upload still runs');
  t.starts[0].resolve(t.info('a.pdf'));
  await settle();
  assert.ok(!t.tray.busy, 'the send stopped');
  assert.deepEqual(t.sent, []);
  assert.deepEqual(t.tray.items.map((i) => [i.state, i.error, i.retryable]), [['done', '', false], ['failed', 'The upload was interrupted.', true]]);
  t.tray.send('caption, changed');
  assert.equal(t.starts.length, 3, 'only the failed file again');
  assert.equal(t.starts[2].item.name, 'b.pdf');
  t.starts[2].resolve(t.info('b.pdf'));
  await settle();
  assert.deepEqual(t.sent, [['caption, changed', [t.info('a.pdf'), t.info('b.pdf')]]]);
});

test('the tray: a refused file says why and offers no Retry; removing it lets the rest go', async () => {
  const t = tray();
  t.tray.add([file('a.pdf'), file('setup.exe')]);
  t.tray.send('');
  t.starts[0].resolve(t.info('a.pdf'));
  t.starts[1].reject(Object.assign(new Error('Programs cannot be shared here.'), { status: 415 }));
  await settle();
  const bad = t.tray.items[1];
  assert.deepEqual([bad.state, bad.error, bad.retryable], ['failed', 'Programs cannot be shared here.', false]);
  assert.ok(t.tray.remove(bad.key));
  t.tray.send('');
  assert.equal(t.starts.length, 2, 'the uploaded file is not sent again');
  await settle();
  assert.deepEqual(t.sent, [['', [t.info('a.pdf')]]]);
});

test('the tray: Cancel leaves a file out; cancelling every file stops the send', async () => {
  const t = tray();
  t.tray.add([file('a.pdf'), file('big.mov')]);
  t.tray.send('two files');
  const big = t.tray.items[1];
  assert.equal(t.tray.remove(big.key), null, 'an upload under way is cancelled, not removed');
  t.tray.cancel(big.key);
  assert.ok(t.starts[1].cancelled, 'its upload is aborted');
  assert.equal(t.tray.count, 1);
  t.starts[0].resolve(t.info('a.pdf'));
  await settle();
  assert.deepEqual(t.sent, [['two files', [t.info('a.pdf')]]], 'the message goes without it');

  const u = tray();
  u.tray.add([file('only.mov')]);
  u.tray.send('text stays');
  u.tray.cancel(u.tray.items[0].key);
  await settle();
  assert.ok(!u.tray.busy);
  assert.deepEqual(u.sent, [], 'nothing is sent');
});

test('the tray: 10 at most, names kept unique, uploaded files restored', () => {
  const t = tray();
  const msg = t.tray.add(Array.from({ length: 11 }, (_, i) => file(`f${i}`)));
  assert.equal(msg, 'A message can carry at most 10 files: 1 file was not added.');
  assert.equal(t.tray.count, 10);
  assert.match(t.tray.add([file('more')]), /at most 10 files: 1 file was not added/);
  const u = tray();
  u.tray.add([file('image.png', 5, 'image/png'), file('image.png', 5, 'image/png')], ['Screenshot 2026-12-05 14.03.png', 'Screenshot 2026-12-05 14.03.png']);
  assert.deepEqual(u.tray.items.map((i) => i.name), ['Screenshot 2026-12-05 14.03.png', 'Screenshot 2026-12-05 14.03 (2).png']);
  const v = tray();
  v.tray.restore([v.info('a.pdf')]);
  assert.deepEqual(v.tray.items.map((i) => [i.name, i.state]), [['a.pdf', 'done']]);
  v.tray.send('changed caption');
  assert.equal(v.starts.length, 0, 'nothing to upload again');
  assert.deepEqual(v.sent, [['changed caption', [v.info('a.pdf')]]]);
});
