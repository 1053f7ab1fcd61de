// Words for how long ago something happened: "idle 20 min" for online contacts (XEP-0319),
// "last seen 2 h ago" for offline ones (XEP-0012 / seen going offline).

/** "just now", "5 min", "2 h", "3 days" — how long since `ms`. */
export function durationSince(ms: number, now: number = Date.now()): string {
  const minutes = Math.max(0, Math.floor((now - ms) / 60_000));
  if (minutes < 1) return "just now";
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h`;
  const days = Math.floor(hours / 24);
  return days === 1 ? "1 day" : `${days} days`;
}

/** "idle 20 min" (nothing under a minute: not worth saying). */
export function idleText(idleSince: number | null, now: number = Date.now()): string | null {
  if (idleSince === null) return null;
  const d = durationSince(idleSince, now);
  return d === "just now" ? null : `idle ${d}`;
}

/** "last seen 2 h ago", "last seen just now", or null when unknown. */
export function lastSeenText(lastSeen: number | null, now: number = Date.now()): string | null {
  if (lastSeen === null) return null;
  const d = durationSince(lastSeen, now);
  return d === "just now" ? "last seen just now" : `last seen ${d} ago`;
}
