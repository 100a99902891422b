// node --test server/e2e/  — the client's protocol state machine, driven by
// a fake socket, a fake API and a fake clock (no real sleeps).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Store } from '../../assets/web/store.js';
import { Protocol } from '../../assets/web/protocol.js';

const ts = new Date().toISOString();
const ME = { user: { name: 'ana', display: 'Ana' }, policy: { version: 1, accepted: true }, office: 'Office', csrf: 't1' };
const CHANNELS = [
  { id: 'c1', name: 'general', kind: 'public', members: ['ana', 'ben'], last_seq: 4, unread: 0 },
  { id: 'c2', name: 'empty', kind: 'public', members: ['ana', 'ben'], last_seq: 0, unread: 0 },
];

// world builds a protocol over a real Store and records everything it does.
function world({ me = ME, channels = CHANNELS, viewing = false } = {}) {
  const mem = new Map();
  const store = new Store({ getItem: (k) => mem.get(k) ?? null, setItem: (k, v) => mem.set(k, v) });
  store.setMe(me);
  store.setUsers([{ name: 'ana', display: 'Ana' }, { name: 'ben', display: 'Ben' }]);
  store.setChannels(channels);

  const w = { store, mem, sent: [], told: [], stops: 0, healthy: 0, open: false, clock: 0, timers: [] };
  w.api = {
    csrf: '',
    answer: me, // what /api/me says now (null: signed out)
    calls: 0,
    async me() { this.calls++; return w.api.answer; },
    async users() { return [{ name: 'ana', display: 'Ana' }, { name: 'ben', display: 'Ben', status: 'online' }]; },
    async channels() { return channels; },
  };
  // Fake clock: later() queues, tick() runs what is due in time order.
  w.tick = (ms) => {
    const until = w.clock + ms;
    for (;;) {
      w.timers.sort((a, b) => a.at - b.at);
      if (!w.timers.length || w.timers[0].at > until) break;
      const t = w.timers.shift();
      w.clock = t.at;
      t.fn();
    }
    w.clock = until;
  };
  const tell = (name) => (...args) => w.told.push([name, ...args]);
  w.p = new Protocol({
    store,
    api: w.api,
    send: (f) => { if (!w.open) return false; w.sent.push(f); return true; },
    stop: () => { w.stops++; w.open = false; },
    healthy: () => { w.healthy++; },
    later: (fn, ms) => w.timers.push({ at: w.clock + ms, fn }),
    now: () => w.clock,
    ui: {
      viewing: () => viewing,
      opened: tell('opened'),
      arrived: tell('arrived'),
      synced: tell('synced'),
      closed: tell('closed'),
      signedOut: tell('signedOut'),
      needPolicy: tell('needPolicy'),
      toast: tell('toast'),
    },
  });
  // connect: the socket opens, the protocol refetches and syncs; the
  // server answers synced.
  w.connect = async () => {
    w.open = true;
    await w.p.opened();
    w.p.frame({ type: 'synced' });
  };
  w.drop = async (code = 1006) => { w.open = false; await w.p.closed(code, true); };
  w.take = () => w.sent.splice(0);
  w.named = (name) => w.told.filter((t) => t[0] === name);
  return w;
}

const settle = () => new Promise((r) => setImmediate(r));

test('sync on open carries the store\'s sync points; synced sets ready and resets the backoff', async () => {
  const w = world();
  w.store.addMessages('c1', [{ seq: 5, id: 'm5', from: 'ben', text: 'hi', ts }]);
  assert.equal(w.p.ready, false);
  w.open = true;
  await w.p.opened();
  assert.equal(w.api.csrf, 't1', 'the fresh CSRF token is kept');
  assert.deepEqual(w.take(), [{ type: 'sync', id: 'sync', channels: { c1: 5, c2: 0 } }]);
  assert.deepEqual(w.named('opened'), [['opened']]);
  assert.equal(w.p.ready, false, 'not ready before synced');
  w.p.frame({ type: 'synced' });
  assert.equal(w.p.ready, true);
  assert.equal(w.healthy, 1);
  assert.deepEqual(w.named('synced'), [['synced']]);
  await w.drop();
  assert.equal(w.p.ready, false, 'a close ends ready');
  assert.deepEqual(w.named('closed'), [['closed']]);
});

