// Reactions, pins, saving and links on each message (docs/conversation.md).
// The message list (conversation.js) asks this for three parts of a message:
// the "Pinned" note, the reaction chips under the text, and the tool bar
// shown on hover, focus or a long press (quick 👍 ✅ 😀, the emoji picker,
// Reply, More: Copy link, Pin/Unpin, Save/Unsave; one's own Edit and Delete
// come from conversation.js and sit at its end). Reactions and pins go
// through the outbox like edits; saving is the HTTP API. The picker, the
// emoji list and the recent reactions (emoji.js) load on first use.
import { h } from './dom.js';
import { api } from '../api.js';
import { QUICK, pendingFor, shownReactions, shownPinned, toggleKind, pendingKey, whoReacted, SavedSet } from '../reactions.js';
import { messageLink } from '../links.js';
import { indexOfSeq } from '../store.js';

const NS = 'http://www.w3.org/2000/svg';
// Icons of their own (dom.js holds the shared ones), drawn the same way.
const PATHS = {
  'add-reaction': 'M15.5 3.8A8.5 8.5 0 1 0 20.2 8.5M8.5 14.5a4 4 0 0 0 7 0M9 9.5h.01M15 9.5h.01M19 2v6M16 5h6',
  reply: 'M10 8 5 12.5 10 17M5.5 12.5H14a5 5 0 0 1 5 5V19',
  more: 'M5.5 12h.01M12 12h.01M18.5 12h.01',
  pin: 'M9 4h6l-1 5 3 3v2H7v-2l3-3zM12 14v6',
  bookmark: 'M7 4h10v16l-5-4-5 4z',
  link: 'M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1',
};
export function glyph(name) {
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', `icon icon-${name}`);
  svg.setAttribute('aria-hidden', 'true');
  const p = document.createElementNS(NS, 'path');
  p.setAttribute('d', PATHS[name]);
  svg.append(p);
  return svg;
}

export class Reactions {
  constructor(conv) {
    this.conv = conv;
    this.store = conv.store;
    this.saved = new SavedSet();
    this.savedLoading = false;
    this.popup = null; // the open menu or picker: { el, close }
    // The saved list is fetched once the session is there (and again after
    // a reconnect until it came).
    this.store.on((what) => { if (what === 'channels' && !this.saved.loaded) this.loadSaved(); });
  }

  get c() { return this.conv.c; }
  get channel() { return this.conv.channel; }
  get me() { return this.store.me.name; }

  async loadSaved() {
    if (this.savedLoading) return;
    this.savedLoading = true;
    try {
      const r = await api.call('GET', '/api/saved');
      this.saved.set(r.messages || []);
      this.c?.mark?.('conv');
    } catch { /* offline or not there yet: the next channel list tries again */ }
    this.savedLoading = false;
  }

  // canReact: the channel takes reactions (not archived).
  canReact() { return !this.store.channels.get(this.channel)?.archived; }
  // canPin: any member, but in announcement channels only the office manager.
  canPin() {
    const ch = this.store.channels.get(this.channel);
    return !!ch && !ch.archived && (!ch.announce || this.store.me.role === 'admin');
  }

  pending(m) { return pendingFor(this.store.outbox, this.channel, m.seq); }

  // key is what the message's node depends on besides the message itself
  // (its v): unsettled reactions and pins, and whether it is saved.
  key(m) {
    const p = this.pending(m);
    return `${p.length ? `.r${pendingKey(p)}` : ''}${this.saved.has(this.channel, m.seq) ? '.s' : ''}`;
  }

  message(seq) {
    const items = this.store.log(this.channel).items;
    const m = items[indexOfSeq(items, seq)];
    return m && m.seq === seq && !m.kind ? m : null;
  }

  // pinNote: "Pinned" above a pinned message's text.
  pinNote(m) {
    if (m.deleted || !shownPinned(m, this.pending(m))) return null;
    return h('div', { class: 'pin-note' }, glyph('pin'), h('span', null, 'Pinned'));
  }

