// The sidebar's rooms (XEP-0045): the `Rooms` list (name, where we stand, unread count) and the
// `Join room` button with its dialog. Names and subjects are strangers' text: rendered as text.
import { createSignal, For, Show } from "solid-js";
import { useHallway } from "../../state/context";
import { phaseWords } from "../../state/rooms";
import { JoinRoomDialog } from "./JoinRoomDialog";

export function RoomList() {
  const { rooms, contacts, conversations } = useHallway();
  const [joining, setJoining] = createSignal(false);
  let joinButton!: HTMLButtonElement;

  return (
    <section class="rooms" aria-labelledby="rooms-heading">
      <div class="rooms-top">
        <h2 id="rooms-heading" class="rooms-heading">
          Rooms
        </h2>
        <button
          ref={joinButton}
          type="button"
          class="button button--quiet rooms-join"
          onClick={() => setJoining(true)}
        >
          Join room
        </button>
      </div>
      <Show
        when={rooms.rooms().length > 0}
        fallback={<p class="rooms-empty">No rooms yet. Join one by its address.</p>}
      >
        <ul class="rooms-list" aria-label="Rooms">
          <For each={rooms.rooms()}>
            {(room) => {
              const unread = () => contacts.unreadOf(room.room);
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
                    aria-label={
                      unread() > 0
                        ? `${room.name}, ${words()}, ${unread()} unread`
                        : `${room.name}, ${words()}`
                    }
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
      <Show when={joining()}>
        <JoinRoomDialog
          opener={joinButton}
          onClose={() => setJoining(false)}
          onJoined={(room) => conversations.open(room)}
        />
      </Show>
    </section>
  );
}
