// Time arithmetic for progress bars: elapsed and remaining time from work done so far, and human formatting.
/** Seconds left, from the rate so far; undefined until there is enough to say. */
export function etaSeconds(elapsedS: number, done: number, total: number): number | undefined {
  if (!(total > 0) || !(done > 0) || !(elapsedS > 0) || done >= total) return done >= total && total > 0 ? 0 : undefined;
  return (elapsedS / done) * (total - done);
}

/** 75 → "1:15", 3725 → "1:02:05". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(sec)}` : `${m}:${two(sec)}`;
}

/** 1536 → "1.5 KiB". */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}
