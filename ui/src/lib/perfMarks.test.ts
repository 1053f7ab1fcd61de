// Tests for the benchmark marks.
import { describe, expect, it, vi } from "vitest";
import { measured, timedCall } from "./perfMarks";

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

describe("timedCall", () => {
  it("passes the answer through and records how long the call took", async () => {
    performance.clearMeasures();
    const answer = await timedCall("call", () => new Promise((r) => setTimeout(() => r(42), 20)));
    expect(answer).toBe(42);
    const m = performance.getEntriesByName("hallway:call", "measure");
    expect(m.length).toBe(1);
    expect(m[0]?.duration).toBeGreaterThanOrEqual(15);
  });

  it("records nothing when the call fails, and passes the failure on", async () => {
    performance.clearMeasures();
    await expect(timedCall("bad", () => Promise.reject(new Error("no")))).rejects.toThrow("no");
    expect(performance.getEntriesByName("hallway:bad", "measure").length).toBe(0);
  });
});
