// New direct message (docs/conversation.md): one person, or a group of up
// to 7 others (8 with oneself). The same people always get the same
// conversation: the server finds it again. A filter box over a
// multi-select list (combobox + listbox): ↑ ↓ move, Enter adds or removes
// the highlighted person, Enter in the empty box opens the conversation;
// the chosen people are chips above the box (× or Backspace removes).
// Loaded on first use (dialogs.js).
import { api } from '../api.js';
import { h, icon, modal } from './dom.js';
import { loadStyle } from './style.js';
import { candidates } from '../mentions.js';

export const MAX_OTHERS = 7;

export async function newDM(client) {
  if (document.querySelector('dialog[open]')) return;
  await loadStyle('/talk.css');
  const s = client.store;
  const chosen = []; // user names, in the order picked
  let shown = [], active = 0, moved = false;
  const listId = 'dm-people';
  const input = h('input', {
    type: 'text', id: 'dm-filter', role: 'combobox', 'aria-expanded': 'true', 'aria-controls': listId, 'aria-autocomplete': 'list',
    'aria-describedby': 'dm-help', autocomplete: 'off', spellcheck: 'false', class: 'picker-input', dir: 'auto', placeholder: 'Name',
  });
  const list = h('ul', { id: listId, role: 'listbox', 'aria-multiselectable': 'true', class: 'picker-list dm-list', 'aria-label': 'People' });
  const chips = h('ul', { class: 'dm-chosen', id: 'dm-chosen', 'aria-label': 'Chosen' });
  const note = h('p', { class: 'muted small', id: 'dm-note', 'aria-live': 'polite' });
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const go = h('button', { type: 'button', class: 'primary', id: 'dm-open', disabled: true }, 'Open conversation');
  const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel');

  const draw = () => {
    shown = candidates(input.value.trim(), { users: s.users, me: s.me.name, limit: 50 });
    active = Math.min(active, Math.max(0, shown.length - 1));
    const full = chosen.length >= MAX_OTHERS;
    list.replaceChildren(...shown.map((u, i) => {
      const on = chosen.includes(u.name);
      const li = h('li', {
        role: 'option', id: `${listId}-${i}`, 'data-name': u.name, 'aria-selected': String(on),
        'aria-disabled': full && !on ? 'true' : null, class: [i === active ? 'active' : '', on ? 'chosen' : ''].join(' '),
      }, h('span', { class: 'dm-check', 'aria-hidden': 'true' }, on ? '✓' : ''),
      h('span', { class: `dot ${u.status}`, 'aria-hidden': 'true' }),
      h('span', { class: 'name', dir: 'auto' }, u.display), h('span', { class: 'muted small' }, `${u.name} · ${u.status}`));
      li.addEventListener('mousedown', (e) => e.preventDefault());
      li.addEventListener('click', () => { active = i; toggle(u.name); });
      return li;
    }));
    if (!shown.length) list.append(h('li', { class: 'none', role: 'presentation' }, 'Nobody matches.'));
    if (shown.length) input.setAttribute('aria-activedescendant', `${listId}-${active}`); else input.removeAttribute('aria-activedescendant');
    list.children[active]?.scrollIntoView({ block: 'nearest' });
    chips.replaceChildren(...chosen.map((name) => {
      const x = h('button', { type: 'button', class: 'icon-button', 'aria-label': `Remove ${s.display(name)}` }, icon('close'));
      x.addEventListener('click', () => { toggle(name); input.focus(); });
      return h('li', { class: 'dm-chip', 'data-name': name }, h('span', { dir: 'auto' }, s.display(name)), x);
    }));
    chips.hidden = !chosen.length;
    go.disabled = !chosen.length;
    go.textContent = chosen.length > 1 ? `Open group of ${chosen.length + 1}` : 'Open conversation';
  };

  const toggle = (name) => {
    const i = chosen.indexOf(name);
    if (i >= 0) chosen.splice(i, 1);
    else if (chosen.length >= MAX_OTHERS) { note.textContent = `A direct conversation holds up to 8 people. For more, make a private channel.`; return; }
    else chosen.push(name);
    note.textContent = chosen.length ? `${chosen.map((n) => s.display(n)).join(', ')} chosen.` : '';
    input.value = '';
    moved = false;
    draw();
  };

  const open = async () => {
    if (!chosen.length) return;
    error.hidden = true;
    go.disabled = true;
    try {
      const body = chosen.length === 1 ? { user: chosen[0] } : { users: [...chosen] };
      const { channel } = await api.call('POST', '/api/dm', body);
      s.upsertChannel(channel);
      client.refreshUsers();
      dlg.close();
      client.go(channel.id);
    } catch (err) {
      error.textContent = err.message;
      error.hidden = false;
      go.disabled = false;
    }
  };

  input.addEventListener('input', () => { active = 0; moved = false; draw(); });
  input.addEventListener('keydown', (e) => {
    if (e.isComposing) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      active = Math.max(0, Math.min(shown.length - 1, active + (e.key === 'ArrowDown' ? 1 : -1)));
      moved = true;
      draw();
    } else if (e.key === 'Enter') {
      if (!input.value.trim() && chosen.length && !moved) open();
      else if (shown[active]) toggle(shown[active].name);
    } else if (e.key === 'Backspace' && !input.value && chosen.length) {
      toggle(chosen.at(-1));
    } else return;
    e.preventDefault();
  });
  go.addEventListener('click', open);
  cancel.addEventListener('click', () => dlg.close());

  const dlg = modal('New direct message', h('div', { class: 'stack dm-dialog', id: 'dm-dialog' },
    h('p', { class: 'muted small', id: 'dm-help' }, 'Choose one person, or up to 7 for a group. Enter adds the highlighted person; Enter in the empty box opens the conversation.'),
    chips, input, list, note, error, h('div', { class: 'actions' }, cancel, go)));
  draw();
  input.focus();
}
