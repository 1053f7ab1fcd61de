// Tests for the "idle" / "last seen" words.
import { describe, expect, it } from "vitest";
import { durationSince, idleText, lastSeenText } from "./lastSeen";

const NOW = 1_700_000_000_000;
const min = (m: number) => NOW - m * 60_000;

describe("lastSeen", () => {
  it("says durations in minutes, hours and days", () => {
    expect(durationSince(NOW - 10_000, NOW)).toBe("just now");
    expect(durationSince(min(5), NOW)).toBe("5 min");
    expect(durationSince(min(125), NOW)).toBe("2 h");
    expect(durationSince(min(60 * 24), NOW)).toBe("1 day");
    expect(durationSince(min(60 * 24 * 3 + 5), NOW)).toBe("3 days");
    expect(durationSince(NOW + 60_000, NOW)).toBe("just now");
  });

  it("words idle time and last seen", () => {
    expect(idleText(null, NOW)).toBeNull();
    expect(idleText(NOW, NOW)).toBeNull();
    expect(idleText(min(20), NOW)).toBe("idle 20 min");
    expect(lastSeenText(null, NOW)).toBeNull();
    expect(lastSeenText(NOW, NOW)).toBe("last seen just now");
    expect(lastSeenText(min(120), NOW)).toBe("last seen 2 h ago");
  });
});
