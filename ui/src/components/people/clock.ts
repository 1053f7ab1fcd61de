// The coarse clock that "idle 20 min" / "last seen 2 h ago" words follow: one signal for the whole
// contact list, ticking once a minute, read only by the rows that show such words.
import { createSignal, onCleanup } from "solid-js";
import type { Accessor } from "solid-js";

/** How often the clock ticks (ms): the words only change by whole minutes. */
export const CLOCK_TICK = 60_000;

/** A signal of Date.now(), updated every `tick` ms while the calling owner lives. */
export function createCoarseClock(tick: number = CLOCK_TICK): Accessor<number> {
  const [now, setNow] = createSignal(Date.now());
  const timer = setInterval(() => setNow(Date.now()), tick);
  onCleanup(() => clearInterval(timer));
  return now;
}
