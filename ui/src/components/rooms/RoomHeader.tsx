// A room's header: its name, subject and where we stand (joining, reconnecting, refused and
// why), "Leave room" (asks nothing: the room and its bookmark go, the history stays), and what
// our standing lets us do: "Change subject" (moderators), "Room settings" (owners).
import { createSignal, Show } from "solid-js";
import { errorMessage } from "../../ipc";
import type { Room, RoomNotify } from "../../ipc";
import { useHallway } from "../../state/context";
import { phaseWords } from "../../state/rooms";
import { InviteDialog } from "./InviteDialog";
import { RoomSettingsDialog, SubjectDialog } from "./ModerationDialogs";
import { RoomTrouble } from "./RoomTrouble";

export function RoomHeader(props: { room: Room }) {
  const { rooms, conversations } = useHallway();
  const [inviting, setInviting] = createSignal(false);
  const [editing, setEditing] = createSignal<"subject" | "settings" | null>(null);
  const joined = () => props.room.phase.kind === "joined";
  let inviteButton!: HTMLButtonElement;
  let subjectButton: HTMLButtonElement | undefined;
  let settingsButton: HTMLButtonElement | undefined;

  async function setNotify(notify: RoomNotify) {
    try {
      await rooms.setNotify(props.room.room, notify);
    } catch (e) {
      conversations.noteSendError(props.room.room, errorMessage(e));
    }
  }

  async function leave() {
    try {
      await rooms.leave(props.room.room);
      conversations.close();
    } catch (e) {
      conversations.noteSendError(props.room.room, errorMessage(e));
    }
  }

  return (
    <header class="conversation-header room-header">
      <span class="room-mark room-mark--large" aria-hidden="true">
        #
      </span>
      <div class="conversation-heading">
        <h2 id="conversation-title" class="conversation-title">
          {props.room.name}
        </h2>
        <p class="conversation-presence">
          <Show when={props.room.phase.kind !== "joined"}>
            <span
              class="room-state"
              classList={{ "room-state--error": props.room.phase.kind === "error" }}
              role="status"
            >
              {phaseWords(props.room.phase)}
            </span>
          </Show>
          <Show when={props.room.subject}>
            {(subject) => <span class="room-subject">{subject()}</span>}
          </Show>
          <span class="conversation-jid">{props.room.room}</span>
        </p>
      </div>
      <div class="room-header-actions">
        <label class="room-notify">
          <span>Notify me</span>
          <select
            value={props.room.notify}
            onChange={(e) => void setNotify(e.currentTarget.value as RoomNotify)}
          >
            <option value="all">All messages</option>
            <option value="mentions">Mentions</option>
            <option value="nothing">Nothing</option>
          </select>
        </label>
        <button
          ref={inviteButton}
          type="button"
          class="button button--secondary"
          disabled={!joined()}
          onClick={() => setInviting(true)}
        >
          Invite people
        </button>
        <Show when={joined() && props.room.role === "moderator"}>
          <button
            ref={subjectButton}
            type="button"
            class="button button--secondary"
            onClick={() => setEditing("subject")}
          >
            Change subject
          </button>
        </Show>
        <Show when={joined() && props.room.affiliation === "owner"}>
          <button
            ref={settingsButton}
            type="button"
            class="button button--secondary"
            onClick={() => setEditing("settings")}
          >
            Room settings
          </button>
        </Show>
        <button type="button" class="button button--secondary" onClick={() => void leave()}>
          Leave room
        </button>
      </div>
      <Show when={props.room.phase.kind === "error" && props.room.phase}>
        {(phase) => <RoomTrouble room={props.room} reason={phase().reason} />}
      </Show>
      <Show when={inviting()}>
        <InviteDialog room={props.room} opener={inviteButton} onClose={() => setInviting(false)} />
      </Show>
      <Show when={editing() === "subject"}>
        <SubjectDialog room={props.room} opener={subjectButton} onClose={() => setEditing(null)} />
      </Show>
      <Show when={editing() === "settings"}>
        <RoomSettingsDialog
          room={props.room}
          opener={settingsButton}
          onClose={() => setEditing(null)}
          onDestroyed={() => conversations.close()}
        />
      </Show>
    </header>
  );
}