test('a refused sync goes again after 2 s when retryable, never otherwise', async () => {
  const w = world();
  w.open = true;
  await w.p.opened();
  const sync = w.take()[0];
  w.p.frame({ type: 'error', id: 'sync', code: 'rate_limited', message: 'Slow down.' });
  w.tick(1999);
  assert.deepEqual(w.sent, [], 'not before 2 s');
  w.tick(1);
  assert.deepEqual(w.take(), [sync]);
  w.p.frame({ type: 'error', id: 'sync', code: 'unavailable', message: 'Try again.' });
  w.tick(2000);
  assert.deepEqual(w.take(), [sync]);
  w.p.frame({ type: 'error', id: 'sync', code: 'bad_request', message: 'No.' });
  w.tick(60000);
  assert.deepEqual(w.sent, []);
  assert.deepEqual(w.named('toast'), [], 'a refused sync is not shown');
});

test('a send waits for sync, goes again after every reconnect until acked, then never again', async () => {
  const w = world();
  const p = w.store.queue('c1', 'hello');
  w.open = true;
  w.p.post(p);
  assert.deepEqual(w.sent, [], 'nothing goes before synced');
  await w.p.opened();
  w.take();
  w.p.frame({ type: 'synced' });
  const frame = { type: 'send', id: p.id, channel: 'c1', text: 'hello' };
  assert.deepEqual(w.take(), [frame]);

  for (let i = 0; i < 2; i++) {
    await w.drop();
    w.p.post(p);
    assert.deepEqual(w.sent, [], 'nothing goes while down');
    await w.connect();
    assert.deepEqual(w.take(), [{ type: 'sync', id: 'sync', channels: { c1: 4, c2: 0 } }, frame], 'the same id again');
  }

  w.p.frame({ type: 'ack', id: p.id, channel: 'c1', seq: 5, ts });
  assert.deepEqual(w.store.outbox, []);
  assert.equal(w.mem.get('inhouse.outbox.ana'), '[]', 'the stored outbox is cleared too');
  assert.equal(w.store.log('c1').items.at(-1).text, 'hello');
  await w.drop();
  await w.connect();
  assert.deepEqual(w.take().map((f) => f.type), ['sync'], 'an acked send is not resent');
});

test('our own message frame settles a send like an ack', async () => {
  const w = world();
  await w.connect();
  const p = w.store.queue('c1', 'hello');
  w.p.post(p);
  w.take();
  w.p.frame({ type: 'message', channel: 'c1', seq: 5, id: p.id, from: 'ana', text: 'hello', ts });
  assert.deepEqual(w.store.outbox, []);
  assert.deepEqual(w.named('arrived'), [['arrived', 'c1', [], false]], 'our own message is not announced');
  await w.drop();
  await w.connect();
  assert.deepEqual(w.take().map((f) => f.type), ['sync']);
});

test('edits and deletes keep their wire format and resend the same way', async () => {
  const w = world();
  const e = w.store.queueChange('c1', 'edit', 3, 'new text');
  const d = w.store.queueChange('c1', 'delete', 4);
  await w.connect();
  assert.deepEqual(w.take().slice(1), [
    { type: 'edit', id: e.id, channel: 'c1', seq: 3, text: 'new text' },
    { type: 'delete', id: d.id, channel: 'c1', seq: 4 },
  ]);
});

test('a non-retryable error marks the send failed with the server\'s sentence; Retry sends it again', async () => {
  const w = world();
  await w.connect();
  const p = w.store.queue('c1', 'the secret');
  w.p.post(p);
  w.take();
  w.p.frame({ type: 'error', id: p.id, code: 'blocked', message: 'This message was not sent: it names a secret.' });
  assert.equal(p.state, 'failed');
  assert.equal(p.error, 'This message was not sent: it names a secret.');
  assert.equal(p.code, 'blocked');
  w.tick(60000);
  await w.drop();
  await w.connect();
  assert.deepEqual(w.take().map((f) => f.type), ['sync'], 'a failed send is not resent by itself');
  w.p.retry(p.id);
  assert.equal(p.state, 'pending');
  assert.deepEqual(w.take(), [{ type: 'send', id: p.id, channel: 'c1', text: 'the secret' }]);
  assert.deepEqual(w.named('toast'), []);
});

