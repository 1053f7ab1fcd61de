// The presence line of a contact as the conversation header and the details panel show it:
// "Away: in a meeting · idle 20 min", "Offline · last seen 2 h ago".
import { createSignal, onCleanup } from "solid-js";
import type { PresenceShow } from "../../ipc";
import { idleText, lastSeenText } from "../../lib/lastSeen";
import { isOnline, presenceText } from "../../lib/presence";

/** Idle words for online contacts, last-seen words for offline ones (null when unknown). */
export function activityText(
  show: PresenceShow,
  idleSince: number | null,
  lastSeen: number | null,
  now: number = Date.now(),
): string | null {
  return isOnline(show) ? idleText(idleSince, now) : lastSeenText(lastSeen, now);
}

/** "Away: in a meeting · idle 20 min": presence, status text and activity words. */
export function presenceLine(
  show: PresenceShow,
  status: string | null,
  idleSince: number | null,
  lastSeen: number | null,
  now: number = Date.now(),
): string {
  const activity = activityText(show, idleSince, lastSeen, now);
  const presence = presenceText(show, status);
  return activity ? `${presence} · ${activity}` : presence;
}

/** The current time, refreshed every `everyMs` so "idle 20 min" keeps up (needs an owner). */
export function createNow(everyMs = 30_000): () => number {
  const [now, setNow] = createSignal(Date.now());
  const timer = setInterval(() => setNow(Date.now()), everyMs);
  onCleanup(() => clearInterval(timer));
  return now;
}
