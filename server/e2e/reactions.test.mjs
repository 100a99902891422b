// node --test server/e2e/  — reactions, pins, saved messages and message
// links in the client's pure logic (docs/conversation.md): the emoji list and
// its search, recent reactions, how reaction and pin records change their
// message (live and synced, never from a history page), and the link format.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Store } from '../../assets/web/store.js';
import {
  GROUPS, QUICK, emojiList, words, matches, searchEmoji, recentFirst, recentEntries, remember, readRecent, writeRecent, RECENT_MAX,
} from '../../assets/web/emoji.js';
import {
  applyRecord, reactionsOf, shownReactions, shownPinned, toggleKind, pendingFor, recordFrame, whoReacted, SavedSet, isRecordKind,
} from '../../assets/web/reactions.js';
import { messageLink, parseMessageLink } from '../../assets/web/links.js';

const ts = new Date().toISOString();
const raw = JSON.parse(readFileSync(new URL('../../assets/web/emoji.json', import.meta.url), 'utf8'));
const list = emojiList(raw);

function store({ viewing = false } = {}) {
  const mem = new Map();
  const s = new Store({ getItem: (k) => mem.get(k) ?? null, setItem: (k, v) => mem.set(k, v) });
  s.setMe({ user: { name: 'ana', display: 'Ana' }, policy: { version: 1 }, office: 'Office' });
  s.setUsers([{ name: 'ana', display: 'Ana Ruiz' }, { name: 'ben', display: 'Ben Ode' }, { name: 'cleo', display: 'Cleo' }]);
  s.setChannels([{ id: 'c1', name: 'general', kind: 'public', members: ['ana', 'ben', 'cleo'], last_seq: 3, unread: 0 }]);
  return { s, mem, viewing };
}
const msg = (seq, extra = {}) => ({ channel: 'c1', seq, id: `m${seq}`, from: 'ben', text: `text ${seq}`, ts, ...extra });
const rec = (seq, kind, ref, from, text = '') => ({ channel: 'c1', seq, id: `r${seq}`, from, text, ts, kind, ref });

// ---- the emoji list ----

test('emoji.json names its source and holds fully-qualified emoji without skin tones, in nine groups', () => {
  assert.match(raw.source, /^Unicode emoji-test\.txt \(Emoji \d+\.\d+\) via the npm package unicode-emoji-json 0\.9\.0; names are Unicode CLDR short names$/);
  assert.ok(list.length > 1800, `${list.length} emoji`);
  assert.equal(list.length, raw.emoji.length, 'every row is well formed');
  const groups = new Set(list.map((e) => e.group));
  assert.deepEqual([...groups].sort(), GROUPS.map((g) => g[0]).sort());
  assert.equal(new Set(list.map((e) => e.emoji)).size, list.length, 'each emoji once');
  assert.ok(!list.some((e) => /[\u{1F3FB}-\u{1F3FF}]/u.test(e.emoji)), 'no skin-tone variants');
  // Fully qualified: the heart has its variation selector.
  assert.ok(list.some((e) => e.emoji === '❤️' && e.name === 'red heart'));
  assert.ok(!list.some((e) => e.emoji === '❤'));
  for (const [emoji, name] of QUICK) assert.ok(list.some((e) => e.emoji === emoji && e.name === name), `${emoji} ${name} is in the list`);
  // Compact: one line, no indentation.
  assert.ok(!readFileSync(new URL('../../assets/web/emoji.json', import.meta.url), 'utf8').includes('\n '));
  // The bare array of the contract's example reads the same.
  assert.deepEqual(emojiList(raw.emoji), list);
});

test('search: every word of the query starts a word of the name', () => {
  const find = (q) => searchEmoji(list, q).map((e) => e.emoji);
  assert.deepEqual(find('thumbs'), ['👍', '👎']);
  assert.deepEqual(find('THU up'), ['👍']);
  assert.deepEqual(find('  up   thumbs '), ['👍'], 'any order, any spacing');
  assert.ok(find('grin').includes('😀'));
  assert.ok(find('face grin').includes('😀'));
  assert.ok(!find('rinning').includes('😀'), 'prefixes only, not the middle of a word');
  assert.deepEqual(find('zzzqqq'), []);
  assert.deepEqual(find('👍'), ['👍'], 'the emoji itself');
  assert.equal(find('').length, list.length, 'an empty query shows all');
  assert.deepEqual(words('woman’s hat'), ['woman', 's', 'hat']);
  assert.equal(matches({ emoji: 'x', words: words('flag Japan') }, 'jap fl'), true);
  assert.equal(matches({ emoji: 'x', words: words('flag Japan') }, '!!'), false, 'a query of no words matches nothing');
});

