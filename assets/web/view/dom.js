// DOM building with text only: strings become text nodes, never markup.
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  if (props) {
    for (const [k, v] of Object.entries(props)) {
      if (v == null || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'value') el.value = v;
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  for (const c of children.flat(Infinity)) {
    if (c == null || c === false) continue;
    el.append(c);
  }
  return el;
}

const NS = 'http://www.w3.org/2000/svg';
const PATHS = {
  lock: 'M6 11h12v10H6zM8.5 11V8a3.5 3.5 0 0 1 7 0v3',
  hash: 'M5 9h14M5 15h14M10 4 8 20M16 4l-2 16',
  plus: 'M12 5v14M5 12h14',
  // The channel menu (view/channelmenu.js) and muted conversations.
  chevron: 'M6 9l6 6 6-6',
  mute: 'M6 16V11a6 6 0 0 1 9.5-4.9M18 10.5V16l2 2H4M10 20a2 2 0 0 0 4 0M3 3l18 18',
  search: 'M10.5 4a6.5 6.5 0 1 0 0 13 6.5 6.5 0 0 0 0-13zM20 20l-4.8-4.8',
  clock: 'M12 3.5a8.5 8.5 0 1 0 0 17 8.5 8.5 0 0 0 0-17zM12 7.5V12l3 2',
  menu: 'M4 6h16M4 12h16M4 18h16',
  send: 'M4 12 20 4l-5 16-3-7zM12 13l8-9',
  down: 'M12 5v14M6 13l6 6 6-6',
  alert: 'M12 3.5 2.5 20h19zM12 10v4.5M12 17.2v.3',
  close: 'M6 6l12 12M18 6 6 18',
  offline: 'M3 3l18 18M8.5 16.5a5 5 0 0 1 7 0M5 12.5a10 10 0 0 1 4-2.3M19 12.5a10 10 0 0 0-2.8-1.8M2 8.8a15 15 0 0 1 4.2-2.6M22 8.8A15 15 0 0 0 11 5M12 20h.01',
  edit: 'M4 20h4L19 9l-4-4L4 16zM13.5 6.5l4 4',
  trash: 'M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13M10 11v6M14 11v6',
  bell: 'M6 16V11a6 6 0 0 1 12 0v5l2 2H4zM10 20a2 2 0 0 0 4 0',
  // Files (docs/files.md): the paperclip, the kinds of file, their actions.
  clip: 'M20 11.5l-8.6 8.6a5.5 5.5 0 0 1-7.8-7.8l8.6-8.6a3.7 3.7 0 0 1 5.2 5.2l-8.6 8.6a1.8 1.8 0 0 1-2.6-2.6l7.9-7.9',
  files: 'M8 3h7l4 4v11H8zM15 3v4h4M5 7v14h11',
  download: 'M12 4v11M7 10l5 5 5-5M5 20h14',
  external: 'M14 4h6v6M20 4l-9 9M18 14v6H4V6h6',
  left: 'M15 5l-7 7 7 7',
  right: 'M9 5l7 7-7 7',
  picture: 'M4 5h16v14H4zM4 16l5-5 4 4 2-2 5 5M15 9h.01',
  'file-other': 'M6 3h8l4 4v14H6zM14 3v4h4',
  'file-text': 'M6 3h8l4 4v14H6zM14 3v4h4M9 12h6M9 15h6M9 18h3',
  'file-pdf': 'M6 3h8l4 4v14H6zM14 3v4h4M9.5 18v-6h1.8a1.8 1.8 0 0 1 0 3.6H9.5',
  'file-office': 'M6 3h8l4 4v14H6zM14 3v4h4M9 11h6v7H9zM9 14.5h6M12 11v7',
  'file-archive': 'M6 3h8l4 4v14H6zM14 3v4h4M10 3v2h2v2h-2v2h2v2h-2M10 13h2v4h-2z',
  'file-media': 'M6 3h8l4 4v14H6zM14 3v4h4M10 11.5v6l5-3z',
};

// icon is an inline SVG (no icon font); decorative unless label is given.
export function icon(name, label) {
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', `icon icon-${name}`);
  if (label) { svg.setAttribute('role', 'img'); svg.setAttribute('aria-label', label); } else svg.setAttribute('aria-hidden', 'true');
  const p = document.createElementNS(NS, 'path');
  p.setAttribute('d', PATHS[name]);
  svg.append(p);
  return svg;
}

export function srOnly(text) { return h('span', { class: 'sr-only' }, text); }

// logo is the app's mark, the same drawing as icon.svg.
export function logo() {
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', '0 0 64 64');
  svg.setAttribute('class', 'logo');
  svg.setAttribute('aria-hidden', 'true');
  const r = document.createElementNS(NS, 'rect');
  for (const [k, v] of Object.entries({ width: 64, height: 64, rx: 14, class: 'logo-bg' })) r.setAttribute(k, v);
  const p = document.createElementNS(NS, 'path');
  p.setAttribute('d', 'M16 20a6 6 0 0 1 6-6h20a6 6 0 0 1 6 6v14a6 6 0 0 1-6 6H30l-9 8v-8h0a6 6 0 0 1-5-6z');
  p.setAttribute('class', 'logo-fg');
  svg.append(r, p);
  return svg;
}

// modal opens a <dialog> (focus trap and Escape come with it) and removes it
// when closed.
export function modal(title, body, { wide = false, onclose } = {}) {
  const id = `dlg-${Math.random().toString(36).slice(2)}`;
  const close = h('button', { type: 'button', class: 'icon-button', 'aria-label': 'Close' }, icon('close'));
  const dlg = h('dialog', { class: wide ? 'modal wide' : 'modal', 'aria-labelledby': id },
    h('header', { class: 'modal-head' }, h('h2', { id }, title), close), body);
  close.addEventListener('click', () => dlg.close());
  dlg.addEventListener('close', () => { dlg.remove(); onclose?.(); });
  dlg.addEventListener('click', (e) => { if (e.target === dlg) dlg.close(); });
  document.body.append(dlg);
  dlg.showModal();
  return dlg;
}

export function field(label, input, help) {
  const id = input.id || (input.id = `f-${Math.random().toString(36).slice(2)}`);
  const helpEl = help ? h('small', { id: `${id}-help`, class: 'help' }, help) : null;
  if (helpEl) input.setAttribute('aria-describedby', helpEl.id);
  return h('div', { class: 'field' }, h('label', { for: id }, label), input, helpEl);
}
