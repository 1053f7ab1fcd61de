// Performance marks for the benchmarks (docs/PERFORMANCE.md): how long the window takes from an
// event's arrival to the next painted frame. Cheap (two marks and a measure per event batch);
// read by `tests/benches/roster_window.rs` through `performance.getEntriesByType("measure")`.

/** Runs `apply`, then records "hallway:NAME" from before it to the frame after the DOM update. */
export function measured(name: string, apply: () => void): void {
  const start = `hallway:${name}:start`;
  const hasPerf = typeof performance !== "undefined" && typeof performance.mark === "function";
  if (hasPerf) performance.mark(start);
  apply();
  if (!hasPerf || typeof requestAnimationFrame !== "function") return;
  // Two frames: the first runs before the paint of the updated DOM, the second after it.
  requestAnimationFrame(() =>
    requestAnimationFrame(() => {
      try {
        performance.measure(`hallway:${name}`, start);
      } catch {
        // A cleared mark (or no Performance API) only loses a figure.
      }
    }),
  );
}

/** Awaits `call`, recording "hallway:NAME" from the call to its answer (IPC and backend). */
export async function timedCall<T>(name: string, call: () => Promise<T>): Promise<T> {
  const hasPerf = typeof performance !== "undefined" && typeof performance.mark === "function";
  const start = `hallway:${name}:start`;
  if (hasPerf) performance.mark(start);
  const result = await call();
  if (hasPerf) {
    try {
      performance.measure(`hallway:${name}`, start);
    } catch {
      // A cleared mark only loses a figure.
    }
  }
  return result;
}
