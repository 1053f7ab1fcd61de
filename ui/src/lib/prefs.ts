// Contact list preferences kept in localStorage across restarts: "Show offline contacts" and the
// collapsed groups. Unreadable or unavailable storage falls back to the defaults.

export const SHOW_OFFLINE_KEY = "hallway.contacts.showOffline";
export const COLLAPSED_GROUPS_KEY = "hallway.contacts.collapsedGroups";

/** The Storage to use, or null where it is unavailable (or access throws, as it may). */
function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

function read(key: string): string | null {
  try {
    return storage()?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

function write(key: string, value: string): void {
  try {
    storage()?.setItem(key, value);
  } catch {
    // Full or denied: the preference lasts for this session only.
  }
}

/** Default true (a new user sees everyone). */
export function loadShowOffline(): boolean {
  return read(SHOW_OFFLINE_KEY) !== "false";
}

export function saveShowOffline(show: boolean): void {
  write(SHOW_OFFLINE_KEY, String(show));
}

export function loadCollapsedGroups(): Set<string> {
  const raw = read(COLLAPSED_GROUPS_KEY);
  if (raw === null) return new Set();
  try {
    const parsed: unknown = JSON.parse(raw);
    if (Array.isArray(parsed)) {
      return new Set(parsed.filter((g): g is string => typeof g === "string"));
    }
  } catch {
    // Corrupt: start with every group expanded.
  }
  return new Set();
}

export function saveCollapsedGroups(groups: ReadonlySet<string>): void {
  write(COLLAPSED_GROUPS_KEY, JSON.stringify([...groups].sort()));
}
