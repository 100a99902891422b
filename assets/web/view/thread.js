// The thread panel (docs/client.md, "Threads"), loaded on first use by
// view/threads.js. One panel, two modes:
//   thread: the root message, its replies, pending ones, and a composer with
//           *Also send to #channel*; reading it sends `read` with `thread`.
//   list:   the Threads view, the threads one follows (GET /api/threads,
//           kept current by live replies), unread first; an entry opens its
//           conversation and the thread.
// On a wide screen it is a 360 px column beside the conversation; on a
// phone it covers the screen with a back button. Esc closes it and focus
// goes back where it came from. One side panel at a time: opening it closes
// search, files, pinned and saved; any of those opening closes it.
//
// Replies come from the channel's log: every reply is a message of its
// channel, after its root, and the log holds every message from its oldest
// loaded one to the newest. So once the log reaches back to the root, all
// its replies are there; until then older pages (history, 200 a time) load,
// at most AUTO_PAGES by themselves, then on *Show earlier replies*.
import { h, icon, srOnly } from './dom.js';
import { messageFiles } from './files.js';
import { tokenize, dayLabel, timeLabel, fullTime, utf8Length, limitNote, dayKey } from '../text.js';
import { indexOfSeq, toMsg } from '../store.js';
import { repliesOf, rootReached, repliesLabel, lastLabel } from '../threads.js';
import { messagePreview } from '../files.js';

const AUTO_PAGES = 5; // 1,000 messages back by themselves
const GROUP_MS = 5 * 60 * 1000;

