// node --test server/e2e/  — issue 16, "the first hour": the pure logic
// behind the sign-out notices, reading on open, the length limit told in
// characters, folding long messages and the policy's "has changed".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Store } from '../../assets/web/store.js';
import { Protocol, signedOutNotice } from '../../assets/web/protocol.js';
import { limitNote, overBy, charsLeft, chars, isLong } from '../../assets/web/text.js';
import { policyChanged } from '../../assets/web/view/gate.js';

const ME = { user: { name: 'ana', display: 'Ana' }, policy: { version: 1, accepted: true }, office: 'Office', csrf: 't' };

function world(answer = ME) {
  const store = new Store(null);
  store.setMe(ME);
  store.setChannels([{ id: 'c1', name: 'general', kind: 'public', members: ['ana'], last_seq: 300, unread: 300 }]);
  const w = { store, sent: [], told: [], open: false };
  w.p = new Protocol({
    store,
    api: { async me() { return answer; }, async users() { return []; }, async channels() { return []; } },
    send: (f) => { if (!w.open) return false; w.sent.push(f); return true; },
    later: () => {},
    ui: { signedOut: (...a) => w.told.push(['signedOut', ...a]), needPolicy: (me) => w.told.push(['needPolicy', me]) },
  });
  return w;
}

test('each reason the server closes with has its sentence; a role change has none', () => {
  assert.equal(signedOutNotice('account disabled'), 'Your account was disabled by the office manager.');
  assert.equal(signedOutNotice('password reset'), 'You were signed out by the office manager.');
  assert.equal(signedOutNotice('signed out by the office manager'), 'You were signed out by the office manager.');
  assert.equal(signedOutNotice('password changed'), 'Your password was changed. Sign in with the new one.');
  assert.equal(signedOutNotice('signed out'), 'You signed out.');
  assert.equal(signedOutNotice('role changed'), '');
  assert.equal(signedOutNotice('toString'), '', 'only the reasons themselves');
});

test('a 1008 close that ends the session hands its reason to the sign-in page', async () => {
  const w = world(null);
  await w.p.closed(1008, true, 'account disabled');
  assert.deepEqual(w.told, [['signedOut', 'Your account was disabled by the office manager.']]);
  // A refused upgrade (no reason) after the session ended: a plain sign-in.
  const v = world(null);
  await v.p.closed(1006, false, '');
  assert.deepEqual(v.told, [['signedOut', '']]);
  // A role change: still signed in, nothing to tell.
  const r = world(ME);
  await r.p.closed(1008, true, 'role changed');
  assert.deepEqual(r.told, []);
  assert.equal(r.p.stopped, false);
});

test('reading while the socket is down changes nothing, so it is read again once connected', () => {
  const w = world();
  w.p.read('c1');
  assert.equal(w.store.channels.get('c1').unread, 300, 'the count stays until the server can hear it');
  w.open = true;
  w.p.read('c1');
  assert.deepEqual(w.sent, [{ type: 'read', channel: 'c1', seq: 300 }]);
  assert.equal(w.store.channels.get('c1').unread, 0);
  w.p.read('c1');
  assert.equal(w.sent.length, 1, 'once per change');
});

test('the length limit is told in characters; the byte limit stays the check', () => {
  assert.equal(chars('👍🏽é'), 2, 'an emoji with its skin tone is one character');
  assert.equal(limitNote('a'.repeat(10), 100), '');
  assert.equal(limitNote('a'.repeat(95), 100), '5 characters left');
  assert.equal(limitNote('a'.repeat(99), 100), '1 character left');
  assert.equal(limitNote('a'.repeat(103), 100), 'Too long by 3 characters');
  // Cyrillic takes two bytes a letter: 60 letters are 120 bytes, 10 too many.
  assert.equal(overBy('д'.repeat(60), 100), 10);
  assert.equal(limitNote('д'.repeat(60), 100), 'Too long by 10 characters');
  assert.equal(charsLeft('д'.repeat(46), 100), 4, 'left is counted in letters like those typed');
  assert.equal(limitNote('д'.repeat(46), 100), '4 characters left');
  // One emoji over: one character, not eight bytes.
  assert.equal(limitNote('a'.repeat(96) + '👍🏽', 100), 'Too long by 1 character');
});

test('long messages fold: more than 20 lines or 2,000 characters', () => {
  assert.equal(isLong('short'), false);
  assert.equal(isLong(Array(20).fill('line').join('\n')), false);
  assert.equal(isLong(Array(21).fill('line').join('\n')), true);
  assert.equal(isLong('x'.repeat(2000)), false);
  assert.equal(isLong('x'.repeat(2001)), true);
  assert.equal(isLong('👍🏽'.repeat(1000)), false, '1,000 characters, whatever their length in code units');
});

test('"the policy has changed" only for people who accepted an older version', () => {
  // With the server's accepted_version (0: never accepted).
  assert.equal(policyChanged({ version: 2, accepted: false, accepted_version: 0 }, 0), false);
  assert.equal(policyChanged({ version: 2, accepted: false, accepted_version: 1 }, 0), true);
  // Without it: what this browser last saw accepted.
  assert.equal(policyChanged({ version: 2, accepted: false }, 0), false, 'a new employee');
  assert.equal(policyChanged({ version: 2, accepted: false }, 1), true);
  assert.equal(policyChanged({ version: 2, accepted: false }, 2), false);
});
