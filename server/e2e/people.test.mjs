// node --test server/e2e/  — people's pure logic (assets/web/people.js,
// docs/people.md): initials and colours, status lines and quiet time in
// words, the choices of until, working hours, the picture's crop; and the
// store's person frames and quietNow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  hue, HUES, initials, pictureURL, activeNote, quiet, when, noteText, quietLine, said, signature, nextChange,
  noteUntil, dndBody, localInput, defaultHours, checkHours, localNow, hoursText, clampView, centred, zoomAround, cropRect,
} from '../../assets/web/people.js';
import { Store } from '../../assets/web/store.js';

// A fixed local time: Saturday 5 December 2026, 14:00 in the test's zone.
const NOW = new Date(2026, 11, 5, 14, 0).getTime();
const at = (d, h, m = 0) => new Date(2026, 11, d, h, m).getTime();
const iso = (t) => new Date(t).toISOString();

test('initials and their colour', () => {
  assert.equal(initials('Ana Ruiz'), 'AR');
  assert.equal(initials('Ben'), 'B');
  assert.equal(initials('maría josé de la cruz'), 'MC');
  assert.equal(initials('', 'cleo'), 'C');
  assert.equal(initials('  '), '?');
  assert.equal(initials('Émile Zola'), 'ÉZ');
  assert.equal(initials('👩‍💻 Dev'), '👩‍💻D', 'a grapheme, not half of one');
  assert.equal(hue('ana'), hue('ana'));
  const seen = new Set(['ana', 'ben', 'cleo', 'dan', 'eve', 'finn', 'gus', 'hana', 'ivo', 'jo'].map(hue));
  assert.ok(seen.size >= 4, 'names spread over the colours');
  for (const x of seen) assert.ok(x >= 0 && x < HUES);
});

test('the picture address carries its version', () => {
  assert.equal(pictureURL({ name: 'ana', picture: '3f9a' }), '/api/users/ana/picture?v=3f9a');
  assert.equal(pictureURL({ name: 'ana', picture: '' }), '');
  assert.equal(pictureURL({ name: 'a.b', picture: 'x y' }), '/api/users/a.b/picture?v=x%20y');
});

test('a status line stands until its end', () => {
  const u = { note: { emoji: '🦷', text: 'At the dentist', until: iso(at(5, 16)) } };
  assert.equal(activeNote(u, NOW), u.note);
  assert.equal(activeNote(u, at(5, 16)), null, 'ended at its until');
  assert.equal(activeNote({ note: { emoji: '', text: '' } }, NOW), null);
  assert.ok(activeNote({ note: { emoji: '🌴' } }, NOW), 'no until: until cleared');
  assert.equal(noteText(u.note, NOW), `At the dentist until ${when(at(5, 16), NOW)}`);
  assert.equal(noteText({ emoji: '🌴' }, NOW), '🌴');
});

test('when says an instant as near as it is', () => {
  const t = (ts) => new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' }).format(ts);
  assert.equal(when(at(5, 16), NOW), t(at(5, 16)));
  assert.equal(when(at(6, 8), NOW), `tomorrow ${t(at(6, 8))}`);
  assert.match(when(at(8, 8), NOW), /^\S+ /); // a weekday
  assert.ok(!when(at(8, 8), NOW).startsWith('tomorrow'));
  assert.notEqual(when(at(20, 8), NOW), when(at(8, 8), NOW));
});

