/** Prefix sums of row heights: offsets[i] is the top of row i, offsets[n] the total height. */
export function rowOffsets<T>(rows: readonly T[], heightOf: (row: T) => number): number[] {
  const offsets = new Array<number>(rows.length + 1);
  offsets[0] = 0;
  for (let i = 0; i < rows.length; i++) {
    offsets[i + 1] = (offsets[i] as number) + heightOf(rows[i] as T);
  }
  return offsets;
}

/** Index of the row that contains pixel `y` (clamped to [0, n-1]; 0 for an empty list). */
export function rowAt(offsets: readonly number[], y: number): number {
  const n = offsets.length - 1;
  if (n <= 0) return 0;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((offsets[mid] as number) <= y) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Rows [start, end) to render for a viewport at `scrollTop` of `height` pixels, with `overscan`
 * extra rows above and below.
 */
export function visibleRange(
  offsets: readonly number[],
  scrollTop: number,
  height: number,
  overscan: number,
): { start: number; end: number } {
  const n = offsets.length - 1;
  if (n <= 0) return { start: 0, end: 0 };
  const top = Math.max(0, scrollTop);
  const first = rowAt(offsets, top);
  const last = rowAt(offsets, top + Math.max(0, height) - 1);
  return {
    start: Math.max(0, first - overscan),
    end: Math.min(n, last + 1 + overscan),
  };
}
