// The roster as flat [heading, contact, …] rows for the windowed contact list: grouping, order,
// per-group counts, and the words a contact row shows (presence, subscription state, idle / last
// seen) and its accessible name.
import type { Contact, PresenceShow } from "../ipc";
import { idleText, lastSeenText } from "./lastSeen";
import { isOnline, presenceText } from "./presence";

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

/** The fields of a contact that decide what its row's second line says. */
export type LineSource = Pick<
  Contact,
  "presence" | "status" | "subscription" | "pendingOut" | "blocked" | "idleSince" | "lastSeen"
>;

/**
 * Why a contact has no presence to show, or null when they share it: "Blocked", "Waiting for
 * approval" (we asked, they have not answered) or "Not sharing status" (no subscription to them).
 */
export function subscriptionText(c: LineSource): string | null {
  if (c.blocked) return "Blocked";
  if (c.pendingOut) return "Waiting for approval";
  if (c.subscription === "none" || c.subscription === "from") return "Not sharing status";
  return null;
}

/**
 * The parts of a contact row's second line: ["Away: in a meeting", "idle 20 min"],
 * ["Offline", "last seen 2 h ago"] or ["Waiting for approval"]. `now` is only called when the
 * contact has an idle or last-seen time, so rows without one do not follow the clock.
 */
export function contactLineParts(c: LineSource, now: () => number): string[] {
  const sub = subscriptionText(c);
  if (sub) return [sub];
  const parts = [presenceText(c.presence, c.status)];
  const since = isOnline(c.presence)
    ? c.idleSince !== null && idleText(c.idleSince, now())
    : c.lastSeen !== null && lastSeenText(c.lastSeen, now());
  if (since) parts.push(since);
  return parts;
}

/** The visible second line: "Away: in a meeting · idle 20 min". */
export function contactLineText(parts: readonly string[]): string {
  return parts.join(" · ");
}

/**
 * Accessible name of a contact row: "Bob Baker, Away: in a meeting, idle 20 min, 3 unread" (the
 * same form as contactLabel, with the row's extra words). Tests find rows by it.
 */
export function contactRowLabel(
  displayName: string,
  parts: readonly string[],
  unread: number,
): string {
  const base = [displayName, ...parts].join(", ");
  return unread > 0 ? `${base}, ${unread} unread` : base;
}
