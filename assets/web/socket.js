// One WebSocket to /ws that comes back by itself: exponential backoff with
// jitter (so a restarted server is not stormed by every tab at once), and an
// immediate try when the browser reports the network is back.
export class Socket {
  constructor(handlers) {
    this.h = handlers;
    this.ws = null;
    this.attempt = 0;
    this.timer = 0;
    this.stopped = false;
    this.state = 'connecting';
    this.retryAt = 0;
    addEventListener('online', () => this.retryNow());
  }

  connect() {
    clearTimeout(this.timer);
    if (this.stopped) return;
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
    let ws;
    try { ws = new WebSocket(url); } catch { this.later(); return; }
    this.ws = ws;
    this.setState('connecting');
    let opened = false;
    ws.onopen = () => { opened = true; this.setState('open'); this.h.open(); };
    ws.onmessage = (e) => {
      let f;
      try { f = JSON.parse(e.data); } catch { return; }
      if (f && typeof f.type === 'string') this.h.frame(f);
    };
    ws.onclose = (e) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.stopped) return;
      this.h.closed?.(e, opened);
      this.later();
    };
  }

  later() {
    const base = Math.min(15000, 500 * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 6);
    const delay = base / 2 + Math.random() * base / 2;
    this.retryAt = Date.now() + delay;
    this.setState('offline');
    this.timer = setTimeout(() => this.connect(), delay);
  }

  // healthy resets the backoff once a connection has fully synced.
  healthy() { this.attempt = 0; }

  retryNow() {
    if (this.state === 'offline' && !this.stopped) this.connect();
  }

  send(frame) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    const ws = this.ws;
    this.ws = null;
    ws?.close(1000);
  }

  setState(s) {
    this.state = s;
    this.h.state?.(s);
  }
}
