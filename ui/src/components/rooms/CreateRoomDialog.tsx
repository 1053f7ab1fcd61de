// "Create room": a name, an optional description, open or members-only, and our nickname. The
// backend picks a free address on the server's room service and configures the room.
import { createSignal } from "solid-js";
import { useHallway } from "../../state/context";
import { Modal } from "../shared/Modal";
import { TextField } from "../shared/TextField";
import { createSubmit, DialogButtons, DialogError } from "../people/PeopleDialogs";
import { createNick, NickField } from "./JoinRoomDialog";

export function CreateRoomDialog(props: {
  opener?: HTMLElement;
  onClose: () => void;
  onCreated: (room: string) => void;
}) {
  const { rooms } = useHallway();
  const { busy, error, run } = createSubmit();
  const [name, setName] = createSignal("");
  const [description, setDescription] = createSignal("");
  const [membersOnly, setMembersOnly] = createSignal(false);
  const [nameError, setNameError] = createSignal<string | null>(null);
  const nick = createNick();
  let nameInput!: HTMLInputElement | HTMLTextAreaElement;

  async function submit(e: SubmitEvent) {
    e.preventDefault();
    if (busy()) return;
    if (!name().trim()) {
      setNameError("Give the room a name.");
      nameInput.focus();
      return;
    }
    setNameError(null);
    let created: string | null = null;
    const asked = [name().trim(), description().trim(), membersOnly(), nick.nick().trim()] as const;
    const ok = await run(async () => {
      created = (await rooms.create(...asked)).room;
    });
    if (ok && created) {
      props.onClose();
      props.onCreated(created);
    }
  }

  return (
    <Modal
      title="Create room"
      returnFocus={() => props.opener}
      onClose={props.onClose}
      initialFocus={() => nameInput}
    >
      <form class="modal-form" noValidate onSubmit={(e) => void submit(e)}>
        <TextField
          label="Room name"
          ref={(el) => (nameInput = el)}
          placeholder="Sales team"
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
          hint="Optional: what the room is for."
          onInput={setDescription}
        />
        <AccessChoice membersOnly={membersOnly()} onChange={setMembersOnly} />
        <NickField nick={nick} />
        <DialogError message={error()} />
        <DialogButtons submit="Create" busy={busy()} onCancel={props.onClose} />
      </form>
    </Modal>
  );
}

/** "Who can join": Open (listed, anyone) or Members only (unlisted). */
export function AccessChoice(props: { membersOnly: boolean; onChange: (v: boolean) => void }) {
  const group = `room-access-${Math.random().toString(36).slice(2)}`;
  return (
    <fieldset class="field choice">
      <legend>Who can join</legend>
      <label class="choice-option">
        <input
          type="radio"
          name={group}
          checked={!props.membersOnly}
          onChange={() => props.onChange(false)}
        />
        <span>
          Open
          <span class="field-hint"> — anyone on the server can find and join it</span>
        </span>
      </label>
      <label class="choice-option">
        <input
          type="radio"
          name={group}
          checked={props.membersOnly}
          onChange={() => props.onChange(true)}
        />
        <span>
          Members only
          <span class="field-hint"> — unlisted; only people you add can join</span>
        </span>
      </label>
    </fieldset>
  );
}
