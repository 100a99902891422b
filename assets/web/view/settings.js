// Notifications and privacy (docs/people.md): desktop notifications in this
// browser, the sound, what happens when no Inhouse window is open, and —
// where the office lets each person choose — hiding one's read receipts.
// Opened from the person's own menu in the sidebar; loaded on first use.
import { h, modal } from './dom.js';
import { api } from '../api.js';
import { notify } from '../notify.js';
import { chime } from '../sound.js';
import { soundOn, setSound } from '../receipts.js';

export const NO_PUSH = 'Notifications arrive while an Inhouse tab or the installed app is open. When none is open nothing arrives — an office network has no push service — and your messages wait for you.';

export function openSettings(client) {
  if (document.querySelector('dialog[open]')) return;
  const store = client.store;
  const me = store.me.name;
  const back = document.activeElement;

  // Desktop notifications: what this browser allows, and the way to allow it.
  const desktop = h('div', { class: 'settings-row', id: 'settings-desktop' });
  const renderDesktop = () => {
    const perm = notify.supported ? Notification.permission : '';
    let say, act = null;
    if (!notify.supported) say = 'This browser cannot show desktop notifications on this address (they need https).';
    else if (perm === 'granted') say = 'Desktop notifications are on in this browser.';
    else if (perm === 'denied') say = 'Desktop notifications are blocked for Inhouse in this browser. Allow them in the browser’s site settings.';
    else {
      say = 'Desktop notifications are off in this browser.';
      act = h('button', { type: 'button', class: 'secondary small', id: 'settings-allow' }, 'Turn on');
      act.addEventListener('click', async () => {
        await notify.ask();
        renderDesktop();
        sound.focus(); // the button is gone
      });
    }
    desktop.replaceChildren(h('p', null, say), act);
  };
  renderDesktop();

  const sound = h('input', { type: 'checkbox', id: 'settings-sound' });
  sound.checked = soundOn(localStorage, me);
  sound.addEventListener('change', () => {
    setSound(localStorage, me, sound.checked);
    if (sound.checked) chime(); // how it sounds (a click lets the page play it)
  });

  const parts = [
    h('h3', null, 'Notifications'),
    desktop,
    h('label', { class: 'check' }, sound, h('span', null, 'Play a sound with notifications')),
    h('p', { class: 'muted small' }, 'Each conversation’s menu chooses what notifies you there: every message, mentions only, or nothing. While you are in do not disturb or your quiet hours, nothing notifies you and no sound plays; mentions still count.'),
    h('p', { class: 'settings-note', id: 'settings-no-push' }, NO_PUSH),
  ];

  // Read receipts, as the office has them (off: nothing to say).
  const receipts = store.info?.receipts;
  if (receipts === 'on') {
    const hide = h('input', { type: 'checkbox', id: 'settings-hide-receipts', 'aria-describedby': 'settings-hide-help' });
    hide.checked = !!store.info.hide_receipts;
    const err = h('p', { class: 'error', role: 'alert', hidden: true });
    hide.addEventListener('change', async () => {
      const want = hide.checked;
      hide.disabled = true;
      err.hidden = true;
      try {
        await api.call('PUT', '/api/me/receipts', { hide: want });
        client.receipts?.hidden(want);
        if (!client.receipts && store.info) store.info.hide_receipts = want;
      } catch (e) {
        hide.checked = !want;
        err.textContent = `Not changed: ${e.message}`;
        err.hidden = false;
      }
      hide.disabled = false;
      hide.focus();
    });
    parts.push(h('h3', null, 'Privacy'),
      h('label', { class: 'check' }, hide, h('span', null, 'Hide my read receipts')),
      h('p', { class: 'muted small', id: 'settings-hide-help' }, 'Others will not see when you have read their messages, and you will not see when they have read yours.'),
      err);
  } else if (receipts === 'always') {
    parts.push(h('h3', null, 'Privacy'),
      h('p', { class: 'muted small' }, 'Your office shows read receipts in work conversations: others see when you have read their messages, as you see theirs.'));
  }

  const done = h('button', { type: 'button', class: 'primary' }, 'Done');
  const dlg = modal('Notifications and privacy', h('div', { class: 'stack settings' }, ...parts, h('div', { class: 'actions' }, done)), {
    onclose: () => { if (back?.isConnected && back !== document.body) back.focus(); },
  });
  dlg.id = 'settings-dialog';
  done.addEventListener('click', () => dlg.close());
  sound.focus();
}