test('recent reactions come first, most recent first; the list remembers 24 at most', () => {
  let recent = [];
  recent = remember(recent, '👍');
  recent = remember(recent, '🎉');
  recent = remember(recent, '👎');
  recent = remember(recent, '👍');
  assert.deepEqual(recent, ['👍', '👎', '🎉']);
  assert.deepEqual(searchEmoji(list, 'thumbs', ['👎']).map((e) => e.emoji), ['👎', '👍']);
  assert.deepEqual(recentFirst([{ emoji: 'a' }, { emoji: 'b' }, { emoji: 'c' }], ['c', 'x', 'b']).map((e) => e.emoji), ['c', 'b', 'a']);
  assert.deepEqual(recentEntries(list, ['🎉', 'not an emoji', '👍']).map((e) => e.name), ['party popper', 'thumbs up']);
  for (let i = 0; i < 40; i++) recent = remember(recent, list[i].emoji);
  assert.equal(recent.length, RECENT_MAX);
  assert.equal(recent[0], list[39].emoji);
  // Kept per person in the storage it is given.
  const mem = new Map();
  const storage = { getItem: (k) => mem.get(k) ?? null, setItem: (k, v) => mem.set(k, v) };
  writeRecent(storage, 'ana', ['👍', '✅']);
  assert.deepEqual(readRecent(storage, 'ana'), ['👍', '✅']);
  assert.deepEqual(readRecent(storage, 'ben'), []);
  mem.set('inhouse.emoji.recent.ana', '{not json');
  assert.deepEqual(readRecent(storage, 'ana'), []);
  mem.set('inhouse.emoji.recent.ana', JSON.stringify(['👍', 7, null, '✅']));
  assert.deepEqual(readRecent(storage, 'ana'), ['👍', '✅']);
  assert.deepEqual(readRecent(null, 'ana'), []);
});

// ---- how records change their message ----

test('a history page is current: its reactions and pins stand, its records are not applied again', () => {
  const { s } = store();
  s.addHistory('c1', [
    msg(1, { reactions: [{ emoji: '👍', people: ['ben', 'cleo'] }, { emoji: '🎉', people: ['ana'] }], pinned: true }),
    rec(2, 'react', 1, 'ben', '👍'),
    rec(3, 'react', 1, 'cleo', '👍'),
    rec(4, 'unreact', 1, 'ana', '✅'),
    rec(5, 'react', 1, 'ana', '🎉'),
    rec(6, 'pin', 1, 'ben'),
    msg(7),
    rec(8, 'unpin', 7, 'ben'), // the page says 7 is not pinned: it was pinned and unpinned before
    rec(9, 'pin', 7, 'ben'),
    rec(10, 'unpin', 7, 'ben'),
  ], 50);
  const items = s.log('c1').items;
  assert.deepEqual(items.map((m) => m.seq), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 'records stay in the log, so paging has no holes');
  const [m1] = items;
  assert.deepEqual(m1.reactions, [{ emoji: '👍', people: ['ben', 'cleo'] }, { emoji: '🎉', people: ['ana'] }]);
  assert.equal(m1.pinned, true);
  assert.equal(m1.v, 0, 'nothing was applied');
  assert.equal(items[6].pinned, undefined);
  assert.equal(items[6].v, 0);
  assert.ok(items.filter((m) => m.kind).every((m) => isRecordKind(m.kind) && m.reactions === undefined), 'records are records, never messages');
});

test('an older history page does not bring back what later records took away', () => {
  const { s } = store();
  // Live: ben reacted to 1 and pinned it at 2 and 3 (before this page was
  // loaded), and took both back at 30 and 31, which arrived live.
  s.addMessages('c1', [msg(29), rec(30, 'unreact', 1, 'ben', '👍'), rec(31, 'unpin', 1, 'ben')]);
  // Then the older page: message 1 as it is now, with the records of then.
  s.addHistory('c1', [msg(1), rec(2, 'react', 1, 'ben', '👍'), rec(3, 'pin', 1, 'ben')], 50);
  const [m1] = s.log('c1').items;
  assert.equal(m1.seq, 1);
  assert.equal(m1.reactions, undefined, 'the page is current: no 👍');
  assert.equal(m1.pinned, undefined, 'and not pinned');
});

