// A person's card (docs/people.md): picture, name, title, phone
// extension, status, presence and quiet time, their local time and
// working hours, and *Message*, which opens the direct conversation. One's
// own card offers the account menu's dialogs instead. Loaded on the first
// click on a name or a picture (view/people.js).
import { api } from '../api.js';
import { h, modal } from './dom.js';
import { activeNote, quiet, noteText, quietText, localNow, hoursText, browserZone } from '../people.js';

const PRESENCE = { online: 'Online', away: 'Away', offline: 'Offline' };

export function openCard(client, name, opener) {
  if (document.querySelector('dialog[open]')) return;
  const s = client.store;
  const mine = name === s.me.name;
  const body = h('div', { class: 'card', 'data-card': name });
  const dlg = modal(s.display(name), body, {
    onclose: () => { stop(); if (opener?.isConnected) opener.focus(); },
  });
  dlg.classList.add('card-dialog');
  const title = dlg.querySelector('.modal-head h2');
  title.setAttribute('dir', 'auto');

  const render = () => {
    const u = s.users.get(name) || (mine ? s.me : { name, display: name });
    title.textContent = u.display || name;
    const facts = [];
    const fact = (term, ...value) => facts.push(h('dt', null, term), h('dd', null, ...value));
    const n = activeNote(u), q = quiet(u);
    if (n) fact('Status', h('span', { class: 'card-note', dir: 'auto' }, n.emoji ? `${n.emoji} ` : '', noteText(n)));
    const st = u.status || 'offline';
    fact('Presence', h('span', { class: `dot ${st}`, 'aria-hidden': 'true' }), ` ${PRESENCE[st] || st}`);
    if (q) fact('Notifications', h('span', { class: 'moon', 'aria-hidden': 'true' }, '🌙 '), quietText(q));
    if (u.phone) fact('Phone', h('a', { href: `tel:${u.phone.replace(/[^0-9+]/g, '')}`, class: 'card-phone' }, u.phone));
    if (u.hours?.tz) {
      const local = localNow(u.hours.tz);
      if (local) fact('Local time', `${local.label}${u.hours.tz === browserZone() ? '' : ` (${u.hours.tz.replace(/_/g, ' ')})`}`);
      const hours = hoursText(u.hours);
      if (hours) fact('Working hours', hours, u.hours.quiet ? h('span', { class: 'muted' }, ' · not notified outside them') : '');
    }
    const actions = mine
      ? [button('secondary', 'Set a status…', () => { dlg.close(); client.people.dialog('status'); }),
        button('primary', 'Edit profile', () => { dlg.close(); client.people.dialog('profile'); })]
      : [button('primary', 'Message', () => { dlg.close(); client.openDM(name); }, 'card-message')];
    const had = body.contains(document.activeElement) ? document.activeElement.textContent : null;
    body.replaceChildren(
      h('div', { class: 'card-head' }, client.people.face(name, 'lg'),
        h('div', { class: 'card-who' },
          h('p', { class: 'card-user muted' }, `@${name}`),
          u.title ? h('p', { class: 'card-title', dir: 'auto' }, u.title) : null)),
      h('dl', { class: 'card-facts' }, facts),
      h('div', { class: 'actions' }, actions));
    // A fresh answer re-renders: focus stays on the same button.
    if (had) [...body.querySelectorAll('button, a')].find((el) => el.textContent === had)?.focus();
  };
  const stop = s.on((what) => { if (what === 'users' && dlg.open) render(); });
  render();
  body.querySelector('.actions .primary')?.focus();
  // Fresh: presence, status and quiet time as the server has them now.
  api.call('GET', `/api/users/${encodeURIComponent(name)}`).then((r) => { if (r.user?.name === name) s.person(r.user); }).catch(() => {});
}

function button(cls, label, run, id) {
  return h('button', { type: 'button', class: cls, id, onclick: run }, label);
}
