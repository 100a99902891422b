// People without the DOM (docs/people.md): initials and their colour, the
// picture's address, the status line and quiet time as words, the choices
// of "until" for a status and do-not-disturb, working hours, and the
// square a picture is cropped to. view/people.js, view/card.js and
// view/profile.js show them; node --test checks them.

export const HUES = 8;
const MIN = 60 * 1000;

// hue picks one of HUES colours from a user name, the same every time.
export function hue(name) {
  let x = 7;
  for (const c of String(name)) x = (Math.imul(x, 31) + c.codePointAt(0)) >>> 0;
  return x % HUES;
}

const firstChar = (w) => {
  for (const { segment } of new Intl.Segmenter().segment(w)) return segment;
  return '';
};

// initials: the first letters of the first and last word of a display
// name ("Ana Ruiz" → "AR", "Ben" → "B"); a name of symbols still shows one.
export function initials(display, name = '') {
  const words = String(display || name || '?').trim().split(/[\s\-_.]+/u).filter(Boolean);
  if (!words.length) return '?';
  const a = firstChar(words[0]);
  return (words.length > 1 ? a + firstChar(words.at(-1)) : a).toLocaleUpperCase();
}

// pictureURL is the person's picture, cached under its version; '' until
// there is one.
export function pictureURL(u) {
  return u?.picture ? `/api/users/${encodeURIComponent(u.name)}/picture?v=${encodeURIComponent(u.picture)}` : '';
}

const time = (t) => Date.parse(t); // NaN for absent or bad
const dayStart = (ts) => { const d = new Date(ts); d.setHours(0, 0, 0, 0); return d.getTime(); };
const addDays = (ts, n) => { const d = new Date(ts); d.setDate(d.getDate() + n); return d.getTime(); };

// activeNote is the person's status line while it stands, or null.
export function activeNote(u, now = Date.now()) {
  const n = u?.note;
  if (!n || (!n.emoji && !n.text)) return null;
  return time(n.until) <= now ? null : n;
}

// quiet says whether the person is not notified now: {until (ms, 0 when
// not known), why: 'dnd' | 'hours'}, or null. Quiet hours that began since
// the server last said (next_quiet passed) count until the next answer.
export function quiet(u, now = Date.now()) {
  const q = u?.quiet;
  if (q?.now) {
    const t = time(q.until);
    if (!(t <= now)) return { until: t || 0, why: q.why === 'dnd' ? 'dnd' : 'hours' };
  }
  if (time(u?.next_quiet) <= now) return { until: 0, why: 'hours' };
  return null;
}

let fmts = null;
const formats = () => fmts || (fmts = {
  time: new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' }),
  day: new Intl.DateTimeFormat(undefined, { weekday: 'long' }),
  date: new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' }),
});

// when says an instant in the browser's locale as near as it is: "14:00"
// today, "tomorrow 08:00", "Monday 08:00" within the week, "12 Mar 08:00".
export function when(ts, now = Date.now()) {
  const f = formats();
  const t = f.time.format(ts);
  const days = Math.round((dayStart(ts) - dayStart(now)) / 864e5);
  if (days <= 0) return t;
  if (days === 1) return `tomorrow ${t}`;
  if (days < 7) return `${f.day.format(ts)} ${t}`;
  return `${f.date.format(ts)} ${t}`;
}

// noteText is a status line in words: "At the dentist until 14:00".
export function noteText(n, now = Date.now()) {
  if (!n) return '';
  const t = time(n.until);
  const words = n.text || n.emoji || '';
  return t > now ? `${words} until ${when(t, now)}` : words;
}

// quietText is why the person is not notified, in a few words.
export function quietText(q, now = Date.now()) {
  if (!q) return '';
  const what = q.why === 'dnd' ? 'Do not disturb' : 'Outside working hours';
  return q.until ? `${what}, not notified until ${when(q.until, now)}` : `${what}, not notified now`;
}

// quietLine is what a sender reads above the composer of a direct message:
// "Ana is not notified until 08:00." (null when the person is notified).
export function quietLine(u, now = Date.now()) {
  const q = quiet(u, now);
  if (!q) return null;
  const who = u.display || u.name;
  return q.until ? `${who} is not notified until ${when(q.until, now)}.` : `${who} is not notified now.`;
}

// said is what a screen reader hears after a name: ", At the dentist
// until 14:00, do not disturb, not notified until 15:30" or ''.
export function said(u, now = Date.now()) {
  const n = noteText(activeNote(u, now), now);
  const q = quietText(quiet(u, now), now);
  return (n ? `, ${n}` : '') + (q ? `, ${q.charAt(0).toLowerCase()}${q.slice(1)}` : '');
}

// signature changes whenever what a name shows beside it changes: a
// message's node is rebuilt only then.
export function signature(u, now = Date.now()) {
  if (!u) return '';
  const n = activeNote(u, now);
  const q = quiet(u, now);
  return `|${u.display}|${u.picture || ''}|${n ? `${n.emoji}${n.text}${n.until || ''}` : ''}|${q ? q.until : ''}`;
}

// nextChange is the earliest instant after now at which what people show
// changes by itself (a status ends, quiet time starts or ends), or 0.
export function nextChange(users, now = Date.now()) {
  let next = Infinity;
  for (const u of users) {
    for (const t of [time(u.note?.until), u.quiet?.now ? time(u.quiet.until) : NaN, time(u.next_quiet)]) if (t > now && t < next) next = t;
  }
  return next === Infinity ? 0 : next;
}

// ---- choices of until ----

