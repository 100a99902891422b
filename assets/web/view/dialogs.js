// Dialogs: quick switcher (Ctrl+K), new direct message, create or join a
// channel, change password, the usage policy.
import { api } from '../api.js';
import { h, icon, modal, field } from './dom.js';

// picker is a filter box over a list, driven from the keyboard (combobox
// + listbox pattern): arrows move, Enter picks.
function picker(label, entries, pick, placeholder) {
  const listId = `lb-${Math.random().toString(36).slice(2)}`;
  const input = h('input', {
    type: 'text', role: 'combobox', 'aria-expanded': 'true', 'aria-controls': listId, 'aria-autocomplete': 'list',
    'aria-label': label, placeholder, autocomplete: 'off', spellcheck: 'false', class: 'picker-input', dir: 'auto',
  });
  const list = h('ul', { id: listId, role: 'listbox', class: 'picker-list', 'aria-label': label });
  let shown = [], active = 0;
  const draw = () => {
    const q = input.value.trim().toLowerCase();
    shown = entries.filter((e) => !q || e.search.includes(q));
    shown.sort((a, b) => (b.search.startsWith(q) - a.search.startsWith(q)) || (b.rank || 0) - (a.rank || 0));
    shown = shown.slice(0, 50);
    active = Math.min(active, Math.max(0, shown.length - 1));
    list.replaceChildren(...shown.map((e, i) => {
      const li = h('li', { role: 'option', id: `${listId}-${i}`, 'aria-selected': String(i === active), class: i === active ? 'active' : '' }, e.render());
      li.addEventListener('mousedown', (ev) => ev.preventDefault());
      li.addEventListener('click', () => pick(e));
      return li;
    }));
    if (!shown.length) list.append(h('li', { class: 'none', role: 'presentation' }, 'Nothing matches.'));
    input.setAttribute('aria-activedescendant', shown.length ? `${listId}-${active}` : '');
    list.children[active]?.scrollIntoView({ block: 'nearest' });
  };
  input.addEventListener('input', () => { active = 0; draw(); });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown') { active = Math.min(active + 1, shown.length - 1); draw(); e.preventDefault(); }
    else if (e.key === 'ArrowUp') { active = Math.max(active - 1, 0); draw(); e.preventDefault(); }
    else if (e.key === 'Enter') { if (shown[active]) pick(shown[active]); e.preventDefault(); }
  });
  draw();
  return { el: h('div', { class: 'picker' }, input, list), input };
}

function personRow(store, u) {
  return [h('span', { class: `dot ${u.status || 'offline'}`, 'aria-hidden': 'true' }),
    h('span', { class: 'name', dir: 'auto' }, u.display || u.name), h('span', { class: 'muted small' }, `${u.name} · ${u.status || 'offline'}`)];
}

export function switcher(client) {
  const s = client.store;
  const entries = [];
  const dmWith = new Set();
  for (const c of s.channels.values()) {
    const label = s.label(c);
    const group = s.isGroup(c);
    if (c.kind === 'direct' && !group) dmWith.add(s.partner(c));
    entries.push({
      search: `${label} ${c.kind === 'direct' ? s.others(c).join(' ') : ''}`.toLowerCase(), rank: c.unread ? 2 : 1,
      render: () => [group ? h('span', { class: 'group-count', 'aria-hidden': 'true' }, String(c.members.length)) : c.kind === 'direct' ? h('span', { class: `dot ${s.users.get(s.partner(c))?.status || 'offline'}`, 'aria-hidden': 'true' }) : icon(c.kind === 'private' ? 'lock' : 'hash'),
        h('span', { class: 'name', dir: 'auto' }, label), c.unread ? h('span', { class: 'pill' }, String(c.unread)) : null],
      go: () => client.go(c.id),
    });
  }
  for (const u of s.users.values()) {
    if (u.name === s.me.name || dmWith.has(u.name)) continue;
    entries.push({ search: `${u.display} ${u.name}`.toLowerCase(), rank: 0, render: () => personRow(s, u), go: () => client.openDM(u.name) });
  }
  let dlg;
  const p = picker('Jump to a channel or person', entries, (e) => { dlg.close(); e.go(); }, 'Channel or person');
  dlg = modal('Jump to…', h('div', null, p.el, h('p', { class: 'muted small' }, '↑ ↓ to move, Enter to open, Esc to close.')));
  p.input.focus();
}

