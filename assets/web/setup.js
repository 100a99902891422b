// The one-time setup page: the token arrives in the link's query string.
const form = document.getElementById('setup');
const error = document.getElementById('error');
const token = new URLSearchParams(location.search).get('token') || '';

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  error.hidden = true;
  for (const p of form.querySelectorAll('.field-error')) p.hidden = true;
  const body = {
    token,
    name: form.name.value.trim(),
    display: form.display.value.trim(),
    password: form.password.value,
  };
  const res = await fetch('/api/setup', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  }).catch(() => null);
  if (res && res.ok) {
    location.href = '/admin';
    return;
  }
  const data = res ? await res.json().catch(() => ({})) : {};
  // Every field's problem at once, beside its field; the rest above the button.
  const fields = data.fields || {};
  let first = null;
  for (const f of ['name', 'display', 'password']) {
    const p = document.getElementById(`${f}-error`);
    p.textContent = fields[f] || '';
    p.hidden = !fields[f];
    form[f].setAttribute('aria-invalid', fields[f] ? 'true' : 'false');
    if (fields[f] && !first) first = form[f];
  }
  if (first) {
    first.focus();
    return;
  }
  error.textContent = data.message || 'The server could not be reached. Check that Inhouse is running and try again.';
  error.hidden = false;
});
