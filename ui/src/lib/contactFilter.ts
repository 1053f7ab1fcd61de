// Which contact rows the list shows: the "Filter contacts" text, the "Show offline contacts"
// toggle and collapsed groups, applied to the rows from buildContactRows.
import type { PresenceShow } from "../ipc";
import type { ContactRow, HeadingRow, Row } from "./contactRows";
import { isOnline } from "./presence";

/** Letters that do not decompose into a base letter and a combining mark. */
const EXTRA_FOLDS: Record<string, string> = {
  ß: "ss",
  æ: "ae",
  œ: "oe",
  ø: "o",
  ł: "l",
  đ: "d",
  ð: "d",
  þ: "th",
  ı: "i",
};
const EXTRA_FOLD_RE = new RegExp(`[${Object.keys(EXTRA_FOLDS).join("")}]`, "gu");

/**
 * Text for case- and diacritics-insensitive matching: compatibility-decomposed (NFKD, so "ﬁ"
 * and full-width letters match too), combining marks dropped, lower-cased. "Zoë Ångström" →
 * "zoe angstrom".
 */
export function foldText(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(EXTRA_FOLD_RE, (c) => EXTRA_FOLDS[c] ?? c);
}

// Names and addresses rarely change, so their folded forms are kept (bounded by the roster).
const folded = new Map<string, string>();
function foldCached(text: string): string {
  let f = folded.get(text);
  if (f === undefined) {
    if (folded.size >= 50_000) folded.clear();
    f = foldText(text);
    folded.set(text, f);
  }
  return f;
}

/** What the filter needs to know about a contact. */
export type FilterInfo = {
  displayName: string;
  presence: PresenceShow;
  unread: number;
  /** We asked to see their status and they have not answered: shown even when offline. */
  pendingOut?: boolean;
};

export type RowFilter = {
  /** The "Filter contacts" text as typed (trimmed and folded here). */
  query: string;
  showOffline: boolean;
  /** Names of collapsed groups. */
  collapsed: ReadonlySet<string>;
};

/** Whether `rows` would be shown unchanged: no filter text, offline shown, nothing collapsed. */
export function isUnfiltered(filter: RowFilter): boolean {
  return filter.query.trim() === "" && filter.showOffline && filter.collapsed.size === 0;
}

/**
 * The rows to show, in order (the same row objects, so a keyed list keeps its DOM nodes):
 *
 * - Filter text keeps contacts whose display name or JID contains it; a group whose name contains
 *   it keeps all its members. Matching folds case and diacritics (see foldText).
 * - With offline contacts hidden, offline contacts go, except those with unread messages and
 *   those just asked for their status (waiting for approval: the user has only just added them).
 * - A collapsed group shows only its heading. While filter text is typed every group shows
 *   expanded: the matches are what the user is looking for, and a collapsed heading would hide
 *   them. The collapsed state is kept and returns when the filter is cleared.
 * - A group with no contact left after the above loses its heading too.
 */
export function visibleRows(
  rows: readonly Row[],
  filter: RowFilter,
  info: (jid: string) => FilterInfo | undefined,
): readonly Row[] {
  if (isUnfiltered(filter)) return rows;
  const q = foldText(filter.query.trim());
  const filtering = q !== "";

  const out: Row[] = [];
  let heading: HeadingRow | null = null;
  let groupMatches = false;
  let kept: ContactRow[] = [];
  const flush = () => {
    if (kept.length === 0) return;
    if (heading) out.push(heading);
    if (filtering || !heading || !filter.collapsed.has(heading.group)) {
      for (const row of kept) out.push(row);
    }
    kept = [];
  };

  for (const row of rows) {
    if (row.kind === "heading") {
      flush();
      heading = row;
      groupMatches = filtering && foldCached(row.group).includes(q);
      continue;
    }
    const c = info(row.jid);
    if (
      !filter.showOffline &&
      !isOnline(c?.presence ?? "offline") &&
      (c?.unread ?? 0) === 0 &&
      !c?.pendingOut
    ) {
      continue;
    }
    if (
      filtering &&
      !groupMatches &&
      !foldCached(c?.displayName ?? "").includes(q) &&
      !foldCached(row.jid).includes(q)
    ) {
      continue;
    }
    kept.push(row);
  }
  flush();
  return out;
}