test('a retryable error on a send goes again later: 2 s when rate limited, 5 s when unavailable', async () => {
  const w = world();
  await w.connect();
  w.take();
  const p = w.store.queue('c1', 'hello');
  w.p.post(p);
  const [frame] = w.take();
  assert.equal(frame.type, 'send');
  w.p.frame({ type: 'error', id: p.id, code: 'rate_limited', message: 'Slow down.' });
  w.tick(1999);
  assert.deepEqual(w.sent, []);
  w.tick(1);
  assert.deepEqual(w.take(), [frame]);
  w.p.frame({ type: 'error', id: p.id, code: 'unavailable', message: 'Try again.' });
  w.tick(4999);
  assert.deepEqual(w.sent, []);
  w.tick(1);
  assert.deepEqual(w.take(), [frame]);
  assert.equal(p.state, 'pending');
  // Acked meanwhile: the pending retry sends nothing.
  w.p.frame({ type: 'error', id: p.id, code: 'unavailable', message: 'Try again.' });
  w.p.frame({ type: 'ack', id: p.id, channel: 'c1', seq: 5, ts });
  w.tick(5000);
  assert.deepEqual(w.sent, []);
});

test('a send to a channel one has left fails on resend', async () => {
  const w = world();
  const p = w.store.queue('c1', 'hello');
  w.store.removeChannel('c1');
  w.api.channels = async () => [CHANNELS[1]];
  await w.connect();
  assert.deepEqual(w.take().map((f) => f.type), ['sync']);
  assert.equal(p.state, 'failed');
  assert.equal(p.error, 'you are no longer in this conversation.');
});

test('history: the page asked for sets completeness; a failed page lets the next scroll try again', async () => {
  const w = world();
  await w.connect();
  w.take();
  assert.equal(w.p.loadHistory('c2', 50), 'empty', 'a channel without messages asks for nothing');
  assert.equal(w.store.log('c2').complete, true);
  assert.equal(w.p.loadHistory('c1', 100), 'asked');
  assert.deepEqual(w.take(), [{ type: 'history', channel: 'c1', before: 0, limit: 100 }]);
  assert.equal(w.p.loadHistory('c1', 100), '', 'one page at a time');
  assert.deepEqual(w.sent, []);
  w.p.frame({ type: 'error', code: 'rate_limited', message: 'Too many requests.' });
  assert.deepEqual(w.named('toast'), [['toast', 'Too many requests.']]);
  assert.equal(w.store.log('c1').loading, false);
  assert.equal(w.p.loadHistory('c1', 100), 'asked', 'the next scroll tries again');
  w.take();
  // Fewer messages than the limit asked for: the start of the channel.
  const page = [3, 4].map((seq) => ({ channel: 'c1', seq, id: `m${seq}`, from: 'ben', text: 'x', ts }));
  w.p.frame({ type: 'history', channel: 'c1', messages: page });
  assert.equal(w.store.log('c1').complete, true);
  assert.equal(w.p.loadHistory('c1', 100), '');
  // Offline: nothing is marked loading, so it can be asked again later.
  const v = world();
  assert.equal(v.p.loadHistory('c1', 50), '');
  assert.equal(v.store.log('c1').loading, false);
});

test('a 1008 close that finds the session ended stops reconnecting and tells the page', async () => {
  const w = world();
  await w.connect();
  w.api.answer = null;
  await w.drop(1008);
  assert.equal(w.stops, 1);
  assert.equal(w.p.stopped, true);
  assert.deepEqual(w.named('signedOut'), [['signedOut', '']]);
});

test('a 1008 close with the policy unaccepted brings the gate; a 1008 with a live session keeps going', async () => {
  const w = world();
  await w.connect();
  const me = { ...ME, policy: { version: 2, accepted: false } };
  w.api.answer = me;
  await w.drop(1008);
  assert.equal(w.stops, 1);
  assert.deepEqual(w.named('needPolicy'), [['needPolicy', me]]);

  const v = world();
  await v.connect();
  await v.drop(1008); // a slow socket: still signed in
  assert.equal(v.stops, 0);
  assert.equal(v.p.stopped, false);
});