  // chips: the reactions under a message, "👍 2", one's own outlined;
  // the tooltip names who; a click adds or takes back one's own.
  chips(m) {
    if (m.deleted) return null;
    const list = shownReactions(m, this.pending(m), this.me);
    if (!list.length) return null;
    const can = this.canReact();
    const seq = m.seq;
    const display = (n) => this.store.display(n);
    const out = list.map((r) => {
      const who = whoReacted(r, display);
      return h('button', {
        type: 'button', class: `reaction${r.mine ? ' mine' : ''}${r.pending ? ' pending' : ''}`, tabindex: -1,
        'data-emoji': r.emoji, 'aria-pressed': String(r.mine), disabled: !can,
        'aria-label': `${r.emoji} ${r.count}, ${who}`, title: `${who} reacted with ${r.emoji}`,
        onclick: () => this.toggle(seq, r.emoji),
      }, h('span', { class: 'reaction-emoji' }, r.emoji), ' ', h('span', { class: 'reaction-count' }, String(r.count)));
    });
    if (can) {
      out.push(h('button', { type: 'button', class: 'reaction add-reaction', tabindex: -1, 'data-action': 'react', 'aria-label': 'Add reaction', title: 'Add reaction',
        'aria-haspopup': 'dialog', onclick: (e) => this.picker(seq, e.currentTarget) }, glyph('add-reaction')));
    }
    return h('div', { class: 'reactions', role: 'group', 'aria-label': 'Reactions' }, out);
  }

  // tools: the bar shown on hover, focus or a long press. own: the Edit and
  // Delete group of one's own message (or null).
  tools(m, own) {
    if (m.deleted) return own;
    const seq = m.seq;
    const btn = (action, label, content, onclick, extra = {}) => h('button', {
      type: 'button', class: 'icon-button', tabindex: -1, 'data-action': action, 'aria-label': label, title: label, onclick, ...extra,
    }, content);
    const react = this.canReact() ? [
      ...QUICK.map(([emoji, name]) => btn('quick-react', `React with ${name}`, h('span', { class: 'tool-emoji', 'aria-hidden': 'true' }, emoji),
        () => this.toggle(seq, emoji), { 'data-emoji': emoji })),
      btn('react', 'Add reaction', glyph('add-reaction'), (e) => this.picker(seq, e.currentTarget), { 'aria-haspopup': 'dialog' }),
      btn('reply', 'Reply in thread', glyph('reply'), () => this.reply(seq)),
    ] : [];
    const more = btn('more', 'More actions', glyph('more'), (e) => this.menu(seq, e.currentTarget), { 'aria-haspopup': 'menu', 'aria-expanded': 'false' });
    return h('div', { class: 'msg-tools' },
      h('div', { class: 'msg-react', role: 'group', 'aria-label': 'React and share' }, react, more), own);
  }

  // ---- what the buttons do ----

  // toggle adds one's reaction emoji to message seq, or takes it back.
  toggle(seq, emoji) {
    const m = this.message(seq);
    if (!m || m.deleted || !this.canReact()) return;
    const kind = toggleKind(shownReactions(m, this.pending(m), this.me), emoji);
    if (kind === 'react') this.remember(emoji);
    this.c.protocol.post(this.store.queueRecord(this.channel, kind, seq, emoji));
  }

  // remember puts emoji first among the recent ones (the picker's first row).
  remember(emoji) {
    const me = this.me;
    import('../emoji.js').then((m) => m.writeRecent(localStorage, me, m.remember(m.readRecent(localStorage, me), emoji))).catch(() => {});
  }

  togglePin(seq) {
    const m = this.message(seq);
    if (!m || !this.canPin()) return;
    const pinned = shownPinned(m, this.pending(m));
    this.c.protocol.post(this.store.queueRecord(this.channel, pinned ? 'unpin' : 'pin', seq));
    this.c.toast(pinned ? 'Unpinned.' : 'Pinned. Everyone in the conversation finds it under Pinned.');
  }

  // toggleSave saves or unsaves message seq for oneself (shown at once; put
  // back as it was, with the reason, if the server refuses).
  async toggleSave(seq, channel = this.channel) {
    const was = this.saved.has(channel, seq);
    if (was) this.saved.remove(channel, seq); else this.saved.add(channel, seq);
    this.c.mark('conv');
    try {
      if (was) await api.call('DELETE', `/api/saved/${encodeURIComponent(channel)}/${seq}`);
      else await api.call('POST', '/api/saved', { channel, seq });
      this.c.toast(was ? 'Removed from Saved.' : 'Saved. Find it under Saved in the sidebar.');
      this.c.lists?.savedChanged();
    } catch (err) {
      if (was) this.saved.add(channel, seq); else this.saved.remove(channel, seq);
      this.c.mark('conv');
      this.c.toast(err.status === 0 ? 'Saving needs the connection to the server. Try again when you are back online.' : err.message);
    }
  }