test('quiet: do-not-disturb, quiet hours, and hours that began since', () => {
  const ana = { name: 'ana', display: 'Ana', quiet: { now: true, until: iso(at(6, 8)), why: 'hours' } };
  assert.deepEqual(quiet(ana, NOW), { until: at(6, 8), why: 'hours' });
  assert.equal(quietLine(ana, NOW), `Ana is not notified until ${when(at(6, 8), NOW)}.`);
  assert.equal(quiet(ana, at(6, 8)), null, 'over at its until');
  const dnd = { name: 'ben', quiet: { now: true, until: iso(at(5, 15)), why: 'dnd' } };
  assert.equal(quiet(dnd, NOW).why, 'dnd');
  assert.equal(quietLine(dnd, NOW), `ben is not notified until ${when(at(5, 15), NOW)}.`);
  const later = { name: 'cleo', display: 'Cleo', quiet: { now: false }, next_quiet: iso(at(5, 17)) };
  assert.equal(quiet(later, NOW), null);
  assert.deepEqual(quiet(later, at(5, 17, 1)), { until: 0, why: 'hours' }, 'quiet hours began');
  assert.equal(quietLine(later, at(5, 17, 1)), 'Cleo is not notified now.');
  assert.equal(quietLine({ name: 'dan', quiet: { now: false } }, NOW), null);
  assert.equal(said({ note: { emoji: '🦷', text: 'Dentist' }, quiet: dnd.quiet }, NOW), `, Dentist, do not disturb, not notified until ${when(at(5, 15), NOW)}`);
  assert.equal(said({}, NOW), '');
});

test('signature changes with what shows beside a name, and nextChange finds when that happens by itself', () => {
  const u = { name: 'ana', display: 'Ana', picture: 'v1' };
  const s = signature(u, NOW);
  assert.equal(signature({ ...u }, NOW), s);
  assert.notEqual(signature({ ...u, picture: 'v2' }, NOW), s);
  assert.notEqual(signature({ ...u, note: { emoji: '🦷' } }, NOW), s);
  assert.notEqual(signature({ ...u, quiet: { now: true, until: iso(at(5, 15)) } }, NOW), s);
  const ended = { ...u, note: { emoji: '🦷', until: iso(at(5, 13)) } };
  assert.equal(signature(ended, NOW), s, 'an ended status shows nothing');
  assert.equal(nextChange([
    { note: { until: iso(at(5, 16)) } },
    { quiet: { now: true, until: iso(at(5, 15)) } },
    { next_quiet: iso(at(5, 18)) },
    { note: { until: iso(at(5, 12)) } }, // past
    {},
  ], NOW), at(5, 15));
  assert.equal(nextChange([{}], NOW), 0);
});

test('the choices of until', () => {
  assert.equal(noteUntil('30m', NOW), NOW + 30 * 60000);
  assert.equal(noteUntil('1h', NOW), NOW + 3600000);
  assert.equal(noteUntil('today', NOW), at(6, 0));
  assert.equal(noteUntil('week', NOW), at(7, 0), 'Saturday: the week ends at the midnight before Monday');
  assert.equal(noteUntil('week', at(7, 10)), at(14, 0), 'a Monday: the next one');
  assert.equal(noteUntil('never', NOW), null);
  assert.equal(noteUntil('time', NOW, '2026-12-05T16:30'), at(5, 16, 30));
  assert.ok(Number.isNaN(noteUntil('time', NOW, '2026-12-05T13:30')), 'in the past');
  assert.ok(Number.isNaN(noteUntil('time', NOW, 'soon')));
  assert.equal(localInput(at(5, 9, 5)), '2026-12-05T09:05');
  assert.deepEqual(dndBody('30', NOW), { minutes: 30 });
  assert.deepEqual(dndBody('120', NOW), { minutes: 120 });
  assert.deepEqual(dndBody('tomorrow', NOW), { until: iso(at(6, 8)) });
  assert.deepEqual(dndBody('tomorrow', at(5, 1)), { until: iso(at(6, 8)) }, 'tomorrow is the next day, even at night');
});

