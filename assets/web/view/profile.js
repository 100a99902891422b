// The account menu's dialogs (docs/people.md): *Profile…* (title, phone,
// the picture: chosen, cropped to a square in the browser, uploaded as a
// JPEG), *Set a status…*, *Do not disturb…* and *Working hours…*. Loaded
// on first use (view/people.js). Every change answers with my person,
// which goes into the store at once (the person frame follows).
import { api, ApiError } from '../api.js';
import { h, modal, field } from './dom.js';
import {
  activeNote, quiet, quietText, noteText, when, NOTE_UNTIL, DND_FOR, noteUntil, dndBody, localInput,
  DAYS, defaultHours, checkHours, browserZone, centred, clampView, zoomAround, scaleOf, cropRect,
} from '../people.js';

const READ_ONLY = 'Your office manager keeps titles, phone numbers and pictures. Ask them to change yours.';
const OUT = 512; // the side of the square uploaded (the server stores 256)
const BOX = 240; // the side of the crop frame on screen

export function openDialog(client, what) {
  if (document.querySelector('dialog[open]')) return;
  ({ profile, status, dnd, hours })[what]?.(client);
}

// change sends one change of mine and puts the answer's person in the store.
async function change(client, method, path, body) {
  const r = await api.call(method, path, body);
  if (r.user?.name) client.store.person(r.user);
  else client.people.refreshMe();
  return r;
}

function errorLine() { return h('p', { class: 'form-error', role: 'alert', hidden: true }); }
function say(el, text) { el.textContent = text; el.hidden = !text; }

// ---- Profile ----

async function profile(client) {
  const s = client.store;
  const me = () => s.users.get(s.me.name) || s.me;
  const title = h('input', { maxlength: 64, autocomplete: 'organization-title', dir: 'auto', value: me().title || '' });
  const phone = h('input', { maxlength: 20, inputmode: 'tel', autocomplete: 'tel-extension', value: me().phone || '' });
  const error = errorLine();
  const note = h('p', { class: 'note-line', hidden: true }, READ_ONLY);
  const faceSlot = h('div', { class: 'profile-face' });
  const file = h('input', { type: 'file', accept: 'image/jpeg,image/png,image/gif,image/webp', class: 'sr-only', tabindex: -1, id: 'profile-file' });
  const choose = h('button', { type: 'button', class: 'secondary small', id: 'profile-choose' }, 'Choose a picture…');
  const remove = h('button', { type: 'button', class: 'secondary small', id: 'profile-remove' }, 'Remove picture');
  const pictureError = errorLine();
  const crop = h('div', { class: 'crop', hidden: true });
  const save = h('button', { type: 'submit', class: 'primary' }, 'Save');
  const form = h('form', { class: 'stack profile-form', novalidate: true },
    note,
    h('div', { class: 'profile-picture' }, faceSlot, h('div', { class: 'profile-picture-actions' }, choose, remove, file,
      h('small', { class: 'help' }, 'A photo of your face helps people find you. You can move and zoom it to a square.'))),
    pictureError, crop,
    field('Job title', title, 'What people ask you about, e.g. Accounts.'),
    field('Phone extension', phone, 'Digits, spaces and + - ( ) / . (up to 20).'),
    error, h('div', { class: 'actions' }, save));
  const dlg = modal('Profile', form);
  dlg.classList.add('profile-dialog');

  let locked = false;
  const draw = () => {
    faceSlot.replaceChildren(client.people.face(s.me.name, 'lg'));
    remove.hidden = !me().picture || locked;
  };
  const lock = () => {
    locked = true;
    note.hidden = false;
    for (const el of [title, phone]) el.readOnly = true;
    save.hidden = choose.hidden = true;
    crop.hidden = true;
    draw();
  };
  const stop = s.on((w) => { if (w === 'users' && dlg.open) draw(); });
  dlg.addEventListener('close', stop);
  draw();
  // Only the manager changes profiles in some offices: say so at once.
  api.me().then((m) => { if (m?.profiles_by === 'admins' && m.user?.role !== 'admin') lock(); }).catch(() => {});
  const refused = (err, where) => {
    if (err instanceof ApiError && err.status === 403) { lock(); say(where, ''); return; }
    say(where, err.message);
  };

  choose.addEventListener('click', () => file.click());
  file.addEventListener('change', async () => {
    const f = file.files?.[0];
    file.value = '';
    if (!f) return;
    say(pictureError, '');
    const c = await cropper(f).catch(() => null);
    if (!c) { say(pictureError, 'That file is not a picture Inhouse can read. Choose a JPEG, PNG, GIF or WebP picture.'); return; }
    const use = h('button', { type: 'button', class: 'primary small', id: 'crop-use' }, 'Use this picture');
    const cancel = h('button', { type: 'button', class: 'secondary small' }, 'Cancel');
    crop.replaceChildren(c.el, h('div', { class: 'actions' }, cancel, use));
    crop.hidden = false;
    c.canvas.focus();
    cancel.addEventListener('click', () => { crop.hidden = true; crop.replaceChildren(); choose.focus(); });
    use.addEventListener('click', async () => {
      use.disabled = true;
      try {
        const blob = await c.blob();
        await upload(blob);
        await client.people.refreshMe();
        crop.hidden = true;
        crop.replaceChildren();
        choose.focus();
        client.toast('Your picture was changed.');
      } catch (err) {
        use.disabled = false;
        refused(err, pictureError);
      }
    });
  });
  remove.addEventListener('click', async () => {
    try {
      await change(client, 'DELETE', '/api/me/picture');
      choose.focus();
    } catch (err) { refused(err, pictureError); }
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (locked) return;
    say(error, '');
    try {
      await change(client, 'PUT', '/api/me/profile', { title: title.value.trim(), phone: phone.value.trim() });
      dlg.close();
      client.toast('Your profile was saved.');
    } catch (err) { refused(err, error); }
  });
  title.focus();
}

