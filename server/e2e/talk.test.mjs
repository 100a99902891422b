// node --test server/e2e/  — mentions, groups, the channel menu's rules and
// search filters in the client's pure logic (docs/conversation.md,
// docs/search.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mentionQuery, candidates, insertMention, mayMentionAll, everyoneIn, confirmCount, quality } from '../../assets/web/mentions.js';
import { Store, groupLabel, notifyWanted } from '../../assets/web/store.js';
import { highlight, matchesWord, mentionsMe } from '../../assets/web/text.js';
import { parseQuery, filtered } from '../../assets/web/view/search.js';

const users = new Map([
  ['ana', { name: 'ana', display: 'Ana', status: 'online' }],
  ['ben', { name: 'ben', display: 'Ben Ode', status: 'offline' }],
  ['bea', { name: 'bea', display: 'Beatriz', status: 'online' }],
  ['cleo', { name: 'cleo', display: 'Cleo Bennett', status: 'online' }],
  ['jose', { name: 'jose', display: 'José Luis', status: 'away' }],
  ['dan', { name: 'dan', display: 'Dan', status: 'online' }],
]);
const names = (list) => list.map((x) => x.name);

test('the @word at the caret: not inside words or e-mail addresses', () => {
  assert.deepEqual(mentionQuery('@'), { start: 0, query: '' });
  assert.deepEqual(mentionQuery('thanks @be'), { start: 7, query: 'be' });
  assert.deepEqual(mentionQuery('(@Zoë'), { start: 1, query: 'Zoë' });
  assert.deepEqual(mentionQuery('hi @ben and more', 7), { start: 3, query: 'ben' });
  assert.equal(mentionQuery('mail ana@exam'), null);
  assert.equal(mentionQuery('@ben '), null, 'a space ends it');
  assert.equal(mentionQuery('no at sign'), null);
});

test('suggestions: people of the conversation first, then everyone, by user or display name', () => {
  const opts = { users, members: ['ana', 'ben', 'dan'], me: 'ana', mayAll: false };
  // "be": ben (member) first; then the others whose names start with it,
  // then a later word of a display name (Cleo Bennett).
  assert.deepEqual(names(candidates('be', opts)), ['ben', 'bea', 'cleo']);
  // By display name, accents folded; never oneself.
  assert.deepEqual(names(candidates('jos', opts)), ['jose']);
  assert.deepEqual(names(candidates('luis', opts)), ['jose']);
  assert.deepEqual(names(candidates('ana', opts)), []);
  // Empty: the members (online first), then everyone else (online first).
  assert.deepEqual(names(candidates('', opts)), ['dan', 'ben', 'bea', 'cleo', 'jose']);
  assert.equal(candidates('', { ...opts, limit: 2 }).length, 2);
  // Who is outside the conversation is said so.
  const c = candidates('cl', opts)[0];
  assert.equal(c.member, false);
  assert.equal(quality('ode', 'ben', 'Ben Ode'), 1);
  assert.equal(quality('en o', 'ben', 'Ben Ode'), 2);
  assert.equal(quality('xyz', 'ben', 'Ben Ode'), -1);
});

test('@here and @channel: suggested only to whom the office lets use them, never in direct conversations', () => {
  assert.equal(mayMentionAll('everyone', 'member'), true);
  assert.equal(mayMentionAll('admins', 'member'), false);
  assert.equal(mayMentionAll('admins', 'admin'), true);
  const opts = { users, members: ['ana', 'ben'], me: 'ana' };
  assert.deepEqual(names(candidates('h', { ...opts, mayAll: true })), ['here']);
  assert.deepEqual(names(candidates('ch', { ...opts, mayAll: true })), ['channel']);
  assert.deepEqual(names(candidates('h', { ...opts, mayAll: false })), []);
  assert.deepEqual(names(candidates('h', { ...opts, mayAll: true, direct: true })), []);
  // After the conversation's people, before everyone else.
  assert.deepEqual(names(candidates('', { ...opts, mayAll: true })), ['ben', 'channel', 'here', 'bea', 'cleo', 'dan', 'jose']);
});

