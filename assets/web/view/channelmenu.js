// The channel menu (docs/conversation.md), from the conversation header's
// #channel-menu-button: the topic and description (editable by members,
// by the office manager alone in announcement channels), the person's
// notifications (all messages, mentions only, nothing) and Mute, the
// members with presence, Add people, the Pinned list, and Leave. Direct
// conversations have members and notifications only. Loaded on first use.
import { api } from '../api.js';
import { h, icon, modal } from './dom.js';
import { loadStyle } from './style.js';
import { utf8Length } from '../text.js';

const path = (id, what) => `/api/channels/${encodeURIComponent(id)}/${what}`;
const LEVELS = [['all', 'All messages'], ['mentions', 'Mentions only'], ['none', 'Nothing']];
const MAX_TOPIC = 250;
const MAX_DESCRIPTION = 1000;

export async function openChannelMenu(client, id) {
  await loadStyle('/talk.css');
  const s = client.store;
  let ch = s.channels.get(id);
  if (!ch || document.querySelector('dialog[open]')) return;
  const direct = ch.kind === 'direct';
  const admin = s.me.role === 'admin';
  const title = direct ? s.label(ch) : `#${ch.name}`;
  client.refreshUsers(); // presence is pushed only between direct partners: fetch it fresh

  // ---- topic and description ----
  const about = h('section', { class: 'menu-section', 'aria-labelledby': 'menu-about-h' });
  const drawAbout = () => {
    const mayEdit = !ch.archived && (!ch.announce || admin);
    const edit = mayEdit ? h('button', { type: 'button', class: 'secondary small', id: 'menu-edit-topic' }, ch.topic || ch.description ? 'Edit' : 'Set a topic') : null;
    edit?.addEventListener('click', editAbout);
    about.replaceChildren(...[
      h('div', { class: 'menu-section-head' }, h('h3', { id: 'menu-about-h' }, 'Topic'), edit),
      h('p', { id: 'menu-topic', class: ch.topic ? 'menu-topic' : 'muted', dir: 'auto' }, ch.topic || 'No topic yet.'),
      ch.description ? h('p', { id: 'menu-description', class: 'menu-description', dir: 'auto' }, ch.description) : null].filter(Boolean));
  };
  const editAbout = () => {
    const topic = h('input', { id: 'menu-topic-input', maxlength: MAX_TOPIC, autocomplete: 'off', dir: 'auto', value: ch.topic || '' });
    const desc = h('textarea', { id: 'menu-description-input', rows: 3, dir: 'auto' });
    desc.value = ch.description || '';
    const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
    const form = h('form', { class: 'stack', novalidate: true },
      h('div', { class: 'field' }, h('label', { for: 'menu-topic-input' }, 'Topic'), topic,
        h('small', { class: 'help' }, 'One line everyone sees beside the name, e.g. “Invoices and orders”.')),
      h('div', { class: 'field' }, h('label', { for: 'menu-description-input' }, 'Description'), desc,
        h('small', { class: 'help' }, 'What the channel is for, shown here.')),
      error,
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'secondary small', onclick: () => { drawAbout(); about.querySelector('#menu-edit-topic')?.focus(); } }, 'Cancel'),
        h('button', { type: 'submit', class: 'primary small', id: 'menu-topic-save' }, 'Save')));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const t = topic.value.trim(), d = desc.value.trim();
      const say = (text, field) => { error.textContent = text; error.hidden = false; field?.focus(); };
      if (/[\r\n]/.test(t)) return say('The topic is one line.', topic);
      if (utf8Length(t) > MAX_TOPIC) return say(`The topic is too long: at most ${MAX_TOPIC} letters (fewer with accents or emoji).`, topic);
      if (utf8Length(d) > MAX_DESCRIPTION) return say(`The description is too long: at most ${MAX_DESCRIPTION} letters.`, desc);
      try {
        const res = await api.call('POST', path(id, 'topic'), { topic: t, description: d });
        s.upsertChannel(res.channel);
        ch = s.channels.get(id) || ch;
        drawAbout();
        status('Topic saved.');
        about.querySelector('#menu-edit-topic')?.focus();
      } catch (err) { say(err.message); }
    });
    about.replaceChildren(h('h3', { id: 'menu-about-h' }, 'Topic'), form);
    topic.focus();
  };

  // ---- notifications ----
  const group = `notify-${Math.random().toString(36).slice(2)}`;
  const radios = LEVELS.map(([value, label]) => {
    const r = h('input', { type: 'radio', name: group, value, id: `menu-notify-${value}` });
    return [r, h('label', { class: 'check', for: r.id }, r, ` ${label}`)];
  });
  const mute = h('input', { type: 'checkbox', id: 'menu-mute' });
  const notifyError = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const drawNotify = () => {
    for (const [r] of radios) r.checked = r.value === (ch.notify || 'all');
    mute.checked = !!ch.muted;
  };
  const saveNotify = async () => {
    notifyError.hidden = true;
    const want = { notify: radios.find(([r]) => r.checked)?.[0].value || 'all', muted: mute.checked };
    try {
      const res = await api.call('PUT', path(id, 'notify'), want);
      s.upsertChannel(res.channel);
      ch = s.channels.get(id) || ch;
      status(want.muted ? 'Muted: no unread count, mentions still show.' : `Notifications: ${LEVELS.find(([v]) => v === want.notify)[1].toLowerCase()}.`);
    } catch (err) {
      notifyError.textContent = err.message;
      notifyError.hidden = false;
    }
    drawNotify();
  };
  for (const [r] of radios) r.addEventListener('change', saveNotify);
  mute.addEventListener('change', saveNotify);
  const notifications = h('section', { class: 'menu-section' },
    h('fieldset', { class: 'menu-levels' }, h('legend', null, 'Desktop notifications'), radios.map(([, label]) => label)),
    h('label', { class: 'check', for: 'menu-mute' }, mute, ` Mute ${direct ? 'this conversation' : 'this channel'}`),
    h('p', { class: 'help' }, 'Muted: no unread count in the sidebar. Mentions of you, @here and @channel still count and notify.'),
    notifyError);

  // ---- members ----
  const membersHead = h('h3', { id: 'menu-members-h' });
  const members = h('ul', { class: 'menu-members', id: 'menu-members', 'aria-labelledby': 'menu-members-h' });
  const drawMembers = () => {
    const names = [...(ch.members || [])].sort((a, b) => (a === s.me.name) - (b === s.me.name) || s.display(a).localeCompare(s.display(b)));
    membersHead.textContent = `Members (${names.length})`;
    members.replaceChildren(...names.map((n) => {
      const status = n === s.me.name ? 'online' : s.users.get(n)?.status || 'offline';
      return h('li', { 'data-name': n },
        client.people?.face(n, 'sm'), h('span', { class: `dot ${status}`, 'aria-hidden': 'true' }),
        h('span', { class: 'name', dir: 'auto' }, s.display(n), n === s.me.name ? ' (you)' : '', client.people?.badge(n)),
        h('span', { class: 'muted small' }, `@${n} · ${status}`));
    }));
  };

  // Add people: any member of a channel where the office lets people
  // create channels (the server says so when it does not).
  const adder = h('div', { class: 'menu-add', id: 'menu-add', hidden: true });
  const showAdder = () => {
    const inIt = new Set(ch.members || []);
    const people = [...s.users.values()].filter((u) => !inIt.has(u.name)).sort((a, b) => (a.display || a.name).localeCompare(b.display || b.name));
    const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
    const filter = h('input', { type: 'search', id: 'menu-add-filter', autocomplete: 'off', dir: 'auto', placeholder: 'Filter people', 'aria-label': 'Filter people' });
    const boxes = h('fieldset', { class: 'members', id: 'menu-add-list' }, h('legend', { class: 'sr-only' }, 'People to add'),
      people.length ? people.map((u) => h('label', { class: 'check', 'data-search': `${u.name} ${u.display || ''}`.toLowerCase() },
        h('input', { type: 'checkbox', value: u.name }), ` ${u.display || u.name}`, h('span', { class: 'muted small' }, ` @${u.name}`)))
        : h('p', { class: 'muted small' }, 'Everyone is in it already.'));
    filter.addEventListener('input', () => {
      const q = filter.value.trim().toLowerCase();
      for (const l of boxes.querySelectorAll('label')) l.hidden = !!q && !l.dataset.search.includes(q);
    });
    const add = h('button', { type: 'submit', class: 'primary small', id: 'menu-add-submit' }, 'Add');
    const form = h('form', { class: 'stack', novalidate: true }, filter, boxes, error,
      h('div', { class: 'actions' }, h('button', { type: 'button', class: 'secondary small', onclick: () => { adder.hidden = true; addButton?.focus(); } }, 'Cancel'), add));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const picked = [...boxes.querySelectorAll('input:checked')].map((x) => x.value);
      if (!picked.length) { error.textContent = 'Choose the people to add.'; error.hidden = false; return; }
      error.hidden = true;
      add.disabled = true;
      try {
        const res = await api.call('POST', path(id, 'members'), { add: picked });
        s.upsertChannel(res.channel);
        ch = s.channels.get(id) || ch;
        adder.hidden = true;
        status(`${picked.map((n) => s.display(n)).join(', ')} ${picked.length === 1 ? 'was' : 'were'} added.`);
        addButton?.focus();
      } catch (err) {
        error.textContent = err.message;
        error.hidden = false;
        add.disabled = false;
      }
    });
    adder.replaceChildren(h('h4', null, 'Add people'), form);
    adder.hidden = false;
    filter.focus();
  };
  const addButton = direct || ch.archived ? null : h('button', { type: 'button', class: 'secondary small', id: 'menu-add-button' }, icon('plus'), ' Add people');
  addButton?.addEventListener('click', () => { if (adder.hidden) showAdder(); else adder.hidden = true; });

  // ---- the way out, and the pins ----
  const pins = document.getElementById('pins-button') && client.lists?.showPins
    ? h('button', { type: 'button', class: 'secondary small', id: 'menu-pins' }, 'Pinned messages') : null;
  pins?.addEventListener('click', () => { dlg.close(); client.lists.showPins(); });
  const leave = direct ? null : h('button', { type: 'button', class: 'secondary small danger-text', id: 'menu-leave' }, 'Leave channel');
  leave?.addEventListener('click', () => { dlg.close(); confirmLeave(client, id); });

  const live = h('p', { class: 'menu-status muted small', role: 'status', 'aria-live': 'polite' });
  const status = (text) => { live.textContent = text; };

  drawAbout();
  drawNotify();
  drawMembers();
  const dlg = modal(title, h('div', { class: 'stack channel-menu', id: 'channel-menu' },
    direct ? null : about,
    notifications,
    h('section', { class: 'menu-section' }, h('div', { class: 'menu-section-head' }, membersHead, addButton), adder, members),
    pins || leave ? h('div', { class: 'menu-foot' }, pins, leave) : null,
    live), { onclose: () => { off(); client.menuButton?.focus(); } });
  dlg.id = 'channel-menu-dialog';
  // Members come and go, and presence changes, while it is open.
  const off = s.on((what) => {
    if (what !== 'channels' && what !== 'users') return;
    const now = s.channels.get(id);
    if (!now) { dlg.close(); return; }
    ch = now;
    drawMembers();
  });
  (about.querySelector('#menu-edit-topic') || radios[0][0]).focus();
}

// confirmLeave asks before leaving; once left, the channel goes from the
// sidebar (the server's `left` frame says so to every tab too).
function confirmLeave(client, id) {
  const s = client.store;
  const ch = s.channels.get(id);
  if (!ch) return;
  const yes = h('button', { type: 'button', class: 'primary danger', id: 'menu-leave-confirm' }, 'Leave channel');
  const no = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const dlg = modal(`Leave #${ch.name}?`, h('div', { class: 'stack' },
    h('p', null, 'You will stop getting its messages and it leaves your sidebar.',
      ch.kind === 'private' ? ' It is private: to come back, someone in it has to add you again.' : ' You can join it again from Channels.'),
    error, h('div', { class: 'actions' }, no, yes)));
  no.addEventListener('click', () => dlg.close());
  yes.addEventListener('click', async () => {
    yes.disabled = true;
    try {
      await api.call('POST', path(id, 'leave'), {});
      dlg.close();
      s.removeChannel(id);
      client.toast(`You left #${ch.name}.`);
    } catch (err) {
      error.textContent = err.message;
      error.hidden = false;
      yes.disabled = false;
    }
  });
  no.focus();
}