// upload sends the cropped picture; the server's sentence on a refusal.
async function upload(blob) {
  let res;
  try {
    res = await fetch('/api/me/picture', {
      method: 'PUT', body: blob, credentials: 'same-origin', cache: 'no-store',
      headers: { 'Content-Type': blob.type || 'image/jpeg', 'X-CSRF-Token': api.csrf },
    });
  } catch {
    throw new ApiError(0, 'network', 'Inhouse could not be reached. Check your connection and try again.');
  }
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new ApiError(res.status, data.error || `http_${res.status}`, data.message || `The server answered ${res.status}. Try again.`);
  return data;
}

// cropper shows a picture in a square frame to drag (or move with the
// arrow keys) and zoom (the slider, the wheel, + and -); blob() makes the
// square a JPEG of OUT × OUT. It rejects a file that is not a picture.
async function cropper(file) {
  const url = URL.createObjectURL(file);
  const img = new Image();
  img.src = url;
  try { await img.decode(); } finally { URL.revokeObjectURL(url); }
  const W = img.naturalWidth, H = img.naturalHeight;
  if (!W || !H) throw new Error('not a picture');
  const dpr = Math.min(3, devicePixelRatio || 1);
  const canvas = h('canvas', { width: BOX * dpr, height: BOX * dpr, class: 'crop-canvas', tabindex: 0, role: 'img',
    'aria-label': 'Your picture in its square. Arrow keys move it, + and - zoom.' });
  const zoom = h('input', { type: 'range', min: 1, max: 4, step: 0.01, value: 1, class: 'crop-zoom', 'aria-label': 'Zoom' });
  const ctx = canvas.getContext('2d');
  let v = centred(W, H, BOX);
  const draw = () => {
    const sc = scaleOf(v, W, H, BOX);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, BOX, BOX);
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(img, v.x, v.y, W * sc, H * sc);
    // The circle it shows in: the corners dimmed.
    ctx.fillStyle = 'rgba(0, 0, 0, .45)';
    ctx.beginPath();
    ctx.rect(0, 0, BOX, BOX);
    ctx.arc(BOX / 2, BOX / 2, BOX / 2, 0, Math.PI * 2);
    ctx.fill('evenodd');
  };
  const set = (next) => { v = next; zoom.value = String(v.zoom); draw(); };
  let drag = null;
  canvas.addEventListener('pointerdown', (e) => { drag = { x: e.clientX, y: e.clientY }; canvas.setPointerCapture(e.pointerId); e.preventDefault(); });
  canvas.addEventListener('pointermove', (e) => {
    if (!drag) return;
    const k = BOX / canvas.getBoundingClientRect().width;
    set(clampView({ ...v, x: v.x + (e.clientX - drag.x) * k, y: v.y + (e.clientY - drag.y) * k }, W, H, BOX));
    drag = { x: e.clientX, y: e.clientY };
  });
  for (const ev of ['pointerup', 'pointercancel']) canvas.addEventListener(ev, () => { drag = null; });
  canvas.addEventListener('wheel', (e) => {
    e.preventDefault();
    const r = canvas.getBoundingClientRect(), k = BOX / r.width;
    set(zoomAround(v, v.zoom * Math.exp(-e.deltaY * 0.002), W, H, BOX, (e.clientX - r.left) * k, (e.clientY - r.top) * k));
  }, { passive: false });
  zoom.addEventListener('input', () => set(zoomAround(v, Number(zoom.value), W, H, BOX)));
  canvas.addEventListener('keydown', (e) => {
    const step = e.shiftKey ? 32 : 8;
    const move = { ArrowLeft: [step, 0], ArrowRight: [-step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] }[e.key];
    if (move) set(clampView({ ...v, x: v.x + move[0], y: v.y + move[1] }, W, H, BOX));
    else if (e.key === '+' || e.key === '=') set(zoomAround(v, v.zoom * 1.1, W, H, BOX));
    else if (e.key === '-') set(zoomAround(v, v.zoom / 1.1, W, H, BOX));
    else return;
    e.preventDefault();
  });
  draw();
  const blob = () => new Promise((done, fail) => {
    const out = h('canvas', { width: OUT, height: OUT });
    const o = out.getContext('2d');
    const r = cropRect(v, W, H, BOX);
    o.fillStyle = '#fff'; // a transparent PNG's background
    o.fillRect(0, 0, OUT, OUT);
    o.imageSmoothingQuality = 'high';
    o.drawImage(img, r.sx, r.sy, r.side, r.side, 0, 0, OUT, OUT);
    out.toBlob((b) => (b ? done(b) : fail(new Error('The picture could not be made. Try another one.'))), 'image/jpeg', 0.9);
  });
  const el = h('div', { class: 'crop-box' }, canvas,
    h('label', { class: 'crop-zoom-label' }, h('span', null, 'Zoom'), zoom),
    h('p', { class: 'help' }, 'Drag the picture (or use the arrow keys) to choose the square; zoom with the slider.'));
  return { el, canvas, blob };
}

