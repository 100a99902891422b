// loadStyle adds a stylesheet of a part loaded on first use (the channel
// menu, the new-conversation dialog, @ suggestions), so the first visit
// does not carry it. It resolves once the sheet is in (or failed: the part
// still works, plainer).
const sheets = new Map();

export function loadStyle(href) {
  if (!sheets.has(href)) {
    sheets.set(href, new Promise((done) => {
      const link = document.createElement('link');
      link.rel = 'stylesheet';
      link.href = href;
      link.addEventListener('load', done);
      link.addEventListener('error', () => { sheets.delete(href); link.remove(); done(); });
      document.head.append(link);
    }));
  }
  return sheets.get(href);
}
