import { describe, expect, it } from "vitest";
import { rowAt, rowOffsets, visibleRange } from "./windowing";

describe("windowing", () => {
  const rows = ["h", "c", "c", "c", "h", "c"];
  const offsets = rowOffsets(rows, (r) => (r === "h" ? 30 : 50));

  it("computes prefix offsets", () => {
    expect(offsets).toEqual([0, 30, 80, 130, 180, 210, 260]);
  });

  it("finds the row at a pixel", () => {
    expect(rowAt(offsets, 0)).toBe(0);
    expect(rowAt(offsets, 29)).toBe(0);
    expect(rowAt(offsets, 30)).toBe(1);
    expect(rowAt(offsets, 209)).toBe(4);
    expect(rowAt(offsets, 10_000)).toBe(5);
  });

  it("returns the visible range with overscan", () => {
    expect(visibleRange(offsets, 0, 100, 0)).toEqual({ start: 0, end: 3 });
    expect(visibleRange(offsets, 130, 60, 1)).toEqual({ start: 2, end: 6 });
    expect(visibleRange([0], 0, 100, 5)).toEqual({ start: 0, end: 0 });
  });

  it("renders a small window of a huge list", () => {
    const big = rowOffsets(new Array(10_000).fill(0), () => 50);
    const { start, end } = visibleRange(big, 250_000, 800, 5);
    expect(start).toBe(4995);
    expect(end).toBe(5021);
  });
});
