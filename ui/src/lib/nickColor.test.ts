import { describe, expect, it } from "vitest";
import { contrastRatio, rgbToHex, xep0392Rgb } from "./consistentColor";
import { nickColor } from "./nickColor";

function hexToRgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [((n >> 16) & 255) / 255, ((n >> 8) & 255) / 255, (n & 255) / 255];
}

describe("nickname colours (XEP-0392)", () => {
  it("is the XEP's colour for the nickname, the same every time", () => {
    expect(nickColor("Romeo")).toBe(rgbToHex(xep0392Rgb("Romeo", 45)));
    expect(nickColor("Ann")).toBe(nickColor("Ann"));
    expect(nickColor("Ann")).not.toBe(nickColor("Bob"));
  });

  it("is readable as text on the white page whatever the hue", () => {
    for (const nick of ["Romeo", "council", "😺", "Ann", "Bob", "yellow", "Zed"]) {
      expect(contrastRatio(hexToRgb(nickColor(nick)), [1, 1, 1])).toBeGreaterThanOrEqual(4.5);
    }
  });
});