// ---- Status ----

const PRESETS = [
  ['📅', 'In a meeting', '1h'], ['🚌', 'Commuting', '30m'], ['🤒', 'Out sick', 'today'],
  ['🏠', 'Working from home', 'today'], ['🌴', 'On holiday', 'never'],
];

function status(client) {
  const s = client.store;
  const cur = activeNote(s.users.get(s.me.name) || s.me);
  let emoji = cur?.emoji || '';
  const emojiBtn = h('button', { type: 'button', class: 'status-emoji', id: 'status-emoji', 'aria-haspopup': 'dialog', 'aria-expanded': 'false' });
  const showEmoji = () => {
    emojiBtn.textContent = emoji || '🙂';
    emojiBtn.classList.toggle('unset', !emoji);
    emojiBtn.setAttribute('aria-label', emoji ? `Emoji ${emoji}: change it` : 'Choose an emoji');
  };
  showEmoji();
  const text = h('input', { id: 'status-text', maxlength: 100, dir: 'auto', autocomplete: 'off', placeholder: 'What is your status?', value: cur?.text || '', 'aria-label': 'Status' });
  const pickerSlot = h('div', { class: 'status-picker', hidden: true });
  const until = h('select', { id: 'status-until' }, NOTE_UNTIL.map(([v, label]) => h('option', { value: v }, label)));
  const at = h('input', { type: 'datetime-local', id: 'status-at', hidden: true, 'aria-label': 'Clear at' });
  const curUntil = Date.parse(cur?.until);
  if (curUntil > Date.now()) { until.value = 'time'; at.value = localInput(curUntil); at.hidden = false; }
  until.addEventListener('change', () => {
    at.hidden = until.value !== 'time';
    if (!at.hidden) { if (!at.value) at.value = localInput(Date.now() + 3600000); at.focus(); }
  });
  const presets = h('ul', { class: 'status-presets', 'aria-label': 'Suggestions' }, PRESETS.map(([e, t, u]) => h('li', null,
    h('button', { type: 'button', class: 'status-preset', onclick: () => { emoji = e; showEmoji(); text.value = t; until.value = u; at.hidden = true; text.focus(); } },
      h('span', { 'aria-hidden': 'true' }, e), ` ${t}`, h('span', { class: 'muted' }, ` · ${NOTE_UNTIL.find(([v]) => v === u)[1]}`)))));
  const error = errorLine();
  const clear = h('button', { type: 'button', class: 'secondary', hidden: !cur }, 'Clear status');
  const form = h('form', { class: 'stack status-form', novalidate: true },
    h('div', { class: 'status-row' }, emojiBtn, text), pickerSlot, presets,
    h('div', { class: 'field' }, h('label', { for: 'status-until' }, 'Clear after'), until, at),
    error, h('div', { class: 'actions' }, clear, h('button', { type: 'submit', class: 'primary' }, 'Save')));
  const dlg = modal('Set a status', form);
  dlg.classList.add('status-dialog');

  const closePicker = (focus) => {
    pickerSlot.hidden = true;
    pickerSlot.replaceChildren();
    emojiBtn.setAttribute('aria-expanded', 'false');
    // After the key that picked: its keypress must not press the button.
    if (focus) setTimeout(() => emojiBtn.focus());
  };
  emojiBtn.addEventListener('click', async () => {
    if (!pickerSlot.hidden) { closePicker(true); return; }
    let mod;
    try { mod = await import('./picker.js'); } catch { say(error, 'The emoji list needs the connection to the server.'); return; }
    const el = mod.emojiPicker({
      recent: mod.readRecent(localStorage, s.me.name),
      pick: (e) => { emoji = e; showEmoji(); closePicker(true); },
      cancel: () => closePicker(true),
    });
    el.classList.remove('popover');
    el.setAttribute('aria-label', 'Choose an emoji');
    pickerSlot.replaceChildren(el);
    pickerSlot.hidden = false;
    emojiBtn.setAttribute('aria-expanded', 'true');
    el.querySelector('input')?.focus();
  });
  clear.addEventListener('click', async () => {
    try {
      await change(client, 'DELETE', '/api/me/note');
      dlg.close();
      client.toast('Your status was cleared.');
    } catch (err) { say(error, err.message); }
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    say(error, '');
    const words = text.value.replace(/\s+/g, ' ').trim();
    if (!emoji && !words) { say(error, 'Choose an emoji or write a few words.'); text.focus(); return; }
    const end = noteUntil(until.value, Date.now(), at.value);
    if (Number.isNaN(end)) { say(error, 'Choose a time in the future to clear it.'); at.focus(); return; }
    const body = { emoji, text: words };
    if (end) body.until = new Date(end).toISOString();
    try {
      await change(client, 'PUT', '/api/me/note', body);
      dlg.close();
      client.toast(`Your status: ${noteText({ ...body, emoji }, Date.now())}`);
    } catch (err) { say(error, err.message); }
  });
  text.focus();
}

