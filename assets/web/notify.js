// Desktop notifications: asked for once, from a click (browsers ignore or
// penalise prompts that come out of nowhere), shown only while the tab is
// hidden, for direct messages and mentions.
const ASKED = 'inhouse.notify.asked';

export const notify = {
  get supported() { return 'Notification' in window && window.isSecureContext; },
  shouldAsk() {
    try { return this.supported && Notification.permission === 'default' && !localStorage.getItem(ASKED); } catch { return false; }
  },
  dismiss() { try { localStorage.setItem(ASKED, '1'); } catch { /* private mode */ } },
  async ask() {
    this.dismiss();
    try { return await Notification.requestPermission(); } catch { return 'denied'; }
  },
  sw: null, // the service worker's registration (view/receipts.js, sw.js)
  show(title, body, tag, onclick, channel = tag) {
    if (!this.supported || Notification.permission !== 'granted' || !document.hidden) return;
    const opts = { body: body.length > 180 ? `${body.slice(0, 180)}…` : body, tag, icon: '/icon.svg' };
    if (this.sw) { this.sw.showNotification(title, { ...opts, data: { channel } }).catch(() => {}); return; }
    try {
      const n = new Notification(title, opts);
      n.onclick = () => { window.focus(); onclick(); n.close(); };
    } catch { /* some platforms need a service worker: skip */ }
  },
};
