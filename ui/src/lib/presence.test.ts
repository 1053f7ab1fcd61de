import { describe, expect, it } from "vitest";
import { connectionText, contactLabel, presenceText } from "./presence";

describe("presence text", () => {
  it("combines word and status", () => {
    expect(presenceText("away", "in a meeting")).toBe("Away: in a meeting");
    expect(presenceText("available", null)).toBe("Available");
    expect(presenceText("dnd", "   ")).toBe("Do not disturb");
    expect(presenceText("xa", null)).toBe("Extended away");
  });

  it("builds contact labels with unread counts", () => {
    expect(contactLabel("Bob Baker", "away", "in a meeting", 0)).toBe(
      "Bob Baker, Away: in a meeting",
    );
    expect(contactLabel("Dan", "offline", null, 3)).toBe("Dan, Offline, 3 unread");
  });

  it("describes every connection state", () => {
    expect(connectionText({ state: "connecting" })).toBe("Connecting…");
    expect(connectionText({ state: "online", jid: "a@b/c" })).toBe("Online");
    expect(connectionText({ state: "offline" })).toBe("Offline");
    expect(connectionText({ state: "reconnecting", attempt: 1, retryInSecs: 2 })).toBe(
      "Reconnecting…",
    );
    expect(connectionText({ state: "reconnecting", attempt: 2, retryInSecs: 4 })).toBe(
      "Reconnecting… (attempt 2)",
    );
    expect(
      connectionText({
        state: "error",
        error: { kind: "unknownHost", message: "Unknown host example.com", fingerprint: null },
      }),
    ).toBe("Unknown host example.com");
  });
});