export class ThreadPanel {
  constructor(client, glue) {
    this.c = client;
    this.store = client.store;
    this.glue = glue;
    this.mode = null; // 'thread' or 'list'
    this.channel = null;
    this.root = 0;
    this.opener = null; // where focus goes back to
    this.listOpener = null;
    this.fromList = false;
    this.pages = 0; // history pages asked for this thread
    this.readSent = 0; // the newest reply whose read went out
    this.stick = true; // keep the newest reply in sight
    this.sig = '';
    this.timer = 0;

    this.back = h('button', { type: 'button', class: 'icon-button thread-back', id: 'thread-back', 'aria-label': 'Back' }, icon('left'));
    this.back.addEventListener('click', () => this.goBack());
    this.title = h('h2', { id: 'thread-title' }, 'Thread');
    this.where = h('span', { class: 'thread-where muted', dir: 'auto' });
    this.closeButton = h('button', { type: 'button', class: 'icon-button thread-close', id: 'thread-close', 'aria-label': 'Close thread' }, icon('close'));
    this.closeButton.addEventListener('click', () => this.hide(true));

    this.status = h('p', { class: 'thread-status muted', role: 'status', 'aria-live': 'polite' });
    this.rootEl = h('div', { class: 'thread-root' });
    this.divider = h('div', { class: 'thread-divider' });
    this.more = h('button', { type: 'button', class: 'secondary small thread-more', id: 'thread-more', hidden: true }, 'Show earlier replies');
    this.more.addEventListener('click', () => { this.pages = 0; this.chase(); this.render(true); });
    this.replies = h('ol', { class: 'thread-replies', id: 'thread-replies', 'aria-label': 'Replies' });
    this.list = h('ol', { class: 'results thread-list', id: 'thread-list', 'aria-label': 'Threads you follow' });
    this.scroller = h('div', { class: 'thread-scroll' }, this.status, this.rootEl, this.divider, this.more, this.replies, this.list);
    this.scroller.addEventListener('scroll', () => {
      const s = this.scroller;
      this.stick = s.scrollHeight - s.scrollTop - s.clientHeight < 40;
    }, { passive: true });

    // The composer: Enter sends, Shift+Enter a new line; the draft is kept per thread.
    this.input = h('textarea', { id: 'thread-input', rows: 1, dir: 'auto', enterkeyhint: 'send', 'aria-describedby': 'thread-help' });
    this.inputLabel = h('label', { for: 'thread-input', class: 'sr-only' }, 'Reply');
    this.sendButton = h('button', { type: 'submit', class: 'send', 'aria-label': 'Send reply' }, icon('send'));
    this.form = h('form', { class: 'composer thread-composer' }, this.inputLabel, this.input, this.sendButton);
    this.form.addEventListener('submit', (e) => { e.preventDefault(); this.submit(); });
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && !e.altKey && !e.ctrlKey && !e.metaKey) { e.preventDefault(); this.submit(); }
    });
    this.input.addEventListener('input', () => {
      this.fit();
      this.counter.textContent = limitNote(this.input.value, this.store.maxText);
      clearTimeout(this.draftTimer);
      this.draftTimer = setTimeout(() => this.saveDraft(), 400);
    });
    this.also = h('input', { type: 'checkbox', id: 'thread-also' });
    this.alsoText = h('span', { dir: 'auto' }, 'Also send to the conversation');
    this.alsoLabel = h('label', { class: 'thread-also', for: 'thread-also' }, this.also, this.alsoText);
    this.counter = h('span', { class: 'counter', 'aria-live': 'polite' });
    this.readOnlyNote = h('p', { class: 'read-only', hidden: true }, icon('lock'), h('span'));
    this.foot = h('div', { class: 'thread-foot' }, this.form,
      h('div', { class: 'thread-foot-row' }, this.alsoLabel, h('span', { id: 'thread-help', class: 'hint' }, 'Enter to send · Shift+Enter for a new line'), this.counter),
      this.readOnlyNote);

    this.el = h('aside', { class: 'thread-panel', id: 'thread-panel', 'aria-labelledby': 'thread-title', hidden: true },
      h('header', { class: 'thread-head' }, this.back, h('div', { class: 'thread-heading' }, this.title, this.where), this.closeButton),
      this.scroller, this.foot);
    this.el.addEventListener('keydown', (e) => {
      if (e.key !== 'Escape' || e.defaultPrevented || document.querySelector('dialog[open]')) return;
      e.preventDefault();
      e.stopPropagation();
      this.hide(true);
    });
    client.shell.append(this.el);

    // One side panel at a time: search, files, pinned and saved mark the
    // shell 'searching' when they open.
    new MutationObserver(() => {
      if (this.open && client.shell.classList.contains('searching')) this.hide(false);
    }).observe(client.shell, { attributes: true, attributeFilter: ['class'] });

    this.store.on((what, channel) => {
      if (!this.open) return;
      if (what === 'channels' || what === 'users' || what === 'threads') this.schedule();
      else if ((what === 'log' || what === 'history' || what === 'outbox') && channel === this.channel && this.mode === 'thread') this.schedule();
    });
    document.addEventListener('visibilitychange', () => this.maybeRead());
    addEventListener('focus', () => this.maybeRead());
  }

  get open() { return !this.el.hidden; }

  // showing: the thread of root in channel is open before the person's eyes.
  showing(channel, root) { return this.open && this.mode === 'thread' && this.channel === channel && this.root === root && !document.hidden; }

  // ---- opening and closing ----

  reveal() {
    if (this.c.search?.open) this.c.search.hide(false);
    if (this.c.files?.open) this.c.files.hide(false);
    this.c.lists?.hide();
    this.el.hidden = false;
    this.c.shell.classList.add('thread-open');
  }

  showThread(channel, root, opener = null, fromList = false, mark = 0) {
    if (this.open && this.mode === 'thread' && this.channel === channel && this.root === root) {
      if (fromList) this.fromList = true;
      if (mark) this.mark(mark); else this.focusInput();
      return;
    }
    this.saveDraft();
    // An entry of the Threads view opens its conversation beside the thread.
    if (fromList && channel !== this.c.current) this.c.go(channel);
    this.mode = 'thread';
    this.channel = channel;
    this.root = root;
    this.opener = opener;
    this.fromList = fromList;
    this.pages = 0;
    this.readSent = 0;
    this.stick = true;
    this.sig = '';
    this.input.value = this.loadDraft();
    this.also.checked = false;
    this.counter.textContent = '';
    this.reveal();
    this.glue.button.setAttribute('aria-expanded', 'false');
    this.render(true);
    this.fit();
    if (mark) this.mark(mark); else this.focusInput();
  }

  // mark scrolls to reply seq, highlights it for a moment and focuses it
  // (a search result or a link to it).
  mark(seq) {
    const el = this.replies.querySelector(`[data-key="${seq}"]`);
    if (!el) { this.focusInput(); return; }
    el.scrollIntoView({ block: 'center' });
    this.stick = false;
    el.classList.add('highlight');
    el.focus({ preventScroll: true });
    setTimeout(() => el.classList.remove('highlight'), 4000);
  }

  showList(opener = null) {
    this.saveDraft();
    if (!(this.open && this.mode === 'list')) this.listOpener = opener || this.listOpener;
    this.mode = 'list';
    this.sig = '';
    this.reveal();
    this.glue.button.setAttribute('aria-expanded', 'true');
    this.render(true);
    this.glue.fetch();
    this.closeButton.focus();
  }

  hide(focus) {
    if (!this.open) return;
    this.saveDraft();
    this.el.hidden = true;
    this.c.shell.classList.remove('thread-open');
    this.glue.button.setAttribute('aria-expanded', 'false');
    if (focus) this.restoreFocus();
  }

  // goBack: from a thread opened in the Threads view, back to the list;
  // otherwise (a phone's back button) the panel closes.
  goBack() {
    if (this.mode === 'thread' && this.fromList) {
      this.showList();
      return;
    }
    this.hide(true);
  }

  restoreFocus() {
    if (this.mode === 'list') {
      const to = this.listOpener?.isConnected ? this.listOpener : this.glue.button;
      if (to.offsetParent) to.focus(); else this.c.focusComposer();
      return;
    }
    if (this.opener?.isConnected && this.opener !== document.body && this.opener.offsetParent !== null) { this.opener.focus(); return; }
    // The button that opened it was rebuilt (the message re-rendered): its message.
    if (this.channel === this.c.current) {
      const li = this.c.conv.list.querySelector(`.msg[data-key="${this.root}"]`);
      if (li) { li.focus(); li.querySelector('.thread-summary')?.focus(); return; }
    }
    this.c.focusComposer();
  }

  focusInput() {
    if (!this.form.hidden) this.input.focus(); else this.closeButton.focus();
  }

  // ---- rendering ----

  schedule() {
    if (!this.timer) this.timer = setTimeout(() => { this.timer = 0; this.render(false); }, 16);
  }

  whereLabel(ch) {
    if (!ch) return '';
    return ch.kind === 'direct' ? this.store.label(ch) : `#${ch.name}`;
  }

  render(force) {
    if (!this.open) return;
    if (force) this.sig = '';
    if (this.mode === 'list') this.renderList(); else this.renderThread();
  }

  renderThread() {
    const { channel, root } = this;
    const ch = this.store.channels.get(channel);
    if (!ch) { this.hide(false); this.c.toast('You are no longer in that conversation.'); return; }
    this.el.classList.remove('list-mode');
    this.el.classList.toggle('from-list', this.fromList);
    const where = this.whereLabel(ch);
    this.title.textContent = 'Thread';
    this.where.textContent = where;
    this.back.setAttribute('aria-label', this.fromList ? 'Back to threads' : `Back to ${where}`);
    this.back.title = this.back.getAttribute('aria-label');
    this.closeButton.setAttribute('aria-label', 'Close thread');
    this.list.hidden = true;
    this.rootEl.hidden = false;
    this.divider.hidden = false;
    this.replies.hidden = false;
    // The composer, or why there is none (archived, announcements).
    const why = this.c.readOnly(ch);
    this.form.hidden = !!why;
    this.foot.querySelector('.thread-foot-row').hidden = !!why;
    this.readOnlyNote.hidden = !why;
    this.readOnlyNote.lastChild.textContent = why;
    this.alsoText.textContent = `Also send to ${where}`;
    this.input.placeholder = 'Reply…';
    this.inputLabel.textContent = `Reply in the thread, in ${where}`;

    const log = this.store.log(channel);
    const items = log.items;
    const at = items[indexOfSeq(items, root)];
    let rootMsg = at?.seq === root && !at.kind ? at : null;
    const followed = this.store.followed.get(channel, root);
    // Not loaded yet: the Threads view's copy of it.
    if (!rootMsg && followed?.message?.seq === root) rootMsg = toMsg(followed.message);
    const reached = rootReached(log, root);
    if (!reached) this.chase();
    const replies = repliesOf(items, root);
    const pending = this.store.pendingReplies(channel, root);
    const sig = [this.mode, channel, root, rootMsg?.seq, rootMsg?.v, rootMsg?.text, reached, log.loading, this.pages,
      replies.map((m) => `${m.seq}.${m.v}`).join(','), pending.map((p) => `${p.id}.${p.state}`).join(','), this.c.online, where,
      this.store.users.size].join('|');
    if (sig !== this.sig) {
      this.sig = sig;
      const s = this.scroller;
      const top = s.scrollTop;
      const focusKey = this.el.contains(document.activeElement) ? document.activeElement.closest?.('[data-key]')?.dataset.key : null;
      this.rootEl.replaceChildren(rootMsg ? this.item(rootMsg, true, true)
        : h('p', { class: 'muted' }, reached ? 'This message is no longer there.' : 'Loading the message…'));
      const shown = replies.filter((m) => !m.deleted).length;
      const n = reached ? shown : Math.max(shown, rootMsg?.thread?.replies || followed?.replies || 0);
      this.divider.replaceChildren(h('span', null, n ? repliesLabel(n) : 'No replies yet'));
      this.status.textContent = !reached && log.loading ? 'Loading earlier replies…' : '';
      this.more.hidden = reached || log.loading || this.pages < AUTO_PAGES;
      const nodes = [];
      let prev = null;
      for (const m of replies) {
        const head = !prev || prev.from !== m.from || m.ts - prev.ts > GROUP_MS || dayKey(prev.ts) !== dayKey(m.ts);
        nodes.push(this.item(m, head, false));
        prev = m;
      }
      for (const p of pending) {
        const head = !prev || prev.from !== this.store.me.name;
        nodes.push(this.pendingItem(p, head));
        prev = { from: this.store.me.name, ts: p.ts };
      }
      this.replies.replaceChildren(...nodes);
      if (!replies.length && !pending.length) this.replies.append(h('li', { class: 'thread-empty muted' }, this.form.hidden ? 'No replies.' : 'Reply to start the thread.'));
      if (focusKey) this.el.querySelector(`[data-key="${CSS.escape(focusKey)}"]`)?.focus({ preventScroll: true });
      if (this.stick) s.scrollTop = s.scrollHeight; else s.scrollTop = top;
    }
    this.maybeRead();
  }

  // item is one message of the thread (the root, or a reply).
  item(m, head, isRoot) {
    const me = this.store.me.name;
    const channel = this.channel;
    const edited = m.edited && !m.deleted ? h('span', { class: 'edited muted' }, ' (edited)') : null;
    const runs = m.deleted ? [h('em', { class: 'muted' }, 'This message was deleted.')] : this.format(m.text, edited);
    const time = h('time', { datetime: new Date(m.ts).toISOString(), title: fullTime(m.ts) }, isRoot ? `${dayLabel(m.ts)} ${timeLabel(m.ts)}` : timeLabel(m.ts));
    const files = !m.deleted && m.files?.length && m.seq
      ? messageFiles(channel, m.seq, m.files, (index, link) => this.c.openViewer(channel, m.seq, index, link)) : null;
    const ch = this.store.channels.get(channel);
    const cls = `tmsg${head ? ' head' : ''}${isRoot ? ' root' : ''}${m.from === me ? ' own' : ''}`;
    const body = [
      // The face and status (view/people.js); the name opens the card.
      head ? h('div', { class: 'meta' }, this.c.people?.face(m.from, 'sm'), h('span', { class: 'author', dir: 'auto', 'data-user': m.from }, this.store.display(m.from)),
        this.c.people?.badge(m.from), ' ', time) : srOnly(`${this.store.display(m.from)} `),
      h('div', { class: 'text', dir: 'auto' }, runs),
      files,
      m.also ? h('div', { class: 'thread-sent-too muted' }, `Also sent to ${this.whereLabel(ch)}`) : null,
    ];
    if (isRoot) {
      // The root opens at its place in the conversation.
      const jump = h('button', { type: 'button', class: 'link-button thread-jump', 'data-action': 'show-in-channel' }, `Show in ${this.whereLabel(ch)}`);
      jump.addEventListener('click', () => {
        if (matchMedia('(max-width: 720px)').matches) this.hide(false);
        this.c.openAt(channel, m.seq);
      });
      return h('article', { class: cls, 'data-key': String(m.seq), tabindex: -1, 'aria-label': `Message from ${this.store.display(m.from)}` }, body, jump);
    }
    return h('li', { class: cls, 'data-key': String(m.seq), tabindex: -1 }, body);
  }

  // format: the text as the conversation formats it (view/format.js through
  // conv.format), or as plain runs of text, links and mentions.
  format(text, tail = null) {
    if (typeof this.c.conv.format === 'function') return this.c.conv.format(text, null, tail);
    const me = this.store.me.name;
    return [...tokenize(text, (n) => this.store.isUser(n)).map((t) => {
      if (t.type === 'link') return h('a', { href: t.href, target: '_blank', rel: 'noopener noreferrer nofollow' }, t.text);
      if (t.type === 'mention') return h('span', { class: t.name === me ? 'mention me' : 'mention' }, t.text);
      return t.text;
    }), tail];
  }

  pendingItem(p, head) {
    const me = this.store.me.name;
    const failed = p.state === 'failed';
    const blocked = failed && p.code === 'blocked';
    const status = failed
      ? h('div', { class: 'status failed', role: 'alert' }, icon('alert'),
        h('span', null, blocked ? p.error : `Not sent: ${p.error || 'the server refused it.'}`),
        blocked ? h('button', { type: 'button', class: 'link-button', onclick: () => this.revise(p) }, 'Change it')
          : h('button', { type: 'button', class: 'link-button', onclick: () => this.c.retry(p.id) }, 'Retry'),
        h('button', { type: 'button', class: 'link-button', onclick: () => this.store.discard(p.id) }, 'Delete'))
      : h('div', { class: 'status' }, icon('clock'), h('span', null, this.c.online ? 'Sending…' : 'Waiting for the connection…'));
    return h('li', { class: `tmsg own${head ? ' head' : ''} ${failed ? 'failed' : 'pending'}`, 'data-key': `p${p.id}`, tabindex: -1 },
      head ? h('div', { class: 'meta' }, h('span', { class: 'author', dir: 'auto' }, this.store.display(me))) : srOnly(`${this.store.display(me)} `),
      h('div', { class: 'text', dir: 'auto' }, p.text),
      p.also ? h('div', { class: 'thread-sent-too muted' }, `Also sent to ${this.whereLabel(this.store.channels.get(p.channel))}`) : null,
      status);
  }

  renderList() {
    this.el.classList.add('list-mode');
    this.el.classList.remove('from-list');
    this.title.textContent = 'Threads';
    this.where.textContent = '';
    this.back.setAttribute('aria-label', 'Close threads');
    this.back.title = 'Close threads';
    this.closeButton.setAttribute('aria-label', 'Close threads');
    this.list.hidden = false;
    this.rootEl.hidden = true;
    this.divider.hidden = true;
    this.replies.hidden = true;
    this.more.hidden = true;
    this.form.hidden = true;
    this.foot.querySelector('.thread-foot-row').hidden = true;
    this.readOnlyNote.hidden = true;
    const f = this.store.followed;
    const threads = f.list((c) => this.store.channels.has(c));
    const sig = ['list', f.loaded, threads.map((t) => `${t.channel}/${t.seq}.${t.replies}.${t.unread}.${t.last}`).join(','), this.store.users.size].join('|');
    if (sig === this.sig) return;
    this.sig = sig;
    const focusKey = this.list.contains(document.activeElement) ? document.activeElement.closest('li')?.dataset.key : null;
    this.list.replaceChildren(...threads.map((t) => this.row(t)));
    const unread = threads.filter((t) => t.unread).length;
    this.status.textContent = !f.loaded ? 'Loading…'
      : !threads.length ? 'No threads yet. Reply to a message, or be mentioned in a reply, and its thread shows here.'
        : unread ? `${unread} ${unread === 1 ? 'thread has' : 'threads have'} new replies.` : `${threads.length} ${threads.length === 1 ? 'thread' : 'threads'}, all read.`;
    if (focusKey) this.list.querySelector(`li[data-key="${CSS.escape(focusKey)}"] .result`)?.focus();
  }

  // row is one followed thread: where, who wrote the root and what, how many
  // replies and when the last came, what is new.
  row(t) {
    const ch = this.store.channels.get(t.channel);
    const m = t.message;
    const text = !m ? '' : m.deleted ? 'This message was deleted.' : messagePreview(m.text || '', m.files);
    const last = t.last ? `last ${lastLabel(t.last, dayLabel, timeLabel)}` : '';
    const open = h('button', { type: 'button', class: `result thread-open${t.unread ? ' unread' : ''}`, 'data-channel': t.channel, 'data-seq': String(t.seq) },
      h('span', { class: 'result-meta' },
        h('span', { class: 'result-where', dir: 'auto' }, this.whereLabel(ch)),
        m ? h('span', { class: 'author', dir: 'auto' }, this.store.display(m.from)) : null,
        t.unread ? h('span', { class: 'pill mention thread-new' }, `${t.unread} new`) : null),
      h('span', { class: 'result-text', dir: 'auto' }, text),
      h('span', { class: 'thread-row-foot muted' }, [repliesLabel(t.replies), last].filter(Boolean).join(' · ')));
    open.addEventListener('click', () => this.glue.open(t.channel, t.seq, this.glue.button, true));
    return h('li', { class: 'thread-item', 'data-key': `${t.channel}/${t.seq}` }, open);
  }

  // ---- loading, reading, sending ----

  // chase asks for the next older page while the root is not reached.
  chase() {
    const log = this.store.log(this.channel);
    if (rootReached(log, this.root) || log.loading || this.pages >= AUTO_PAGES) return;
    this.c.loadHistory(this.channel, 200);
    if (log.loading) this.pages++;
  }

  // maybeRead sends the thread's read position (its newest reply) while it
  // is shown, whenever there is something new to mark.
  maybeRead() {
    if (!this.showing(this.channel, this.root)) return;
    const items = this.store.log(this.channel).items;
    const replies = repliesOf(items, this.root);
    const t = this.store.followed.get(this.channel, this.root);
    let seq = replies.at(-1)?.seq || 0;
    // Its replies are older than the loaded messages: every one is before the newest.
    if (!seq && t?.unread) seq = this.store.channels.get(this.channel)?.last_seq || 0;
    if (!seq || (seq <= this.readSent && !t?.unread)) return;
    if (this.c.protocol.readThread(this.channel, this.root, seq)) this.readSent = Math.max(this.readSent, seq);
  }

  submit() {
    if (this.mode !== 'thread' || this.form.hidden) return;
    const text = this.input.value.replace(/^\s*\n/, '').trimEnd();
    if (!text.trim()) return;
    if (utf8Length(text) > this.store.maxText) {
      this.counter.textContent = `${limitNote(text, this.store.maxText)}: shorten it or split it in two.`;
      return;
    }
    const p = this.store.queue(this.channel, text, [], { parent: this.root, also: this.also.checked });
    this.input.value = '';
    this.also.checked = false;
    this.counter.textContent = '';
    this.saveDraft();
    this.fit();
    this.stick = true;
    this.c.protocol.post(p);
    // Also in the channel: the conversation shows it at its end.
    if (p.also && p.channel === this.c.current) { this.c.conv.stick = true; this.c.mark('conv'); }
    this.render(false);
  }

  // revise: a blocked reply goes back into the thread's composer.
  revise(p) {
    this.store.discard(p.id);
    this.input.value = this.input.value.trim() ? `${p.text}\n${this.input.value}` : p.text;
    if (p.also) this.also.checked = true;
    this.fit();
    this.input.focus();
  }

  fit() {
    this.input.style.height = 'auto';
    this.input.style.height = `${Math.min(this.input.scrollHeight, Math.max(120, Math.round(innerHeight * 0.3)))}px`;
  }

  draftKey() { return `inhouse.draft.${this.store.me.name}.${this.channel}.t${this.root}`; }
  saveDraft() {
    if (this.mode !== 'thread' || !this.channel) return;
    try {
      if (this.input.value) localStorage.setItem(this.draftKey(), this.input.value);
      else localStorage.removeItem(this.draftKey());
    } catch { /* ignore */ }
  }
  loadDraft() {
    try { return localStorage.getItem(this.draftKey()) || ''; } catch { return ''; }
  }
}
