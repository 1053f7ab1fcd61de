// Consistent colours for people in rooms (XEP-0392): the same nickname has the same colour in
// every client that follows the XEP, so "the blue one" is the same colleague everywhere.
// SHA-1 of the nickname's UTF-8; its first two bytes (little-endian) give the hue angle.

/** SHA-1 of `bytes` (FIPS 180-4). Small and synchronous: a nickname is a few bytes. */
function sha1(bytes: Uint8Array): Uint8Array {
  const words = new Uint32Array((((bytes.length + 8) >> 6) + 1) * 16);
  for (let i = 0; i < bytes.length; i++) words[i >> 2]! |= (bytes[i] ?? 0) << (24 - (i % 4) * 8);
  words[bytes.length >> 2]! |= 0x80 << (24 - (bytes.length % 4) * 8);
  words[words.length - 1] = bytes.length * 8;
  let [h0, h1, h2, h3, h4] = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];
  const w = new Uint32Array(80);
  for (let block = 0; block < words.length; block += 16) {
    for (let t = 0; t < 80; t++) {
      if (t < 16) w[t] = words[block + t] ?? 0;
      else {
        const x = (w[t - 3] ?? 0) ^ (w[t - 8] ?? 0) ^ (w[t - 14] ?? 0) ^ (w[t - 16] ?? 0);
        w[t] = (x << 1) | (x >>> 31);
      }
    }
    let [a, b, c, d, e] = [h0, h1, h2, h3, h4];
    for (let t = 0; t < 80; t++) {
      const [f, k] =
        t < 20
          ? [(b & c) | (~b & d), 0x5a827999]
          : t < 40
            ? [b ^ c ^ d, 0x6ed9eba1]
            : t < 60
              ? [(b & c) | (b & d) | (c & d), 0x8f1bbcdc]
              : [b ^ c ^ d, 0xca62c1d6];
      const temp = (((a << 5) | (a >>> 27)) + f + e + k + (w[t] ?? 0)) >>> 0;
      e = d;
      d = c;
      c = ((b << 30) | (b >>> 2)) >>> 0;
      b = a;
      a = temp;
    }
    h0 = (h0 + a) >>> 0;
    h1 = (h1 + b) >>> 0;
    h2 = (h2 + c) >>> 0;
    h3 = (h3 + d) >>> 0;
    h4 = (h4 + e) >>> 0;
  }
  const out = new Uint8Array(20);
  [h0, h1, h2, h3, h4].forEach((h, i) => {
    for (let j = 0; j < 4; j++) out[i * 4 + j] = (h >>> (24 - j * 8)) & 0xff;
  });
  return out;
}

/** XEP-0392 §5.1: the hue angle (degrees) of `nick`. */
export function nickHue(nick: string): number {
  const hash = sha1(new TextEncoder().encode(nick));
  return (((hash[0] ?? 0) | ((hash[1] ?? 0) << 8)) / 65536) * 360;
}

const cache = new Map<string, string>();

/**
 * The colour a nickname is written in. Dark enough to read on the light background whatever
 * the hue (WCAG AA for text), so colour helps tell people apart without being needed to read.
 */
export function nickColor(nick: string): string {
  let c = cache.get(nick);
  if (!c) {
    c = `hsl(${nickHue(nick).toFixed(1)} 65% 30%)`;
    if (cache.size > 5000) cache.clear();
    cache.set(nick, c);
  }
  return c;
}
