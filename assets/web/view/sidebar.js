// The sidebar: who I am, channels and direct messages with unread counts,
// mentions and presence, and the archive notice at the foot.
import { h, icon, srOnly, logo } from './dom.js';

export class Sidebar {
  constructor(client) {
    this.c = client;
    const s = client.store;
    this.me = h('span', { class: 'me-name', dir: 'auto' });
    // The summary's name starts with what it shows (the person's name), so
    // speech control users can say what they see. A disclosure, not an ARIA
    // menu: it has no arrow-key handling to promise.
    this.menu = h('details', { class: 'menu' },
      h('summary', null, this.dot = h('span', { class: 'dot online', 'aria-hidden': 'true' }), this.me,
        this.lost = h('span', { class: 'conn-lost', hidden: true }, 'Connection lost — reconnecting'), srOnly(', your account')),
      h('div', { class: 'menu-items' },
        h('button', { type: 'button', id: 'menu-settings', onclick: () => { this.menu.open = false; client.receipts?.settings(); } }, 'Notifications and privacy'),
        h('button', { type: 'button', onclick: () => { this.menu.open = false; client.changePassword(); } }, 'Change password'),
        h('button', { type: 'button', onclick: () => { this.menu.open = false; client.signOut(); } }, 'Sign out')));
    // The page's h1 is the office's name, outside the drawer (app.js puts
    // it first in the shell): a closed drawer on a phone must not take the
    // top heading with it. The name shown here is not a second heading.
    this.office = h('div', { class: 'office' }, s.office);
    this.heading = h('h1', { class: 'sr-only' }, s.office);
    this.channels = h('ul', { class: 'items', 'aria-labelledby': 'h-channels' });
    this.dms = h('ul', { class: 'items', 'aria-labelledby': 'h-dms' });
    this.prompt = h('div', { class: 'prompt-slot' });
    this.banner = h('button', { type: 'button', class: 'archive-note', id: 'archive-note' }, icon('lock'), h('span', null, ''));
    this.banner.addEventListener('click', () => client.showPolicy());
    // Auditors read in the archive (the console), not in the chat.
    const archive = s.me.role === 'auditor'
      ? h('a', { href: '/admin/archive', class: 'archive-link' }, 'Open the archive') : null;
    this.el = h('nav', { class: 'sidebar', id: 'sidebar', 'aria-label': 'Conversations' },
      h('div', { class: 'side-head' }, logo(), h('div', { class: 'who' }, this.office, this.menu)),
      h('button', { type: 'button', class: 'switch-button', onclick: () => client.switcher() },
        icon('search'), h('span', null, 'Jump to…'), h('kbd', null, 'Ctrl K')),
      h('div', { class: 'lists' },
        section('h-channels', 'Channels', 'Create or join a channel', () => client.channelDialog()), this.channels,
        section('h-dms', 'Direct messages', 'New direct message', () => client.dmDialog()), this.dms),
      this.prompt,
      h('footer', { class: 'side-foot' }, archive, this.banner));
  }

  update() {
    const s = this.c.store;
    this.office.textContent = s.office;
    this.heading.textContent = s.office;
    this.me.textContent = s.me.display || s.me.name;
    this.banner.lastChild.textContent = s.policy.banner || 'Conversations are archived and may be reviewed.';
    this.banner.setAttribute('aria-label', `${this.banner.lastChild.textContent} Show the usage policy.`);
    const focused = document.activeElement?.closest?.('.items a')?.dataset.id;
    const all = [...s.channels.values()];
    const rooms = all.filter((c) => c.kind !== 'direct').sort((a, b) => a.name.localeCompare(b.name));
    const dms = all.filter((c) => c.kind === 'direct').sort((a, b) => s.label(a).localeCompare(s.label(b)));
    this.channels.replaceChildren(...(rooms.length ? rooms.map((c) => this.item(c)) : [h('li', { class: 'none' }, 'No channels yet. Use + to join one.')]));
    this.dms.replaceChildren(...(dms.length ? dms.map((c) => this.item(c)) : [h('li', { class: 'none' }, 'Use + to message someone.')]));
    if (focused) this.el.querySelector(`.items a[data-id="${CSS.escape(focused)}"]`)?.focus();
  }

  // conn: my own dot says when the connection is lost (app.js).
  conn(ok) {
    this.dot.className = `dot ${ok ? 'online' : 'lost'}`;
    this.lost.hidden = ok;
  }

  item(c) {
    const s = this.c.store;
    const label = s.label(c);
    const current = c.id === this.c.current;
    // Muted (docs/conversation.md): no unread count, mentions still show.
    const unread = c.muted ? 0 : c.unread;
    const highlight = c.mentions > 0 || (c.kind === 'direct' && unread > 0);
    let glyph, said = label, who = null;
    if (s.isGroup(c)) {
      const n = c.members.length;
      glyph = h('span', { class: 'group-count', 'aria-hidden': 'true' }, String(n));
      said += `, group of ${n}`;
    } else if (c.kind === 'direct') {
      who = s.partner(c);
      const status = s.users.get(who)?.status || 'offline';
      glyph = [this.c.people?.face(who, 'sm'), h('span', { class: `dot ${status}`, 'aria-hidden': 'true' })];
      said += `, ${status}${this.c.people?.said(who) || ''}`;
    } else {
      glyph = icon(c.kind === 'private' ? 'lock' : 'hash');
      if (c.kind === 'private') said += ', private';
    }
    if (c.muted) said += ', muted';
    if (unread) said += `, ${unread} unread`;
    if (c.mentions) said += c.mentions === 1 ? ', 1 mention' : `, ${c.mentions} mentions`;
    const ask = this.c.receipts?.marker(c.id); // an announcement to confirm (view/announce.js)
    if (ask) said += ask.dataset.said;
    const pill = unread
      ? h('span', { class: highlight ? 'pill mention' : 'pill', 'aria-hidden': 'true' }, c.mentions ? `@${unread}` : String(unread))
      : c.mentions ? h('span', { class: 'pill mention', 'aria-hidden': 'true' }, `@${c.mentions}`) : null;
    return h('li', null, h('a', {
      href: `#/c/${encodeURIComponent(c.id)}`, 'data-id': c.id,
      class: `item${unread || c.mentions ? ' unread' : ''}${c.muted ? ' muted' : ''}${current ? ' current' : ''}`,
      'aria-current': current ? 'page' : null, 'aria-label': said,
    }, glyph, h('span', { class: 'name', dir: 'auto' }, label), who && this.c.people?.badge(who), c.muted ? icon('mute') : null,
    ask, pill));
  }

}

function section(id, title, addLabel, onAdd) {
  return h('div', { class: 'section-head' }, h('h2', { id }, title),
    h('button', { type: 'button', class: 'icon-button', 'aria-label': addLabel, title: addLabel, onclick: onAdd }, icon('plus')));
}

export { srOnly };
