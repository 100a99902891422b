// Pages that stand before the chat: the usage policy (read and accept) and
// the one-time password change.
import { api } from '../api.js';
import { h, logo, field } from './dom.js';

// policyChanged says whether the person accepted an older version of the
// policy, as opposed to never having accepted one (a new employee is not
// told it "has changed"). /api/me's policy.accepted_version (0: never) when
// the server gives it; else seen, the version this browser last saw them
// accept (0: none).
export function policyChanged(policy, seen) {
  if (Number.isInteger(policy.accepted_version)) return policy.accepted_version > 0 && policy.accepted_version < policy.version;
  return seen > 0 && seen < policy.version;
}

const SEEN = 'inhouse.policy.';

// rememberPolicy notes that this browser saw name accept version.
export function rememberPolicy(name, version) {
  try { localStorage.setItem(SEEN + name, String(version)); } catch { /* private mode: the wording stays neutral */ }
}

function seenPolicy(name) {
  try { return Number(localStorage.getItem(SEEN + name)) || 0; } catch { return 0; }
}

// showPolicy shows the policy to accept. changed: known to be a new
// version of one accepted before (it changed mid-session).
export function showPolicy(root, me, done, changedNow = false) {
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const accept = h('button', { type: 'button', class: 'primary', id: 'accept-policy' }, 'Accept and continue');
  const signOut = h('button', { type: 'button', class: 'secondary' }, 'Sign out');
  const changed = changedNow || policyChanged(me.policy, seenPolicy(me.user.name)) ? 'The office has changed its usage policy. ' : '';
  accept.addEventListener('click', async () => {
    accept.disabled = true;
    try {
      await api.acceptPolicy(me.policy.version);
      rememberPolicy(me.user.name, me.policy.version);
      done();
    } catch (err) {
      error.textContent = err.status === 400
        ? 'The policy changed while you were reading it. The new version is shown now.'
        : err.message;
      error.hidden = false;
      accept.disabled = false;
      if (err.status === 400) setTimeout(done, 1500);
    }
  });
  signOut.addEventListener('click', async () => { await api.logout().catch(() => {}); location.reload(); });
  root.replaceChildren(h('main', { class: 'auth policy-gate' },
    h('div', { class: 'auth-card wide' }, logo(),
      h('h1', { id: 'policy-title' }, `Usage policy of ${me.office || 'this office'}`),
      h('p', { class: 'muted' }, `${changed}Read it and accept it to start chatting, ${me.user.display || me.user.name}.`),
      h('div', { class: 'policy-text', tabindex: 0, role: 'document', 'aria-labelledby': 'policy-title' }, me.policy.text || 'No policy text was given.'),
      h('p', { class: 'note' }, me.policy.banner || 'Conversations are archived and may be reviewed.'),
      error, h('div', { class: 'actions' }, signOut, accept))));
  document.title = `Usage policy · ${me.office || 'Inhouse'}`;
  accept.focus();
}

export function showPasswordChange(root, me, done) {
  const old = h('input', { type: 'password', autocomplete: 'current-password', required: true });
  const next = h('input', { type: 'password', autocomplete: 'new-password', required: true, minlength: 12 });
  const again = h('input', { type: 'password', autocomplete: 'new-password', required: true });
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const form = h('form', { class: 'auth-form', novalidate: true },
    field('Password you were given', old),
    field('New password', next, 'At least 12 characters; a short sentence is easy to remember.'),
    field('New password again', again), error,
    h('button', { type: 'submit', class: 'primary' }, 'Set password'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.hidden = true;
    if (next.value !== again.value) {
      error.textContent = 'The two new passwords differ. Type the same one twice.';
      error.hidden = false;
      again.focus();
      return;
    }
    try {
      await api.password(old.value, next.value);
      done();
    } catch (err) {
      error.textContent = err.message;
      error.hidden = false;
    }
  });
  root.replaceChildren(h('main', { class: 'auth' }, h('div', { class: 'auth-card' }, logo(),
    h('h1', null, 'Choose your password'),
    h('p', { class: 'muted' }, `Welcome, ${me.user.display || me.user.name}. Replace the one-time password with one only you know.`), form)));
  document.title = `Choose your password · ${me.office || 'Inhouse'}`;
  old.focus();
}