// The status's "Clear after" and do-not-disturb's lengths.
export const NOTE_UNTIL = [['never', 'Don’t clear'], ['30m', '30 minutes'], ['1h', '1 hour'], ['today', 'Today'], ['week', 'This week'], ['time', 'Choose a time…']];
export const DND_FOR = [['30', 'For 30 minutes'], ['60', 'For 1 hour'], ['120', 'For 2 hours'], ['tomorrow', 'Until tomorrow 08:00']];

// noteUntil turns a choice into an instant (ms), null for "don't clear",
// or NaN for a chosen time that is not valid or not in the future. today
// ends at midnight, this week at the midnight that starts Monday; time is
// an <input type=datetime-local> value, in the browser's time zone.
export function noteUntil(choice, now = Date.now(), custom = '') {
  switch (choice) {
    case '30m': return now + 30 * MIN;
    case '1h': return now + 60 * MIN;
    case 'today': return addDays(dayStart(now), 1);
    case 'week': { const wd = (new Date(now).getDay() + 6) % 7; return addDays(dayStart(now), 7 - wd); }
    case 'time': {
      const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)$/.exec(custom);
      const t = m ? new Date(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]).getTime() : NaN;
      return t > now ? t : NaN;
    }
    default: return null;
  }
}

// dndBody is the body of PUT /api/me/dnd for a choice.
export function dndBody(choice, now = Date.now()) {
  if (choice === 'tomorrow') {
    const d = new Date(addDays(dayStart(now), 1));
    d.setHours(8, 0, 0, 0);
    return { until: d.toISOString() };
  }
  return { minutes: Number(choice) };
}

// localInput is an instant as an <input type=datetime-local> value.
export function localInput(ts) {
  const d = new Date(ts), p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

// ---- working hours ----

export const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const HM = /^([01]\d|2[0-3]):[0-5]\d$/;

export function browserZone() {
  try { return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'; } catch { return 'UTC'; }
}

// defaultHours: Monday to Friday, 09:00 to 17:00, in the browser's zone.
export function defaultHours(tz = browserZone()) {
  return { tz, days: DAYS.map((_, i) => (i < 5 ? ['09:00', '17:00'] : null)), quiet: false };
}

// checkHours says what is wrong with working hours in a sentence, or ''.
export function checkHours(days) {
  if (!Array.isArray(days) || days.length !== 7) return 'Working hours need all seven days.';
  for (let i = 0; i < 7; i++) {
    const d = days[i];
    if (d === null) continue;
    if (!Array.isArray(d) || d.length !== 2 || !HM.test(d[0]) || !HM.test(d[1])) return `${DAYS[i]}: give a start and an end as hours and minutes.`;
  }
  return days.some(Boolean) ? '' : 'Choose at least one working day, or clear the working hours.';
}

// localNow is the person's time of day in their zone: {day (0 Monday),
// label (in the browser's locale)}, or null for a zone the browser does
// not know.
export function localNow(tz, now = Date.now()) {
  try {
    const wd = new Intl.DateTimeFormat('en-US', { weekday: 'short', timeZone: tz }).format(now);
    const label = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit', timeZone: tz }).format(now);
    return { day: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(wd), label };
  } catch { return null; }
}

const span = (d) => `${d[0]}–${d[1]}`;

// hoursText groups days with the same hours: "Mon–Fri 08:00–17:00 ·
// Sat 09:00–12:00"; an end at or before its start runs past midnight.
export function hoursText(hours) {
  const days = hours?.days;
  if (!Array.isArray(days)) return '';
  const out = [];
  for (let i = 0; i < 7;) {
    if (!days[i]) { i++; continue; }
    let j = i;
    while (j + 1 < 7 && days[j + 1] && span(days[j + 1]) === span(days[i])) j++;
    const name = (k) => DAYS[k].slice(0, 3);
    out.push(`${i === j ? name(i) : `${name(i)}–${name(j)}`} ${span(days[i])}`);
    i = j + 1;
  }
  return out.join(' · ');
}

// ---- cropping a picture to a square ----
// A view {x, y, zoom} places an image of w × h pixels in a square frame of
// side box: at zoom 1 its shorter side fills the frame; (x, y) is its top
// left corner in frame pixels. It always covers the whole frame.

export function scaleOf(v, w, h, box) { return (box / Math.min(w, h)) * v.zoom; }

export function clampView(v, w, h, box) {
  const zoom = Math.min(8, Math.max(1, v.zoom || 1));
  const s = (box / Math.min(w, h)) * zoom;
  const lim = (p, size) => Math.min(0, Math.max(box - size * s, p));
  return { zoom, x: lim(v.x, w), y: lim(v.y, h) };
}

// centred is the first view: the middle square.
export function centred(w, h, box) {
  const s = box / Math.min(w, h);
  return { zoom: 1, x: (box - w * s) / 2, y: (box - h * s) / 2 };
}

// zoomAround changes the zoom keeping the frame's point (cx, cy) still.
export function zoomAround(v, zoom, w, h, box, cx = box / 2, cy = box / 2) {
  const s0 = scaleOf(v, w, h, box);
  const next = clampView({ ...v, zoom }, w, h, box);
  const s1 = scaleOf(next, w, h, box);
  return clampView({ zoom: next.zoom, x: cx - ((cx - v.x) / s0) * s1, y: cy - ((cy - v.y) / s0) * s1 }, w, h, box);
}

// cropRect is the square of the image the frame shows, in image pixels.
export function cropRect(v, w, h, box) {
  const s = scaleOf(v, w, h, box);
  return { sx: 0 - v.x / s, sy: 0 - v.y / s, side: box / s };
}
