// Tests of the pure-TS SHA-1 against FIPS 180 vectors and padding boundaries.
import { describe, expect, it } from "vitest";
import { sha1, toHex } from "./sha1";

const hex = (input: string | Uint8Array) => toHex(sha1(input));

describe("sha1", () => {
  it("matches the FIPS 180 examples", () => {
    expect(hex("")).toBe("da39a3ee5e6b4b0d3255bfef95601890afd80709");
    expect(hex("abc")).toBe("a9993e364706816aba3e25717850c26c9cd0d89d");
    expect(hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")).toBe(
      "84983e441c3bd26ebaae4aa1f95129e5e54670f1",
    );
    expect(hex("a".repeat(1_000_000))).toBe("34aa973cd4c4daa4f61eeb2bdbad27316534016f");
  });

  it("pads correctly around block boundaries (digests from OpenSSL)", () => {
    const expected: [number, string][] = [
      [55, "c1c8bbdc22796e28c0e15163d20899b65621d65a"],
      [56, "c2db330f6083854c99d4b5bfb6e8f29f201be699"],
      [63, "03f09f5b158a7a8cdad920bddc29b81c18a551f5"],
      [64, "0098ba824b5c16427bd7a1122a5a442a25ec644d"],
      [65, "11655326c708d70319be2610e8a57d9a5b959d3b"],
      [119, "ee971065aaa017e0632a8ca6c77bb3bf8b1dfc56"],
      [120, "f34c1488385346a55709ba056ddd08280dd4c6d6"],
    ];
    for (const [n, digest] of expected) expect(hex("a".repeat(n)), `${n} bytes`).toBe(digest);
  });

  it("hashes strings as UTF-8 and accepts bytes", () => {
    expect(hex("The quick brown fox jumps over the lazy dog")).toBe(
      "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12",
    );
    // XEP-0392 test vector input "😺" is f09f98ba in UTF-8
    expect(hex("😺")).toBe(hex(new Uint8Array([0xf0, 0x9f, 0x98, 0xba])));
    expect(hex("😺")).toBe("85eb15962c57be172eeefd59475ad259e0422ba6");
  });
});