test('choosing a suggestion puts @name and a space where the @word was', () => {
  assert.deepEqual(insertMention('@be', 0, 3, 'ben'), { value: '@ben ', caret: 5 });
  assert.deepEqual(insertMention('hi @be, ok', 3, 6, 'ben'), { value: 'hi @ben , ok', caret: 8 });
  assert.deepEqual(insertMention('hi @b there', 3, 5, 'ben'), { value: 'hi @ben there', caret: 8 });
});

test('notifying everyone: which word, and when to ask "Notify all N people?"', () => {
  assert.equal(everyoneIn('@channel lunch!'), 'channel');
  assert.equal(everyoneIn('quick one @here.'), 'here');
  assert.equal(everyoneIn('@here and @channel'), 'channel');
  assert.equal(everyoneIn('mail x@here.com'), '');
  assert.equal(everyoneIn('@channels'), '');
  const big = { kind: 'public', name: 'general', members: Array.from({ length: 21 }, (_, i) => `p${i}`) };
  const small = { ...big, members: big.members.slice(0, 20) };
  assert.equal(confirmCount('@channel lunch', big, 20), 20, 'everyone but oneself');
  assert.equal(confirmCount('@here lunch', big, 20), 20);
  assert.equal(confirmCount('@channel lunch', small, 20), 0, 'not above the limit');
  assert.equal(confirmCount('lunch', big, 20), 0);
  assert.equal(confirmCount('@channel', big, 0), 0, 'no limit, no question');
});

test('mentions count apart from unread, @here and @channel too, and a muted channel counts only them', () => {
  const s = new Store(null);
  s.setMe({ user: { name: 'ana' }, policy: { version: 1 }, mention_all_by: 'admins', mention_confirm_above: 12 });
  assert.equal(s.mentionAllBy, 'admins');
  assert.equal(s.confirmAbove, 12);
  s.setUsers([...users.values()]);
  s.setChannels([
    { id: 'c1', name: 'general', kind: 'public', members: ['ana', 'ben'], last_seq: 0, unread: 0, muted: true, notify: 'all' },
    { id: 'c2', name: 'sales', kind: 'public', members: ['ana', 'ben'], last_seq: 0, unread: 0 },
  ]);
  const ts = new Date().toISOString();
  s.addMessages('c1', [{ seq: 1, id: 'a', from: 'ben', text: 'hello', ts }, { seq: 2, id: 'b', from: 'ben', text: '@here stand-up', ts },
    { seq: 3, id: 'c', from: 'ben', text: '@ana see this', ts }]);
  s.addMessages('c2', [{ seq: 1, id: 'd', from: 'ben', text: 'hi', ts }]);
  assert.equal(s.channels.get('c1').unread, 3);
  assert.equal(s.channels.get('c1').mentions, 2);
  assert.equal(s.totalUnread(), 2 + 1, 'the muted channel adds its mentions only');
  assert.ok(mentionsMe('@channel lunch', 'ana'));
  assert.ok(!mentionsMe('@ben lunch', 'ana'));
});

test('desktop notifications follow the level; mentions notify even when muted', () => {
  const ch = (notify, muted = false) => ({ kind: 'public', notify, muted });
  assert.equal(notifyWanted(ch('all'), 'hello', 'ana'), true);
  assert.equal(notifyWanted(ch('mentions'), 'hello', 'ana'), false);
  assert.equal(notifyWanted(ch('mentions'), '@ana hello', 'ana'), true);
  assert.equal(notifyWanted(ch('mentions'), '@here hello', 'ana'), true);
  assert.equal(notifyWanted(ch('none'), '@ana hello', 'ana'), false);
  assert.equal(notifyWanted(ch('all', true), 'hello', 'ana'), false);
  assert.equal(notifyWanted(ch('all', true), '@ana hello', 'ana'), true);
  assert.equal(notifyWanted(ch('mentions', true), '@channel hello', 'ana'), true);
  assert.equal(notifyWanted({ kind: 'direct' }, 'hello', 'ana'), true, 'the default level is all');
  assert.equal(notifyWanted(undefined, 'hello', 'ana'), false);
});

