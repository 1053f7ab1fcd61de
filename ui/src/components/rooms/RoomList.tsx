// The sidebar's rooms (XEP-0045): the `Rooms` list (name, where we stand, unread count) and the
// `Join room`, `Create room` and `Browse rooms` buttons with their dialogs. Names and subjects are strangers' text: rendered as text.
import { createSignal, For, Show } from "solid-js";
import { useHallway } from "../../state/context";
import { phaseWords } from "../../state/rooms";
import { BrowseRoomsDialog } from "./BrowseRoomsDialog";
import { CreateRoomDialog } from "./CreateRoomDialog";
import { Invitations } from "./Invitations";
import { JoinRoomDialog } from "./JoinRoomDialog";

type Dialog = "join" | "create" | "browse" | null;

export function RoomList() {
  const { rooms, contacts, conversations } = useHallway();
  const [dialog, setDialog] = createSignal<Dialog>(null);
  const openers: Record<Exclude<Dialog, null>, HTMLButtonElement | undefined> = {
    join: undefined,
    create: undefined,
    browse: undefined,
  };
  const action = (kind: Exclude<Dialog, null>, label: string) => (
    <button
      ref={(el) => (openers[kind] = el)}
      type="button"
      class="button button--quiet rooms-action"
      onClick={() => setDialog(kind)}
    >
      {label}
    </button>
  );

  return (
    <section class="rooms" aria-labelledby="rooms-heading">
      <div class="rooms-top">
        <h2 id="rooms-heading" class="rooms-heading">
          Rooms
        </h2>
      </div>
      <div class="rooms-actions">
        {action("join", "Join room")}
        {action("create", "Create room")}
        {action("browse", "Browse rooms")}
      </div>
      <Invitations label="Invitations" />
      <Show
        when={rooms.rooms().length > 0 || rooms.invitations(true).length > 0}
        fallback={<p class="rooms-empty">No rooms yet. Join, create or browse one.</p>}
      >
        <ul class="rooms-list" aria-label="Rooms">
          <For each={rooms.rooms()}>
            {(room) => {
              const unread = () => contacts.unreadOf(room.room);
              const mentions = () => contacts.mentionsOf(room.room);
              const selected = () => conversations.selected() === room.room;
              const words = () => phaseWords(room.phase);
              return (
                <li>
                  <button
                    type="button"
                    class="room"
                    classList={{
                      "room--selected": selected(),
                      "room--unread": unread() > 0,
                      "room--trouble": room.phase.kind === "error",
                    }}
                    aria-label={roomLabel(room.name, words(), unread(), mentions())}
                    aria-current={selected() ? "true" : undefined}
                    title={room.room}
                    onClick={() => conversations.open(room.room)}
                  >
                    <span class="room-mark" aria-hidden="true">
                      #
                    </span>
                    <span class="room-text">
                      <span class="room-name">{room.name}</span>
                      <Show when={room.phase.kind !== "joined"}>
                        <span class="room-phase">{words()}</span>
                      </Show>
                    </span>
                    <Show when={mentions() > 0}>
                      <span class="badge badge--mention" aria-hidden="true">
                        @
                      </span>
                    </Show>
                    <Show when={unread() > 0}>
                      <span class="badge">{unread() > 99 ? "99+" : unread()}</span>
                    </Show>
                  </button>
                </li>
              );
            }}
          </For>
        </ul>
      </Show>
      <Show when={dialog() === "join"}>
        <JoinRoomDialog
          opener={openers.join}
          onClose={() => setDialog(null)}
          onJoined={(room) => conversations.open(room)}
        />
      </Show>
      <Show when={dialog() === "create"}>
        <CreateRoomDialog
          opener={openers.create}
          onClose={() => setDialog(null)}
          onCreated={(room) => conversations.open(room)}
        />
      </Show>
      <Show when={dialog() === "browse"}>
        <BrowseRoomsDialog
          opener={openers.browse}
          onClose={() => setDialog(null)}
          onOpen={(room) => conversations.open(room)}
        />
      </Show>
    </section>
  );
}

/** "Sales, Joined, 3 unread, 1 mention": what a screen reader hears for a room. */
export function roomLabel(name: string, words: string, unread: number, mentions: number): string {
  const parts = [name, words];
  if (unread > 0) parts.push(`${unread} unread`);
  if (mentions > 0) parts.push(mentions === 1 ? "1 mention" : `${mentions} mentions`);
  return parts.join(", ");
}