// ---- Do not disturb ----

function dnd(client) {
  const s = client.store;
  const me = s.users.get(s.me.name) || s.me;
  const q = quiet(me);
  const dndOn = Date.parse(me.dnd_until) > Date.now();
  const error = errorLine();
  const choose = async (body, method = 'PUT') => {
    try {
      await change(client, method, '/api/me/dnd', body);
      dlg.close();
      client.toast(method === 'DELETE' ? 'Do not disturb is off.' : `Do not disturb until ${when(Date.parse(body.until) || Date.now() + body.minutes * 60000)}.`);
    } catch (err) { say(error, err.message); }
  };
  const list = h('ul', { class: 'dnd-choices', 'aria-label': 'For how long' }, DND_FOR.map(([v, label]) => h('li', null,
    h('button', { type: 'button', class: 'secondary', 'data-dnd': v, onclick: () => choose(dndBody(v)) }, label))));
  const off = dndOn ? h('button', { type: 'button', class: 'primary', id: 'dnd-off', onclick: () => choose(undefined, 'DELETE') }, 'Turn off do not disturb') : null;
  const dlg = modal('Do not disturb', h('div', { class: 'stack' },
    h('p', { class: 'dnd-now' }, q ? `${quietText(q)}.` : 'You are notified as usual.'),
    h('p', { class: 'muted small' }, 'No desktop notifications or sounds meanwhile; mentions still count. People see a moon beside your name, and before they send you a direct message, until when.'),
    list, error, off ? h('div', { class: 'actions' }, off) : null));
  dlg.classList.add('dnd-dialog');
  (off || list.querySelector('button')).focus();
}

