// Files in messages (docs/files.md): pictures as previews sized to the
// column, other files as cards (an icon by kind, the name, the size,
// Download, and Open for PDFs and plain text). Names go in as text.
import { h, icon } from './dom.js';
import { fileKind, kindLabel, formatSize, fileURL, previewURL, fitBox, isPicture, canOpen } from '../files.js';

// kindIcon is the card's icon for a file.
export function kindIcon(type, name) {
  const kind = fileKind(type, name);
  return icon(kind === 'picture' ? 'picture' : `file-${kind}`);
}

// messageFiles shows a stored message's files: the pictures first as one
// group of previews, then a card for each other file. open(index, link)
// opens the viewer on picture index.
export function messageFiles(channel, seq, files, open) {
  const pictures = [], cards = [];
  files.forEach((f, index) => {
    if (isPicture(f.type)) pictures.push(preview(channel, seq, index, f, open));
    else cards.push(fileCard(f, { channel, seq, index }));
  });
  return h('div', { class: 'msg-files' },
    pictures.length ? h('div', { class: 'pictures' }, pictures) : null,
    cards);
}

// preview is a picture in the conversation: a link to the file (a new tab
// with the middle button), which opens the viewer when clicked. The <img>
// shows the server's preview (a JPEG made once, or the picture itself when
// small); the link and the viewer have the picture. Its width and height
// come from the server's w and h, so the list does not jump while it
// loads; CSS keeps it within the column.
function preview(channel, seq, index, f, open) {
  const url = fileURL(channel, seq, index);
  const box = fitBox(f.w, f.h);
  const img = h('img', { src: previewURL(channel, seq, index), alt: f.name, loading: 'lazy', decoding: 'async', width: box?.width, height: box?.height });
  const link = h('a', { href: url, class: 'file-preview', title: `${f.name} · ${formatSize(f.size)}`,
    'data-channel': channel, 'data-seq': String(seq), 'data-index': String(index) }, img);
  link.addEventListener('click', (e) => {
    if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    open(index, link);
  });
  // A picture that cannot be shown (gone, or the connection) becomes a
  // card: the name and Download are still of use.
  img.addEventListener('error', () => { if (link.isConnected) link.replaceWith(fileCard(f, { channel, seq, index })); }, { once: true });
  return link;
}

// fileCard is a file as a card. at ({channel, seq, index}) gives its
// address; without it (a message still in the outbox) there are no links.
export function fileCard(f, at = null) {
  const kind = fileKind(f.type, f.name);
  const actions = [];
  if (at) {
    const url = fileURL(at.channel, at.seq, at.index);
    if (canOpen(f.type)) {
      actions.push(h('a', { href: url, class: 'file-open', target: '_blank', rel: 'noopener', 'aria-label': `Open ${f.name}`, title: 'Open in a new tab' },
        icon('external'), h('span', null, 'Open')));
    }
    actions.push(downloadLink(f, at));
  }
  return h('div', { class: 'file-card', 'data-kind': kind },
    h('span', { class: 'file-icon', 'data-kind': kind }, kindIcon(f.type, f.name)),
    h('span', { class: 'file-body' },
      h('span', { class: 'file-name', dir: 'auto', title: f.name }, f.name),
      h('span', { class: 'file-meta' }, `${kindLabel(f.type, f.name)} · ${formatSize(f.size)}`)),
    actions.length ? h('span', { class: 'file-actions' }, actions) : null);
}

// downloadLink always saves the file (?download=1 makes the server answer
// it as an attachment; download names it).
export function downloadLink(f, at, label = 'Download') {
  return h('a', { href: fileURL(at.channel, at.seq, at.index, true), download: f.name, class: 'file-download',
    'aria-label': `${label} ${f.name}`, title: `${label} ${f.name}` },
  icon('download'), h('span', null, label));
}
