// Tests for the benchmark marks.
import { describe, expect, it, vi } from "vitest";
import { measured } from "./perfMarks";

describe("measured", () => {
  it("applies at once and records a measure after two frames", async () => {
    performance.clearMeasures();
    const apply = vi.fn();
    measured("test", apply);
    expect(apply).toHaveBeenCalledOnce();
    await new Promise((r) => setTimeout(r, 100));
    const m = performance.getEntriesByName("hallway:test", "measure");
    expect(m.length).toBe(1);
    expect(m[0]?.duration).toBeGreaterThanOrEqual(0);
  });
});
