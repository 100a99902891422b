// node --test server/e2e/  — replies and threads in the client's pure logic
// (docs/conversation.md, docs/client.md "Threads"): replies kept with their
// channel but out of its list and its unread count unless `also`, the root's
// summary taken from history and counted on by live and synced replies, the
// Threads view's list and unread counts, and the words under a root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Store } from '../../assets/web/store.js';
import {
  threadOnly, threadOf, bump, unbump, repliesOf, rootReached, summaryText, peopleLabel, lastLabel, repliesLabel, Followed,
} from '../../assets/web/threads.js';

const T0 = Date.parse('2026-03-14T09:00:00.000Z');
const at = (min) => new Date(T0 + min * 60000).toISOString();

function store() {
  const mem = new Map();
  const s = new Store({ getItem: (k) => mem.get(k) ?? null, setItem: (k, v) => mem.set(k, v) });
  s.setMe({ user: { name: 'ana', display: 'Ana' }, policy: { version: 1 }, office: 'Office' });
  s.setUsers([{ name: 'ana', display: 'Ana' }, { name: 'ben', display: 'Ben' }, { name: 'cleo', display: 'Cleo' }]);
  s.setChannels([{ id: 'c1', name: 'general', kind: 'public', members: ['ana', 'ben', 'cleo'], last_seq: 0, unread: 0 }]);
  const events = [];
  s.on((what, channel, data) => events.push([what, channel, data?.seq]));
  return { s, mem, events };
}
const msg = (seq, from, text, min, extra = {}) => ({ channel: 'c1', seq, id: `m${seq}`, from, text, ts: at(min), ...extra });
const item = (s, seq) => s.log('c1').items.find((m) => m.seq === seq);
const shown = (s) => s.log('c1').items.filter((m) => !m.kind && !threadOnly(m)).map((m) => m.seq);

test('a reply is kept with its channel, out of the list and the unread count unless also', () => {
  const { s } = store();
  const fresh = s.addMessages('c1', [
    msg(1, 'ana', 'Lunch at 12?', 0),
    msg(2, 'ben', 'Yes', 1, { parent: 1 }),
    msg(3, 'cleo', 'Me too, @ana', 2, { parent: 1, also: true }),
    msg(4, 'ben', 'Invoice is out', 3),
  ]);
  assert.deepEqual(s.log('c1').items.map((m) => m.seq), [1, 2, 3, 4], 'every reply is in the log: paging has no holes');
  assert.deepEqual(shown(s), [1, 3, 4]);
  assert.deepEqual(fresh.map((m) => m.seq), [1, 3, 4], 'a reply kept in its thread is not announced as a channel message');
  const ch = s.channels.get('c1');
  assert.equal(ch.unread, 2, 'the reply without also is not unread in the channel');
  assert.equal(ch.mentions, 1, 'the also reply mentions me in the channel');
  assert.equal(ch.last_seq, 4);
  assert.deepEqual([item(s, 2).parent, item(s, 2).also, item(s, 3).also], [1, undefined, true]);
});

test('a root takes its summary from a history page as it is; later replies add to it', () => {
  const { s, events } = store();
  // The page is current: seq 5 and 6 are replies it already counts.
  s.addHistory('c1', [
    msg(1, 'ana', 'Lunch at 12?', 0, { thread: { replies: 2, last: at(6), people: ['ben', 'cleo', 'ben', 7] } }),
    msg(5, 'ben', 'Yes', 5, { parent: 1 }),
    msg(6, 'cleo', 'Sure', 6, { parent: 1 }),
  ], 50);
  assert.deepEqual(item(s, 1).thread, { replies: 2, last: T0 + 6 * 60000, people: ['ben', 'cleo'] });
  assert.equal(events.filter((e) => e[0] === 'reply').length, 0, 'a history page changes no summary and tells nothing');
  // The same replies again by sync (a reconnect) are not counted twice.
  s.addMessages('c1', [msg(6, 'cleo', 'Sure', 6, { parent: 1 })]);
  assert.equal(item(s, 1).thread.replies, 2);
  const v = item(s, 1).v;
  s.addMessages('c1', [msg(7, 'ana', 'Great', 8, { parent: 1 })]);
  assert.deepEqual({ ...item(s, 1).thread, seen: undefined }, { replies: 3, last: T0 + 8 * 60000, people: ['ben', 'cleo', 'ana'], seen: undefined });
  assert.ok(item(s, 1).v > v, 'the root re-renders');
  assert.deepEqual(events.filter((e) => e[0] === 'reply'), [['reply', 'c1', 7]]);
  // A reply in the same millisecond as the last is still counted once a live one was.
  s.addMessages('c1', [msg(8, 'ben', 'Same minute', 8, { parent: 1 })]);
  assert.equal(item(s, 1).thread.replies, 4);
  // Deleted live: one less; deleting again changes nothing.
  s.addMessages('c1', [{ channel: 'c1', seq: 9, id: 'd', from: 'ben', text: '', ts: at(9), kind: 'delete', ref: 8 }]);
  assert.equal(item(s, 1).thread.replies, 3);
  assert.equal(item(s, 8).deleted, true);
  s.addMessages('c1', [{ channel: 'c1', seq: 10, id: 'd2', from: 'ben', text: '', ts: at(9), kind: 'delete', ref: 8 }]);
  assert.equal(item(s, 1).thread.replies, 3);
  // A root without a summary starts one with its first live reply.
  s.addMessages('c1', [msg(11, 'ben', 'New topic', 10), msg(12, 'cleo', 'Answer', 11, { parent: 11 })]);
  assert.deepEqual({ ...item(s, 11).thread }, { replies: 1, last: T0 + 11 * 60000, people: ['cleo'], seen: 12 });
});

