// Entry: sign-in, the gates (password, policy), then the chat.
import { api } from './api.js';
import { Socket } from './socket.js';
import { Protocol } from './protocol.js';
import { Store, notifyWanted } from './store.js';
import { utf8Length, typingText, limitNote, SEARCH_OFFLINE } from './text.js';
import { notify } from './notify.js';
import { h, icon, modal } from './view/dom.js';
import { showLogin } from './view/login.js';
import { showPolicy, showPasswordChange, rememberPolicy } from './view/gate.js';
import { Sidebar } from './view/sidebar.js';
import { Conversation } from './view/conversation.js';
import { switcher, dmDialog, channelDialog, passwordDialog, policyDialog } from './view/dialogs.js';
import { Attacher } from './view/attach.js';
import { FilesPanel } from './view/filespanel.js';
import { openViewer } from './view/viewer.js';
import { messagePreview } from './files.js';
import { formatKey, formatHint } from './view/format.js';
import { Lists } from './view/lists.js';
import { Threads } from './view/threads.js';
import { parseMessageLink } from './links.js';

const root = document.getElementById('app');
const LAST = 'inhouse.last';
const AWAY_HIDDEN_MS = 60 * 1000;
const AWAY_IDLE_MS = 10 * 60 * 1000;

async function boot() {
  let me;
  try {
    me = await api.me();
  } catch (err) {
    root.replaceChildren(h('main', { class: 'auth' }, h('div', { class: 'auth-card' },
      h('h1', null, 'Inhouse is not reachable'), h('p', { role: 'alert' }, err.message),
      h('button', { type: 'button', class: 'primary', onclick: () => location.reload() }, 'Try again'))));
    return;
  }
  if (!me) return showLogin(root, boot);
  api.csrf = me.csrf;
  if (me.must_change) return showPasswordChange(root, me, boot);
  if (!me.policy.accepted) return showPolicy(root, me, boot);
  // So a later version can be announced as a change (see policyChanged).
  rememberPolicy(me.user.name, me.policy.version);
  new Client(me).start();
}

class Client {
  constructor(me) {
    this.store = new Store(window.localStorage);
    this.store.setMe(me);
    this.current = null;
    this.online = false;
    this.readTimer = 0;
    this.dirty = new Set();
    this.flushTimer = 0;
    this.socket = new Socket({
      open: () => this.protocol.opened(),
      frame: (f) => this.protocol.frame(f),
      closed: (e, opened) => this.protocol.closed(e.code, opened, e.reason),
      state: () => this.mark('status'),
    });
    // The protocol decides what goes over the socket; the page only hears
    // what to show.
    this.protocol = new Protocol({
      store: this.store,
      api,
      send: (f) => this.socket.send(f),
      stop: () => this.socket.stop(),
      healthy: () => this.socket.healthy(),
      ui: {
        viewing: (channel) => this.viewing(channel),
        opened: () => { if (!this.current) this.route(); },
        arrived: (channel, msgs, viewing) => this.arrived(channel, msgs, viewing),
        synced: () => this.synced(),
        closed: () => this.mark('status', 'conv'),
        signedOut: (notice) => this.signedOut(notice),
        needPolicy: (me) => this.needPolicy(me),
        toast: (text) => this.toast(text),
      },
    });
    this.sidebar = new Sidebar(this);
    this.conv = new Conversation(this);
    this.attach = new Attacher(this);
    this.buildMain();
    this.files = new FilesPanel(this);
    this.conv.el.append(this.files.el);
    // Pinned (header) and Saved (sidebar): docs/conversation.md.
    this.lists = new Lists(this);
    this.shell = h('div', { class: 'shell' }, this.sidebar.heading, this.sidebar.el, h('div', { class: 'scrim', onclick: () => this.drawer(false) }), this.main);
    root.replaceChildren(this.shell, this.toastEl);
    // Replies and threads: the Threads entry, reply lines, the thread panel (view/threads.js).
    this.threads = new Threads(this);
    this.store.on((what, channel) => this.onStore(what, channel));
    this.reveal = null; // { channel, seq }: a message to open at once loaded
    this.search = null; // the search panel, loaded on first use
  }

