// node --test server/e2e/  — read receipts, announcements to confirm and
// the sound switch in the client's pure logic (docs/people.md, receipts.js),
// and what the protocol and the store carry for them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  receiptMode, Seen, dmMarks, seenBy, whoSaw, seenLabel, seenTitle, countLabel, when, shown,
  Pending, confirmPath, soundOn, setSound, soundKey, SMALL_GROUP,
} from '../../assets/web/receipts.js';
import { Store, toMsg } from '../../assets/web/store.js';
import { Protocol } from '../../assets/web/protocol.js';

const T = Date.parse('2026-03-10T09:00:00Z');
const iso = (min) => new Date(T + min * 60000).toISOString();
// msg: a stored message as the log holds it (toMsg's shape).
const msg = (seq, from, extra = {}) => ({ seq, id: `m${seq}`, from, text: `text ${seq}`, ts: T + seq * 1000, v: 0, ...extra });
const seenOf = (pairs) => { const s = new Seen(); s.set('c', pairs.map(([user, seq, min = 0]) => ({ user, seq, ts: iso(min) }))); return s.get('c'); };

test('receiptMode: nothing when off, unknown or hidden; Seen in direct messages and groups up to 8; Seen by N elsewhere', () => {
  const dm = { kind: 'direct' }, pub = { kind: 'public' }, priv = { kind: 'private' };
  assert.equal(receiptMode(dm, 'off', false, 2), '');
  assert.equal(receiptMode(dm, undefined, false, 2), '', 'a server that does not say: none, and nothing is asked');
  assert.equal(receiptMode(dm, 'sometimes', false, 2), '');
  assert.equal(receiptMode(null, 'on', false, 2), '');
  assert.equal(receiptMode(dm, 'on', true, 2), '', 'one who hides theirs sees none');
  assert.equal(receiptMode(dm, 'always', true, 2), 'dm', 'always: hiding is not the person\'s choice');
  assert.equal(receiptMode(dm, 'on', false, 2), 'dm');
  assert.equal(SMALL_GROUP, 8);
  assert.equal(receiptMode(dm, 'on', false, 8), 'dm');
  assert.equal(receiptMode(dm, 'on', false, 9), 'channel', 'a group of 9 counts like a channel');
  assert.equal(receiptMode(pub, 'on', false, 3), 'channel');
  assert.equal(receiptMode(priv, 'always', false, 2), 'channel');
});

test('Seen: positions only move forward, the fetched list replaces who is there, a frame on the way is not undone', () => {
  const s = new Seen();
  assert.equal(s.update({ channel: 'c', user: 'ben', seq: 7, ts: iso(1) }, 'ana'), true, 'a frame before the list is kept');
  assert.equal(s.update({ channel: 'c', user: 'ben', seq: 5, ts: iso(2) }, 'ana'), false, 'never backwards');
  assert.equal(s.update({ channel: 'c', user: 'ben', seq: 7, ts: iso(2) }, 'ana'), false, 'the same: nothing moved');
  assert.equal(s.update({ channel: 'c', user: 'ana', seq: 9, ts: iso(2) }, 'ana'), false, 'my own position is never a receipt');
  for (const bad of [null, {}, { channel: 'c', user: '', seq: 3 }, { channel: 'c', user: 'x', seq: -1 }, { channel: 'c', user: 'x', seq: 1.5 }, { channel: 5, user: 'x', seq: 2 }, { channel: 'c', user: 'x', seq: '4' }]) {
    assert.equal(s.update(bad, 'ana'), false, JSON.stringify(bad));
  }
  // The list was asked for before the frame: its older position for ben loses; cleo is new; dan and ana are left out.
  s.set('c', [{ user: 'ben', seq: 6, ts: iso(0) }, { user: 'cleo', seq: 4, ts: iso(3) }, { user: 'ana', seq: 9, ts: iso(3) }, { user: 'eve', seq: 0 }, 'junk'], 'ana');
  assert.deepEqual([...s.get('c')], [['ben', { seq: 7, ts: T + 60000 }], ['cleo', { seq: 4, ts: T + 180000 }]]);
  // Someone who left (or hides theirs now) is not in the next list: gone.
  s.set('c', [{ user: 'cleo', seq: 5, ts: iso(4) }], 'ana');
  assert.deepEqual([...s.get('c').keys()], ['cleo']);
  s.set('c', 'not a list');
  assert.equal(s.get('c').size, 0);
  s.forget('c');
  assert.equal(s.has('c'), false);
  s.update({ channel: 'd', user: 'ben', seq: 1 }, 'ana');
  assert.equal(s.get('d').get('ben').ts, 0, 'no time: 0');
  s.forget();
  assert.equal(s.has('d'), false);
});

