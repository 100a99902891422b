// The sign-in page: the office's name, and errors in plain words.
import { api } from '../api.js';
import { h, logo, field } from './dom.js';

// showLogin shows the sign-in form; notice says why the person is here
// (signed out by the office manager, say), above the form.
export function showLogin(root, done, notice = '') {
  const title = h('h1', null, 'Inhouse');
  const user = h('input', { id: 'username', name: 'username', autocomplete: 'username', autocapitalize: 'none', spellcheck: 'false', dir: 'auto', required: true });
  const pass = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const error = h('p', { id: 'login-error', class: 'form-error', role: 'alert', hidden: true });
  const button = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const form = h('form', { class: 'auth-form', novalidate: true },
    field('User name', user), field('Password', pass), error, button);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.hidden = true;
    if (!user.value.trim() || !pass.value) {
      say(user.value.trim() ? 'Enter your password.' : 'Enter your user name.');
      (user.value.trim() ? pass : user).focus();
      return;
    }
    button.disabled = true;
    button.textContent = 'Signing in…';
    try {
      await api.login(user.value.trim(), pass.value);
      done();
      return;
    } catch (err) {
      if (err.code === 'disabled') say(err.message);
      else if (err.status === 401) say('The user name or password is wrong. Check both and try again.');
      else if (err.status === 429) say(`Too many failed sign-ins. Wait ${wait(err.retryAfter)} and try again.`);
      else say(err.message);
      pass.select();
      pass.focus();
    }
    button.disabled = false;
    button.textContent = 'Sign in';
  });
  function say(text) {
    error.textContent = text;
    error.hidden = false;
  }
  root.replaceChildren(h('main', { class: 'auth' },
    h('div', { class: 'auth-card' }, logo(), title,
      notice ? h('p', { class: 'auth-notice', id: 'login-notice', role: 'alert' }, notice) : null,
      h('p', { class: 'muted' }, 'Sign in with the user name and password your office gave you.'), form)));
  document.title = 'Sign in · Inhouse';
  user.focus();
  api.office().then((name) => {
    if (name) { title.textContent = name; document.title = `Sign in · ${name}`; }
  });
}

function wait(seconds) {
  if (!seconds) return 'a few minutes';
  if (seconds < 60) return `${seconds} seconds`;
  const m = Math.ceil(seconds / 60);
  return m === 1 ? '1 minute' : `${m} minutes`;
}