  async copyLink(seq) {
    const url = messageLink(location.origin, this.channel, seq);
    if (await copyText(url)) this.c.toast('Link copied. It opens this message for people in the conversation.');
    else this.c.toast(`Copy this link: ${url}`);
  }

  // reply is the hook of threads (built elsewhere): an 'inhouse:reply'
  // event on document with {channel, seq}.
  reply(seq) {
    document.dispatchEvent(new CustomEvent('inhouse:reply', { detail: { channel: this.channel, seq } }));
  }


  // ---- the More menu and the picker ----

  closePopup(focus = true) {
    const p = this.popup;
    if (!p) return;
    this.popup = null;
    p.close(focus);
  }

  menu(seq, anchor) {
    if (this.popup?.anchor === anchor) { this.closePopup(); return; }
    this.closePopup(false);
    const m = this.message(seq);
    if (!m) return;
    const channel = this.channel;
    const ch = this.store.channels.get(channel);
    const where = ch?.kind === 'direct' ? 'conversation' : 'channel';
    const pinned = shownPinned(m, this.pending(m));
    const saved = this.saved.has(channel, seq);
    const item = (action, label, glyphName, run) => h('button', { type: 'button', role: 'menuitem', tabindex: -1, 'data-action': action,
      onclick: () => { this.closePopup(); run(); } }, glyph(glyphName), h('span', null, label));
    const items = [item('copy-link', 'Copy link', 'link', () => this.copyLink(seq))];
    if (this.canPin()) items.push(item('pin', pinned ? `Unpin from ${where}` : `Pin to ${where}`, 'pin', () => this.togglePin(seq)));
    items.push(item('save', saved ? 'Remove from saved' : 'Save for later', 'bookmark', () => this.toggleSave(seq, channel)));
    const el = h('div', { class: 'popover msg-menu', role: 'menu', 'aria-label': 'More actions' }, items);
    el.addEventListener('keydown', (e) => {
      const all = [...el.querySelectorAll('[role=menuitem]')];
      const i = all.indexOf(document.activeElement);
      let to = null;
      if (e.key === 'ArrowDown') to = all[(i + 1) % all.length];
      else if (e.key === 'ArrowUp') to = all[(i - 1 + all.length) % all.length];
      else if (e.key === 'Home') to = all[0];
      else if (e.key === 'End') to = all.at(-1);
      else if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); this.closePopup(); return; }
      else if (e.key === 'Tab') { this.closePopup(false); return; }
      if (to) { e.preventDefault(); to.focus(); }
    });
    this.open(el, anchor, seq, '[data-action="more"]');
    items[0].focus();
  }

  async picker(seq, anchor) {
    if (this.popup?.anchor === anchor) { this.closePopup(); return; }
    this.closePopup(false);
    let mod;
    try {
      mod = await import(this.pickerTries ? `./picker.js?try=${this.pickerTries}` : './picker.js');
    } catch {
      this.pickerTries = (this.pickerTries || 0) + 1;
      this.c.toast('The emoji list needs the connection to the server. Try again when you are back online.');
      return;
    }
    const channel = this.channel;
    const back = anchor.dataset.action === 'react' && anchor.classList.contains('reaction') ? '.add-reaction' : '.msg-tools [data-action="react"]';
    const el = mod.emojiPicker({
      recent: mod.readRecent(localStorage, this.me),
      pick: (emoji) => {
        this.closePopup();
        if (this.channel === channel) this.toggle(seq, emoji);
      },
      cancel: () => this.closePopup(),
    });
    this.open(el, anchor, seq, back);
    el.querySelector('input')?.focus();
  }

  // open shows a popover (menu or picker) by anchor; it closes on Esc, a
  // click elsewhere or leaving it with the keyboard (a resized window moves it),
  // and gives focus back to the button that opened it.
  open(el, anchor, seq, backSelector) {
    document.body.append(el);
    place(el, anchor);
    anchor.setAttribute('aria-expanded', 'true');
    anchor.closest('.msg')?.classList.add('tools-open');
    const onDown = (e) => { if (!el.contains(e.target) && !anchor.contains(e.target)) this.closePopup(false); };
    // The list may scroll under it (new messages): it follows its button.
    const onScroll = (e) => { if (!el.contains(e.target) && anchor.isConnected) place(el, anchor); };
    // A phone's keyboard resizes the window when the search box takes
    // focus: the popover follows the window rather than closing.
    const onResize = () => { if (anchor.isConnected) place(el, anchor); };
    const onOut = (e) => { if (e.relatedTarget && !el.contains(e.relatedTarget) && e.relatedTarget !== anchor) this.closePopup(false); };
    document.addEventListener('pointerdown', onDown, true);
    document.addEventListener('scroll', onScroll, true);
    addEventListener('resize', onResize);
    el.addEventListener('focusout', onOut);
    this.popup = {
      el, anchor,
      close: (focus) => {
        document.removeEventListener('pointerdown', onDown, true);
        document.removeEventListener('scroll', onScroll, true);
        removeEventListener('resize', onResize);
        el.removeEventListener('focusout', onOut);
        el.remove();
        anchor.setAttribute('aria-expanded', 'false');
        // Focus first: the bar is shown by .tools-open until the message has it.
        if (focus && anchor.isConnected) anchor.focus();
        else if (focus) {
          const li = this.conv.list.querySelector(`.msg[data-key="${seq}"]`);
          li?.focus();
          li?.querySelector(backSelector)?.focus();
        }
        anchor.closest('.msg')?.classList.remove('tools-open');
      },
    };
  }
}