test('dmMarks: Seen under the last message each read, past records and thread replies, not under their own', () => {
  const items = [
    msg(1, 'ana'), msg(2, 'ana'),
    msg(3, 'ben', { kind: 'react', ref: 2 }), // a reaction record: not shown
    msg(4, 'ana', { parent: 2 }), // a reply kept in its thread: not shown
    msg(5, 'ben'),
    msg(6, 'ana'), msg(7, 'ana', { deleted: true, text: '' }),
  ];
  assert.equal(shown(items[2]), false);
  assert.equal(shown(items[3]), false);
  assert.equal(shown(items[6]), true, 'a deleted message still shows its line');
  // Ben read to 4: the last message shown at or before it is 2.
  assert.deepEqual([...dmMarks(items, seenOf([['ben', 4, 1]]), 'ana')], [[2, [{ user: 'ben', ts: T + 60000 }]]]);
  // He reads further: it moves to 6.
  assert.deepEqual([...dmMarks(items, seenOf([['ben', 6, 2]]), 'ana')].map(([s]) => s), [6]);
  // Read to his own message 5: nothing to say (he wrote it).
  assert.deepEqual([...dmMarks(items, seenOf([['ben', 5, 2]]), 'ana')], []);
  // Read beyond the newest message loaded: the newest shown one.
  assert.deepEqual([...dmMarks(items, seenOf([['ben', 99, 2]]), 'ana')].map(([s]) => s), [7]);
  // Read to before anything loaded: nowhere.
  assert.deepEqual([...dmMarks(items.slice(4), seenOf([['ben', 2, 2]]), 'ana')], []);
  // A group: two at the same message, by time; a third elsewhere; my own position ignored.
  const group = dmMarks(items, seenOf([['dan', 6, 9], ['cleo', 6, 3], ['ben', 2, 1], ['ana', 6, 1]]), 'ana');
  assert.deepEqual([...group], [[6, [{ user: 'cleo', ts: T + 180000 }, { user: 'dan', ts: T + 540000 }]], [2, [{ user: 'ben', ts: T + 60000 }]]]);
  assert.deepEqual([...dmMarks(items, undefined, 'ana')], []);
  assert.deepEqual([...dmMarks([], seenOf([['ben', 4]]), 'ana')], []);
});

test('seenBy: Seen by N under the last of my messages each reader reached, one row per count however long the history', () => {
  const items = [
    msg(1, 'ana'), msg(2, 'ana'),
    msg(3, 'ben'),
    msg(4, 'ana'),
    msg(5, 'cleo', { kind: 'edit', ref: 3 }), // a record: not shown
    msg(6, 'ana'),
    msg(7, 'ana', { deleted: true, text: '' }),
    msg(8, 'ana', { parent: 4 }), // a reply kept in its thread: not in the list
    msg(9, 'ben'),
  ];
  // dan reached 2 (seen by dan, cleo, ben: 3), cleo 5 → my last before it is 4 (cleo, ben: 2),
  // ben 9 → my last shown and standing is 6 (ben: 1); 7 is deleted, 8 is in a thread.
  const seen = seenOf([['ben', 9], ['cleo', 5], ['dan', 2], ['ana', 9]]);
  assert.deepEqual([...seenBy(items, seen, 'ana')].sort((a, b) => a[0] - b[0]), [[2, 3], [4, 2], [6, 1]]);
  // Two readers at the same place: one row counting both.
  assert.deepEqual([...seenBy(items, seenOf([['ben', 4], ['cleo', 4]]), 'ana')], [[4, 2]]);
  // A reader before any message of mine: nothing.
  assert.deepEqual([...seenBy(items.slice(2), seenOf([['ben', 3]]), 'ana')], []);
  // A long history: 3,000 messages of mine and Ben's, Ben read them all: one row, under my last.
  const long = Array.from({ length: 3000 }, (_, i) => msg(i + 1, i % 3 === 2 ? 'ana' : 'ben'));
  assert.deepEqual([...seenBy(long, seenOf([['ben', 3000]]), 'ana')], [[3000, 1]]);
  // Nobody yet, only me, or not my messages: nothing.
  assert.deepEqual([...seenBy(items, seenOf([]), 'ana')], []);
  assert.deepEqual([...seenBy(items, seenOf([['ana', 9]]), 'ana')], []);
  assert.deepEqual([...seenBy(items, seen, 'zoe')], []);
  assert.deepEqual([...seenBy(items, undefined, 'ana')], []);
  // The list behind a count: those at or past it, by time.
  assert.deepEqual(whoSaw(seenOf([['ben', 8, 5], ['cleo', 4, 1], ['dan', 2, 0], ['ana', 9, 0]]), 4, 'ana'), [{ user: 'cleo', ts: T + 60000 }, { user: 'ben', ts: T + 300000 }]);
  assert.deepEqual(whoSaw(undefined, 4, 'ana'), []);
});

