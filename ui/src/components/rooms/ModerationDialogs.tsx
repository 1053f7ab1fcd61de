// Moderation dialogs (XEP-0045 §8–§10): "Change subject" for moderators, "Room settings" (name,
// description, who can join, and Destroy room) for owners, and "Moderate NICK" with what our
// standing lets us do to someone in the room. The room decides; its refusals show as words.
import { createSignal, For, onMount, Show, untrack } from "solid-js";
import { errorMessage } from "../../ipc";
import type { Occupant, OccupantAction, Room, RoomSettings } from "../../ipc";
import { useHallway } from "../../state/context";
import { Modal } from "../shared/Modal";
import { TextField } from "../shared/TextField";
import { createSubmit, DialogButtons, DialogError } from "../people/PeopleDialogs";
import { AccessChoice } from "./CreateRoomDialog";

/** The words each action's button shows. */
export const ACTION_WORDS: Record<OccupantAction, string> = {
  kick: "Kick",
  ban: "Ban",
  makeMember: "Make member",
  removeMember: "Remove membership",
  makeModerator: "Make moderator",
  removeModerator: "Remove moderator",
};

/** What the action does, said before it is done. */
const ACTION_HINTS: Record<OccupantAction, string> = {
  kick: "Puts them out of the room now; they can come back.",
  ban: "Puts them out and keeps them out.",
  makeMember: "Adds them to the room's members.",
  removeMember: "Takes them off the room's members.",
  makeModerator: "Lets them change the subject and kick people.",
  removeModerator: "Takes their moderator rights away.",
};

export function SubjectDialog(props: { room: Room; opener?: HTMLElement; onClose: () => void }) {
  const { rooms } = useHallway();
  const { busy, error, run } = createSubmit();
  // Starts from the subject as it was when the dialog opened.
  const [subject, setSubject] = createSignal(untrack(() => props.room.subject ?? ""));
  let input!: HTMLInputElement | HTMLTextAreaElement;

  async function submit(e: SubmitEvent) {
    e.preventDefault();
    if (busy()) return;
    const room = props.room.room;
    const wanted = subject().trim();
    if (await run(() => rooms.setSubject(room, wanted))) props.onClose();
  }

  return (
    <Modal
      title="Change subject"
      returnFocus={() => props.opener}
      onClose={props.onClose}
      initialFocus={() => input}
    >
      <form class="modal-form" noValidate onSubmit={(e) => void submit(e)}>
        <p class="modal-text">
          Of <span class="modal-name">{props.room.name}</span>, for everyone in it
        </p>
        <TextField
          label="Subject"
          ref={(el) => (input = el)}
          maxLength={1000}
          value={subject()}
          hint="Leave it empty to clear the subject."
          onInput={setSubject}
        />
        <DialogError message={error()} />
        <DialogButtons submit="Save" busy={busy()} onCancel={props.onClose} />
      </form>
    </Modal>
  );
}