test('an ordinary close does not ask the API; a refused upgrade does', async () => {
  const w = world();
  await w.connect();
  const before = w.api.calls;
  await w.drop(1006);
  assert.equal(w.api.calls, before);
  await w.p.closed(1006, false);
  assert.equal(w.api.calls, before + 1);
  assert.equal(w.stops, 0);
});

test('signed out at open: no sync; the close that follows says why', async () => {
  const w = world();
  w.api.answer = null;
  w.open = true;
  await w.p.opened();
  assert.deepEqual(w.sent, []);
  assert.deepEqual(w.named('signedOut'), [], 'waits for the close and its reason');
  await w.p.closed(1008, true, 'signed out');
  assert.equal(w.stops, 1);
  assert.deepEqual(w.named('signedOut'), [['signedOut', 'You signed out.']]);
});

test('signed out at open, and no close comes: the socket stops all the same', async () => {
  const w = world();
  w.api.answer = null;
  w.open = true;
  w.p.endWait = 5;
  await w.p.opened();
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(w.sent, []);
  assert.equal(w.stops, 1);
  assert.deepEqual(w.named('signedOut'), [['signedOut', '']]);
});

test('a policy_required error brings the gate back', async () => {
  const w = world();
  await w.connect();
  const p = w.store.queue('c1', 'hello');
  w.p.post(p);
  const me = { ...ME, policy: { version: 2, accepted: false } };
  w.api.answer = me;
  w.p.frame({ type: 'error', id: p.id, code: 'policy_required', message: 'Accept the policy.' });
  await settle();
  assert.deepEqual(w.named('needPolicy'), [['needPolicy', me]]);
  assert.equal(p.state, 'pending', 'the message waits in the outbox');
});

test('live messages: others\' are passed on with viewing; typing, presence and read go to the store', async () => {
  const w = world({ viewing: true });
  await w.connect();
  w.p.frame({ type: 'typing', channel: 'c1', user: 'ben' });
  assert.deepEqual(w.store.typers('c1'), ['Ben']);
  w.p.frame({ type: 'message', channel: 'c1', seq: 5, id: 'm5', from: 'ben', text: 'hi', ts });
  assert.deepEqual(w.store.typers('c1'), [], 'a message ends typing');
  const [[, channel, msgs, viewing]] = w.named('arrived');
  assert.equal(channel, 'c1');
  assert.deepEqual(msgs.map((m) => m.seq), [5]);
  assert.equal(viewing, true);
  assert.equal(w.store.channels.get('c1').unread, 0, 'viewing: nothing becomes unread');
  w.p.frame({ type: 'presence', user: 'ben', status: 'away' });
  assert.equal(w.store.users.get('ben').status, 'away');
  w.p.frame({ type: 'left', channel: 'c2' });
  assert.equal(w.store.channels.has('c2'), false);
});

test('read, typing and presence frames', async () => {
  const w = world();
  await w.connect();
  w.take();
  w.store.addMessages('c1', [{ seq: 5, id: 'm5', from: 'ben', text: 'hi', ts }]);
  w.p.read('c1');
  w.p.read('c1');
  assert.deepEqual(w.take(), [{ type: 'read', channel: 'c1', seq: 5 }], 'read once per change');

  w.p.typing('c1');
  w.tick(3000);
  w.p.typing('c1');
  w.tick(1);
  w.p.typing('c1');
  assert.deepEqual(w.take(), [{ type: 'typing', channel: 'c1' }, { type: 'typing', channel: 'c1' }], 'at most every 3 s');

  w.p.presence('online');
  w.p.presence('away');
  w.p.presence('away');
  assert.deepEqual(w.take(), [{ type: 'presence', status: 'away' }], 'only changes');
  // Away survives a reconnect: the new socket is told after its sync.
  await w.drop();
  await w.connect();
  assert.deepEqual(w.take(), [{ type: 'sync', id: 'sync', channels: { c1: 5, c2: 0 } }, { type: 'presence', status: 'away' }]);
});

// ---- files (docs/files.md) ----
const PHOTO = { id: 'u1', name: 'photo.jpg', type: 'image/jpeg', size: 183004, w: 4000, h: 3000 };
const NOTE = { id: 'u2', name: 'note.pdf', type: 'application/pdf', size: 5120 };

