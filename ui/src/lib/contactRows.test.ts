// Tests of grouping, ordering and group counts of contact rows.
import { describe, expect, it } from "vitest";
import {
  buildContactRows,
  contactLineParts,
  contactLineText,
  contactRowLabel,
  groupHeadingLabel,
  OTHER_GROUP,
  subscriptionText,
} from "./contactRows";
import type { LineSource, RowSource } from "./contactRows";

const c = (
  jid: string,
  displayName: string,
  groups: string[],
  presence: RowSource["presence"] = "offline",
): RowSource => ({ jid, displayName, groups, presence });

const describeRows = (rows: ReturnType<typeof buildContactRows>["rows"]) =>
  rows.map((r) => (r.kind === "heading" ? `# ${r.group}` : r.jid));

describe("buildContactRows", () => {
  const contacts = [
    c("dan@x", "Dan", ["Sales"]),
    c("bob@x", "Bob Baker", ["Sales", "Design"], "away"),
    c("carol@x", "carol", ["Sales"], "available"),
    c("alice@x", "Alice", ["Sales"]),
    c("eve@x", "Eve", []),
    c("zed@x", "Zed", [], "dnd"),
  ];

  it("groups by roster group (a contact in several groups appears in each), online first", () => {
    const { rows } = buildContactRows(contacts);
    expect(describeRows(rows)).toEqual([
      "# Design",
      "bob@x",
      "# Sales",
      "bob@x",
      "carol@x",
      "alice@x",
      "dan@x",
      `# ${OTHER_GROUP}`,
      "zed@x",
      "eve@x",
    ]);
  });

  it("reuses row objects across rebuilds", () => {
    const first = buildContactRows(contacts);
    const moved = contacts.map((x) =>
      x.jid === "dan@x" ? { ...x, presence: "available" as const } : x,
    );
    const second = buildContactRows(moved, first.cache);
    const key = (jid: string, group: string) => `c\u0000${group}\u0000${jid}`;
    expect(second.cache.get(key("dan@x", "Sales"))).toBe(first.cache.get(key("dan@x", "Sales")));
    expect(describeRows(second.rows).slice(2, 7)).toEqual([
      "# Sales",
      "bob@x",
      "carol@x",
      "dan@x",
      "alice@x",
    ]);
  });

  it("counts online and total contacts per group", () => {
    const { stats } = buildContactRows(contacts);
    expect(Object.fromEntries(stats)).toEqual({
      Design: { online: 1, total: 1 },
      Sales: { online: 2, total: 4 },
      [OTHER_GROUP]: { online: 1, total: 2 },
    });
  });
});

describe("groupHeadingLabel", () => {
  it("names the group and its online count", () => {
    expect(groupHeadingLabel("Design", { online: 3, total: 5 })).toBe("Design, 3 of 5 online");
    expect(groupHeadingLabel("Sales", { online: 0, total: 1 })).toBe("Sales, 0 of 1 online");
  });
});

describe("contact row words", () => {
  const NOW = 1_700_000_000_000;
  const now = () => NOW;
  const base: LineSource = {
    presence: "away",
    status: "in a meeting",
    subscription: "both",
    pendingOut: false,
    blocked: false,
    idleSince: null,
    lastSeen: null,
  };

  it("says why a contact shares no status", () => {
    expect(subscriptionText(base)).toBeNull();
    expect(subscriptionText({ ...base, subscription: "to" })).toBeNull();
    expect(subscriptionText({ ...base, subscription: "none" })).toBe("Not sharing status");
    expect(subscriptionText({ ...base, subscription: "from" })).toBe("Not sharing status");
    expect(subscriptionText({ ...base, subscription: "none", pendingOut: true })).toBe(
      "Waiting for approval",
    );
    expect(subscriptionText({ ...base, pendingOut: true, blocked: true })).toBe("Blocked");
  });

  it("adds idle time to online contacts and last seen to offline ones", () => {
    expect(contactLineParts(base, now)).toEqual(["Away: in a meeting"]);
    expect(contactLineParts({ ...base, idleSince: NOW - 20 * 60_000 }, now)).toEqual([
      "Away: in a meeting",
      "idle 20 min",
    ]);
    // idle is only said of online contacts, last seen only of offline ones
    expect(contactLineParts({ ...base, lastSeen: NOW - 60_000 }, now)).toEqual([
      "Away: in a meeting",
    ]);
    const offline = { ...base, presence: "offline" as const, status: null };
    expect(contactLineParts({ ...offline, lastSeen: NOW - 120 * 60_000 }, now)).toEqual([
      "Offline",
      "last seen 2 h ago",
    ]);
    expect(contactLineParts({ ...offline, idleSince: NOW - 60 * 60_000 }, now)).toEqual([
      "Offline",
    ]);
    // the subscription state replaces the presence words
    expect(
      contactLineParts({ ...offline, subscription: "none", lastSeen: NOW - 60_000 }, now),
    ).toEqual(["Not sharing status"]);
  });

  it("reads the clock only for contacts with an idle or last-seen time", () => {
    let reads = 0;
    const counting = () => {
      reads++;
      return NOW;
    };
    contactLineParts(base, counting);
    contactLineParts({ ...base, subscription: "none", lastSeen: NOW }, counting);
    expect(reads).toBe(0);
    contactLineParts({ ...base, idleSince: NOW }, counting);
    expect(reads).toBe(1);
  });

  it("joins the words for the line and the accessible name", () => {
    const parts = ["Away: in a meeting", "idle 20 min"];
    expect(contactLineText(parts)).toBe("Away: in a meeting · idle 20 min");
    expect(contactRowLabel("Bob Baker", parts, 0)).toBe(
      "Bob Baker, Away: in a meeting, idle 20 min",
    );
    expect(contactRowLabel("Dan", ["Waiting for approval"], 2)).toBe(
      "Dan, Waiting for approval, 2 unread",
    );
  });
});