test('the words: Seen, Seen by Ben, Cleo, who and when, Seen by N', () => {
  const display = (n) => ({ ben: 'Ben', cleo: 'Cleo' })[n] || n;
  const list = [{ user: 'ben', ts: T }, { user: 'cleo', ts: 0 }];
  assert.equal(seenLabel(list.slice(0, 1), false, display), 'Seen');
  assert.equal(seenLabel(list, true, display), 'Seen by Ben, Cleo');
  assert.equal(seenTitle(list, display, () => '10:00'), 'Seen by Ben at 10:00, Cleo', 'no time known: no time said');
  assert.equal(countLabel(3), 'Seen by 3');
  const now = T + 3600000;
  assert.ok(!when(T, now).includes('Yesterday') && !when(T, now).includes('Today'), 'today: the time only');
  assert.match(when(T - 86400000, now), /^Yesterday /);
});

test('Pending: the announcements to confirm, oldest first, each once; confirmed ones go', () => {
  const p = new Pending();
  p.set([
    { channel: 'c2', seq: 9, message: { seq: 9, from: 'ana', text: 'Fire drill at 3', ts: iso(5) } },
    { channel: 'c1', seq: 4, message: { seq: 4, from: 'ana', text: 'New holiday rules', ts: iso(1), files: [{ name: 'rules.pdf', type: 'application/pdf', size: 9 }] } },
    { channel: 'c1', seq: 4, message: { from: 'ana', text: 'twice', ts: iso(1) } },
    { channel: '', seq: 1, message: { from: 'ana' } }, { channel: 'c1', seq: 0, message: { from: 'ana' } },
    { channel: 'c1', seq: 5 }, null, 'junk',
  ]);
  assert.deepEqual(p.list.map((x) => [x.channel, x.seq, x.message.text]), [['c1', 4, 'New holiday rules'], ['c2', 9, 'Fire drill at 3']]);
  assert.equal(p.list[0].message.ts, T + 60000, 'the time as ms');
  assert.equal(p.list[0].message.files.length, 1);
  assert.equal(p.size, 2);
  assert.equal(p.has('c1'), true);
  assert.equal(p.has('c3'), false);
  // A live message (the store's shape, ts in ms) adds one; the same again does not.
  assert.equal(p.add('c1', 6, toMsg({ seq: 6, id: 'x', from: 'ana', text: 'Read the memo', ts: iso(7), confirm: true })), true);
  assert.equal(p.add('c1', 6, { from: 'ana', text: 'again', ts: T }), false);
  assert.deepEqual(p.of('c1').map((x) => x.seq), [4, 6]);
  assert.equal(p.find('c1', 6).message.text, 'Read the memo');
  assert.equal(p.remove('c1', 4), true);
  assert.equal(p.remove('c1', 4), false);
  assert.deepEqual(p.of('c1').map((x) => x.seq), [6]);
  p.set(undefined);
  assert.equal(p.size, 0);
  assert.equal(confirmPath('c 1/x', 12), '/api/announcements/c%201%2Fx/12/confirm');
});

test('the sound: on unless turned off, per person, and storage that fails is not fatal', () => {
  const mem = new Map();
  const storage = { getItem: (k) => mem.get(k) ?? null, setItem: (k, v) => mem.set(k, v) };
  assert.equal(soundOn(storage, 'ana'), true);
  setSound(storage, 'ana', false);
  assert.equal(mem.get(soundKey('ana')), 'off');
  assert.equal(soundOn(storage, 'ana'), false);
  assert.equal(soundOn(storage, 'ben'), true, 'per person');
  setSound(storage, 'ana', true);
  assert.equal(soundOn(storage, 'ana'), true);
  const broken = { getItem() { throw new Error('denied'); }, setItem() { throw new Error('denied'); } };
  assert.equal(soundOn(broken, 'ana'), true);
  assert.doesNotThrow(() => setSound(broken, 'ana', false));
});