test('a send with files carries their upload ids, on every resend, until acked', async () => {
  const w = world();
  const p = w.store.queue('c1', 'the delivery note', [PHOTO, NOTE]);
  assert.deepEqual(p.files, ['u1', 'u2']);
  assert.deepEqual(p.fileInfo, [
    { name: 'photo.jpg', type: 'image/jpeg', size: 183004, w: 4000, h: 3000 },
    { name: 'note.pdf', type: 'application/pdf', size: 5120 },
  ], 'what the pending message shows, without the ids');
  const frame = { type: 'send', id: p.id, channel: 'c1', text: 'the delivery note', files: ['u1', 'u2'] };
  await w.connect();
  assert.deepEqual(w.take(), [{ type: 'sync', id: 'sync', channels: { c1: 4, c2: 0 } }, frame]);
  for (let i = 0; i < 2; i++) {
    await w.drop();
    await w.connect();
    assert.deepEqual(w.take().slice(1), [frame], 'the same id and the same files again');
  }
  w.p.frame({ type: 'error', id: p.id, code: 'unavailable', message: 'Try again.' });
  w.tick(5000);
  assert.deepEqual(w.take(), [frame], 'a retry after unavailable keeps them too');
  w.p.frame({ type: 'ack', id: p.id, channel: 'c1', seq: 5, ts });
  const m = w.store.log('c1').items.at(-1);
  assert.equal(m.text, 'the delivery note');
  assert.deepEqual(m.files, p.fileInfo, 'the acked message shows its files at once');
  // The message frame that follows the ack is the same seq: dropped, files kept.
  w.p.frame({ type: 'message', channel: 'c1', seq: 5, id: p.id, from: 'ana', text: 'the delivery note', ts, files: p.fileInfo });
  assert.equal(w.store.log('c1').items.filter((x) => x.seq === 5).length, 1);
  await w.drop();
  await w.connect();
  assert.deepEqual(w.take().map((f) => f.type), ['sync'], 'an acked send is not resent');
});

test('files only: the text may be empty; a send without files has no files member', async () => {
  const w = world();
  await w.connect();
  w.take();
  const p = w.store.queue('c1', '', [PHOTO]);
  w.p.post(p);
  assert.deepEqual(w.take(), [{ type: 'send', id: p.id, channel: 'c1', text: '', files: ['u1'] }]);
  const q = w.store.queue('c1', 'plain');
  assert.equal('files' in q, false);
  w.p.post(q);
  assert.deepEqual(w.take(), [{ type: 'send', id: q.id, channel: 'c1', text: 'plain' }]);
});

test('a refused send with files keeps them for Retry', async () => {
  const w = world();
  await w.connect();
  w.take();
  const p = w.store.queue('c1', 'caption', [NOTE]);
  w.p.post(p);
  w.take();
  w.p.frame({ type: 'error', id: p.id, code: 'bad_request', message: 'That upload has expired.' });
  assert.equal(p.state, 'failed');
  w.p.retry(p.id);
  assert.deepEqual(w.take(), [{ type: 'send', id: p.id, channel: 'c1', text: 'caption', files: ['u2'] }]);
});

test('the outbox keeps files across a reload; a malformed files entry is dropped', () => {
  const w = world();
  const p = w.store.queue('c1', 'caption', [PHOTO]);
  const stored = JSON.parse(w.mem.get('inhouse.outbox.ana'));
  assert.deepEqual(stored[0].files, ['u1']);
  const again = new Store({ getItem: (k) => w.mem.get(k) ?? null, setItem: () => {} });
  again.setMe(ME);
  assert.deepEqual(again.outbox.map((x) => [x.id, x.files, x.fileInfo.length]), [[p.id, ['u1'], 1]]);

  const bad = [
    { id: 'a', channel: 'c1', text: '', files: 'u1', fileInfo: [] },
    { id: 'b', channel: 'c1', text: '', files: [1], fileInfo: [{ name: 'x', type: 't', size: 1 }] },
    { id: 'c', channel: 'c1', text: '', files: ['u1'] },
    { id: 'd', channel: 'c1', text: '', files: ['u1'], fileInfo: [{ name: 'x' }] },
    { id: 'e', channel: 'c1', text: '', kind: 'delete', ref: 3, files: ['u1'], fileInfo: [{ name: 'x', type: 't', size: 1 }] },
    { id: 'ok', channel: 'c1', text: '', files: ['u1'], fileInfo: [{ name: 'x', type: 't', size: 1 }] },
  ];
  const mem = new Map([['inhouse.outbox.ana', JSON.stringify(bad)]]);
  const s = new Store({ getItem: (k) => mem.get(k) ?? null, setItem: () => {} });
  s.setMe(ME);
  assert.deepEqual(s.outbox.map((x) => x.id), ['ok']);
});

