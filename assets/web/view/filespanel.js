// The Files panel beside the conversation: GET /api/channels/<id>/files,
// newest first, 100 a page ("Load more" passes the last one's seq as
// before). A row opens its message (as a search result does); Download
// saves the file. It takes the search panel's place (one panel at a time).
import { api } from '../api.js';
import { h, icon } from './dom.js';
import { formatSize, kindLabel, fileKind } from '../files.js';
import { kindIcon, downloadLink } from './files.js';
import { dayLabel, timeLabel, fullTime } from '../text.js';

const PAGE = 100; // the server's page

export class FilesPanel {
  constructor(client) {
    this.c = client;
    this.store = client.store;
    this.channel = null;
    this.last = 0; // seq of the last file shown: the next page's before
    this.run = 0; // answers for an earlier channel or page are dropped
    this.status = h('p', { class: 'files-status muted', role: 'status', 'aria-live': 'polite' });
    this.list = h('ol', { class: 'file-list', id: 'file-list', 'aria-label': 'Files' });
    this.more = h('button', { type: 'button', class: 'secondary small more', id: 'files-more', hidden: true }, 'Load more');
    this.more.addEventListener('click', () => this.page(true));
    this.closeButton = h('button', { type: 'button', class: 'icon-button', id: 'files-close', 'aria-label': 'Close files' }, icon('close'));
    this.closeButton.addEventListener('click', () => this.hide(true));
    this.title = h('h2', { id: 'files-title' }, 'Files');
    this.el = h('aside', { class: 'files-panel side-panel', id: 'files-panel', 'aria-labelledby': 'files-title', hidden: true },
      h('header', { class: 'search-head' }, this.title, this.closeButton),
      this.status, this.list, this.more);
    this.el.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); this.hide(true); }
    });
  }

  get open() { return !this.el.hidden; }

  // show opens the panel on the conversation open now (again from the
  // newest: files may have come since).
  show() {
    if (this.c.search?.open) this.c.search.hide(false);
    this.c.lists?.hide(); // Pinned and Saved (view/lists.js)
    this.el.hidden = false;
    this.c.shell.classList.add('searching');
    this.c.filesButton.setAttribute('aria-expanded', 'true');
    this.load(this.c.current);
    this.closeButton.focus();
  }

  hide(focus) {
    this.el.hidden = true;
    this.run++;
    this.c.shell.classList.remove('searching');
    this.c.filesButton.setAttribute('aria-expanded', 'false');
    if (focus) this.c.filesButton.focus();
  }

  toggle() { if (this.open) this.hide(true); else this.show(); }

  // load lists channel's files from the newest.
  load(channel) {
    this.channel = channel;
    this.last = 0;
    this.list.replaceChildren();
    const ch = this.store.channels.get(channel);
    this.title.textContent = ch ? `Files in ${ch.kind === 'direct' ? this.store.label(ch) : `#${ch.name}`}` : 'Files';
    this.page(false);
  }

  async page(more) {
    const run = ++this.run;
    const channel = this.channel;
    if (!channel) return;
    this.status.textContent = 'Loading files…';
    this.more.hidden = true;
    let files;
    try {
      files = await api.channelFiles(channel, more ? this.last : 0);
    } catch (err) {
      if (run !== this.run) return;
      this.status.textContent = err.status === 0 ? 'The list of files needs the connection to the server. Try again when you are back online.' : err.message;
      this.more.hidden = !more;
      return;
    }
    if (run !== this.run) return;
    const focusFrom = more ? this.list.children.length : -1;
    this.list.append(...files.map((f) => this.row(channel, f)));
    if (files.length) this.last = files.at(-1).seq;
    const n = this.list.children.length;
    this.status.textContent = n ? `${n} ${n === 1 ? 'file' : 'files'}${files.length >= PAGE ? ' so far' : ''}.` : 'No files have been shared here yet. Attach one with the paperclip beside the message box, or drop it on the conversation.';
    this.more.hidden = files.length < PAGE;
    // After Load more, focus goes to the first new row, not back to the top.
    if (focusFrom >= 0) this.list.children[focusFrom]?.querySelector('.file-row')?.focus();
  }

  row(channel, f) {
    const ts = Date.parse(f.ts) || 0;
    const at = { channel, seq: f.seq, index: f.index };
    const open = h('button', { type: 'button', class: 'file-row', 'data-seq': String(f.seq), 'data-index': String(f.index),
      title: 'Show the message' },
    h('span', { class: 'file-icon', 'data-kind': fileKind(f.type, f.name) }, kindIcon(f.type, f.name)),
    h('span', { class: 'file-body' },
      h('span', { class: 'file-name', dir: 'auto' }, f.name),
      h('span', { class: 'file-meta' }, `${kindLabel(f.type, f.name)} · ${formatSize(f.size)}`),
      h('span', { class: 'file-meta' }, h('span', { dir: 'auto' }, this.store.display(f.from)), ' · ',
        h('time', { datetime: ts ? new Date(ts).toISOString() : null, title: ts ? fullTime(ts) : null }, ts ? `${dayLabel(ts)} ${timeLabel(ts)}` : ''))));
    open.addEventListener('click', () => {
      if (matchMedia('(max-width: 720px)').matches) this.hide(false);
      this.c.openAt(channel, f.seq);
    });
    const dl = downloadLink(f, at);
    dl.classList.add('icon-only');
    return h('li', { class: 'file-item' }, open, dl);
  }
}
