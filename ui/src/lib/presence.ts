import type { ConnectionState, MyShow, PresenceShow } from "../ipc";

export const PRESENCE_WORDS: Record<PresenceShow, string> = {
  available: "Available",
  away: "Away",
  dnd: "Do not disturb",
  xa: "Extended away",
  offline: "Offline",
};

export const MY_SHOW_OPTIONS: { value: MyShow; label: string }[] = [
  { value: "available", label: "Available" },
  { value: "away", label: "Away" },
  { value: "dnd", label: "Do not disturb" },
  { value: "invisible", label: "Invisible" },
];

export function presenceWord(show: PresenceShow): string {
  return PRESENCE_WORDS[show];
}

export function isOnline(show: PresenceShow): boolean {
  return show !== "offline";
}

/** "Away: in a meeting" or "Available" (status text only when non-blank). */
export function presenceText(show: PresenceShow, status: string | null): string {
  const word = presenceWord(show);
  const text = status?.trim();
  return text ? `${word}: ${text}` : word;
}

/** Accessible name of a contact row: "Bob Baker, Away: in a meeting, 3 unread". */
export function contactLabel(
  displayName: string,
  show: PresenceShow,
  status: string | null,
  unread: number,
): string {
  const base = `${displayName}, ${presenceText(show, status)}`;
  return unread > 0 ? `${base}, ${unread} unread` : base;
}

/** Text of the connection status element. */
export function connectionText(state: ConnectionState): string {
  switch (state.state) {
    case "offline":
      return "Offline";
    case "connecting":
      return "Connecting…";
    case "online":
      return "Online";
    case "reconnecting":
      return state.attempt > 1 ? `Reconnecting… (attempt ${state.attempt})` : "Reconnecting…";
    case "error":
      return state.error.message || "Connection error";
  }
}
