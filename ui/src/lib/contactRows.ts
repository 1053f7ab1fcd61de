// The roster as flat [heading, contact, …] rows for the windowed contact list: grouping, order
// and per-group counts.
import type { PresenceShow } from "../ipc";
import { isOnline } from "./presence";

/** Heading for contacts that are in no roster group. */
export const OTHER_GROUP = "Other contacts";

export type HeadingRow = { kind: "heading"; key: string; group: string };
export type ContactRow = { kind: "contact"; key: string; jid: string; group: string };
export type Row = HeadingRow | ContactRow;

/** How many of a group's contacts are online (anything but offline), and how many it has. */
export type GroupStats = { online: number; total: number };

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
 * Accessible name of a group heading: "Design, 3 of 5 online". Tests find headings by it, so
 * keep the form stable.
 */
export function groupHeadingLabel(group: string, stats: GroupStats): string {
  return `${group}, ${stats.online} of ${stats.total} online`;
}

/**
 * Flattens contacts into [heading, contact, contact, heading, …] rows. A contact in several groups
 * appears under each; contacts without groups go under "Other contacts" (last).
 *
 * Row objects are reused from `previous` (by key) so a keyed list keeps its DOM nodes when only
 * the order changes. Counts live in `stats` rather than in the (reused) heading rows.
 */
export function buildContactRows(
  contacts: readonly RowSource[],
  previous?: ReadonlyMap<string, Row>,
): { rows: Row[]; cache: Map<string, Row>; stats: Map<string, GroupStats> } {
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
  const stats = new Map<string, GroupStats>();
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
    let online = 0;
    for (const c of members) {
      if (isOnline(c.presence)) online++;
      rows.push(
        reuse<ContactRow>({
          kind: "contact",
          key: `c\u0000${group}\u0000${c.jid}`,
          jid: c.jid,
          group,
        }),
      );
    }
    stats.set(group, { online, total: members.length });
  }
  return { rows, cache, stats };
}
