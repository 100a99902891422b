// The chat protocol without the DOM: what to send when the socket opens and
// closes, how each server frame changes the store, when the outbox goes out
// again, which errors are retried. app.js owns the page and tells this class
// what the socket does; this class tells the page what happened through the
// `ui` hooks. No document, window, location or localStorage here, so
// node --test can drive it with a fake socket and a fake clock.
import { isRecordKind, recordFrame } from './reactions.js';

// Errors that go away by themselves: the same frame is sent again later.
// Every other error is the server's final word, shown with Retry.
export const RETRYABLE = new Set(['unavailable', 'rate_limited']);

// How long before a refused frame goes again.
export const SYNC_RETRY_MS = 2000;
export const RATE_LIMITED_RETRY_MS = 2000;
export const UNAVAILABLE_RETRY_MS = 5000;
// The server passes on typing at most every 2 s; 3 s keeps us under it.
export const TYPING_EVERY_MS = 3000;

// The reasons the server gives when it closes a person's sockets (1008),
// as the sign-in page says them. 'role changed' is missing on purpose: the
// session goes on and the socket reconnects.
const SIGNED_OUT = {
  'account disabled': 'Your account was disabled by the office manager.',
  'password reset': 'You were signed out by the office manager.',
  'signed out by the office manager': 'You were signed out by the office manager.',
  'password changed': 'Your password was changed. Sign in with the new one.',
  'signed out': 'You signed out.',
};

// signedOutNotice is the sentence for a close reason, or '' for none.
export function signedOutNotice(reason) {
  return Object.hasOwn(SIGNED_OUT, reason) ? SIGNED_OUT[reason] : '';
}

export class Protocol {
  // store: the Store. api: { me(), users(), channels(), csrf } (api.js).
  // send(frame) → true when the frame went onto an open socket.
  // stop(): close the socket and never reconnect. healthy(): reset the
  // reconnect backoff. later(fn, ms) and now() are the timer and clock.
  // ui: optional hooks, each described where it is called:
  //   viewing(channel) → bool, opened(), arrived(channel, msgs, viewing),
  //   synced(), closed(), signedOut(notice), needPolicy(me), toast(text).
  constructor({
    store, api, send, stop = () => {}, healthy = () => {},
    // Wrapped: a bare setTimeout called as this.later() is an illegal invocation in browsers.
    later = (fn, ms) => setTimeout(fn, ms), now = () => Date.now(), ui = {},
  }) {
    this.store = store;
    this.api = api;
    this.sendFrame = send;
    this.stopSocket = stop;
    this.healthy = healthy;
    this.later = later;
    this.now = now;
    this.ui = ui;
    this.ready = false; // synced since the socket opened: sends may go
    this.stopped = false; // the session ended: no more reconnects
    this.historyLimit = {}; // channel → the limit of the page asked for
    this.presenceStatus = 'online';
    this.lastTyping = -Infinity; // the first keystroke always tells
  }

  // ---- socket events ----

  // opened: the socket is up. Fresh people and channels first (new
  // channels, authoritative unread counts), then sync what was missed.
  async opened() {
    this.ready = false;
    const { store, api } = this;
    try {
      const [me, users, channels] = await Promise.all([api.me(), api.users(), api.channels()]);
      // The session ended while the socket opened: the server closes this
      // socket with the reason (signed out, disabled…), which closed()
      // shows; end without one only if that close does not come.
      if (!me) return this.endSoon();
      api.csrf = me.csrf;
      if (!me.policy.accepted) return this.end(me);
      store.policy = me.policy;
      store.info = me;
      store.office = me.office || store.office;
      // The office's limits may have changed while the socket was away.
      if (me.max_text > 0) store.maxText = me.max_text;
      if (me.max_file > 0) store.maxFile = me.max_file;
      // Who may use @here and @channel, and above how many members to ask.
      if (me.mention_all_by) store.mentionAllBy = me.mention_all_by;
      if (me.mention_confirm_above >= 0) store.confirmAbove = me.mention_confirm_above;
      // My own person (status, quiet time: store.quietNow).
      if (me.user) store.me = { ...me.user, role: me.user.role || store.me.role };
      store.setUsers(users);
      store.setChannels(channels);
      store.emit('me');
    } catch { /* keep what we have; sync still fills the gaps */ }
    // The page may have had no channel to open until now.
    this.ui.opened?.();
    this.sync();
    // The server counts a new socket as online.
    if (this.presenceStatus === 'away') this.sendFrame({ type: 'presence', status: 'away' });
  }