test('live and synced records change their message once each; they are never messages, unread or announced', () => {
  const { s } = store();
  s.addHistory('c1', [msg(1), msg(2, { from: 'ana', reactions: [{ emoji: '👀', people: ['ben'] }] }), msg(3)], 3);
  const fresh = [];
  const add = (...frames) => fresh.push(...s.addMessages('c1', frames));
  add(rec(4, 'react', 2, 'cleo', '👍'));
  add(rec(5, 'react', 2, 'ben', '👍'));
  add(rec(6, 'react', 2, 'ben', '👀')); // ben already has it (a snapshot and its record)
  add(rec(5, 'react', 2, 'ben', '👍')); // the same record again (live, then by sync)
  const m2 = s.log('c1').items[1];
  assert.deepEqual(m2.reactions, [{ emoji: '👀', people: ['ben'] }, { emoji: '👍', people: ['cleo', 'ben'] }]);
  add(rec(7, 'unreact', 2, 'ben', '👀'));
  assert.deepEqual(m2.reactions, [{ emoji: '👍', people: ['cleo', 'ben'] }], 'a reaction nobody has any more goes');
  add(rec(8, 'unreact', 2, 'ana', '👍')); // one she does not have
  assert.deepEqual(m2.reactions, [{ emoji: '👍', people: ['cleo', 'ben'] }]);
  add(rec(9, 'pin', 2, 'cleo'));
  assert.equal(m2.pinned, true);
  add(rec(10, 'unpin', 2, 'ben'), rec(11, 'unreact', 2, 'cleo', '👍'), rec(12, 'unreact', 2, 'ben', '👍'));
  assert.equal(m2.pinned, undefined);
  assert.equal(m2.reactions, undefined);
  assert.equal(m2.text, 'text 2', 'the text is untouched');
  assert.deepEqual(fresh, [], 'nothing new to announce or notify');
  const ch = s.channels.get('c1');
  assert.equal(ch.unread, 0, 'records are not unread messages');
  assert.equal(ch.last_seq, 12);
  assert.equal(ch.seen, 12, 'sync starts after them');
  // A record about a message not loaded changes nothing (its page brings the state).
  add(rec(13, 'react', 99, 'ben', '👍'));
  // A message synced with its current state, then its records: the same end.
  add(msg(14, { reactions: [{ emoji: '✅', people: ['ben'] }], pinned: true }), rec(15, 'react', 14, 'ben', '✅'), rec(16, 'pin', 14, 'ben'));
  const m14 = s.log('c1').items.find((m) => m.seq === 14);
  assert.deepEqual(m14.reactions, [{ emoji: '✅', people: ['ben'] }]);
  assert.equal(m14.pinned, true);
});

test('a record of a kind this client does not know changes nothing (it is not a delete)', () => {
  const { s } = store();
  s.addMessages('c1', [msg(4)]);
  s.addMessages('c1', [rec(5, 'something-new', 4, 'ben', 'x')]);
  const [m] = s.log('c1').items;
  assert.equal(m.deleted, undefined);
  assert.equal(m.text, 'text 4');
  assert.equal(s.log('c1').items[1].kind, 'something-new');
  // Edits and deletes still work.
  s.addMessages('c1', [rec(6, 'edit', 4, 'ben', 'changed')]);
  assert.equal(m.text, 'changed');
});

test('reactions of a message object are cleaned: no empty ones, each emoji and person once', () => {
  assert.equal(reactionsOf({}), null);
  assert.equal(reactionsOf({ reactions: [] }), null);
  assert.deepEqual(reactionsOf({ reactions: [
    { emoji: '👍', people: ['ana', 'ana', 'ben', 3] }, { emoji: '👍', people: ['cleo'] }, { emoji: '', people: ['ana'] },
    { emoji: '🎉', people: [] }, null, { emoji: '✅', people: 'ana' }, { emoji: '✅', people: ['ben'] },
  ] }), [{ emoji: '👍', people: ['ana', 'ben'] }, { emoji: '✅', people: ['ben'] }]);
  // Deleted messages and records keep none.
  const m = { seq: 1 };
  assert.equal(applyRecord(m, { kind: 'react', text: '', from: 'ana' }), false, 'no emoji, no reaction');
  assert.equal(applyRecord(m, { kind: 'react', text: '👍', from: '' }), false, 'nobody, no reaction');
});