export function RoomSettingsDialog(props: {
  room: Room;
  opener?: HTMLElement;
  onClose: () => void;
  onDestroyed: () => void;
}) {
  const { rooms } = useHallway();
  const { busy, error, run } = createSubmit();
  const [name, setName] = createSignal(untrack(() => props.room.name));
  const [description, setDescription] = createSignal("");
  const [membersOnly, setMembersOnly] = createSignal(false);
  const [nameError, setNameError] = createSignal<string | null>(null);
  const [destroying, setDestroying] = createSignal(false);
  const [reason, setReason] = createSignal("");
  let nameInput!: HTMLInputElement | HTMLTextAreaElement;
  let reasonInput: HTMLInputElement | HTMLTextAreaElement | undefined;

  // The room's own settings: the dialog starts from them and keeps what it does not show.
  const [current, setCurrent] = createSignal<RoomSettings | null>(null);
  const [loadError, setLoadError] = createSignal<string | null>(null);
  onMount(() => {
    const { room, name: shown } = props.room;
    rooms.settings(room).then(
      (now) => {
        setName(now.name ?? shown);
        setDescription(now.description ?? "");
        setMembersOnly(now.membersOnly);
        setCurrent(now);
      },
      (e: unknown) => setLoadError(errorMessage(e)),
    );
  });

  async function submit(e: SubmitEvent) {
    e.preventDefault();
    if (busy()) return;
    const now = current();
    if (!now) return;
    const room = props.room.room;
    if (destroying()) {
      const why = reason().trim();
      if (await run(() => rooms.destroy(room, why))) {
        props.onClose();
        props.onDestroyed();
      }
      return;
    }
    if (!name().trim()) {
      setNameError("Give the room a name.");
      nameInput.focus();
      return;
    }
    setNameError(null);
    const wanted = {
      ...now,
      name: name().trim(),
      description: description().trim() || null,
      membersOnly: membersOnly(),
    };
    if (await run(() => rooms.changeSettings(room, wanted))) props.onClose();
  }

  return (
    <Modal
      title="Room settings"
      returnFocus={() => props.opener}
      onClose={props.onClose}
      initialFocus={() => nameInput}
    >
      <form class="modal-form" noValidate onSubmit={(e) => void submit(e)}>
        <DialogError message={loadError()} />
        <Show
          when={!destroying()}
          fallback={
            <>
              <p class="modal-text">
                <span class="modal-name">{props.room.name}</span> and its messages on the server go
                for everyone in it. Your copy of its history stays here.
              </p>
              <TextField
                label="Reason"
                ref={(el) => (reasonInput = el)}
                maxLength={500}
                value={reason()}
                hint="Optional: told to everyone in the room."
                onInput={setReason}
              />
            </>
          }
        >
          <TextField
            label="Room name"
            ref={(el) => (nameInput = el)}
            maxLength={100}
            value={name()}
            error={nameError()}
            onInput={setName}
          />
          <TextField
            label="Description"
            multiline
            maxLength={1000}
            value={description()}
            onInput={setDescription}
          />
          <AccessChoice membersOnly={membersOnly()} onChange={setMembersOnly} />
          <button
            type="button"
            class="button button--quiet room-destroy"
            disabled={!current() || busy()}
            onClick={() => {
              setDestroying(true);
              // The button is gone: the question's field takes the focus.
              reasonInput?.focus();
            }}
          >
            Destroy room
          </button>
        </Show>
        <DialogError message={error()} />
        <DialogButtons
          submit={destroying() ? "Destroy" : "Save"}
          danger={destroying()}
          busy={busy() || (!current() && !loadError())}
          onCancel={() => (destroying() ? setDestroying(false) : props.onClose())}
        />
      </form>
    </Modal>
  );
}

export function ModerateDialog(props: {
  room: Room;
  occupant: Occupant;
  opener?: HTMLElement;
  onClose: () => void;
}) {
  const { rooms } = useHallway();
  const { busy, error, run } = createSubmit();
  const [reason, setReason] = createSignal("");
  const withReason = () => props.occupant.actions.some((a) => a === "kick" || a === "ban");

  async function act(action: OccupantAction) {
    if (busy()) return;
    const { room } = props.room;
    const { nick } = props.occupant;
    const why = reason().trim();
    if (await run(() => rooms.moderate(room, nick, action, why))) props.onClose();
  }

  return (
    <Modal
      title={`Moderate ${props.occupant.nick}`}
      returnFocus={() => props.opener}
      onClose={props.onClose}
    >
      <div class="modal-form">
        <p class="modal-text">
          In <span class="modal-name">{props.room.name}</span>
          <Show when={props.occupant.realJid}>{(jid) => <> · {jid()}</>}</Show>
        </p>
        <Show when={withReason()}>
          <TextField
            label="Reason"
            maxLength={500}
            value={reason()}
            hint="Optional: shown to them if you kick or ban them."
            onInput={setReason}
          />
        </Show>
        <ul class="moderate-actions">
          <For each={props.occupant.actions}>
            {(action) => (
              <li>
                <button
                  type="button"
                  class={
                    action === "ban" || action === "kick"
                      ? "button button--danger"
                      : "button button--secondary"
                  }
                  disabled={busy()}
                  onClick={() => void act(action)}
                >
                  {ACTION_WORDS[action]}
                </button>
                <span class="field-hint">{ACTION_HINTS[action]}</span>
              </li>
            )}
          </For>
        </ul>
        <DialogError message={error()} />
        <div class="modal-actions">
          <button type="button" class="button button--secondary" onClick={() => props.onClose()}>
            Cancel
          </button>
        </div>
      </div>
    </Modal>
  );
}