  buildMain() {
    this.title = h('h2', { class: 'title', id: 'conv-title' });
    this.subtitle = h('span', { class: 'subtitle muted' });
    this.statusBar = h('div', { class: 'status-bar', role: 'status', hidden: true });
    this.input = h('textarea', { id: 'composer', rows: 1, dir: 'auto', 'aria-describedby': 'composer-help', enterkeyhint: 'send' });
    this.composerLabel = h('label', { for: 'composer', class: 'sr-only' }, 'Message');
    this.counter = h('span', { class: 'counter', 'aria-live': 'polite' });
    this.typingEl = h('span', { class: 'typing', 'aria-live': 'polite' });
    this.live = h('div', { class: 'sr-only', 'aria-live': 'polite' });
    this.toastEl = h('div', { class: 'toast', role: 'status', hidden: true });
    this.mainPrompt = h('div', { class: 'prompt-slot main-prompt' });
    this.sendButton = h('button', { type: 'submit', class: 'send', 'aria-label': 'Send' }, icon('send'));
    const form = h('form', { class: 'composer' }, this.attach.button, this.attach.input, this.composerLabel, this.input, this.sendButton);
    form.addEventListener('submit', (e) => { e.preventDefault(); this.submit(); });
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && !e.altKey && !e.ctrlKey && !e.metaKey) {
        e.preventDefault();
        this.submit();
      }
    });
    this.input.addEventListener('input', () => this.onInput());
    this.input.addEventListener('keydown', (e) => formatKey(e, this.input)); // Ctrl+B, Ctrl+I (view/format.js)
    // ↑ in an empty composer edits one's last message.
    this.input.addEventListener('keydown', (e) => {
      if (e.key !== 'ArrowUp' || this.input.value || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
      const seq = this.conv.lastOwn();
      if (seq && this.conv.startEdit(seq, 'composer')) e.preventDefault();
    });
    this.composerForm = form;
    this.readOnlyNote = h('p', { class: 'read-only', id: 'read-only', hidden: true }, icon('lock'), h('span'));
    this.searchInput = h('input', { type: 'search', id: 'search', class: 'search-input', placeholder: 'Search', autocomplete: 'off', dir: 'auto',
      'aria-label': 'Search messages', 'aria-keyshortcuts': 'Control+Shift+F', enterkeyhint: 'search' });
    const searchForm = h('form', { class: 'search-box', role: 'search' }, icon('search'), this.searchInput);
    searchForm.addEventListener('submit', (e) => { e.preventDefault(); this.runSearch(this.searchInput.value); });
    this.searchInput.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && this.search?.open) { e.preventDefault(); this.search.hide(false); }
    });
    // The conversation's files (docs/files.md), in a panel like search's.
    this.filesButton = h('button', { type: 'button', id: 'files-button', class: 'icon-button files-button', 'aria-label': 'Files',
      title: 'Files in this conversation', 'aria-controls': 'files-panel', 'aria-expanded': 'false' }, icon('files'));
    this.filesButton.addEventListener('click', () => this.files.toggle());
    // The channel menu (view/channelmenu.js, loaded on first use): members,
    // notifications, topic, Add people, Leave. The topic shows beside the name.
    this.menuButton = h('button', { type: 'button', id: 'channel-menu-button', class: 'icon-button channel-menu-button', 'aria-haspopup': 'dialog',
      'aria-label': 'Conversation details and settings', title: 'Members, notifications, topic' }, icon('chevron'));
    this.menuButton.addEventListener('click', () => this.channelMenu());
    this.topicEl = h('span', { class: 'topic muted', id: 'conv-topic', dir: 'auto', hidden: true });
    this.main = h('main', { class: 'main', 'aria-labelledby': 'conv-title' },
      h('header', { class: 'conv-head' },
        h('button', { type: 'button', class: 'icon-button drawer-button', 'aria-label': 'Show conversations', 'aria-controls': 'sidebar', onclick: () => this.drawer(true) }, icon('menu')),
        h('div', { class: 'heading' }, this.title, this.menuButton, this.subtitle, this.topicEl),
        this.filesButton, searchForm),
      this.statusBar, this.mainPrompt, this.conv.el,
      h('div', { class: 'composer-wrap' }, this.attach.el, form, this.readOnlyNote,
        h('div', { class: 'composer-foot' }, this.typingEl,
          h('span', { id: 'composer-help', class: 'hint' }, 'Enter to send · Shift+Enter for a new line · ↑ edits your last message'), this.counter),
        formatHint('format-hint')),
      this.live, this.attach.dropZone);
    this.attach.watch(this.main, this.input);
  }

  async start() {
    try {
      const [users, channels] = await Promise.all([api.users(), api.channels()]);
      this.store.setUsers(users);
      this.store.setChannels(channels);
    } catch { /* the socket's open handler tries again */ }
    addEventListener('hashchange', () => this.route());
    // Files still uploading would be lost with the page: ask first.
    addEventListener('beforeunload', (e) => { if (this.attach.busy()) { e.preventDefault(); e.returnValue = ''; } });
    this.route();
    this.socket.connect();
    this.keyboard();
    this.watchPresence();
    this.offerNotifications();
    // @ suggestions in the composer (view/mentions.js): loaded after the
    // first screen, so the first visit does not carry them.
    import('./view/mentions.js').then((m) => { this.mentions = new m.Mentions(this); }).catch(() => {});
    // Receipts, announcements, sound, service worker: the same.
    import('./view/receipts.js').then((m) => { this.receipts = new m.Receipts(this); }).catch(() => {});
    import('./view/people.js').then((m) => m.start(this)).catch(() => {}); // faces, status, cards
    setInterval(() => this.mark('typing'), 1000);
    this.mark('sidebar', 'status', 'title');
  }

  // Rendering is batched: many frames in a burst cost one render. A timer,
  // not requestAnimationFrame, so the title still updates in hidden tabs.
  mark(...what) {
    for (const w of what) this.dirty.add(w);
    if (!this.flushTimer) this.flushTimer = setTimeout(() => this.flush(), 16);
  }

  flush() {
    this.flushTimer = 0;
    const d = this.dirty;
    this.dirty = new Set();
    if (d.has('sidebar')) this.sidebar.update();
    if (d.has('older')) this.conv.refresh(true);
    else if (d.has('conv')) this.conv.refresh(false);
    if ((d.has('older') || d.has('conv')) && this.reveal) this.tryReveal();
    if (d.has('jump')) this.conv.updateJump();
    if (d.has('status')) this.renderStatus();
    if (d.has('typing')) this.typingEl.textContent = this.current ? typingText(this.store.typers(this.current)) : '';
    if (d.has('title') || d.has('sidebar')) this.renderTitle();
  }

  onStore(what, channel) {
    switch (what) {
      case 'channels':
      case 'users':
        this.mark('sidebar', 'header');
        if (what === 'channels' && this.current && !this.store.channels.has(this.current)) this.route();
        // The first conversation of someone who had none.
        else if (what === 'channels' && !this.current && this.store.channels.size) this.route();
        if (this.current) { this.renderHeader(); this.mark('conv'); }
        break;
      case 'unread':
        this.mark('sidebar', 'jump');
        break;
      case 'log':
      case 'outbox':
        this.mark('sidebar');
        if (channel === this.current) this.mark('conv');
        break;
      case 'history':
        if (channel === this.current) this.mark('older');
        break;
      case 'typing':
        if (channel === this.current) this.mark('typing');
        break;
    }
  }

  // ---- routing ----
  route() {
    // A message link (links.js): its conversation, opened at the message.
    const link = parseMessageLink(location.hash);
    if (link && this.store.channels.size) {
      history.replaceState(null, '', `#/c/${encodeURIComponent(link.channel)}`);
      if (this.store.channels.has(link.channel)) {
        this.reveal = link;
        this.drawer(false);
        if (link.channel !== this.current) this.open(link.channel); else this.tryReveal();
        return;
      }
      this.toast('That message is in a conversation you are not in.');
    }
    const m = /^#\/c\/(.+)$/.exec(location.hash);
    let id = m ? decodeURIComponent(m[1]) : null;
    const chans = this.store.channels;
    if (!id || !chans.has(id)) {
      let last = null;
      try { last = localStorage.getItem(`${LAST}.${this.store.me.name}`); } catch { /* ignore */ }
      id = last && chans.has(last) ? last : this.firstChannel();
      if (id) { history.replaceState(null, '', `#/c/${encodeURIComponent(id)}`); } else if (!chans.size) { this.showNone(); return; }
    }
    if (id !== this.current) this.open(id);
  }

  firstChannel() {
    const list = [...this.store.channels.values()];
    list.sort((a, b) => (a.kind === 'direct') - (b.kind === 'direct') || this.store.label(a).localeCompare(this.store.label(b)));
    return list[0]?.id || null;
  }

  go(id) {
    this.drawer(false);
    if (location.hash !== `#/c/${encodeURIComponent(id)}`) location.hash = `#/c/${encodeURIComponent(id)}`;
    else if (id !== this.current) this.open(id);
    this.focusComposer();
  }

  // showNone is the page of someone in no conversation: no composer (it
  // would send nowhere), and for an auditor the way to the archive, where
  // auditors read.
  showNone() {
    this.saveDraft();
    this.current = null;
    this.title.textContent = 'Welcome';
    const auditor = this.store.me.role === 'auditor';
    this.subtitle.textContent = auditor ? '' : 'Join a channel or message someone from the sidebar.';
    this.composerForm.hidden = true;
    this.input.disabled = true;
    this.readOnlyNote.hidden = true;
    this.filesButton.hidden = true;
    this.menuButton.hidden = true;
    this.topicEl.hidden = true;
    if (this.files.open) this.files.hide(false);
    this.lists.channelOpened(null);
    this.receipts?.opened(null);
    this.people?.opened(null);
    this.attach.render();
    this.main.querySelector('#composer-help').hidden = true;
    this.conv.clear(h('div', { class: 'empty' },
      h('p', { class: 'empty-title' }, 'You are not in any conversation yet.'),
      auditor
        ? h('p', null, 'As an auditor you read the office’s conversations in the archive. ', h('a', { href: '/admin/archive' }, 'Open the archive'))
        : h('p', { class: 'muted' }, 'Use + beside Channels to join one, or beside Direct messages to write to someone.')));
    this.mark('sidebar', 'title');
  }

  // readOnly says why nobody (or not this person) may post in ch, or ''.
  readOnly(ch) {
    if (ch?.archived) return 'This channel is archived: you can read it, but no one can post here.';
    if (ch?.announce && this.store.me.role !== 'admin') return 'Only the office manager posts here.';
    return '';
  }

  open(id) {
    this.saveDraft();
    this.current = id;
    try { localStorage.setItem(`${LAST}.${this.store.me.name}`, id); } catch { /* ignore */ }
    this.input.value = this.loadDraft(id);
    this.attach.say('');
    if (this.conv.editing && this.conv.editing.channel !== id) this.conv.editing = null;
    if (this.reveal && this.reveal.channel !== id) this.reveal = null;
    this.resize();
    this.renderHeader();
    this.conv.open(id);
    this.mark('sidebar', 'typing', 'title');
    this.readShown();
    this.maybeRead();
    if (this.reveal) this.tryReveal();
    this.attach.render();
    if (this.files.open) this.files.load(id);
    this.lists.channelOpened(id);
    this.receipts?.opened(id);
    this.people?.opened(id);
  }

  renderHeader() {
    const ch = this.store.channels.get(this.current);
    if (!ch) return;
    const label = this.store.label(ch);
    if (this.store.isGroup(ch)) {
      // A group: named by its people; how many are online.
      const n = ch.members.length;
      const on = this.store.others(ch).filter((u) => this.store.users.get(u)?.status === 'online').length;
      this.title.replaceChildren(h('span', { class: 'group-count', 'aria-hidden': 'true' }, String(n)), h('span', { dir: 'auto' }, label));
      this.subtitle.textContent = `Group · ${n} people · ${on} online`;
    } else if (ch.kind === 'direct') {
      const status = this.store.users.get(this.store.partner(ch))?.status || 'offline';
      this.title.replaceChildren(h('span', { class: `dot ${status}`, 'aria-hidden': 'true' }), h('span', { dir: 'auto' }, label), this.people?.badge(this.store.partner(ch)) || '');
      this.subtitle.textContent = `Direct message · ${status}`;
    } else {
      this.title.replaceChildren(icon(ch.kind === 'private' ? 'lock' : 'hash'), ch.name);
      const n = ch.members?.length || 0;
      this.subtitle.textContent = `${ch.kind === 'private' ? 'Private channel · ' : ''}${n} ${n === 1 ? 'member' : 'members'}`;
    }
    const to = ch.kind === 'direct' ? label : `#${ch.name}`;
    this.input.placeholder = `Message ${to}`;
    this.composerLabel.textContent = `Message ${to}`;
    // Archived and announcement channels: a quiet notice where the composer was.
    const why = this.readOnly(ch);
    const hadFocus = document.activeElement === this.input;
    this.filesButton.hidden = false;
    this.menuButton.hidden = false;
    this.lists.pinsButton.hidden = false;
    this.topicEl.textContent = ch.topic || '';
    this.topicEl.title = ch.topic || '';
    this.topicEl.hidden = !ch.topic;
    this.composerForm.hidden = !!why;
    this.input.disabled = !!why;
    this.readOnlyNote.hidden = !why;
    this.readOnlyNote.lastChild.textContent = why;
    this.main.querySelector('#composer-help').hidden = !!why;
    if (ch.announce && !why) this.input.placeholder = `Announce to #${ch.name}`;
    if (hadFocus && why) this.conv.scroller.focus();
    this.attach.render();
  }

  renderTitle() {
    const n = this.store.totalUnread();
    const ch = this.store.channels.get(this.current);
    const where = ch ? (ch.kind === 'direct' ? this.store.label(ch) : `#${ch.name}`) : '';
    document.title = `${n ? `(${n}) ` : ''}${where ? `${where} · ` : ''}${this.store.office}`;
  }

  renderStatus() {
    const st = this.socket.state;
    this.online = st === 'open';
    const bar = this.statusBar;
    clearTimeout(this.statusTimer);
    if (st === 'open') {
      bar.hidden = true;
      document.body.classList.remove('offline');
      this.sidebar.conn(true);
      return;
    }
    if (st === 'connecting' && !this.wasOffline) { bar.hidden = true; return; }
    this.wasOffline = true;
    this.sidebar.conn(false); // my dot: "Connection lost — reconnecting"
    document.body.classList.add('offline');
    const pending = this.store.outbox.filter((p) => p.state === 'pending').length;
    const secs = Math.max(0, Math.ceil((this.socket.retryAt - Date.now()) / 1000));
    bar.replaceChildren(icon('offline'),
      h('span', null, `You're offline. ${pending ? `${pending} unsent ${pending === 1 ? 'message' : 'messages'} will send` : 'Messages will send'} when the connection returns.`),
      h('span', { class: 'muted' }, st === 'connecting' ? ' Reconnecting…' : ` Trying again in ${secs} s.`),
      st === 'offline' ? h('button', { type: 'button', class: 'link-button', onclick: () => this.socket.retryNow() }, 'Try now') : null);
    bar.hidden = false;
    if (st === 'offline') this.statusTimer = setTimeout(() => this.renderStatus(), 1000);
    this.mark('conv');
  }

  // ---- what the protocol tells the page ----
  // arrived: new messages from others; those in the open channel are
  // announced to screen readers, and marked unseen if scrolled up.
  arrived(channel, msgs, viewing) {
    for (const m of msgs) {
      if (channel === this.current) {
        if (!viewing) this.conv.noteUnseen(m.seq);
        this.live.textContent = `${this.store.display(m.from)}: ${messagePreview(m.text, m.files).slice(0, 200)}`;
      }
      this.notifyAbout(channel, m);
    }
    this.receipts?.arrived(channel, msgs);
    if (viewing) this.maybeRead();
  }

  // synced: the outbox has gone out again; the open channel gets its
  // first page if it has none yet.
  synced() {
    this.mark('conv', 'status');
    if (this.current) {
      const log = this.store.log(this.current);
      if (!log.items.length && !log.complete && !log.loading) this.loadHistory(this.current, 50);
    }
    this.readShown();
    this.maybeRead();
  }

  viewing(channel) {
    return channel === this.current && !document.hidden && this.conv.atBottom();
  }

  loadHistory(channel, limit) {
    const r = this.protocol.loadHistory(channel, limit);
    if (r === 'empty') this.mark('conv');
    else if (r === 'asked' && channel === this.current) this.conv.renderTop();
  }

  // readShown reads the open conversation to its newest message: opening
  // one clears its count, as in every messenger, while the window has focus.
  // The New messages line stays where reading starts.
  readShown() {
    if (this.current && !document.hidden && document.hasFocus()) this.protocol.read(this.current);
  }

  maybeRead() {
    clearTimeout(this.readTimer);
    this.readTimer = setTimeout(() => {
      if (!this.current || document.hidden || !this.conv.atBottom()) return;
      this.protocol.read(this.current);
    }, 150);
  }

  // ---- sending ----
  // confirmed: the person agreed to notify everyone (@here, @channel).
  submit(confirmed = false) {
    // Blank lines around a message are never meant; inside, they are kept.
    const text = this.input.value.replace(/^\s*\n/, '').trimEnd();
    if (!this.current) return;
    const tray = this.attach.tray(this.current);
    if (tray?.busy) return; // its files are being sent with the text
    const files = tray?.count > 0;
    if (!text.trim() && !files) return;
    // The server's limit is in bytes; people are told characters.
    if (utf8Length(text) > this.store.maxText) {
      this.counter.textContent = `${limitNote(text, this.store.maxText)}: shorten it or split it in two.`;
      return;
    }
    // @here or @channel where the office asks first: "Notify all N people?"
    if (!confirmed && this.mentions?.ask(text, this.store.channels.get(this.current), () => this.submit(true))) return;
    // With files, the text is their caption: the files upload first, then
    // one message carries both (sendFiles).
    if (files) { this.attach.send(text.trim() ? text : ''); return; }
    const p = this.store.queue(this.current, text);
    this.receipts?.sending(p);
    this.input.value = '';
    this.saveDraft();
    this.resize();
    this.counter.textContent = '';
    this.conv.stick = true;
    this.protocol.post(p);
    this.conv.toBottom(false);
  }

  // sendFiles queues the message of uploaded files (infos, the server's
  // file objects) with its caption, once every upload is done, and clears
  // the composer it came from.
  sendFiles(channel, text, infos) {
    const p = this.store.queue(channel, text, infos);
    this.receipts?.sending(p);
    if (channel === this.current) {
      this.input.value = '';
      this.resize();
      this.counter.textContent = '';
      this.conv.stick = true;
      this.saveDraft();
    } else {
      try { localStorage.removeItem(this.draftKey(channel)); } catch { /* ignore */ }
    }
    this.protocol.post(p);
    if (channel === this.current) this.conv.toBottom(false);
  }

  // lockComposer keeps the text as it is while it goes with files being
  // uploaded: it is their caption.
  lockComposer(busy) {
    this.input.readOnly = busy;
    this.composerForm.classList.toggle('uploading', busy);
    this.attach.button.disabled = busy;
    if (busy) this.sendButton.setAttribute('aria-disabled', 'true'); else this.sendButton.removeAttribute('aria-disabled');
  }

  // openViewer shows picture index of message seq full-window.
  openViewer(channel, seq, index, opener) { openViewer(this, channel, seq, index, opener); }

  // ---- editing and deleting one's own messages ----
  saveEdit(channel, seq, value) {
    const text = value.replace(/^\s*\n/, '').trimEnd();
    const m = this.store.log(channel).items.find((x) => x.seq === seq);
    const pending = this.store.changesFor(channel).get(seq);
    const current = pending?.kind === 'edit' ? pending.text : m?.text;
    // A message with files may lose its caption; without files an empty
    // text means deleting it.
    if (!text.trim() && !m?.files?.length) { this.confirmDelete(channel, seq); return; }
    if (utf8Length(text) > this.store.maxText) { this.toast(`${limitNote(text, this.store.maxText)}: shorten it.`); return; }
    if (text !== current) this.protocol.post(this.store.queueChange(channel, 'edit', seq, text));
    this.conv.stopEdit();
  }

  // confirmDelete asks in a dialog (naming the message) before deleting.
  confirmDelete(channel, seq) {
    const m = this.store.log(channel).items.find((x) => x.seq === seq);
    if (!m || m.deleted || document.querySelector('dialog[open]')) return;
    const back = document.activeElement;
    const said = messagePreview(m.text, m.files);
    const preview = said.length > 200 ? `${said.slice(0, 200)}…` : said;
    const yes = h('button', { type: 'button', class: 'primary danger' }, 'Delete message');
    const no = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
    const dlg = modal('Delete this message?', h('div', { class: 'stack' },
      h('blockquote', { class: 'quote' }, preview),
      h('p', { class: 'muted small' }, m.files?.length
        ? 'Everyone in the conversation will see “This message was deleted.” and its files go with it. The office archive keeps a copy.'
        : 'Everyone in the conversation will see “This message was deleted.” The office archive keeps a copy.'),
      h('div', { class: 'actions' }, no, yes)), {
      onclose: () => {
        if (this.conv.editing?.seq === seq) this.conv.editing.input.focus();
        else if (back?.isConnected && back !== document.body) back.focus();
        else this.conv.list.querySelector(`[data-key="${seq}"]`)?.focus();
      },
    });
    no.addEventListener('click', () => dlg.close());
    yes.addEventListener('click', () => {
      if (this.conv.editing?.seq === seq) this.conv.editing = null;
      this.protocol.post(this.store.queueChange(channel, 'delete', seq));
      dlg.close();
    });
    yes.focus();
  }

  // revise takes a refused message back into the composer to change it.
  revise(id) {
    const p = this.store.outbox.find((x) => x.id === id);
    if (!p) return;
    this.store.discard(id);
    // Its files are uploaded already: they go back above the composer.
    if (p.files?.length) this.attach.restore(p.channel, p.files.map((fid, i) => ({ ...p.fileInfo[i], id: fid })));
    if (p.channel !== this.current) this.go(p.channel);
    this.input.value = this.input.value.trim() ? `${p.text}\n${this.input.value}` : p.text;
    this.saveDraft();
    this.resize();
    this.focusComposer();
  }

  // ---- search ----
  // The panel loads on the first search; without the server it cannot, and
  // search needs the server anyway: say so. A later try fetches it afresh
  // (a failed module load may be remembered by the browser).
  async runSearch(q) {
    if (!this.search) {
      let mod;
      try {
        mod = await import(this.searchTries ? `./view/search.js?try=${this.searchTries}` : './view/search.js');
      } catch {
        this.searchTries = (this.searchTries || 0) + 1;
        this.toast(SEARCH_OFFLINE);
        return;
      }
      this.search ||= new mod.SearchPanel(this);
      this.conv.el.append(this.search.el);
    }
    if (this.files.open) this.files.hide(false);
    this.lists.hide();
    this.search.search(q);
  }

  // openAt opens channel at message seq: older pages load until it is
  // there, then it is scrolled to, highlighted and focused.
  openAt(channel, seq) {
    if (!this.store.channels.has(channel)) { this.toast('You are no longer in that conversation.'); return; }
    this.reveal = { channel, seq };
    this.drawer(false);
    if (channel !== this.current) location.hash = `#/c/${encodeURIComponent(channel)}`;
    else this.tryReveal();
  }

  tryReveal() {
    const r = this.reveal;
    if (!r || r.channel !== this.current) return;
    this.conv.aim = 0; // the message asked for, not the first unread
    const log = this.store.log(r.channel);
    if (this.conv.reveal(r.seq)) { this.reveal = null; return; }
    // A reply kept in its thread opens there (view/threads.js).
    if (this.threads.revealReply(r.channel, r.seq)) { this.reveal = null; return; }
    const first = log.items[0]?.seq;
    if (log.complete || (first !== undefined && first <= r.seq)) {
      // Loaded as far as it goes and not there: deleted since, or never ours.
      this.reveal = null;
      this.toast('That message is no longer there.');
      return;
    }
    if (this.protocol.ready) this.loadHistory(r.channel, 200);
  }

  retry(id) { this.protocol.retry(id); }

  onInput() {
    this.resize();
    this.counter.textContent = limitNote(this.input.value, this.store.maxText);
    if (this.input.value.trim() && this.current) this.protocol.typing(this.current);
    clearTimeout(this.draftTimer);
    this.draftTimer = setTimeout(() => this.saveDraft(), 400);
  }

  resize() {
    this.input.style.height = 'auto';
    this.input.style.height = `${Math.min(this.input.scrollHeight, 200)}px`;
  }

  // Drafts per channel survive switching and reloads.
  draftKey(id) { return `inhouse.draft.${this.store.me.name}.${id}`; }
  saveDraft() {
    if (!this.current) return;
    try {
      if (this.input.value) localStorage.setItem(this.draftKey(this.current), this.input.value);
      else localStorage.removeItem(this.draftKey(this.current));
    } catch { /* ignore */ }
  }
  loadDraft(id) {
    try { return localStorage.getItem(this.draftKey(id)) || ''; } catch { return ''; }
  }

  focusComposer() { if (!this.input.disabled) this.input.focus(); }

  // ---- notifications, presence, keyboard ----
  notifyAbout(channel, m) {
    const ch = this.store.channels.get(channel);
    if (!ch) return;
    // The person's level for it: all, mentions only, nothing; muted: mentions only.
    // An announcement to confirm notifies like a mention; quiet (do not disturb, hours): nothing.
    if (!notifyWanted(ch, m.text, this.store.me.name) && !(m.confirm && ch.notify !== 'none')) return;
    if (typeof this.store.quietNow === 'function' && this.store.quietNow()) return;
    this.receipts?.ding();
    const title = ch.kind !== 'direct' ? `${this.store.display(m.from)} in #${ch.name}`
      : this.store.isGroup(ch) ? `${this.store.display(m.from)} in ${this.store.label(ch)}` : this.store.display(m.from);
    notify.show(title, messagePreview(m.text, m.files), channel, () => this.go(channel));
  }

  offerNotifications() {
    if (!notify.shouldAsk()) return;
    const yes = h('button', { type: 'button', class: 'primary small' }, 'Turn on');
    const no = h('button', { type: 'button', class: 'secondary small' }, 'Not now');
    yes.addEventListener('click', async () => {
      const r = await notify.ask();
      this.setPrompt(null);
      this.toast(r === 'granted' ? 'Notifications are on.' : 'Notifications stay off. You can allow them in the browser settings.');
    });
    no.addEventListener('click', () => { notify.dismiss(); this.setPrompt(null); });
    this.setPrompt(h('div', { class: 'prompt', role: 'region', 'aria-label': 'Notifications' }, icon('bell'),
      h('p', null, 'Get desktop notifications for new messages while Inhouse is in the background? Each conversation’s menu sets which.'),
      h('div', { class: 'actions' }, no, yes)));
  }

  // setPrompt shows a prompt in the sidebar, or on a phone above the
  // messages: the sidebar is a closed drawer there, where nobody sees it.
  setPrompt(el) {
    this.promptEl = el;
    if (!this.phone) {
      this.phone = matchMedia('(max-width: 720px)');
      this.phone.addEventListener('change', () => this.setPrompt(this.promptEl));
    }
    const [here, there] = this.phone.matches ? [this.mainPrompt, this.sidebar.prompt] : [this.sidebar.prompt, this.mainPrompt];
    there.replaceChildren();
    here.replaceChildren(...(el ? [el] : []));
  }

  watchPresence() {
    let hiddenTimer = 0, idleTimer = 0;
    const set = (status) => this.protocol.presence(status);
    const active = () => {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => set('away'), AWAY_IDLE_MS);
      if (!document.hidden) set('online');
    };
    document.addEventListener('visibilitychange', () => {
      clearTimeout(hiddenTimer);
      if (document.hidden) hiddenTimer = setTimeout(() => set('away'), AWAY_HIDDEN_MS);
      else { active(); this.readShown(); this.maybeRead(); this.mark('title'); }
    });
    // Coming back to the window shows the open conversation again.
    addEventListener('focus', () => this.readShown());
    let last = 0;
    for (const ev of ['keydown', 'pointerdown', 'wheel']) {
      addEventListener(ev, () => { const now = Date.now(); if (now - last > 5000) { last = now; active(); } }, { passive: true });
    }
    active();
  }

  keyboard() {
    addEventListener('keydown', (e) => {
      const k = e.key.toLowerCase();
      if ((e.ctrlKey || e.metaKey) && k === 'k') { e.preventDefault(); this.switcher(); return; }
      if ((e.ctrlKey || e.metaKey) && e.shiftKey && k === 'f') { e.preventDefault(); this.searchInput.focus(); this.searchInput.select(); return; }
      if (e.altKey && (k === 'arrowup' || k === 'arrowdown')) {
        // Alt+↑/↓ walks the sidebar, like the big messengers.
        const links = [...this.sidebar.el.querySelectorAll('.items a')];
        const i = links.findIndex((a) => a.dataset.id === this.current);
        const next = links[(i + (k === 'arrowup' ? -1 : 1) + links.length) % links.length];
        if (next) { e.preventDefault(); this.go(next.dataset.id); }
        return;
      }
      if (e.key === 'Escape' && this.shell.classList.contains('drawer-open')) this.drawer(false);
      if (e.key === 'Escape' && document.activeElement === this.input && !document.querySelector('dialog[open]')) this.conv.toBottom(false);
    });
  }

  drawer(open) {
    this.shell.classList.toggle('drawer-open', open);
    if (open) this.sidebar.el.querySelector('.item.current, .item')?.focus();
  }

  refreshUsers() { this.protocol.refreshUsers(); }

  switcher() { if (!document.querySelector('dialog[open]')) { this.refreshUsers(); switcher(this); } }
  dmDialog() { this.refreshUsers(); dmDialog(this); }
  channelDialog() { channelDialog(this); }
  // The open conversation's menu, loaded on first use like search.
  async channelMenu() {
    if (!this.current || document.querySelector('dialog[open]')) return;
    try {
      const m = await import(this.menuTries ? `./view/channelmenu.js?try=${this.menuTries}` : './view/channelmenu.js');
      m.openChannelMenu(this, this.current);
    } catch {
      this.menuTries = (this.menuTries || 0) + 1;
      this.toast('This menu needs the connection to the server. Try again when you are back online.');
    }
  }
  changePassword() { passwordDialog(this); }
  showPolicy() { policyDialog(this); }

  async openDM(name) {
    try {
      const ch = await api.dm(name);
      this.store.upsertChannel(ch);
      this.refreshUsers();
      this.go(ch.id);
    } catch (err) { this.toast(err.message); }
  }

  toast(text) {
    this.toastEl.textContent = text;
    this.toastEl.hidden = false;
    clearTimeout(this.toastTimer);
    this.toastTimer = setTimeout(() => { this.toastEl.hidden = true; }, 5000);
  }

  async signOut() {
    const unsent = this.store.outbox.length;
    if (unsent && !confirm(`${unsent} ${unsent === 1 ? 'message has' : 'messages have'} not been sent yet. Sign out and delete ${unsent === 1 ? 'it' : 'them'}?`)) return;
    this.socket.stop();
    try {
      localStorage.removeItem(this.store.outboxKey);
      for (const k of Object.keys(localStorage)) if (k.startsWith(`inhouse.draft.${this.store.me.name}.`)) localStorage.removeItem(k);
    } catch { /* ignore */ }
    await api.logout().catch(() => {});
    location.reload();
  }

  // The protocol has stopped the socket for these two. notice says why the
  // session ended (the office manager disabled the account, say).
  signedOut(notice) {
    for (const d of document.querySelectorAll('dialog[open]')) d.close();
    document.body.classList.remove('offline');
    showLogin(root, () => location.reload(), notice);
  }
  // Mid-session, the policy the person had accepted has changed.
  needPolicy(me) { showPolicy(root, me, () => location.reload(), true); }
}

boot();