  // closed: the socket went down (the socket reconnects by itself). A
  // refused upgrade looks like any failure, and 1008 may mean the session
  // ended: ask the API, and stop for good if so. The reason of a 1008 says
  // why, for the sign-in page.
  async closed(code, opened, reason = '') {
    this.ready = false;
    this.ui.closed?.();
    if (opened && code !== 1008) return;
    try {
      const me = await this.api.me();
      if (!me) this.end(null, code === 1008 ? signedOutNotice(reason) : '');
      else if (!me.policy.accepted) this.end(me);
    } catch { /* offline: keep retrying */ }
  }

  // endSoon ends the session in a moment, unless a close with its reason
  // ends it first.
  endSoon() {
    clearTimeout(this.endTimer);
    this.endTimer = setTimeout(() => { if (!this.stopped) this.end(null); }, this.endWait ?? 2000);
  }

  // end stops reconnecting and hands over to sign-in (me null, with the
  // notice to show there) or the policy gate. Pending messages stay in the
  // outbox for the next session.
  end(me, notice = '') {
    clearTimeout(this.endTimer);
    this.ready = false;
    this.stopped = true;
    this.stopSocket();
    if (me) this.ui.needPolicy?.(me); else this.ui.signedOut?.(notice);
  }

  // sync asks for everything missed since the last seq seen per channel.
  sync() {
    this.sendFrame({ type: 'sync', id: 'sync', channels: this.store.syncPoints() });
  }

  // ---- server frames ----
  frame(f) {
    const s = this.store;
    switch (f.type) {
      case 'ack':
        s.ack(f);
        break;
      case 'message': {
        // viewing: the person sees the channel's newest messages, so
        // nothing becomes unread.
        const viewing = !!this.ui.viewing?.(f.channel);
        const fresh = s.addMessages(f.channel, [f], viewing);
        s.stopTyping(f.channel, f.from);
        this.ui.arrived?.(f.channel, fresh.filter((m) => m.from !== s.me.name), viewing);
        break;
      }
      case 'synced':
        this.ready = true;
        this.healthy();
        this.resendAll();
        this.ui.synced?.();
        break;
      case 'history':
        s.addHistory(f.channel, f.messages || [], this.historyLimit[f.channel] || 50);
        break;
      case 'typing':
        s.typingIn(f.channel, f.user);
        break;
      case 'presence':
        s.presence(f.user, f.status);
        break;
      case 'person': // a profile, status or quiet time changed (docs/people.md)
        s.person(f.user);
        break;
      case 'read':
        s.readElsewhere(f.channel, f.seq);
        break;
      case 'channel':
        if (f.channel?.id) s.upsertChannel(f.channel);
        // Presence is pushed only between direct-message partners: a new
        // partner's current status comes from the list.
        if (f.channel?.kind === 'direct') this.refreshUsers();
        break;
      case 'left':
        s.removeChannel(f.channel);
        break;
      case 'seen': // docs/people.md: view/receipts.js listens
      case 'confirmed':
      case 'remind':
        s.emit(f.type, f.channel, f);
        break;
      case 'error':
        this.error(f);
        break;
    }
  }

  error(f) {
    // Too many syncs and history pages at once (many tabs reconnecting):
    // the missed messages are asked for again in a moment.
    if (f.id === 'sync') {
      if (RETRYABLE.has(f.code)) this.later(() => this.sync(), SYNC_RETRY_MS);
      return;
    }
    if (f.code === 'policy_required') {
      this.api.me().then((me) => me && this.end(me)).catch(() => {});
      return;
    }
    const p = f.id ? this.store.outbox.find((x) => x.id === f.id) : null;
    if (p) {
      if (RETRYABLE.has(f.code)) this.later(() => this.post(p), f.code === 'rate_limited' ? RATE_LIMITED_RETRY_MS : UNAVAILABLE_RETRY_MS);
      else if (isRecordKind(p.kind)) this.dropRecord(p, f.message);
      else this.store.fail(p.id, f.message, f.code);
      return;
    }
    // A failed history page: allow another try on the next scroll.
    for (const l of this.store.logs.values()) l.loading = false;
    this.ui.toast?.(f.message || 'Something went wrong.');
  }

