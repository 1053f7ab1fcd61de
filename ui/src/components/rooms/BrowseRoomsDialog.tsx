// "Browse rooms": the public rooms of the server's room service (names are strangers' text,
// shown as text), a filter, and Join (or Open for rooms we are in) on each. Only the first
// matches are drawn: the filter finds the rest, however many the server lists.
import { createMemo, createResource, createSignal, For, Show } from "solid-js";
import type { PublicRoom } from "../../ipc";
import { errorMessage } from "../../ipc";
import { useHallway } from "../../state/context";
import { Modal } from "../shared/Modal";
import { TextField } from "../shared/TextField";
import { createSubmit, DialogError } from "../people/PeopleDialogs";
import { createNick, NickField } from "./JoinRoomDialog";

/** Rooms drawn at once; more matches are counted, and the filter narrows them. */
export const SHOWN_ROOMS = 100;

/** The rooms whose name or address contain every word of `filter` (any case). */
export function filterRooms(rooms: readonly PublicRoom[], filter: string): PublicRoom[] {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  return rooms.filter((r) => {
    const text = `${r.name} ${r.room}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
}

export function BrowseRoomsDialog(props: {
  opener?: HTMLElement;
  onClose: () => void;
  onOpen: (room: string) => void;
}) {
  const { rooms } = useHallway();
  const [listed] = createResource(async () => {
    try {
      return { rooms: await rooms.browse(), error: null };
    } catch (e) {
      return { rooms: [] as PublicRoom[], error: errorMessage(e) };
    }
  });
  const [filter, setFilter] = createSignal("");
  const nick = createNick();
  const { busy, error, run } = createSubmit();
  const matches = createMemo(() => filterRooms(listed()?.rooms ?? [], filter()));
  let filterInput!: HTMLInputElement | HTMLTextAreaElement;

  async function join(room: PublicRoom) {
    if (busy()) return;
    if (await run(() => rooms.join(room.room, nick.nick().trim()))) {
      props.onClose();
      props.onOpen(room.room);
    }
  }

  return (
    <Modal
      title="Browse rooms"
      returnFocus={() => props.opener}
      onClose={props.onClose}
      initialFocus={() => filterInput}
    >
      <div class="modal-form browse-rooms">
        <TextField
          label="Filter rooms"
          ref={(el) => (filterInput = el)}
          plain
          placeholder="Name or address"
          value={filter()}
          onInput={setFilter}
        />
        <Show when={!listed.loading} fallback={<p class="browse-status">Looking for rooms…</p>}>
          <Show when={listed()?.error}>
            {(message) => (
              <p class="field-error" role="alert">
                {message()}
              </p>
            )}
          </Show>
          <Show when={!listed()?.error}>
            <p class="browse-status" role="status">
              {matches().length === 0
                ? (listed()?.rooms.length ?? 0) === 0
                  ? "This server lists no public rooms."
                  : "No room matches."
                : matches().length > SHOWN_ROOMS
                  ? `${matches().length} rooms; the first ${SHOWN_ROOMS} are shown. Filter to find others.`
                  : `${matches().length} ${matches().length === 1 ? "room" : "rooms"}`}
            </p>
            <ul class="browse-list" aria-label="Public rooms">
              <For each={matches().slice(0, SHOWN_ROOMS)}>
                {(room) => (
                  <li class="browse-room">
                    <span class="browse-room-text">
                      <span class="browse-room-name">{room.name}</span>
                      <span class="browse-room-address">{room.room}</span>
                    </span>
                    <Show
                      when={room.joined}
                      fallback={
                        <button
                          type="button"
                          class="button button--quiet"
                          aria-label={`Join ${room.name}`}
                          disabled={busy()}
                          onClick={() => void join(room)}
                        >
                          Join
                        </button>
                      }
                    >
                      <button
                        type="button"
                        class="button button--quiet"
                        aria-label={`Open ${room.name}`}
                        onClick={() => {
                          props.onClose();
                          props.onOpen(room.room);
                        }}
                      >
                        Open
                      </button>
                    </Show>
                  </li>
                )}
              </For>
            </ul>
          </Show>
        </Show>
        <NickField nick={nick} />
        <DialogError message={error()} />
        <div class="modal-actions">
          <button type="button" class="button button--secondary" onClick={() => props.onClose()}>
            Close
          </button>
        </div>
      </div>
    </Modal>
  );
}
