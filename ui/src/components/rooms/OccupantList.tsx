// The `Occupants` list beside a room: avatar (the contact's picture where the room shows a real
// address we know, else initials in the nickname's XEP-0392 colour) with presence dot, nickname
// and presence word, status text, role and affiliation, the real address where the room shows
// it, and "Moderate NICK" where our
// standing lets us act on them. Windowed (fixed-height rows, only those in view exist), so a room
// of thousands stays instant. Everything here is strangers' text.
import { createEffect, createMemo, createSignal, For, onCleanup, onMount, Show } from "solid-js";
import type { Occupant, PresenceShow } from "../../ipc";
import { presenceWord } from "../../lib/presence";
import { nickColor } from "../../lib/nickColor";
import { rowOffsets, visibleRange } from "../../lib/windowing";
import { useHallway } from "../../state/context";
import { Avatar } from "../shared/Avatar";
import { PresenceDot } from "../shared/PresenceDot";
import { ModerateDialog } from "./ModerationDialogs";

/** Row height in px (the CSS uses the same value). */
export const OCCUPANT_ROW = 44;
const OVERSCAN = 8;
const FALLBACK_VIEWPORT = 600;

const ROLE_ORDER: Record<Occupant["role"], number> = {
  moderator: 0,
  participant: 1,
  visitor: 2,
  none: 3,
};

/** Moderators first, then by nickname (case-insensitive). */
export function sortOccupants(list: readonly Occupant[]): Occupant[] {
  return [...list].sort(
    (a, b) =>
      ROLE_ORDER[a.role] - ROLE_ORDER[b.role] ||
      a.nick.localeCompare(b.nick, undefined, { sensitivity: "base" }),
  );
}

/** "Owner · Moderator", "Member", "" for a plain participant. */
export function standingWords(o: Occupant): string {
  const words: string[] = [];
  const affiliation = {
    owner: "Owner",
    admin: "Admin",
    member: "Member",
    outcast: "Banned",
    none: "",
  }[o.affiliation];
  if (affiliation) words.push(affiliation);
  if (o.role === "moderator") words.push("Moderator");
  if (o.role === "visitor") words.push("Visitor");
  return words.join(" · ");
}

export function OccupantList(props: { room: string }) {
  const { rooms, contacts, people, session } = useHallway();
  // A picture only from what we already have: ours, or a roster contact's whose real address
  // the room shows. Nothing is fetched for a stranger's nickname (XEP-0045 occupants are not
  // contacts: their vCards are not asked for).
  const picture = (o: Occupant): string | null => {
    if (o.isSelf) return people.avatarUrl(session.state.myAvatar);
    const bare = o.realJid?.split("/")[0];
    return bare ? people.avatarUrl(contacts.contact(bare)?.avatar) : null;
  };
  const [scrollTop, setScrollTop] = createSignal(0);
  const [viewport, setViewport] = createSignal(FALLBACK_VIEWPORT);
  const [moderating, setModerating] = createSignal<{ nick: string; realJid: string | null } | null>(
    null,
  );
  let scroller!: HTMLDivElement;
  // The button that opened the Moderate dialog. Asked when the dialog closes (the dialog is gone
  // by then, so it is kept here): kicked or banned, the row and its button go, and the focus
  // goes back to the list instead.
  let opener: HTMLElement | undefined;
  // The occupant as they are now (their actions change with their standing), while open: the
  // same person (nickname and address), else nobody — a newcomer who takes the nickname of
  // someone who left is not who the dialog was opened for.
  const target = createMemo(() => {
    const m = moderating();
    if (!m) return undefined;
    return rooms
      .occupants(props.room)
      .find((o) => o.nick === m.nick && (o.realJid ?? null) === m.realJid);
  });
  createEffect(() => {
    if (moderating() && !target()) setModerating(null);
  });

  const sorted = createMemo(() => sortOccupants(rooms.occupants(props.room)));
  const offsets = createMemo(() => rowOffsets(sorted(), () => OCCUPANT_ROW));
  const range = createMemo(() => visibleRange(offsets(), scrollTop(), viewport(), OVERSCAN));
  const shown = createMemo(() => {
    const { start, end } = range();
    return sorted()
      .slice(start, end)
      .map((o, i) => ({ o, index: start + i }));
  });

  onMount(() => {
    void rooms.loadOccupants(props.room);
    const measure = () => setViewport(scroller.clientHeight || FALLBACK_VIEWPORT);
    measure();
    const observer = typeof ResizeObserver === "function" ? new ResizeObserver(measure) : null;
    observer?.observe(scroller);
    onCleanup(() => observer?.disconnect());
  });

  return (
    <aside class="occupants" aria-labelledby={`occupants-${props.room}`}>
      <h3 id={`occupants-${props.room}`} class="occupants-heading">
        In the room <span class="occupants-count">{sorted().length}</span>
      </h3>
      <div
        ref={scroller}
        tabIndex={-1}
        class="occupants-scroller"
        onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      >
        <ul
          class="occupants-list"
          aria-label="Occupants"
          style={{ height: `${offsets()[offsets().length - 1] ?? 0}px` }}
        >
          <For each={shown()}>
            {(row) => (
              <li
                class="occupant"
                style={{ top: `${row.index * OCCUPANT_ROW}px` }}
                aria-label={occupantLabel(row.o)}
                aria-setsize={sorted().length}
                aria-posinset={row.index + 1}
              >
                <span class="contact-avatar occupant-avatar">
                  <Avatar jid={row.o.nick} name={row.o.nick} src={picture(row.o)} />
                  <PresenceDot show={row.o.show} />
                </span>
                <span class="occupant-text">
                  <span class="occupant-nick" style={{ color: nickColor(row.o.nick) }}>
                    {row.o.nick}
                    {row.o.isSelf ? " (you)" : ""}
                  </span>
                  <span class="occupant-line">{occupantLine(row.o)}</span>
                </span>
                <Show when={row.o.actions.length > 0}>
                  <button
                    type="button"
                    class="button button--quiet occupant-moderate"
                    aria-label={`Moderate ${row.o.nick}`}
                    title={`Moderate ${row.o.nick}`}
                    onClick={(e) => {
                      opener = e.currentTarget;
                      setModerating({ nick: row.o.nick, realJid: row.o.realJid ?? null });
                    }}
                  >
                    ⋯
                  </button>
                </Show>
              </li>
            )}
          </For>
        </ul>
      </div>
      <Show when={target()}>
        {(occupant) => (
          <Show when={rooms.room(props.room)}>
            {(room) => (
              <ModerateDialog
                room={room()}
                occupant={occupant()}
                opener={opener?.isConnected ? opener : scroller}
                onClose={() => setModerating(null)}
              />
            )}
          </Show>
        )}
      </Show>
    </aside>
  );
}

function occupantLine(o: Occupant): string {
  return [standingWords(o), o.status ?? "", o.realJid ?? ""].filter((s) => s !== "").join(" · ");
}

function occupantLabel(o: Occupant): string {
  const parts = [o.isSelf ? `${o.nick} (you)` : o.nick, presenceWord(o.show as PresenceShow)];
  const line = occupantLine(o);
  if (line) parts.push(line);
  return parts.join(", ");
}
