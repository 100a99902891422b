// The service worker (docs/people.md): it brings Inhouse back when one of
// its notifications is clicked — to the open window, or a new one (the
// installed app) when none is open. It caches nothing and has no fetch
// handler, so every request goes to the server exactly as without it. An
// office network has no push service: notifications come from open tabs.
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));

self.addEventListener('notificationclick', (e) => {
  e.notification.close();
  const data = e.notification.data;
  const channel = data && typeof data.channel === 'string' ? data.channel : '';
  e.waitUntil(reopen(channel));
});

// reopen focuses a window of the chat (the console's pages are not it) and
// asks it to open channel; without one it opens the chat at channel.
async function reopen(channel) {
  const all = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const chat = all.filter((w) => new URL(w.url).pathname === '/');
  const w = chat.find((x) => x.focused) || chat.find((x) => x.visibilityState === 'visible') || chat[0];
  if (w) {
    try { await w.focus(); } catch { /* the browser may refuse focus; the message still goes */ }
    if (channel) w.postMessage({ type: 'inhouse:open', channel });
    return;
  }
  await self.clients.openWindow(channel ? `/#/c/${encodeURIComponent(channel)}` : '/');
}
