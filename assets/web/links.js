// Links to one message of this Inhouse, without the DOM: what *Copy link*
// puts on the clipboard and what the app opens at start and on hashchange
// (and what a link inside a message may point at). The form is
//   https://office.example/#/m/<channel id>/<seq>
// (the channel id URL-encoded). The hash keeps the server out of it: the
// page at / reads it, opens the conversation and jumps to the message.

const HASH = /^#\/m\/([^/?#]+)\/([1-9][0-9]{0,15})$/;

// messageLink builds the link to message seq of channel; origin is
// location.origin.
export function messageLink(origin, channel, seq) {
  return `${String(origin).replace(/\/+$/, '')}/#/m/${encodeURIComponent(channel)}/${seq}`;
}

// parseMessageLink reads a link back: a whole URL (of origin, when given,
// and at the path /) or just its hash ('#/m/…'). It returns
// { channel, seq }, or null for anything else.
export function parseMessageLink(href, origin = '') {
  if (typeof href !== 'string') return null;
  let hash = href;
  if (!href.startsWith('#')) {
    let u;
    try { u = new URL(href); } catch { return null; }
    if (origin && u.origin !== String(origin).replace(/\/+$/, '')) return null;
    if (u.pathname !== '/' || u.search) return null;
    hash = u.hash;
  }
  const m = HASH.exec(hash);
  if (!m) return null;
  let channel;
  try { channel = decodeURIComponent(m[1]); } catch { return null; }
  const seq = Number(m[2]);
  if (!channel || !Number.isSafeInteger(seq)) return null;
  return { channel, seq };
}