test('pure helpers: threadOf, bump, unbump, repliesOf, rootReached', () => {
  assert.equal(threadOf({}), null);
  assert.equal(threadOf({ thread: { replies: 0, last: at(0), people: [] } }), null);
  assert.equal(threadOf({ thread: 'x' }), null);
  const root = { seq: 1, from: 'ana', ts: T0, v: 0, thread: null };
  assert.equal(bump(root, { seq: 2, from: 'ben', ts: T0 + 1 }), true);
  assert.equal(bump(root, { seq: 2, from: 'ben', ts: T0 + 1 }), false, 'the same reply twice');
  assert.equal(root.thread.replies, 1);
  assert.equal(unbump(root), true);
  assert.equal(root.thread, undefined);
  assert.equal(unbump(root), false);
  const items = [{ seq: 1 }, { seq: 2, parent: 1 }, { seq: 3 }, { seq: 4, parent: 1, kind: 'edit' }, { seq: 5, parent: 3 }, { seq: 6, parent: 1, also: true }];
  assert.deepEqual(repliesOf(items, 1).map((m) => m.seq), [2, 6]);
  assert.deepEqual(repliesOf(items, 3).map((m) => m.seq), [5]);
  assert.equal(rootReached({ items, complete: false }, 1), true);
  assert.equal(rootReached({ items: items.slice(2), complete: false }, 1), false);
  assert.equal(rootReached({ items: [], complete: true }, 1), true);
});

test('a reply waits in the outbox with its root and also, in the thread, not in the channel', () => {
  const { s, mem } = store();
  const p = s.queue('c1', 'On it', [], { parent: 1 });
  const q = s.queue('c1', 'Done', [], { parent: 1, also: true });
  s.queue('c1', 'Plain');
  assert.deepEqual([p.parent, p.also, q.parent, q.also], [1, undefined, 1, true]);
  assert.deepEqual(s.pendingFor('c1').map((x) => x.text), ['Done', 'Plain'], 'the channel shows the also reply and the plain message');
  assert.deepEqual(s.pendingReplies('c1', 1).map((x) => x.text), ['On it', 'Done']);
  // Across a reload; a malformed reply entry is not taken back.
  const again = new Store({ getItem: (k) => mem.get(k) ?? null, setItem: (k, v) => mem.set(k, v) });
  again.setMe({ user: { name: 'ana' }, policy: { version: 1 } });
  assert.deepEqual(again.outbox.map((x) => [x.text, x.parent, x.also]), [['On it', 1, undefined], ['Done', 1, true], ['Plain', undefined, undefined]]);
  mem.set('inhouse.outbox.ana', JSON.stringify([
    { id: 'a', channel: 'c1', text: 'x', parent: '1' }, { id: 'b', channel: 'c1', text: 'x', also: true },
    { id: 'c', channel: 'c1', text: 'x', parent: 1, also: 'yes' }, { id: 'd', channel: 'c1', text: 'x', parent: 2, also: true },
  ]));
  again.setMe({ user: { name: 'ana' }, policy: { version: 1 } });
  assert.deepEqual(again.outbox.map((x) => x.id), ['d']);
  // The ack stores it as a reply: the root counts it at once, the channel does not show it.
  s.addMessages('c1', [msg(1, 'ben', 'Who takes the invoice?', 0)]);
  s.ack({ type: 'ack', id: p.id, channel: 'c1', seq: 2, ts: at(1) });
  assert.equal(item(s, 2).parent, 1);
  assert.equal(item(s, 1).thread.replies, 1);
  assert.deepEqual(shown(s), [1]);
  assert.equal(s.channels.get('c1').unread, 1, 'only Ben\'s root');
  // Its own message frame after the ack changes nothing.
  s.addMessages('c1', [msg(2, 'ana', 'On it', 1, { parent: 1 })]);
  assert.equal(item(s, 1).thread.replies, 1);
});

