// The way to the Pinned and Saved lists (docs/conversation.md): the pin
// button in the conversation header (#pins-button) and *Saved* in the
// sidebar (#saved-button). The panels themselves (view/saved.js) load on
// first use and take the place of the search and files panels, one at a
// time. Other parts of the page (the channel menu) may open them with
// client.lists.showPins() and client.lists.showSaved().
import { h } from './dom.js';
import { glyph } from './reactions.js';

export class Lists {
  constructor(client) {
    this.c = client;
    this.mod = null;
    this.pins = null;
    this.saved = null;
    this.pinsButton = h('button', { type: 'button', id: 'pins-button', class: 'icon-button pins-button', 'aria-label': 'Pinned messages',
      title: 'Pinned messages', 'aria-controls': 'pins-panel', 'aria-expanded': 'false' }, glyph('pin'));
    this.pinsButton.addEventListener('click', () => { if (this.pins?.open) this.pins.hide(true); else this.showPins(); });
    this.savedButton = h('button', { type: 'button', id: 'saved-button', class: 'saved-button', 'aria-controls': 'saved-panel', 'aria-expanded': 'false' },
      glyph('bookmark'), h('span', null, 'Saved'));
    this.savedButton.addEventListener('click', () => { if (this.saved?.open) this.saved.hide(true); else this.showSaved(); });
    client.filesButton.before(this.pinsButton);
    const sw = client.sidebar.el.querySelector('.switch-button');
    if (sw) sw.after(this.savedButton); else client.sidebar.el.prepend(this.savedButton);
  }

  async load() {
    if (this.mod) return this.mod;
    try {
      this.mod = await import(this.tries ? `./saved.js?try=${this.tries}` : './saved.js');
    } catch {
      this.tries = (this.tries || 0) + 1;
      this.c.toast('This list needs the connection to the server. Try again when you are back online.');
      return null;
    }
    this.pins = new this.mod.PinsPanel(this.c, this);
    this.saved = new this.mod.SavedPanel(this.c, this);
    this.c.conv.el.append(this.pins.el, this.saved.el);
    return this.mod;
  }

  // others: close the search and files panels (and the other list).
  others(except) {
    if (this.c.search?.open) this.c.search.hide(false);
    if (this.c.files?.open) this.c.files.hide(false);
    if (this.pins?.open && this.pins !== except) this.pins.hide(false);
    if (this.saved?.open && this.saved !== except) this.saved.hide(false);
  }

  async showPins() {
    if (!this.c.current || !(await this.load())) return;
    this.others(this.pins);
    this.pins.show(this.c.current);
  }

  async showSaved() {
    this.c.drawer(false);
    if (!(await this.load())) return;
    this.others(this.saved);
    this.saved.show();
  }

  // hide closes both lists (the search or files panel is opening).
  hide() {
    if (this.pins?.open) this.pins.hide(false);
    if (this.saved?.open) this.saved.hide(false);
  }

  // channelOpened: the Pinned list follows the open conversation.
  channelOpened(id) {
    this.pinsButton.hidden = !id;
    if (this.pins?.open) { if (id) this.pins.show(id, false); else this.pins.hide(false); }
  }

  // savedChanged: a message was saved or unsaved here.
  savedChanged() { if (this.saved?.open) this.saved.load(); }
}