test('chips: the stored state with one\'s own unsettled changes on top; a click toggles', () => {
  const { s } = store();
  s.addMessages('c1', [msg(4, { reactions: [{ emoji: '👍', people: ['ben', 'ana'] }, { emoji: '🎉', people: ['cleo'] }] })]);
  const [m] = s.log('c1').items;
  let chips = shownReactions(m, pendingFor(s.outbox, 'c1', 4), 'ana');
  assert.deepEqual(chips.map((c) => [c.emoji, c.count, c.mine, c.pending]), [['👍', 2, true, false], ['🎉', 1, false, false]]);
  assert.equal(whoReacted(chips[0], (n) => s.display(n)), 'Ben Ode, Ana Ruiz');
  assert.equal(toggleKind(chips, '👍'), 'unreact');
  assert.equal(toggleKind(chips, '🎉'), 'react');
  assert.equal(toggleKind(chips, '✅'), 'react');
  s.queueRecord('c1', 'unreact', 4, '👍');
  s.queueRecord('c1', 'react', 4, '🎉');
  s.queueRecord('c1', 'react', 4, '✅');
  s.queueRecord('c1', 'react', 5, '🚀'); // another message
  s.queueChange('c1', 'edit', 4, 'edited'); // not a reaction
  chips = shownReactions(m, pendingFor(s.outbox, 'c1', 4), 'ana');
  assert.deepEqual(chips.map((c) => [c.emoji, c.count, c.mine, c.pending]), [['👍', 1, false, true], ['🎉', 2, true, true], ['✅', 1, true, true]]);
  assert.deepEqual(m.reactions, [{ emoji: '👍', people: ['ben', 'ana'] }, { emoji: '🎉', people: ['cleo'] }], 'the message itself waits for the server');
  // Pins the same way.
  assert.equal(shownPinned(m, []), false);
  s.queueRecord('c1', 'pin', 4);
  assert.equal(shownPinned(m, pendingFor(s.outbox, 'c1', 4)), true);
  s.queueRecord('c1', 'unpin', 4);
  assert.equal(shownPinned(m, pendingFor(s.outbox, 'c1', 4)), false);
  assert.deepEqual(recordFrame({ id: 'i', channel: 'c1', kind: 'unpin', ref: 4, text: '' }), { type: 'pin', id: 'i', channel: 'c1', seq: 4, remove: true });
});

test('saved messages: which ones offer Unsave', () => {
  const saved = new SavedSet();
  assert.equal(saved.loaded, false);
  saved.set([{ channel: 'c1', seq: 4 }, { channel: 'c2', seq: 4 }, { channel: 'c1', seq: '5' }, null]);
  assert.equal(saved.loaded, true);
  assert.equal(saved.has('c1', 4), true);
  assert.equal(saved.has('c2', 4), true);
  assert.equal(saved.has('c1', 5), false, 'a malformed entry is left out');
  saved.add('c1', 5);
  saved.remove('c1', 4);
  assert.deepEqual([saved.has('c1', 4), saved.has('c1', 5)], [false, true]);
});

// ---- links to a message ----

test('a message link is the origin, #/m/, the channel and the seq, and reads back', () => {
  assert.equal(messageLink('http://10.0.0.5:8080', 'c4k2', 42), 'http://10.0.0.5:8080/#/m/c4k2/42');
  assert.equal(messageLink('https://chat.office/', 'c4k2', 42), 'https://chat.office/#/m/c4k2/42');
  for (const channel of ['c4k2', 'd9x1-ab_Z', 'a/b c?#%é']) {
    const url = messageLink('https://chat.office', channel, 7);
    assert.deepEqual(parseMessageLink(url), { channel, seq: 7 });
    assert.deepEqual(parseMessageLink(url, 'https://chat.office'), { channel, seq: 7 });
    assert.deepEqual(parseMessageLink(new URL(url).hash), { channel, seq: 7 }, 'the hash alone (location.hash)');
  }
  assert.equal(parseMessageLink('https://elsewhere.example/#/m/c1/7', 'https://chat.office'), null, 'another origin');
  assert.equal(parseMessageLink('https://chat.office/admin/#/m/c1/7'), null, 'another page');
  assert.equal(parseMessageLink('https://chat.office/?x=1#/m/c1/7'), null);
  for (const bad of ['#/c/c1', '#/m/c1', '#/m/c1/0', '#/m/c1/-3', '#/m/c1/4x', '#/m//4', '#/m/%E0%A4%A/4', '#/m/c1/12345678901234567', 'not a url', '', null, undefined, 42]) {
    assert.equal(parseMessageLink(bad), null, String(bad));
  }
});