test('messages with files: an edit keeps them, a delete takes them', async () => {
  const w = world();
  await w.connect();
  const files = [{ name: 'photo.jpg', type: 'image/jpeg', size: 10, w: 40, h: 30 }, { name: 'a.zip', type: 'application/zip', size: 20 }];
  w.p.frame({ type: 'message', channel: 'c1', seq: 5, id: 'm5', from: 'ben', text: 'pictures', ts, files });
  const m = w.store.log('c1').items.at(-1);
  assert.deepEqual(m.files, files);
  w.p.frame({ type: 'message', channel: 'c1', seq: 6, id: 'm6', from: 'ben', text: 'the pictures', ts, kind: 'edit', ref: 5 });
  assert.equal(m.text, 'the pictures');
  assert.deepEqual(m.files, files, 'edits change the text only');
  w.p.frame({ type: 'message', channel: 'c1', seq: 7, id: 'm7', from: 'ben', text: '', ts, kind: 'delete', ref: 5 });
  assert.equal(m.deleted, true);
  assert.equal(m.files, undefined, 'a deleted message shows no files');
  // A page of history: a deleted message comes without files anyway.
  w.p.frame({ type: 'history', channel: 'c1', messages: [{ channel: 'c1', seq: 2, id: 'm2', from: 'ben', text: '', ts, deleted: true, files }] });
  assert.equal(w.store.log('c1').items.find((x) => x.seq === 2).files, undefined);
});

// ---- reactions and pins (docs/conversation.md): outbox entries like edits ----

test('reactions and pins keep their wire format and resend with the same id until acked', async () => {
  const w = world();
  w.p.frame({ type: 'history', channel: 'c1', messages: [{ channel: 'c1', seq: 4, id: 'm4', from: 'ben', text: 'hi', ts }] });
  const r = w.store.queueRecord('c1', 'react', 4, '👍');
  const u = w.store.queueRecord('c1', 'unreact', 4, '✅');
  const p = w.store.queueRecord('c1', 'pin', 4);
  const q = w.store.queueRecord('c1', 'unpin', 4);
  assert.equal(w.store.pendingFor('c1').length, 0, 'not new messages');
  assert.equal(w.store.changesFor('c1').size, 0, 'not edits or deletes of the message');
  const frames = [
    { type: 'react', id: r.id, channel: 'c1', seq: 4, emoji: '👍' },
    { type: 'react', id: u.id, channel: 'c1', seq: 4, emoji: '✅', remove: true },
    { type: 'pin', id: p.id, channel: 'c1', seq: 4 },
    { type: 'pin', id: q.id, channel: 'c1', seq: 4, remove: true },
  ];
  w.p.post(r);
  assert.deepEqual(w.sent, [], 'nothing goes before synced');
  await w.connect();
  assert.deepEqual(w.take().slice(1), frames);
  await w.drop();
  await w.connect();
  assert.deepEqual(w.take().slice(1), frames, 'the same ids again after a reconnect');
  // Acks settle them; the message shows one's reaction and the pin at once.
  w.p.frame({ type: 'ack', id: r.id, channel: 'c1', seq: 5, ts });
  w.p.frame({ type: 'ack', id: p.id, channel: 'c1', seq: 7, ts });
  const m = w.store.log('c1').items.find((x) => x.seq === 4);
  assert.deepEqual(m.reactions, [{ emoji: '👍', people: ['ana'] }]);
  assert.equal(m.pinned, true);
  assert.deepEqual(w.store.log('c1').items.map((x) => x.seq), [4], 'an ack puts no record in the log (it may name an older seq)');
  // The record frames that follow change nothing more.
  w.p.frame({ type: 'message', channel: 'c1', seq: 5, id: r.id, from: 'ana', text: '👍', ts, kind: 'react', ref: 4 });
  w.p.frame({ type: 'message', channel: 'c1', seq: 7, id: p.id, from: 'ana', text: '', ts, kind: 'pin', ref: 4 });
  assert.deepEqual(m.reactions, [{ emoji: '👍', people: ['ana'] }]);
  assert.deepEqual(w.store.outbox.map((x) => x.id), [u.id, q.id]);
  // Our own record frame settles an entry like an ack.
  w.p.frame({ type: 'message', channel: 'c1', seq: 8, id: q.id, from: 'ana', text: '', ts, kind: 'unpin', ref: 4 });
  assert.equal(m.pinned, undefined);
  assert.deepEqual(w.store.outbox.map((x) => x.id), [u.id]);
  assert.deepEqual(w.named('arrived').flatMap((a) => a[2]), [], 'records are never announced as messages');
});