test('the Threads view: fetched as it is, live replies counted once, one\'s own not unread, reading clears', () => {
  const { s, events } = store();
  s.setThreads([
    { channel: 'c1', seq: 1, message: { seq: 1, from: 'ana', text: 'Lunch?' }, replies: 2, last: at(6), unread: 1 },
    { channel: 'c1', seq: 20, message: { seq: 20, from: 'ben', text: 'Old' }, replies: 1, last: at(1), unread: 0 },
    { channel: 'gone', seq: 3, replies: 1, last: at(9), unread: 4 },
    { channel: 'c1', seq: 'x' }, null,
  ]);
  const has = (c) => s.channels.has(c);
  assert.equal(s.followed.unread(has), 1, 'channels one is not in do not count');
  assert.deepEqual(s.followed.list(has).map((t) => t.seq), [1, 20]);
  // A reply the fetch already counted (not after its last) changes nothing.
  s.addMessages('c1', [msg(6, 'ben', 'Yes', 6, { parent: 1 })]);
  assert.equal(s.followed.unread(has), 1);
  s.addMessages('c1', [msg(30, 'cleo', 'Also yes', 30, { parent: 1 })]);
  assert.equal(s.followed.get('c1', 1).unread, 2);
  assert.equal(s.followed.get('c1', 1).replies, 3);
  s.addMessages('c1', [msg(31, 'ana', 'Good', 31, { parent: 1 })]);
  assert.equal(s.followed.get('c1', 1).unread, 2, 'my own reply is not unread');
  // A newer reply in the older thread puts it first only while it is unread.
  s.addMessages('c1', [msg(32, 'ben', 'Bump', 32, { parent: 20 })]);
  assert.deepEqual(s.followed.list(has).map((t) => [t.seq, t.unread]), [[20, 1], [1, 2]]);
  s.threadRead('c1', 20);
  assert.deepEqual(s.followed.list(has).map((t) => [t.seq, t.unread]), [[1, 2], [20, 0]]);
  assert.ok(events.some((e) => e[0] === 'threads'));
  assert.equal(s.followed.unread(has), 2);
});

test('following a thread not listed yet: one wrote the root, a reply, or was mentioned', () => {
  const { s } = store();
  s.setThreads([]);
  s.addMessages('c1', [msg(1, 'ben', 'Plan?', 0), msg(2, 'cleo', 'Idea', 1, { parent: 1 })]);
  assert.equal(s.followed.get('c1', 1), null, 'Ben\'s root and Cleo\'s reply: not mine');
  s.addMessages('c1', [msg(3, 'cleo', 'what do you think @ana', 2, { parent: 1 })]);
  assert.deepEqual({ ...s.followed.get('c1', 1), message: null }, { channel: 'c1', seq: 1, message: null, replies: 1, last: T0 + 2 * 60000, unread: 1, seen: 3 });
  assert.equal(s.followed.get('c1', 1).message ? s.followed.get('c1', 1).message.text : '', 'Plan?');
  s.addMessages('c1', [msg(4, 'ana', 'Mine', 3), msg(5, 'ben', 'Re', 4, { parent: 4 })]);
  assert.equal(s.followed.get('c1', 4).unread, 1, 'a reply to my message');
  const r = new Followed();
  assert.equal(r.reply('c1', { seq: 9, parent: 8, from: 'ana', text: 'me', ts: 1 }, null, 'ana'), 'new');
  assert.equal(r.get('c1', 8).unread, 0);
  assert.equal(r.reply('c1', { seq: 10, parent: 8, from: 'ben', text: '', ts: 2 }, null, 'ana'), 'counted');
  assert.equal(r.reply('c1', { seq: 10, parent: 8, from: 'ben', text: '', ts: 2 }, null, 'ana'), '');
  assert.equal(r.reply('c1', { seq: 12, parent: 11, from: 'ben', text: '', ts: 2 }, { seq: 11, from: 'cleo', ts: 1, thread: { people: ['ana'] } }, 'ana'), 'new', 'I replied before');
});

test('the words under a root: "3 replies · last 14:02 · Ana, Ben"', () => {
  const day = (ts, now) => (new Date(ts).getUTCDate() === new Date(now).getUTCDate() ? 'Today' : new Date(ts).getUTCDate() === new Date(now).getUTCDate() - 1 ? 'Yesterday' : 'Tuesday 10 March');
  const time = (ts) => new Date(ts).toISOString().slice(11, 16);
  const display = (n) => ({ ana: 'Ana', ben: 'Ben', cleo: 'Cleo' })[n] || n;
  const now = Date.parse('2026-03-14T18:00:00Z');
  const last = Date.parse('2026-03-14T14:02:00Z');
  assert.equal(summaryText({ replies: 3, last, people: ['ana', 'ben'] }, { display, dayLabel: day, timeLabel: time, now }), '3 replies · last 14:02 · Ana, Ben');
  assert.equal(summaryText({ replies: 1, last, people: ['cleo'] }, { display, dayLabel: day, timeLabel: time, now }), '1 reply · last 14:02 · Cleo');
  assert.equal(lastLabel(last - 86400000, day, time, now), 'yesterday 14:02');
  assert.equal(lastLabel(last - 4 * 86400000, day, time, now), 'Tuesday 10 March 14:02');
  assert.equal(peopleLabel(['ana', 'ben', 'cleo', 'dan', 'eve'], display), 'Ana, Ben, Cleo and 2 more');
  assert.equal(repliesLabel(0), '0 replies');
});