// ---- the protocol and the store ----

const ME = { user: { name: 'ana', display: 'Ana' }, policy: { version: 1, accepted: true }, csrf: 't', receipts: 'on', may_announce: true };
const CHANNELS = [{ id: 'c1', name: 'general', kind: 'public', members: ['ana', 'ben'], last_seq: 3, unread: 0 }];

function setup() {
  const mem = new Map();
  const storage = { getItem: (k) => mem.get(k) ?? null, setItem: (k, v) => mem.set(k, v) };
  const store = new Store(storage);
  store.setMe(ME);
  store.setChannels(CHANNELS);
  const w = { store, mem, storage, sent: [], open: false, heard: [], me: ME };
  store.on((what, channel, data) => w.heard.push([what, channel, data]));
  w.p = new Protocol({
    store,
    api: { csrf: '', me: async () => w.me, users: async () => [], channels: async () => CHANNELS },
    send: (f) => { if (!w.open) return false; w.sent.push(f); return true; },
    later: () => {},
  });
  w.connect = async () => { w.open = true; await w.p.opened(); w.p.frame({ type: 'synced' }); };
  w.take = () => w.sent.splice(0);
  return w;
}

test('a message asking for confirmation carries confirm on every send, resend and after a reload; the ack keeps it', async () => {
  const w = setup();
  assert.equal(w.store.info.receipts, 'on', 'the store keeps all of /api/me');
  const p = w.store.queue('c1', 'Please read the new rules');
  p.confirm = true; // what view/announce.js does when the option is ticked
  w.store.saveOutbox();
  const plain = w.store.queue('c1', 'and lunch?');
  await w.connect();
  const frames = [
    { type: 'send', id: p.id, channel: 'c1', text: 'Please read the new rules', confirm: true },
    { type: 'send', id: plain.id, channel: 'c1', text: 'and lunch?' },
  ];
  assert.deepEqual(w.take().slice(1), frames);
  // A reload: the entry comes back from storage with it.
  const again = new Store(w.storage);
  again.setMe(ME);
  assert.deepEqual(again.outbox.map((x) => x.confirm), [true, undefined]);
  // A reconnect resends it as it was.
  w.open = false;
  await w.connect();
  assert.deepEqual(w.take().slice(1), frames);
  // A refusal (not allowed) keeps it for Retry, which sends it again with confirm.
  w.p.frame({ type: 'error', id: p.id, code: 'forbidden', message: 'Only the office manager may ask for confirmation.' });
  assert.equal(w.store.outbox[0].state, 'failed');
  w.p.retry(p.id);
  assert.deepEqual(w.take(), [frames[0]]);
  w.p.frame({ type: 'ack', id: p.id, channel: 'c1', seq: 4, ts: iso(1) });
  const m = w.store.log('c1').items.find((x) => x.seq === 4);
  assert.equal(m.confirm, true, 'my own message says it asks');
  assert.equal(toMsg({ seq: 5, from: 'ben', text: 'x', ts: iso(2) }).confirm, undefined);
  assert.equal(toMsg({ seq: 5, from: 'ben', text: 'x', ts: iso(2), confirm: true }).confirm, true);
});

test('seen, confirmed and remind frames reach the store\'s listeners; a socket open tells me', async () => {
  const w = setup();
  w.me = { ...ME, receipts: 'always' };
  await w.connect();
  assert.equal(w.store.info.receipts, 'always', 'the fresh /api/me');
  assert.ok(w.heard.some(([what]) => what === 'me'), 'me is told at every socket open');
  w.heard.length = 0;
  const frames = [
    { type: 'seen', channel: 'c1', user: 'ben', seq: 3, ts: iso(1) },
    { type: 'confirmed', channel: 'c1', seq: 2, ts: iso(2) },
    { type: 'remind', channel: 'c1', seq: 2 },
  ];
  for (const f of frames) w.p.frame(f);
  assert.deepEqual(w.heard, frames.map((f) => [f.type, 'c1', f]));
});
