// The notification sound: a short two-note chime made with WebAudio when
// it plays, so there is no audio file and nothing is fetched. Browsers let
// a page make sound once the person has used it (a click, a key); before
// that the chime is skipped, not queued.
let ctx = null;

// chimes counts what played (tests read it: a headless browser has no ears).
export const chimes = { played: 0 };

export function chime() {
  const AC = globalThis.AudioContext || globalThis.webkitAudioContext;
  if (!AC) return false;
  try {
    ctx ||= new AC();
    if (ctx.state === 'suspended') ctx.resume().catch(() => {});
    const t0 = ctx.currentTime + 0.02;
    // Two soft sine notes, a fifth apart, each rising in 15 ms and fading in 160.
    for (const [hz, at] of [[880, 0], [1318.5, 0.12]]) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = 'sine';
      osc.frequency.value = hz;
      gain.gain.setValueAtTime(0.0001, t0 + at);
      gain.gain.exponentialRampToValueAtTime(0.12, t0 + at + 0.015);
      gain.gain.exponentialRampToValueAtTime(0.0001, t0 + at + 0.175);
      osc.connect(gain).connect(ctx.destination);
      osc.start(t0 + at);
      osc.stop(t0 + at + 0.2);
    }
    chimes.played++;
    return true;
  } catch {
    return false;
  }
}
