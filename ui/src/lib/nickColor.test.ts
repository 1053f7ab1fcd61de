import { describe, expect, it } from "vitest";
import { nickColor, nickHue } from "./nickColor";

describe("XEP-0392 consistent colours", () => {
  it("gives the XEP's hue angles for its test vectors", () => {
    // XEP-0392 §6 (test vectors): angle in degrees.
    expect(nickHue("Romeo")).toBeCloseTo(327.255249, 4);
    expect(nickHue("juliet@capulet.lit")).toBeCloseTo(209.4104, 3);
    expect(nickHue("😺")).toBeCloseTo(331.199341, 4);
    expect(nickHue("council")).toBeCloseTo(359.994507, 4);
  });

  it("is the same colour for the same nickname", () => {
    expect(nickColor("Ann")).toBe(nickColor("Ann"));
    expect(nickColor("Ann")).not.toBe(nickColor("Bob"));
    expect(nickColor("Ann")).toMatch(/^hsl\(\d+(\.\d)? 65% 30%\)$/);
  });
});
