import type { PresenceShow } from "../ipc";
import { isOnline } from "./presence";

/** Heading for contacts that are in no roster group. */
export const OTHER_GROUP = "Other contacts";

export type HeadingRow = { kind: "heading"; key: string; group: string };
export type ContactRow = { kind: "contact"; key: string; jid: string; group: string };
export type Row = HeadingRow | ContactRow;

/** The fields of a contact that decide grouping and order. */
export type RowSource = {
  jid: string;
  displayName: string;
  groups: readonly string[];
  presence: PresenceShow;
};

const collator = new Intl.Collator(undefined, { sensitivity: "base", numeric: true });

/** Online (anything but offline) first, then by display name, then by address. */
export function compareContacts(a: RowSource, b: RowSource): number {
  const online = Number(isOnline(b.presence)) - Number(isOnline(a.presence));
  if (online !== 0) return online;
  return collator.compare(a.displayName, b.displayName) || collator.compare(a.jid, b.jid);
}

function compareGroups(a: string, b: string): number {
  if (a === b) return 0;
  if (a === OTHER_GROUP) return 1;
  if (b === OTHER_GROUP) return -1;
  return collator.compare(a, b) || (a < b ? -1 : 1);
}

/**
 * Flattens contacts into [heading, contact, contact, heading, …] rows. A contact in several groups
 * appears under each; contacts without groups go under "Other contacts" (last).
 *
 * Row objects are reused from `previous` (by key) so a keyed list keeps its DOM nodes when only
 * the order changes.
 */
export function buildContactRows(
  contacts: readonly RowSource[],
  previous?: ReadonlyMap<string, Row>,
): { rows: Row[]; cache: Map<string, Row> } {
  const groups = new Map<string, RowSource[]>();
  for (const c of contacts) {
    const names = c.groups.length > 0 ? new Set(c.groups) : [OTHER_GROUP];
    for (const g of names) {
      let members = groups.get(g);
      if (!members) groups.set(g, (members = []));
      members.push(c);
    }
  }

  const cache = new Map<string, Row>();
  const rows: Row[] = [];
  const reuse = <R extends Row>(row: R): R => {
    const old = previous?.get(row.key);
    const kept = (old && old.kind === row.kind ? old : row) as R;
    cache.set(row.key, kept);
    return kept;
  };

  for (const group of [...groups.keys()].sort(compareGroups)) {
    rows.push(reuse<HeadingRow>({ kind: "heading", key: `g\u0000${group}`, group }));
    const members = groups.get(group) ?? [];
    members.sort(compareContacts);
    for (const c of members) {
      rows.push(
        reuse<ContactRow>({
          kind: "contact",
          key: `c\u0000${group}\u0000${c.jid}`,
          jid: c.jid,
          group,
        }),
      );
    }
  }
  return { rows, cache };
}

/** Keeps contacts whose name or address contains `query` (case-insensitive), and their headings. */
export function filterRows(
  rows: readonly Row[],
  query: string,
  lookup: (jid: string) => { displayName: string } | undefined,
): readonly Row[] {
  const q = query.trim().toLocaleLowerCase();
  if (q === "") return rows;
  const out: Row[] = [];
  let heading: HeadingRow | null = null;
  for (const row of rows) {
    if (row.kind === "heading") {
      heading = row;
      continue;
    }
    const name = lookup(row.jid)?.displayName ?? "";
    if (name.toLocaleLowerCase().includes(q) || row.jid.toLocaleLowerCase().includes(q)) {
      if (heading) {
        out.push(heading);
        heading = null;
      }
      out.push(row);
    }
  }
  return out;
}