test('working hours', () => {
  const h = defaultHours('Europe/Berlin');
  assert.equal(h.tz, 'Europe/Berlin');
  assert.equal(checkHours(h.days), '');
  assert.equal(hoursText(h), 'Mon–Fri 09:00–17:00');
  const days = [['08:00', '17:00'], ['08:00', '17:00'], ['08:00', '12:00'], null, ['22:00', '06:00'], ['09:00', '12:00'], null];
  assert.equal(hoursText({ days }), 'Mon–Tue 08:00–17:00 · Wed 08:00–12:00 · Fri 22:00–06:00 · Sat 09:00–12:00');
  assert.equal(checkHours(days), '', 'a night shift runs past midnight');
  assert.match(checkHours([['8', '17:00'], null, null, null, null, null, null]), /^Monday: /);
  assert.match(checkHours([['08:00', '24:00'], null, null, null, null, null, null]), /^Monday: /);
  assert.match(checkHours(Array(7).fill(null)), /at least one/);
  assert.match(checkHours([null]), /seven/);
  assert.equal(hoursText(null), '');
  // 2026-12-07 07:30 UTC is a Monday, 08:30 in Berlin; still Sunday in Los Angeles.
  const t = Date.UTC(2026, 11, 7, 7, 30);
  assert.equal(localNow('Europe/Berlin', t).day, 0);
  assert.equal(localNow('America/Los_Angeles', t).day, 6);
  assert.equal(localNow('Europe/Berlin', t).label, new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit', timeZone: 'Europe/Berlin' }).format(t));
  assert.equal(localNow('Not/AZone', t), null);
});

test('the crop always covers the square, and zoom keeps its centre', () => {
  const box = 240, w = 1200, h = 800;
  const v = centred(w, h, box);
  assert.deepEqual(cropRect(v, w, h, box), { sx: 200, sy: 0, side: 800 }, 'the middle square');
  assert.deepEqual(clampView({ zoom: 1, x: 50, y: -999 }, w, h, box), { zoom: 1, x: 0, y: 0 }, 'never uncovers the frame');
  const right = clampView({ zoom: 1, x: -9999, y: 0 }, w, h, box);
  assert.deepEqual(cropRect(right, w, h, box), { sx: 400, sy: 0, side: 800 }, 'the right edge at most');
  const z = zoomAround(v, 2, w, h, box);
  const r = cropRect(z, w, h, box);
  assert.equal(r.side, 400);
  assert.ok(Math.abs(r.sx + r.side / 2 - 600) < 1e-9 && Math.abs(r.sy + r.side / 2 - 400) < 1e-9, 'centred on the same point');
  assert.equal(clampView({ zoom: 0.2, x: 0, y: 0 }, w, h, box).zoom, 1);
  assert.equal(clampView({ zoom: 99, x: 0, y: 0 }, w, h, box).zoom, 8);
  const tall = cropRect(centred(300, 900, box), 300, 900, box);
  assert.deepEqual(tall, { sx: 0, sy: 300, side: 300 });
});

test('the store takes person frames and says when I am quiet', () => {
  const s = new Store(null);
  s.setMe({ user: { name: 'ana', display: 'Ana', role: 'member' } });
  s.setUsers([{ name: 'ana', display: 'Ana', status: 'online' }, { name: 'ben', display: 'Ben', status: 'away' }]);
  const heard = [];
  s.on((what) => heard.push(what));
  s.person({ name: 'ben', display: 'Ben', title: 'Accounts', picture: 'p1' });
  assert.equal(s.users.get('ben').title, 'Accounts');
  assert.equal(s.users.get('ben').status, 'away', 'presence kept when the frame has none');
  assert.deepEqual(heard, ['users']);
  assert.equal(s.quietNow(), false);
  const until = new Date(Date.now() + 3600000).toISOString();
  s.person({ name: 'ana', display: 'Ana', status: 'online', quiet: { now: true, until, why: 'dnd' } });
  assert.equal(s.me.role, 'member', 'my role stays');
  assert.equal(s.quietNow(), true);
  assert.equal(s.quietNow(Date.now() + 3600001), false, 'over at quiet.until');
  s.person({ name: 'ana', display: 'Ana', quiet: { now: false }, next_quiet: until });
  assert.equal(s.quietNow(), false);
  assert.equal(s.quietNow(Date.now() + 3600001), true, 'quiet hours began at next_quiet');
  s.person({});
  assert.equal(heard.length, 3, 'a frame without a person changes nothing');
});