// dmDialog picks one person or a group of up to 7 (view/newdm.js, loaded
// on first use).
export async function dmDialog(client) {
  if (document.querySelector('dialog[open]')) return;
  try {
    (await import('./newdm.js')).newDM(client);
  } catch {
    client.toast('Inhouse could not be reached. Check your connection and try again.');
  }
}

export async function channelDialog(client) {
  const s = client.store;
  const browse = h('ul', { class: 'browse', 'aria-label': 'Public channels' }, h('li', { class: 'muted' }, 'Loading channels…'));
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  // The same rule, in the same words, as the server and the console.
  const name = h('input', { required: true, maxlength: 40, autocomplete: 'off', spellcheck: 'false', dir: 'auto' });
  const priv = h('input', { type: 'checkbox', id: `priv-${Date.now()}` });
  const members = h('fieldset', { class: 'members' }, h('legend', null, 'Add people'),
    ...[...s.users.values()].filter((u) => u.name !== s.me.name).map((u) =>
      h('label', { class: 'check' }, h('input', { type: 'checkbox', value: u.name }), ` ${u.display || u.name}`)));
  const form = h('form', { class: 'stack', novalidate: true },
    field('Name', name, 'Use up to 40 letters, digits, dashes or underscores, e.g. front-desk.'),
    h('label', { class: 'check', for: priv.id }, priv, ' Private: only the people you add can find and read it'),
    members, error, h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Create channel')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.hidden = true;
    if (!name.value.trim()) { error.textContent = 'Give the channel a name.'; error.hidden = false; name.focus(); return; }
    const picked = [...members.querySelectorAll('input:checked')].map((i) => i.value);
    try {
      const ch = await api.createChannel(name.value.trim(), priv.checked, picked);
      s.upsertChannel(ch);
      dlg.close();
      client.go(ch.id);
    } catch (err) {
      error.textContent = err.message;
      error.hidden = false;
    }
  });
  const dlg = modal('Channels', h('div', { class: 'stack' },
    h('h3', null, 'Join a channel'), browse, h('h3', null, 'Create a channel'), form), { wide: true });
  try {
    const list = (await api.publicChannels()).sort((a, b) => a.name.localeCompare(b.name));
    browse.replaceChildren(...(list.length ? list.map((c) => {
      const btn = h('button', { type: 'button', class: c.joined ? 'secondary' : 'primary small' }, c.joined ? 'Open' : 'Join');
      btn.addEventListener('click', async () => {
        try {
          if (!c.joined) s.upsertChannel(await api.join(c.id));
          dlg.close();
          client.go(c.id);
        } catch (err) { error.textContent = err.message; error.hidden = false; }
      });
      return h('li', null, icon('hash'), h('span', { class: 'name' }, c.name),
        h('span', { class: 'muted small' }, c.members === 1 ? '1 member' : `${c.members} members`), btn);
    }) : [h('li', { class: 'muted' }, 'There are no public channels yet. Create the first one below.')]));
    browse.querySelector('button')?.focus();
  } catch (err) {
    browse.replaceChildren(h('li', { class: 'form-error' }, err.message));
  }
}

export function passwordDialog(client) {
  const old = h('input', { type: 'password', autocomplete: 'current-password' });
  const next = h('input', { type: 'password', autocomplete: 'new-password', minlength: 12 });
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const form = h('form', { class: 'stack', novalidate: true }, field('Current password', old),
    field('New password', next, 'At least 12 characters. Your other devices will be signed out.'), error,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Change password')));
  const dlg = modal('Change password', form);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await api.password(old.value, next.value);
      const me = await api.me();
      if (me) api.csrf = me.csrf;
      dlg.close();
      client.toast('Your password was changed.');
    } catch (err) {
      error.textContent = err.message;
      error.hidden = false;
    }
  });
  old.focus();
}

export function policyDialog(client) {
  const p = client.store.policy;
  modal('Usage policy', h('div', { class: 'stack' },
    h('p', { class: 'note' }, p.banner || 'Conversations are archived and may be reviewed.'),
    h('div', { class: 'policy-text', tabindex: 0 }, p.text || ''),
    h('p', { class: 'muted small' }, `Version ${p.version}. You accepted it.`)), { wide: true });
}
