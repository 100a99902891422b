// People in the page (docs/people.md, docs/client.md): a picture, or
// initials on a colour, beside names; the status emoji and the moon of
// quiet time; the line above a direct message's composer when the other
// person is not notified; the account menu's entries; the timers that keep
// quiet time right. Loaded right after the first screen (app.js starts it
// like the @ suggestions), with people.css; the person card (card.js) and
// the dialogs (profile.js) load on first use. Until it is here, names show
// without pictures.
import { api } from '../api.js';
import { h, srOnly } from './dom.js';
import { loadStyle } from './style.js';
import { hue, initials, pictureURL, activeNote, quiet, noteText, quietText, quietLine, said, signature, nextChange } from '../people.js';

export async function start(client) {
  await loadStyle('/people.css');
  const p = new People(client);
  client.people = p;
  client.mark('sidebar', 'conv');
  if (client.current) { client.renderHeader(); p.opened(client.current); }
  return p;
}

// Every name and picture with data-user opens its card; so does an
// @mention of someone in a message.
function clickedUser(e, store) {
  const el = e.target.closest?.('[data-user]');
  if (el) return [el.dataset.user, el];
  const m = e.target.closest?.('.text .mention');
  const name = m?.textContent.slice(1);
  return m && name && store.isUser(name) ? [name, m] : null;
}

export class People {
  constructor(client) {
    this.c = client;
    this.store = client.store;
    this.dm = null; // the other person of the open direct message
    this.timer = 0;
    // Above the composer of a direct message: "Ana is not notified until 08:00."
    this.quietEl = h('p', { class: 'quiet-line', id: 'quiet-line', role: 'status', hidden: true }, h('span', { 'aria-hidden': 'true' }, '🌙'), h('span'));
    client.attach.el.before(this.quietEl);
    // Beside my own name in the sidebar, and the account menu's entries.
    this.own = h('span', { class: 'own-badge' });
    (client.sidebar.lost || client.sidebar.me).after(this.own); // on the name's line (client.css wraps the words about the connection)
    const menu = client.sidebar.menu;
    const entry = (what, label) => h('button', { type: 'button', 'data-people': what, onclick: () => { menu.open = false; this.dialog(what); } }, label);
    menu.querySelector('.menu-items').prepend(entry('profile', 'Profile…'), entry('status', 'Set a status…'),
      entry('dnd', 'Do not disturb…'), entry('hours', 'Working hours…'));
    document.addEventListener('click', (e) => {
      const hit = e.button === 0 && clickedUser(e, this.store);
      if (hit) { e.preventDefault(); this.card(hit[0], hit[1]); }
    });
    this.store.on((what) => { if (what === 'users') this.changed(); });
    this.changed();
  }

  user(name) { return this.store.users.get(name) || (name === this.store.me.name ? this.store.me : { name, display: name }); }

  // face is a person's picture, or their initials on their colour until
  // they have one. size '' (messages: a button that opens the card), 'sm'
  // (the sidebar, the @ list) or 'lg' (the card): decorative there.
  face(name, size = '') {
    const u = this.user(name);
    const url = pictureURL(u);
    const img = url ? h('img', { src: url, alt: '', decoding: 'async' }) : null;
    img?.addEventListener('error', () => img.remove()); // the initials stay
    const kids = [h('span', { 'aria-hidden': 'true' }, initials(u.display, name)), img];
    const cls = `face hue${hue(name)}${size ? ` ${size}` : ''}`;
    if (size) return h('span', { class: cls, 'aria-hidden': 'true' }, kids);
    return h('button', { type: 'button', class: cls, tabindex: -1, 'data-user': name, 'aria-haspopup': 'dialog', 'aria-label': `${u.display || name}, show the card` }, kids);
  }

  // badge: the status emoji and the moon beside a name, the words in a
  // tooltip and for screen readers; null when there is neither.
  badge(name) {
    const u = this.user(name);
    const n = activeNote(u), q = quiet(u);
    if (!n && !q) return null;
    const words = [noteText(n), quietText(q)].filter(Boolean);
    return h('span', { class: 'badge', title: words.join('\n') },
      n ? h('span', { 'aria-hidden': 'true' }, n.emoji || '💬') : null,
      q ? h('span', { class: 'moon', 'aria-hidden': 'true' }, '🌙') : null,
      srOnly(` (${words.join('; ')})`));
  }

  // said is the same in words, after a name in a link's label.
  said(name) { return said(this.user(name)); }

  // sig changes whenever the face or badge of name would (conversation.js
  // rebuilds a message's node only then).
  sig(name) { return signature(this.user(name)); }

  // opened: a conversation opened. In a direct message with one person,
  // their quiet time is fetched fresh for the line above the composer.
  opened(id) {
    const ch = this.store.channels.get(id);
    const other = ch?.kind === 'direct' && !this.store.isGroup(ch) ? this.store.partner(ch) : null;
    this.dm = other && other !== this.store.me.name ? other : null;
    if (this.dm) this.fetch(this.dm);
    this.line();
  }

  async fetch(name) {
    try {
      const r = await api.call('GET', `/api/users/${encodeURIComponent(name)}`);
      if (r.user?.name === name) this.store.person(r.user);
    } catch { /* keep what the list said */ }
  }

  // refreshMe takes my own person from /api/me (quiet time, status).
  async refreshMe() {
    try {
      const me = await api.me();
      if (me?.user) this.store.person(me.user);
    } catch { /* offline: the socket's open fetches it */ }
  }

  line() {
    const text = this.dm ? quietLine(this.user(this.dm)) : null;
    this.quietEl.lastChild.textContent = text || '';
    this.quietEl.hidden = !text;
  }

  // changed: people changed (a person frame, a list, presence). The own
  // badge and the quiet line follow; the next change that comes by itself
  // (a status or quiet time ending, quiet hours beginning) is timed.
  changed() {
    const me = this.store.me.name;
    this.own.replaceChildren(this.badge(me) || '');
    this.line();
    clearTimeout(this.timer);
    const next = nextChange([...this.store.users.values(), this.store.me]);
    // A little after, so the server agrees the moment has passed.
    if (next) this.timer = setTimeout(() => this.tick(), Math.min(next - Date.now() + 1000, 864e5));
  }

  tick() {
    const now = Date.now();
    const passed = (u) => [u?.quiet?.now && u.quiet.until, u?.next_quiet].some((t) => Date.parse(t) <= now);
    if (passed(this.store.me)) this.refreshMe();
    if (this.dm && passed(this.store.users.get(this.dm))) this.fetch(this.dm);
    this.changed();
    this.c.mark('sidebar', 'conv');
    if (this.c.current) this.c.renderHeader();
  }

  // card opens a person's card (card.js, loaded on first use).
  async card(name, opener) {
    try {
      (await import('./card.js')).openCard(this.c, name, opener);
    } catch {
      this.c.toast('The card needs the connection to the server. Try again when you are back online.');
    }
  }

  // dialog opens one of the account menu's dialogs (profile.js).
  async dialog(what) {
    if (document.querySelector('dialog[open]')) return;
    try {
      (await import('./profile.js')).openDialog(this.c, what);
    } catch {
      this.c.toast('This needs the connection to the server. Try again when you are back online.');
    }
  }
}
