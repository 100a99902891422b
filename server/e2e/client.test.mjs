// node --test server/e2e/  — the pure client logic: text runs and the store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenize, safeHref, mentions } from '../../assets/web/text.js';
import { Store, insertBySeq } from '../../assets/web/store.js';

test('links: http and https only, trailing punctuation dropped', () => {
  const runs = tokenize('see https://example.org/a_(b). and javascript:alert(1) or http://x.test/?q=<c>', () => true);
  assert.deepEqual(runs.filter((r) => r.type === 'link').map((r) => r.text), ['https://example.org/a_(b)', 'http://x.test/?q=']);
  assert.equal(safeHref('javascript:alert(1)'), null);
  assert.equal(safeHref('data:text/html,x'), null);
});

test('markup stays text', () => {
  const runs = tokenize('<img src=x onerror=alert(1)>', () => true);
  assert.deepEqual(runs, [{ type: 'text', text: '<img src=x onerror=alert(1)>' }]);
});

test('mentions: known people only, not e-mail addresses', () => {
  const known = (n) => n === 'ana';
  assert.ok(mentions('@ana thanks', 'ana'));
  assert.ok(mentions('thanks @Ana.', 'ana'));
  assert.ok(!mentions('mail ana@ana.org', 'ana'));
  assert.deepEqual(tokenize('@bob hi', known), [{ type: 'text', text: '@bob hi' }]);
});

test('messages are kept once each, in seq order', () => {
  const items = [];
  for (const s of [3, 1, 2, 3, 1]) insertBySeq(items, { seq: s });
  assert.deepEqual(items.map((m) => m.seq), [1, 2, 3]);
});

function store() {
  const mem = new Map();
  const s = new Store({ getItem: (k) => mem.get(k) ?? null, setItem: (k, v) => mem.set(k, v) });
  s.setMe({ user: { name: 'ana', display: 'Ana' }, policy: { version: 1 }, office: 'Office' });
  s.setUsers([{ name: 'ana', display: 'Ana' }, { name: 'ben', display: 'Ben' }]);
  s.setChannels([{ id: 'c1', name: 'general', kind: 'public', members: ['ana', 'ben'], last_seq: 2, unread: 1 }]);
  return { s, mem };
}

test('unread counts, mentions and reads', () => {
  const { s } = store();
  s.addMessages('c1', [{ seq: 3, id: 'x', from: 'ben', text: 'hi @ana', ts: new Date().toISOString() }]);
  const ch = s.channels.get('c1');
  assert.equal(ch.unread, 2);
  assert.equal(ch.mentions, 1);
  s.addMessages('c1', [{ seq: 3, id: 'x', from: 'ben', text: 'hi @ana', ts: new Date().toISOString() }]);
  assert.equal(ch.unread, 2, 'a duplicate frame does not count');
  assert.equal(s.markRead('c1'), 3);
  assert.equal(ch.unread, 0);
  assert.deepEqual(s.syncPoints(), { c1: 3 });
});

test('the outbox survives a reload and clears on ack or own message', () => {
  const { s, mem } = store();
  const p = s.queue('c1', 'hello');
  const again = new Store({ getItem: (k) => mem.get(k) ?? null, setItem: (k, v) => mem.set(k, v) });
  again.setMe({ user: { name: 'ana' } });
  assert.deepEqual(again.outbox.map((x) => x.id), [p.id]);
  s.ack({ id: p.id, channel: 'c1', seq: 3, ts: new Date().toISOString() });
  assert.equal(s.outbox.length, 0);
  assert.equal(s.log('c1').items.at(-1).text, 'hello');
  const q = s.queue('c1', 'again');
  s.addMessages('c1', [{ seq: 4, id: q.id, from: 'ana', text: 'again', ts: new Date().toISOString() }]);
  assert.equal(s.outbox.length, 0, 'the message frame also settles it');
  assert.equal(s.channels.get('c1').unread, 1, 'own messages are not unread');
});

test('edits and deletes apply to their message and are not counted', () => {
  const { s } = store();
  const ts = new Date().toISOString();
  s.addMessages('c1', [{ seq: 3, id: 'a', from: 'ben', text: 'one', ts }]);
  s.addMessages('c1', [{ seq: 4, id: 'b', from: 'ben', text: 'two', ts, kind: 'edit', ref: 3 }]);
  const items = s.log('c1').items;
  assert.equal(items[0].text, 'two');
  assert.ok(items[0].edited);
  assert.equal(s.channels.get('c1').unread, 2);
  s.addMessages('c1', [{ seq: 5, id: 'c', from: 'ben', ts, kind: 'delete', ref: 3 }]);
  assert.ok(items[0].deleted);
});
