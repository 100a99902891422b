// The search panel beside the conversation: GET /api/search over the
// channels one belongs to (or the open one), newest first, the matching
// words marked. Loaded on the first search, so it costs the first visit
// nothing. Every text goes in as text.
import { api } from '../api.js';
import { h, icon } from './dom.js';
import { highlight, dayLabel, timeLabel, fullTime, SEARCH_OFFLINE } from '../text.js';
import { kindIcon } from './files.js';

const PAGE = 30;

// parseQuery takes filters out of the words: from:ana since:2026-03-01
// until:2026-03-31 (the rest are the words).
export function parseQuery(q, users = new Map()) {
  const out = { q: '', from: '', since: '', until: '' };
  const rest = [];
  for (const part of q.trim().split(/\s+/)) {
    const m = /^(from|since|until):(.+)$/i.exec(part);
    if (!m) { rest.push(part); continue; }
    let v = m[2].replace(/^@/, '');
    const key = m[1].toLowerCase();
    if (key === 'from') {
      const lower = v.toLowerCase();
      const u = [...users.values()].find((x) => x.name === lower || (x.display || '').toLowerCase() === lower);
      v = u ? u.name : lower;
    }
    out[key] = v;
  }
  out.q = rest.join(' ');
  return out;
}

export class SearchPanel {
  constructor(client) {
    this.c = client;
    this.store = client.store;
    this.query = '';
    this.next = 0;
    this.run = 0; // answers to older searches are dropped
    this.scope = h('select', { id: 'search-scope' });
    this.scope.addEventListener('change', () => this.start());
    this.status = h('p', { class: 'search-status muted', role: 'status', 'aria-live': 'polite' });
    this.list = h('ol', { class: 'results', 'aria-label': 'Search results' });
    this.more = h('button', { type: 'button', class: 'secondary small more', hidden: true }, 'Show older results');
    this.more.addEventListener('click', () => this.page());
    const close = h('button', { type: 'button', class: 'icon-button', 'aria-label': 'Close search' }, icon('close'));
    close.addEventListener('click', () => this.hide(true));
    this.el = h('aside', { class: 'search-panel', 'aria-labelledby': 'search-title', hidden: true },
      h('header', { class: 'search-head' }, h('h2', { id: 'search-title' }, 'Search'), close),
      h('div', { class: 'search-scope' }, h('label', { for: 'search-scope' }, 'In'), this.scope),
      h('p', { class: 'muted small tip' }, 'Whole words. Narrow it with from:name, since:2026-03-01, until:2026-03-31.'),
      this.status, this.list, this.more);
    this.el.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); this.hide(true); }
    });
  }

  get open() { return !this.el.hidden; }

  // search runs q; within the current channel when here is set.
  search(q, here = false) {
    this.query = q;
    const cur = this.store.channels.get(this.c.current);
    const keep = here ? this.c.current : this.scope.value;
    this.scope.replaceChildren(h('option', { value: '' }, 'All your conversations'),
      cur ? h('option', { value: cur.id }, cur.kind === 'direct' ? this.store.label(cur) : `#${cur.name}`) : null);
    this.scope.value = cur && keep === cur.id ? cur.id : '';
    this.el.hidden = false;
    this.c.shell.classList.add('searching');
    this.start();
  }

  hide(focus) {
    this.el.hidden = true;
    this.run++;
    this.c.shell.classList.remove('searching');
    if (focus) this.c.searchInput.focus();
  }

  start() {
    this.list.replaceChildren();
    this.next = 0;
    this.page();
  }

  async page() {
    const f = parseQuery(this.query, this.store.users);
    const more = this.list.children.length > 0;
    if (!f.q && !f.from) {
      this.status.textContent = 'Type the words to look for, then press Enter.';
      this.more.hidden = true;
      return;
    }
    const run = ++this.run;
    this.status.textContent = 'Searching…';
    this.more.hidden = true;
    let res;
    try {
      res = await api.search({ ...f, channel: this.scope.value, before: more ? this.next : 0, limit: PAGE });
    } catch (err) {
      if (run === this.run) this.status.textContent = err.status === 0 ? SEARCH_OFFLINE : err.message;
      return;
    }
    if (run !== this.run) return;
    const results = res.results || [];
    this.list.append(...results.map((r) => this.result(r, f.q)));
    this.next = res.next || 0;
    const n = this.list.children.length;
    const where = this.scope.value ? ` in ${this.scope.selectedOptions[0].textContent}` : '';
    this.status.textContent = n
      ? `${n}${this.next ? '+' : ''} ${n === 1 ? 'message' : 'messages'} found${where}.`
      : `No messages match “${this.query.trim()}”${where}. Check the spelling or try other words.`;
    this.more.hidden = !this.next;
  }

  result(r, words) {
    const m = r.message;
    const ch = this.store.channels.get(m.channel);
    // A direct conversation is named as one: its partner's name alone would
    // read as the author's, twice when the partner wrote it.
    const where = ch ? (ch.kind === 'direct' ? `Direct message with ${this.store.label(ch)}` : `#${ch.name}`) : `#${r.channel_name}`;
    const ts = Date.parse(m.ts) || Date.now();
    // A hit on an edit is about the message it changed.
    const seq = m.kind === 'edit' ? m.ref : m.seq;
    const text = h('div', { class: 'result-text', dir: 'auto' }, highlight(m.text || '', words).map((run) => run.mark ? h('mark', null, run.text) : run.text));
    // File names are searched too: the message's files, the words marked.
    const files = !m.deleted && Array.isArray(m.files) && m.files.length ? h('div', { class: 'result-files' },
      m.files.map((f) => h('span', { class: 'result-file', dir: 'auto' }, kindIcon(f.type || '', f.name || ''),
        h('span', null, highlight(String(f.name || ''), words).map((run) => run.mark ? h('mark', null, run.text) : run.text))))) : null;
    // The messages around the hit (up to two each side), so a short answer
    // like "yes, Friday" makes sense without opening the conversation.
    const ctx = r.context || [];
    const line = (c) => h('div', { class: 'result-context', dir: 'auto' },
      h('span', { class: 'author' }, this.store.display(c.from)), ' ',
      c.deleted ? h('em', null, 'deleted') : (c.text || ''));
    // Where and when on top; the hit, like its context, with its author.
    const btn = h('button', { type: 'button', class: 'result', 'data-channel': m.channel, 'data-seq': String(seq) },
      h('div', { class: 'result-meta' },
        h('span', { class: 'result-where', dir: 'auto' }, where),
        h('time', { datetime: new Date(ts).toISOString(), title: fullTime(ts), class: 'muted' }, `${dayLabel(ts)} ${timeLabel(ts)}`)),
      ...ctx.filter((c) => c.seq < m.seq).map(line),
      h('div', { class: 'result-hit' }, h('span', { class: 'author', dir: 'auto' }, this.store.display(m.from)), text), files,
      ...ctx.filter((c) => c.seq > m.seq).map(line));
    btn.addEventListener('click', () => {
      if (matchMedia('(max-width: 720px)').matches) this.hide(false);
      this.c.openAt(m.channel, seq);
    });
    return h('li', null, btn);
  }
}