test('a refused reaction or pin leaves the outbox with the server\'s sentence; a retryable one goes again', async () => {
  const w = world();
  await w.connect();
  w.take();
  const r = w.store.queueRecord('c1', 'react', 3, '🫠');
  w.p.post(r);
  assert.equal(w.take()[0].type, 'react');
  w.p.frame({ type: 'error', id: r.id, code: 'rate_limited', message: 'Slow down.' });
  w.tick(2000);
  assert.deepEqual(w.take(), [{ type: 'react', id: r.id, channel: 'c1', seq: 3, emoji: '🫠' }]);
  w.p.frame({ type: 'error', id: r.id, code: 'bad_request', message: 'That is not an emoji of the list.' });
  assert.deepEqual(w.store.outbox, [], 'nothing to retry: the message shows the state as it was');
  assert.equal(w.mem.get('inhouse.outbox.ana'), '[]');
  assert.deepEqual(w.named('toast'), [['toast', 'Your reaction was not saved. That is not an emoji of the list.']]);
  const p = w.store.queueRecord('c1', 'pin', 3);
  w.p.post(p);
  w.p.frame({ type: 'error', id: p.id, code: 'forbidden', message: 'Only the office manager pins here.' });
  assert.equal(w.named('toast').at(-1)[1], 'The message was not pinned. Only the office manager pins here.');
  assert.deepEqual(w.store.outbox, []);
});

test('reactions and pins wait in the outbox across a reload; in a channel one has left they are dropped', async () => {
  const w = world();
  const r = w.store.queueRecord('c1', 'react', 4, '👍');
  w.store.queueRecord('c2', 'pin', 1);
  const again = new Store({ getItem: (k) => w.mem.get(k) ?? null, setItem: (k, v) => w.mem.set(k, v) });
  again.setMe(ME);
  assert.deepEqual(again.outbox.map((x) => [x.kind, x.ref, x.text]), [['react', 4, '👍'], ['pin', 1, '']]);
  // A malformed one (no ref) is not taken back.
  w.mem.set('inhouse.outbox.ana', JSON.stringify([{ id: 'x', channel: 'c1', text: '👍', kind: 'react' }]));
  again.setMe(ME);
  assert.deepEqual(again.outbox, []);
  // Left c2 meanwhile: its pin goes, the reaction in c1 is sent.
  w.store.removeChannel('c2');
  w.api.channels = async () => [CHANNELS[0]];
  await w.connect();
  assert.deepEqual(w.take().slice(1), [{ type: 'react', id: r.id, channel: 'c1', seq: 4, emoji: '👍' }]);
  assert.deepEqual(w.store.outbox.map((x) => x.id), [r.id]);
  assert.equal(w.named('toast').length, 1);
});

// ---- replies and threads (docs/conversation.md, threads.js) ----