// focusPath names a button of a message's tool bar or reactions so the
// same button of the message's new node can take focus back when the list
// re-renders it (a reaction, an ack or a saved list rebuilds the message);
// null for anything else.
export function focusPath(el) {
  if (el?.tagName !== 'BUTTON') return null;
  const box = el.closest('.msg-tools, .reactions');
  if (!box) return null;
  let sel = `${box.classList.contains('reactions') ? '.reactions' : '.msg-tools'} button`;
  if (el.dataset.action) sel += `[data-action="${CSS.escape(el.dataset.action)}"]`;
  if (el.dataset.emoji) sel += `[data-emoji="${CSS.escape(el.dataset.emoji)}"]`;
  if (!el.dataset.action && !el.dataset.emoji) sel += `[aria-label="${CSS.escape(el.getAttribute('aria-label') || '')}"]`;
  return sel;
}

// place puts a popover under its anchor (or above, where there is no
// room), inside the window. A phone shows it as a sheet at the bottom (CSS).
export function place(el, anchor) {
  const sheet = matchMedia('(max-width: 720px)').matches;
  el.classList.toggle('sheet', sheet);
  if (sheet) { el.style.left = el.style.top = ''; return; }
  const r = anchor.getBoundingClientRect();
  const w = el.offsetWidth, hgt = el.offsetHeight;
  const vw = document.documentElement.clientWidth, vh = document.documentElement.clientHeight;
  let left = Math.min(Math.max(8, r.right - w), vw - w - 8);
  let top = r.bottom + 4;
  if (top + hgt > vh - 8) top = Math.max(8, r.top - hgt - 4);
  el.style.left = `${Math.max(8, left)}px`;
  el.style.top = `${top}px`;
}

// copyText puts text on the clipboard: the Clipboard API where the page is
// a secure context, else a selected text area and the copy command (plain
// http on the office LAN).
export async function copyText(text) {
  try {
    if (navigator.clipboard?.writeText) { await navigator.clipboard.writeText(text); return true; }
  } catch { /* refused: try the old way */ }
  const ta = h('textarea', { class: 'copy-buffer', readonly: true, 'aria-hidden': 'true', tabindex: -1 });
  ta.value = text;
  const back = document.activeElement;
  document.body.append(ta);
  ta.select();
  let ok = false;
  try { ok = document.execCommand('copy'); } catch { ok = false; }
  ta.remove();
  back?.focus?.({ preventScroll: true });
  return ok;
}

