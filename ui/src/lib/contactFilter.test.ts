// Tests of the contact filter: text matching, offline hiding and collapsed groups.
import { describe, expect, it } from "vitest";
import { foldText, visibleRows } from "./contactFilter";
import type { FilterInfo, RowFilter } from "./contactFilter";
import { buildContactRows, OTHER_GROUP } from "./contactRows";
import type { Row, RowSource } from "./contactRows";

type Source = RowSource & { unread?: number };

const c = (
  jid: string,
  displayName: string,
  groups: string[],
  presence: RowSource["presence"] = "offline",
  unread = 0,
): Source => ({ jid, displayName, groups, presence, unread });

const contacts = [
  c("anna@x", "Anna Berg", ["Design"], "available"),
  c("zoe@x", "Zoë Ångström", ["Design"]),
  c("lukasz@x", "Łukasz Nowak", ["Sales"], "away"),
  c("dan@x", "Dan", ["Sales"]),
  c("erin@x", "Erin", ["Sales"], "offline", 2),
  c("fred@x", "Fred", [], "dnd"),
];
const { rows } = buildContactRows(contacts);
const byJid = new Map(contacts.map((x) => [x.jid, x]));
const info = (jid: string): FilterInfo | undefined => {
  const x = byJid.get(jid);
  return x && { displayName: x.displayName, presence: x.presence, unread: x.unread ?? 0 };
};

const none: RowFilter = { query: "", showOffline: true, collapsed: new Set() };
const show = (filter: Partial<RowFilter>) =>
  visibleRows(rows, { ...none, ...filter }, info).map((r: Row) =>
    r.kind === "heading" ? `# ${r.group}` : r.jid,
  );

describe("foldText", () => {
  it("folds case, accents and letters without a decomposition", () => {
    expect(foldText("Zoë Ångström")).toBe("zoe angstrom");
    expect(foldText("Łukasz Søren Straße")).toBe("lukasz soren strasse");
    expect(foldText("ＡＢＣ ﬁle")).toBe("abc file");
    expect(foldText("José")).toBe(foldText("Jose\u0301"));
  });
});

describe("visibleRows", () => {
  it("returns the rows themselves when nothing filters", () => {
    expect(visibleRows(rows, none, info)).toBe(rows);
  });

  it("filters by display name, keeping only headings with matches", () => {
    expect(show({ query: "berg" })).toEqual(["# Design", "anna@x"]);
    expect(show({ query: "  DAN " })).toEqual(["# Sales", "dan@x"]);
  });

  it("filters by JID", () => {
    expect(show({ query: "fred@" })).toEqual([`# ${OTHER_GROUP}`, "fred@x"]);
  });

  it("ignores case and diacritics on both sides", () => {
    expect(show({ query: "zoe ang" })).toEqual(["# Design", "zoe@x"]);
    expect(show({ query: "ÅNGSTRÖM" })).toEqual(["# Design", "zoe@x"]);
    expect(show({ query: "lukasz" })).toEqual(["# Sales", "lukasz@x"]);
  });

  it("shows the whole group when the group name matches", () => {
    expect(show({ query: "desi" })).toEqual(["# Design", "anna@x", "zoe@x"]);
  });

  it("returns nothing when nothing matches", () => {
    expect(show({ query: "nobody" })).toEqual([]);
  });

  it("hides offline contacts but keeps those with unread messages", () => {
    expect(show({ showOffline: false })).toEqual([
      "# Design",
      "anna@x",
      "# Sales",
      "lukasz@x",
      "erin@x",
      `# ${OTHER_GROUP}`,
      "fred@x",
    ]);
  });

  it("keeps offline contacts waiting for approval when offline contacts are hidden", () => {
    const pending = (jid: string): FilterInfo | undefined => {
      const base = info(jid);
      return base && { ...base, pendingOut: jid === "dan@x" };
    };
    const out = visibleRows(rows, { ...none, showOffline: false }, pending);
    expect(out.map((r) => (r.kind === "heading" ? `# ${r.group}` : r.jid))).toContain("dan@x");
  });

  it("drops a group whose contacts are all hidden", () => {
    const only = buildContactRows([c("dan@x", "Dan", ["Sales"]), c("anna@x", "Anna", ["Ops"])]);
    const out = visibleRows(only.rows, { ...none, showOffline: false }, info);
    expect(out.map((r) => (r.kind === "heading" ? r.group : r.jid))).toEqual(["Ops", "anna@x"]);
  });

  it("applies the offline toggle while filtering", () => {
    expect(show({ query: "dan", showOffline: false })).toEqual([]);
    expect(show({ query: "erin", showOffline: false })).toEqual(["# Sales", "erin@x"]);
  });

  it("shows only the heading of a collapsed group", () => {
    expect(show({ collapsed: new Set(["Sales"]) })).toEqual([
      "# Design",
      "anna@x",
      "zoe@x",
      "# Sales",
      `# ${OTHER_GROUP}`,
      "fred@x",
    ]);
  });

  it("expands collapsed groups while filter text is typed", () => {
    const collapsed = new Set(["Sales", "Design"]);
    expect(show({ query: "an", collapsed })).toEqual([
      "# Design",
      "anna@x",
      "zoe@x",
      "# Sales",
      "dan@x",
    ]);
  });

  it("keeps the row objects", () => {
    const out = visibleRows(rows, { ...none, query: "anna" }, info);
    expect(out[1]).toBe(rows.find((r) => r.kind === "contact" && r.jid === "anna@x"));
  });
});
