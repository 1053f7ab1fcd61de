// Tests of XEP-0392 colours against the XEP's test vectors, and of avatar text contrast.
import { describe, expect, it } from "vitest";
import {
  AVATAR_LIGHTNESS,
  avatarColor,
  contrastRatio,
  hsluvToRgb,
  rgbToHex,
  xep0392Hue,
  xep0392Rgb,
} from "./consistentColor";

// XEP-0392 §13.1 "No Color Vision Deficiency correction": text, hue, r, g, b.
const VECTORS: [string, number, number, number, number][] = [
  ["Romeo", 327.255249, 0.865, 0.0, 0.686],
  ["juliet@capulet.lit", 209.4104, 0.0, 0.515, 0.573],
  ["😺", 331.199341, 0.872, 0.0, 0.659],
  ["council", 359.994507, 0.918, 0.0, 0.394],
  ["Board", 171.430664, 0.0, 0.527, 0.457],
];

const WHITE = [1, 1, 1] as const;

describe("XEP-0392", () => {
  it("generates the hue angle of the test vectors", () => {
    for (const [text, hue] of VECTORS) expect(xep0392Hue(text), text).toBeCloseTo(hue, 6);
  });

  it("generates the RGB colour of the test vectors (HSLuv, saturation 100, lightness 50)", () => {
    for (const [text, , r, g, b] of VECTORS) {
      const [rr, gg, bb] = xep0392Rgb(text);
      expect(
        [rr, gg, bb].map((x) => Math.round(x * 1000) / 1000),
        text,
      ).toEqual([r, g, b]);
    }
  });
});

describe("avatar colours", () => {
  it("keep white initials readable (WCAG AA 4.5:1) on every hue", () => {
    for (let hue = 0; hue < 360; hue += 0.5) {
      const rgb = hsluvToRgb(hue, 100, AVATAR_LIGHTNESS);
      expect(contrastRatio(rgb, WHITE), `hue ${hue}`).toBeGreaterThanOrEqual(4.5);
    }
    // …which the XEP's lightness of 50 does not quite reach
    expect(contrastRatio(hsluvToRgb(0, 100, 50), WHITE)).toBeLessThan(4.5);
  });

  it("are stable hex colours with the JID's XEP-0392 hue", () => {
    const color = avatarColor("juliet@capulet.lit");
    expect(color).toMatch(/^#[0-9a-f]{6}$/);
    expect(color).toBe(rgbToHex(hsluvToRgb(209.4104, 100, AVATAR_LIGHTNESS)));
    expect(avatarColor("juliet@capulet.lit")).toBe(color);
    expect(avatarColor("romeo@montague.lit")).not.toBe(color);
  });
});
