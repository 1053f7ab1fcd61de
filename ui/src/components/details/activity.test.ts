// Tests of the presence line words shared by the conversation header and the details panel.
import { describe, expect, it } from "vitest";
import { activityText, presenceLine } from "./activity";

const NOW = Date.UTC(2026, 0, 5, 12, 0);
const MIN = 60_000;

describe("presenceLine", () => {
  it("adds idle words for online contacts and last seen for offline ones", () => {
    expect(presenceLine("away", "in a meeting", NOW - 20 * MIN, null, NOW)).toBe(
      "Away: in a meeting · idle 20 min",
    );
    expect(presenceLine("offline", null, null, NOW - 120 * MIN, NOW)).toBe(
      "Offline · last seen 2 h ago",
    );
    // idle under a minute, or unknown, says nothing more
    expect(presenceLine("available", null, NOW - 10_000, null, NOW)).toBe("Available");
    expect(presenceLine("offline", null, null, null, NOW)).toBe("Offline");
  });

  it("ignores last seen while online and idle while offline", () => {
    expect(activityText("available", null, NOW - 60 * MIN, NOW)).toBeNull();
    expect(activityText("offline", NOW - 60 * MIN, null, NOW)).toBeNull();
  });
});
