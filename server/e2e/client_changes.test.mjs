// node --test server/e2e/  — edits, deletes and search in the client's pure logic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { highlight, searchWords } from '../../assets/web/text.js';
import { Store } from '../../assets/web/store.js';
import { parseQuery } from '../../assets/web/view/search.js';

function store() {
  const mem = new Map();
  const s = new Store({ getItem: (k) => mem.get(k) ?? null, setItem: (k, v) => mem.set(k, v) });
  s.setMe({ user: { name: 'ana', display: 'Ana' }, policy: { version: 1 }, office: 'Office' });
  s.setUsers([{ name: 'ana', display: 'Ana' }, { name: 'ben', display: 'Ben Ode' }]);
  s.setChannels([{ id: 'c1', name: 'general', kind: 'public', members: ['ana', 'ben'], last_seq: 0, unread: 0 }]);
  return { s, mem };
}
const ts = new Date().toISOString();

test('search words split like the index and are marked as words and word starts', () => {
  assert.deepEqual(searchWords('Quarterly  BUDGET, 2026!'), ['quarterly', 'budget', '2026']);
  // docs/search.md: a query word of 3 characters or more also marks the words it starts.
  assert.deepEqual(highlight('The budget; budgets <b>Budget</b> overbudget', 'budget'), [
    { text: 'The ', mark: false }, { text: 'budget', mark: true }, { text: '; ', mark: false }, { text: 'budgets', mark: true },
    { text: ' <b>', mark: false }, { text: 'Budget', mark: true }, { text: '</b> overbudget', mark: false }]);
  assert.deepEqual(highlight('nothing here', ''), [{ text: 'nothing here', mark: false }]);
});

test('search filters come out of the words', () => {
  const users = new Map([['ben', { name: 'ben', display: 'Ben' }]]);
  const none = { q: '', channel: '', from: '', has: [], is: '', since: '', until: '', error: '' };
  assert.deepEqual(parseQuery('invoice from:Ben since:2026-03-01 until:2026-03-31 late', users),
    { ...none, q: 'invoice late', from: 'ben', since: '2026-03-01', until: '2026-03-31' });
  assert.deepEqual(parseQuery('from:@cleo', users), { ...none, from: 'cleo' });
});

test('an edit waits in the outbox, survives a reload and applies on ack', () => {
  const { s, mem } = store();
  s.addMessages('c1', [{ seq: 1, id: 'a', from: 'ana', text: 'lunch at noon', ts }]);
  const p = s.queueChange('c1', 'edit', 1, 'lunch at one');
  assert.equal(s.pendingFor('c1').length, 0, 'an edit is not a new message');
  assert.equal(s.changesFor('c1').get(1), p);
  // A reload keeps it.
  const again = new Store({ getItem: (k) => mem.get(k) ?? null, setItem: (k, v) => mem.set(k, v) });
  again.setMe({ user: { name: 'ana' }, policy: { version: 1 } });
  assert.deepEqual(again.outbox.map((x) => [x.kind, x.ref, x.text]), [['edit', 1, 'lunch at one']]);
  s.ack({ id: p.id, channel: 'c1', seq: 2, ts });
  const items = s.log('c1').items;
  assert.equal(items[0].text, 'lunch at one');
  assert.ok(items[0].edited);
  assert.equal(items[1].kind, 'edit');
  assert.equal(s.outbox.length, 0);
  assert.equal(s.channels.get('c1').unread, 0);
});

test('a delete applies once, whether the ack or the message frame comes first', () => {
  const { s } = store();
  s.addMessages('c1', [{ seq: 1, id: 'a', from: 'ana', text: 'oops', ts }]);
  const p = s.queueChange('c1', 'delete', 1);
  s.addMessages('c1', [{ seq: 2, id: p.id, from: 'ana', kind: 'delete', ref: 1, text: '', ts }]);
  assert.equal(s.outbox.length, 0);
  s.ack({ id: p.id, channel: 'c1', seq: 2, ts });
  const items = s.log('c1').items;
  assert.equal(items.length, 2);
  assert.ok(items[0].deleted);
  assert.equal(items[0].text, '');
});

test('a blocked send keeps its text and its reason, and retry clears them', () => {
  const { s } = store();
  const p = s.queue('c1', 'Project Falcon');
  s.fail(p.id, 'This message was not sent: …', 'blocked');
  assert.equal(s.outbox[0].state, 'failed');
  assert.equal(s.outbox[0].code, 'blocked');
  assert.equal(s.outbox[0].text, 'Project Falcon');
  s.retry(p.id);
  assert.equal(s.outbox[0].code, undefined);
  assert.equal(s.outbox[0].state, 'pending');
});

test('a stored outbox with a malformed change is cleaned', () => {
  const mem = new Map([['inhouse.outbox.ana', JSON.stringify([{ id: 'x', channel: 'c1', text: '', kind: 'delete' }, { id: 'y', channel: 'c1', text: 'hi' }])]]);
  const s = new Store({ getItem: (k) => mem.get(k) ?? null, setItem: (k, v) => mem.set(k, v) });
  s.setMe({ user: { name: 'ana' }, policy: { version: 1 } });
  assert.deepEqual(s.outbox.map((p) => p.id), ['y']);
});
