// Tests of human file sizes (decimal units, as the backend words them).
import { describe, expect, it } from "vitest";
import { humanSize, humanSpeed } from "./fileSize";

describe("humanSize", () => {
  it("reads like a file manager", () => {
    expect(humanSize(10 * 1024 * 1024)).toBe("10.5 MB");
    expect(humanSize(10_000_000)).toBe("10 MB");
    expect(humanSize(512_000)).toBe("512 kB");
    expect(humanSize(0)).toBe("0 bytes");
    expect(humanSize(1.5e9)).toBe("1.5 GB");
  });

  it("handles the small and the odd", () => {
    expect(humanSize(1)).toBe("1 byte");
    expect(humanSize(999)).toBe("999 bytes");
    expect(humanSize(1000)).toBe("1 kB");
    expect(humanSize(3_100_000)).toBe("3.1 MB");
    expect(humanSize(-5)).toBe("0 bytes");
    expect(humanSize(Number.NaN)).toBe("0 bytes");
  });

  it("words speeds per second", () => {
    expect(humanSpeed(850_000)).toBe("850 kB/s");
  });
});