test('a group is named by its other people, in order; a pair by the other person', () => {
  assert.equal(groupLabel(['Cleo', 'Ben']), 'Ben and Cleo');
  assert.equal(groupLabel(['Dan', 'Ben', 'Cleo']), 'Ben, Cleo and Dan');
  const s = new Store(null);
  s.setMe({ user: { name: 'ana' }, policy: { version: 1 } });
  s.setUsers([...users.values()]);
  const group = { id: 'd1', kind: 'direct', name: 'ana,ben,cleo', members: ['ana', 'ben', 'cleo'], last_seq: 0, unread: 0 };
  const pair = { id: 'd2', kind: 'direct', name: 'ana,ben', members: ['ana', 'ben'], last_seq: 0, unread: 0 };
  assert.equal(s.label(group), 'Ben Ode and Cleo Bennett', 'display names, never the raw name');
  assert.equal(s.isGroup(group), true);
  assert.deepEqual(s.others(group), ['ben', 'cleo']);
  assert.equal(s.label(pair), 'Ben Ode');
  assert.equal(s.isGroup(pair), false);
  assert.equal(s.isGroup({ kind: 'public', name: 'x', members: ['a', 'b', 'c'] }), false);
  // Without members (an old channel object), the name lists them.
  assert.equal(s.label({ kind: 'direct', name: 'ana,ben,dan' }), 'Ben Ode and Dan');
});

test('search filters become the API parameters (docs/search.md)', () => {
  const channels = new Map([
    ['c1', { id: 'c1', name: 'General', kind: 'public', members: ['ana', 'ben'] }],
    ['d1', { id: 'd1', name: 'ana,ben', kind: 'direct', members: ['ana', 'ben'] }],
  ]);
  const f = parseQuery('printer in:#general from:Ben has:link has:file is:pinned after:2026-03-01 before:2026-03-31 jam', users, channels);
  assert.deepEqual(f, { q: 'printer jam', channel: 'c1', from: 'ben', has: ['link', 'file'], is: 'pinned', since: '2026-03-01', until: '2026-03-31', error: '' });
  assert.equal(parseQuery('in:general', users, channels).channel, 'c1');
  assert.equal(parseQuery('in:@ben', users, channels).channel, 'd1', 'a direct conversation by the person');
  assert.deepEqual(parseQuery('x has:LINK has:link', users, channels).has, ['link']);
  assert.equal(parseQuery('x since:2026-01-02 until:2026-02-03', users, channels).since, '2026-01-02');
  assert.match(parseQuery('in:#nowhere x', users, channels).error, /not in a channel called #nowhere/);
  assert.match(parseQuery('has:image', users, channels).error, /has:link or has:file/);
  assert.match(parseQuery('is:starred', users, channels).error, /is:pinned/);
  // Filters alone are a search; nothing at all is not.
  assert.equal(filtered(parseQuery('is:pinned', users, channels)), true);
  assert.equal(filtered(parseQuery('   ', users, channels)), false);
  // A word that only looks like a filter stays a word.
  assert.equal(parseQuery('note: call at:3', users, channels).q, 'note: call at:3');
});

test('highlighting follows the index: whole words, and word starts from 3 characters', () => {
  assert.ok(matchesWord('printer', 'print'));
  assert.ok(matchesWord('pr', 'pr'));
  assert.ok(!matchesWord('printer', 'pr'), 'a 2-character query word matches whole words only');
  assert.ok(!matchesWord('reprint', 'print'), 'starts, not insides');
  assert.deepEqual(highlight('The printer prints; reprint it. PRINTERS!', 'print'), [
    { text: 'The ', mark: false }, { text: 'printer', mark: true }, { text: ' ', mark: false }, { text: 'prints', mark: true },
    { text: '; reprint it. ', mark: false }, { text: 'PRINTERS', mark: true }, { text: '!', mark: false }]);
  assert.deepEqual(highlight('at attic', 'at'), [{ text: 'at', mark: true }, { text: ' attic', mark: false }]);
  // Characters, not bytes: "日本" is two.
  assert.deepEqual(highlight('日本語', '日本'), [{ text: '日本語', mark: false }]);
  assert.deepEqual(highlight('Zürich Züge', 'zür'), [{ text: 'Zürich', mark: true }, { text: ' Züge', mark: false }]);
});
