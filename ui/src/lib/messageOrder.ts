import type { Message } from "../ipc";

/** History order, as the store pages it: by time, then by row id. */
export function compareMessages(a: Message, b: Message): number {
  return a.timestamp - b.timestamp || a.id - b.id;
}

/** Where `m` goes in a list sorted by compareMessages (after any equal entry). */
export function insertionIndex(list: readonly Message[], m: Message): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareMessages(list[mid] as Message, m) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