test('a reply carries parent (and also) on every resend and after a reload, until acked', async () => {
  const w = world();
  const p = w.store.queue('c1', 'On it', [], { parent: 3 });
  const q = w.store.queue('c1', 'Done', [], { parent: 3, also: true });
  const photo = { id: 'u9', name: 'p.png', type: 'image/png', size: 10 };
  const r = w.store.queue('c1', '', [photo], { parent: 3 });
  await w.connect();
  const frames = [
    { type: 'send', id: p.id, channel: 'c1', text: 'On it', parent: 3 },
    { type: 'send', id: q.id, channel: 'c1', text: 'Done', parent: 3, also: true },
    { type: 'send', id: r.id, channel: 'c1', text: '', files: ['u9'], parent: 3 },
  ];
  assert.deepEqual(w.take().slice(1), frames);
  // A reload: the outbox comes back from storage with its replies.
  const again = new Store({ getItem: (k) => w.mem.get(k) ?? null, setItem: (k, v) => w.mem.set(k, v) });
  again.setMe(ME);
  assert.deepEqual(again.outbox.map((x) => [x.id, x.parent, x.also]), [[p.id, 3, undefined], [q.id, 3, true], [r.id, 3, undefined]]);
  // A retryable refusal goes again with the same fields; the next reconnect resends all.
  w.p.frame({ type: 'error', id: q.id, code: 'unavailable', message: 'Try again.' });
  w.tick(5000);
  assert.deepEqual(w.take(), [frames[1]]);
  await w.drop();
  await w.connect();
  assert.deepEqual(w.take().slice(1), frames);
  // Acked: stored as replies; the one without also is not unread or shown in the channel.
  w.p.frame({ type: 'ack', id: p.id, channel: 'c1', seq: 5, ts });
  w.p.frame({ type: 'ack', id: q.id, channel: 'c1', seq: 6, ts });
  w.p.frame({ type: 'ack', id: r.id, channel: 'c1', seq: 7, ts });
  assert.deepEqual(w.store.outbox, []);
  assert.deepEqual(w.store.log('c1').items.map((m) => [m.seq, m.parent, m.also]), [[5, 3, undefined], [6, 3, true], [7, 3, undefined]]);
  await w.drop();
  await w.connect();
  assert.deepEqual(w.take().map((f) => f.type), ['sync'], 'acked replies are not resent');
});

test('a refused reply fails with the server\'s sentence and Retry sends it with its parent again', async () => {
  const w = world();
  await w.connect();
  w.take();
  const p = w.store.queue('c1', 'Late', [], { parent: 2, also: true });
  w.p.post(p);
  w.take();
  w.p.frame({ type: 'error', id: p.id, code: 'not_found', message: 'That message is no longer there.' });
  assert.equal(w.store.outbox[0].state, 'failed');
  assert.equal(w.store.outbox[0].error, 'That message is no longer there.');
  w.p.retry(p.id);
  assert.deepEqual(w.take(), [{ type: 'send', id: p.id, channel: 'c1', text: 'Late', parent: 2, also: true }]);
});

test('live replies: out of the channel\'s unread and announcements unless also; read with thread', async () => {
  const w = world();
  await w.connect();
  w.take();
  w.store.setThreads([{ channel: 'c1', seq: 3, message: { seq: 3, from: 'ana', text: 'Q' }, replies: 1, last: '2020-01-01T00:00:00Z', unread: 0 }]);
  w.p.frame({ type: 'message', channel: 'c1', seq: 5, id: 'x5', from: 'ben', text: 'in thread', ts, parent: 3 });
  w.p.frame({ type: 'message', channel: 'c1', seq: 6, id: 'x6', from: 'ben', text: 'both', ts, parent: 3, also: true });
  const ch = w.store.channels.get('c1');
  assert.equal(ch.unread, 1);
  assert.deepEqual(w.named('arrived').map((a) => a[2].map((m) => m.seq)), [[], [6]]);
  assert.equal(w.store.followed.get('c1', 3).unread, 2);
  // The thread's read position: a read frame with thread, the Threads view clears it.
  assert.equal(w.p.readThread('c1', 3, 6), true);
  assert.deepEqual(w.take(), [{ type: 'read', channel: 'c1', seq: 6, thread: 3 }]);
  assert.equal(w.store.followed.get('c1', 3).unread, 0);
  assert.equal(ch.unread, 1, 'the channel\'s count is its own');
  // Offline: nothing is cleared here that the server would not know.
  w.p.frame({ type: 'message', channel: 'c1', seq: 7, id: 'x7', from: 'ben', text: 'more', ts: new Date(Date.now() + 1000).toISOString(), parent: 3 });
  await w.drop();
  assert.equal(w.p.readThread('c1', 3, 7), false);
  assert.equal(w.store.followed.get('c1', 3).unread, 1);
});
