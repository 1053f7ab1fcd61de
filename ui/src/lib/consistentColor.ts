// XEP-0392 Consistent Color Generation: the hue of a JID (§5.1) and its HSLuv colour, plus the
// contrast maths that picks the avatar lightness.
import { sha1 } from "./sha1";

/** Red, green and blue in [0, 1] (sRGB, gamma-encoded). */
export type Rgb = readonly [number, number, number];

/**
 * XEP-0392 §5.1 angle generation: SHA-1 of the UTF-8 input, the first two bytes read as a
 * little-endian uint16, divided by 65536 and scaled to degrees. The input should be the bare JID
 * as the backend normalised it (the XEP asks for the form used in case-sensitive comparison).
 */
export function xep0392Hue(input: string): number {
  const digest = sha1(input);
  const value = (digest[0] as number) | ((digest[1] as number) << 8);
  return (value / 65536) * 360;
}

// ---- HSLuv → sRGB (the reference algorithm of hsluv.org, reduced to the one direction we need).

const M: readonly Rgb[] = [
  [3.240969941904521, -1.537383177570093, -0.498610760293],
  [-0.96924363628087, 1.87596750150772, 0.041555057407175],
  [0.055630079696993, -0.20397695888897, 1.056971514242878],
];
const REF_U = 0.19783000664283;
const REF_V = 0.46831999493879;
const KAPPA = 903.2962962;
const EPSILON = 0.0088564516;

/** Largest chroma that stays inside sRGB for this lightness and hue. */
function maxChroma(l: number, hueRad: number): number {
  const sub1 = (l + 16) ** 3 / 1560896;
  const sub2 = sub1 > EPSILON ? sub1 : l / KAPPA;
  let min = Infinity;
  for (const [m1, m2, m3] of M) {
    for (const t of [0, 1]) {
      const top1 = (284517 * m1 - 94839 * m3) * sub2;
      const top2 = (838422 * m3 + 769860 * m2 + 731718 * m1) * l * sub2 - 769860 * t * l;
      const bottom = (632260 * m3 - 126452 * m2) * sub2 + 126452 * t;
      const slope = top1 / bottom;
      const intercept = top2 / bottom;
      const length = intercept / (Math.sin(hueRad) - slope * Math.cos(hueRad));
      if (length >= 0) min = Math.min(min, length);
    }
  }
  return min;
}

function fromLinear(c: number): number {
  return c <= 0.0031308 ? 12.92 * c : 1.055 * c ** (1 / 2.4) - 0.055;
}

/** HSLuv (hue in degrees, saturation and lightness 0–100) to sRGB, each channel in [0, 1]. */
export function hsluvToRgb(hue: number, saturation: number, lightness: number): Rgb {
  if (lightness > 99.9999999) return [1, 1, 1];
  if (lightness < 0.00000001) return [0, 0, 0];
  const hueRad = (hue / 360) * 2 * Math.PI;
  const chroma = (maxChroma(lightness, hueRad) / 100) * saturation;
  // LCh(uv) → Luv → XYZ
  const u = Math.cos(hueRad) * chroma;
  const v = Math.sin(hueRad) * chroma;
  const varU = u / (13 * lightness) + REF_U;
  const varV = v / (13 * lightness) + REF_V;
  const y = lightness <= 8 ? lightness / KAPPA : ((lightness + 16) / 116) ** 3;
  const x = -(9 * y * varU) / ((varU - 4) * varV - varU * varV);
  const z = (9 * y - 15 * varV * y - varV * x) / (3 * varV);
  const clamp = (n: number) => Math.min(1, Math.max(0, n));
  const channel = ([a, b, c]: Rgb) => clamp(fromLinear(a * x + b * y + c * z));
  return [channel(M[0] as Rgb), channel(M[1] as Rgb), channel(M[2] as Rgb)];
}

/** XEP-0392 §5.4 RGB generation: HSLuv with saturation 100 and (by default) lightness 50. */
export function xep0392Rgb(input: string, lightness = 50): Rgb {
  return hsluvToRgb(xep0392Hue(input), 100, lightness);
}

/** "#rrggbb" for an RGB triple. */
export function rgbToHex(rgb: Rgb): string {
  return `#${rgb
    .map((c) =>
      Math.round(c * 255)
        .toString(16)
        .padStart(2, "0"),
    )
    .join("")}`;
}

/** WCAG 2 relative luminance of an sRGB colour. */
export function relativeLuminance(rgb: Rgb): number {
  const lin = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  return 0.2126 * lin(rgb[0]) + 0.7152 * lin(rgb[1]) + 0.0722 * lin(rgb[2]);
}

/** WCAG 2 contrast ratio between two colours (1 to 21). */
export function contrastRatio(a: Rgb, b: Rgb): number {
  const la = relativeLuminance(a);
  const lb = relativeLuminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/**
 * HSLuv lightness of avatar backgrounds. The XEP says lightness SHOULD be 50, but there white
 * initials reach only about 4.48:1; HSLuv lightness fixes luminance whatever the hue, so 45 gives
 * white text about 5.4:1 on every colour (WCAG AA) while the hue still matches other clients.
 */
export const AVATAR_LIGHTNESS = 45;

const avatarColors = new Map<string, string>();

/** Background colour ("#rrggbb") of a JID's initials avatar; white text is readable on it. */
export function avatarColor(jid: string): string {
  let color = avatarColors.get(jid);
  if (color === undefined) {
    if (avatarColors.size >= 20_000) avatarColors.clear();
    color = rgbToHex(xep0392Rgb(jid, AVATAR_LIGHTNESS));
    avatarColors.set(jid, color);
  }
  return color;
}
