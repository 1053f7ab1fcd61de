// File sizes as people read them in a file manager: decimal units (1 kB = 1000 bytes), the same
// wording as the backend's messages ("your server accepts files up to 10.5 MB").

/** "0 bytes", "512 kB", "10 MB", "10.5 MB", "1.5 GB". */
export function humanSize(bytes: number): string {
  const b = Math.max(0, Number.isFinite(bytes) ? bytes : 0);
  if (b >= 1e9) return `${(b / 1e9).toFixed(1)} GB`;
  if (b >= 1e6) {
    const mb = b / 1e6;
    return Math.abs(mb - Math.round(mb)) < 0.05 ? `${Math.round(mb)} MB` : `${mb.toFixed(1)} MB`;
  }
  if (b >= 1e3) return `${Math.round(b / 1e3)} kB`;
  const whole = Math.round(b);
  return whole === 1 ? "1 byte" : `${whole} bytes`;
}

/** A transfer speed: "850 kB/s". */
export function humanSpeed(bytesPerSecond: number): string {
  return `${humanSize(bytesPerSecond)}/s`;
}