  // ---- what the page asks for ----

  // post sends an outbox entry (a send, edit, delete, reaction or pin) with its own id,
  // once the socket has synced; until then it waits in the outbox. A send
  // with files carries their upload ids, every time it goes.
  post(p) {
    if (!this.ready || p.state !== 'pending' || !this.store.outbox.includes(p)) return;
    if (isRecordKind(p.kind)) this.sendFrame(recordFrame(p));
    else if (p.kind === 'edit') this.sendFrame({ type: 'edit', id: p.id, channel: p.channel, seq: p.ref, text: p.text });
    else if (p.kind === 'delete') this.sendFrame({ type: 'delete', id: p.id, channel: p.channel, seq: p.ref });
    else {
      const f = { type: 'send', id: p.id, channel: p.channel, text: p.text };
      if (p.files?.length) f.files = p.files;
      // A reply (threads.js) names its root, and also goes to the channel with also.
      if (p.parent > 0) { f.parent = p.parent; if (p.also) f.also = true; }
      if (p.confirm === true) f.confirm = true; // asks everyone to confirm
      this.sendFrame(f);
    }
  }

  // After a reconnect's sync, everything still pending goes again with its
  // own id: the server stores each id once and re-acks duplicates.
  resendAll() {
    for (const p of [...this.store.outbox]) { // a copy: dropRecord takes entries out
      if (!this.store.channels.has(p.channel) && isRecordKind(p.kind)) this.dropRecord(p, 'You are no longer in this conversation.');
      else if (!this.store.channels.has(p.channel)) this.store.fail(p.id, 'you are no longer in this conversation.');
      else this.post(p);
    }
  }

  // dropRecord: a refused reaction or pin goes from the outbox (its
  // message shows the state as it was) and the server's reason is told.
  dropRecord(p, message) {
    this.store.discard(p.id);
    const what = p.kind === 'react' || p.kind === 'unreact' ? 'Your reaction was not saved.' : p.kind === 'pin' ? 'The message was not pinned.' : 'The message was not unpinned.';
    this.ui.toast?.(message ? `${what} ${message}` : what);
  }

  // retry sends a failed entry again (the person pressed Retry).
  retry(id) {
    const p = this.store.retry(id);
    if (p) this.post(p);
  }

  // loadHistory asks for the page before the oldest loaded message.
  // Returns 'empty' when the channel has no messages at all (the log is
  // marked complete), 'asked' when a page was asked for, '' otherwise.
  loadHistory(channel, limit) {
    const log = this.store.log(channel);
    const ch = this.store.channels.get(channel);
    if (log.loading || log.complete) return '';
    if (ch && ch.last_seq === 0 && !log.items.length) { log.complete = true; return 'empty'; }
    this.historyLimit[channel] = limit;
    const before = log.items[0]?.seq || 0;
    if (!this.sendFrame({ type: 'history', channel, before, limit })) return '';
    log.loading = true;
    return 'asked';
  }

  // read marks the channel read and tells the server, if anything changed.
  // Only when the frame goes out: a count cleared here but not on the
  // server would come back with the next channel list.
  read(channel) {
    const seq = this.store.unreadSeq(channel);
    if (seq && this.sendFrame({ type: 'read', channel, seq })) this.store.markRead(channel);
  }

  // readThread moves my read position in the thread of root to seq (its
  // newest reply); the Threads view clears it once the frame went out.
  // The server sends no frame for it to my other tabs.
  readThread(channel, root, seq) {
    if (!(root > 0) || !(seq > 0)) return false;
    if (!this.sendFrame({ type: 'read', channel, seq, thread: root })) return false;
    this.store.threadRead(channel, root);
    return true;
  }

  // typing tells the channel someone is typing, at most every 3 s.
  typing(channel) {
    const now = this.now();
    if (now - this.lastTyping <= TYPING_EVERY_MS) return;
    this.lastTyping = now;
    this.sendFrame({ type: 'typing', channel });
  }

  // presence sets 'online' or 'away'; only a change is sent.
  presence(status) {
    if (status === this.presenceStatus) return;
    this.presenceStatus = status;
    this.sendFrame({ type: 'presence', status });
  }

  refreshUsers() {
    this.api.users().then((u) => this.store.setUsers(u)).catch(() => {});
  }
}