// ---- Working hours ----

function hours(client) {
  const s = client.store;
  const me = s.users.get(s.me.name) || s.me;
  const tz = browserZone();
  const cur = me.hours?.days ? me.hours : defaultHours(tz);
  const rows = DAYS.map((day, i) => {
    const d = cur.days[i];
    const on = h('input', { type: 'checkbox', id: `hours-on-${i}`, checked: !!d });
    const from = h('input', { type: 'time', value: d?.[0] || '09:00', 'aria-label': `${day} from`, required: true });
    const to = h('input', { type: 'time', value: d?.[1] || '17:00', 'aria-label': `${day} until`, required: true });
    const sync = () => { from.disabled = to.disabled = !on.checked; };
    on.addEventListener('change', sync);
    sync();
    return { on, from, to, el: h('li', { class: 'hours-day' }, h('label', { class: 'check', for: on.id }, on, ` ${day}`), from, h('span', { 'aria-hidden': 'true' }, '–'), to) };
  });
  const quietBox = h('input', { type: 'checkbox', id: 'hours-quiet', checked: !!cur.quiet });
  const error = errorLine();
  const clear = h('button', { type: 'button', class: 'secondary', hidden: !me.hours?.days }, 'Clear working hours');
  const form = h('form', { class: 'stack hours-form', novalidate: true },
    h('ul', { class: 'hours-days', 'aria-label': 'Working days' }, rows.map((r) => r.el)),
    h('label', { class: 'check', for: 'hours-quiet' }, quietBox, ' Don’t notify me outside my working hours'),
    h('p', { class: 'muted small' }, `Time zone: ${tz.replace(/_/g, ' ')} (this browser’s). An end before the start runs past midnight.`),
    error, h('div', { class: 'actions' }, clear, h('button', { type: 'submit', class: 'primary' }, 'Save')));
  const dlg = modal('Working hours', form);
  dlg.classList.add('hours-dialog');
  clear.addEventListener('click', async () => {
    try {
      await change(client, 'PUT', '/api/me/hours', { days: null });
      dlg.close();
      client.toast('Your working hours were cleared.');
    } catch (err) { say(error, err.message); }
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const days = rows.map((r) => (r.on.checked ? [r.from.value, r.to.value] : null));
    const bad = checkHours(days);
    if (bad) { say(error, bad); return; }
    try {
      await change(client, 'PUT', '/api/me/hours', { tz, days, quiet: quietBox.checked });
      dlg.close();
      client.toast('Your working hours were saved.');
    } catch (err) { say(error, err.message); }
  });
  rows[0].on.focus();
}
