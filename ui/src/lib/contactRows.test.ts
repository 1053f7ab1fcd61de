// Tests of grouping, ordering and group counts of contact rows.
import { describe, expect, it } from "vitest";
import { buildContactRows, groupHeadingLabel, OTHER_GROUP } from "./contactRows";
import type { RowSource } from "./contactRows";

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
