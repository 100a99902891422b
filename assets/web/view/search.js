// The search panel beside the conversation: GET /api/search over the
// channels one belongs to (or the open one), newest first, the matching
// words marked. Loaded on the first search, so it costs the first visit
// nothing. Every text goes in as text.
import { api } from '../api.js';
import { h, icon } from './dom.js';
import { highlight, dayLabel, timeLabel, fullTime, SEARCH_OFFLINE } from '../text.js';
import { kindIcon } from './files.js';

const PAGE = 30;

// parseQuery takes the filters out of the words (docs/search.md):
// in:#channel (or in:@person, a direct conversation), from:name, has:link,
// has:file, is:pinned, since: or after: and until: or before: dates. The
// rest are the words. users and channels are the store's maps; a filter
// that cannot be used is told in error (then nothing is searched).
export function parseQuery(q, users = new Map(), channels = new Map()) {
  const out = { q: '', channel: '', from: '', has: [], is: '', since: '', until: '', error: '' };
  const rest = [];
  const person = (v) => {
    const lower = v.replace(/^@/, '').toLowerCase();
    const u = [...users.values()].find((x) => x.name === lower || (x.display || '').toLowerCase() === lower);
    return u ? u.name : lower;
  };
  for (const part of q.trim().split(/\s+/)) {
    const m = /^(in|from|has|is|since|after|until|before):(.+)$/i.exec(part);
    if (!m) { if (part) rest.push(part); continue; }
    const key = m[1].toLowerCase();
    const v = m[2];
    if (key === 'in') {
      let c;
      if (v.startsWith('@')) {
        const who = person(v);
        c = [...channels.values()].find((x) => x.kind === 'direct' && x.members?.length === 2 && x.members.includes(who));
        if (!c) out.error ||= `You have no direct conversation with ${v}.`;
      } else {
        const name = v.replace(/^#/, '').toLowerCase();
        c = [...channels.values()].find((x) => x.kind !== 'direct' && x.name.toLowerCase() === name);
        if (!c) out.error ||= `You are not in a channel called #${name}.`;
      }
      if (c) out.channel = c.id;
    } else if (key === 'from') out.from = person(v);
    else if (key === 'has') {
      const w = v.toLowerCase();
      if (w !== 'link' && w !== 'file') out.error ||= 'has: is has:link or has:file.';
      else if (!out.has.includes(w)) out.has.push(w);
    } else if (key === 'is') {
      if (v.toLowerCase() === 'pinned') out.is = 'pinned'; else out.error ||= 'is: is is:pinned.';
    } else if (key === 'since' || key === 'after') out.since = v;
    else out.until = v; // until: or before:, the last day included
  }
  out.q = rest.join(' ');
  return out;
}

// filtered says whether a parsed query asks for anything at all.
export function filtered(f) {
  return !!(f.q || f.from || f.channel || f.has.length || f.is || f.since || f.until);
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
      h('p', { class: 'muted small tip' }, 'Words and their starts (print finds printer). Narrow it with in:#channel, from:name, has:link, has:file, is:pinned, since:2026-03-01, until:2026-03-31.'),
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
    const f = parseQuery(this.query, this.store.users, this.store.channels);
    const more = this.list.children.length > 0;
    if (f.error || !filtered(f)) {
      this.status.textContent = f.error || 'Type the words to look for, then press Enter.';
      this.more.hidden = true;
      return;
    }
    const run = ++this.run;
    this.status.textContent = 'Searching…';
    this.more.hidden = true;
    let res;
    try {
      const { error, ...params } = f;
      res = await api.search({ ...params, channel: f.channel || this.scope.value, before: more ? this.next : 0, limit: PAGE });
    } catch (err) {
      if (run === this.run) this.status.textContent = err.status === 0 ? SEARCH_OFFLINE : err.message;
      return;
    }
    if (run !== this.run) return;
    const results = res.results || [];
    this.list.append(...results.map((r) => this.result(r, f.q)));
    this.next = res.next || 0;
    const n = this.list.children.length;
    const inCh = f.channel && this.store.channels.get(f.channel);
    const where = inCh ? ` in ${inCh.kind === 'direct' ? this.store.label(inCh) : `#${inCh.name}`}`
      : this.scope.value ? ` in ${this.scope.selectedOptions[0].textContent}` : '';
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
