// "Invite people": a contact's address (suggested from the contacts by name) and an optional
// reason. As the room's owner or admin the backend makes them a member first.
import { createSignal, For } from "solid-js";
import type { Room } from "../../ipc";
import { useHallway } from "../../state/context";
import { Modal } from "../shared/Modal";
import { TextField } from "../shared/TextField";
import { createSubmit, DialogButtons, DialogError } from "../people/PeopleDialogs";

export function InviteDialog(props: { room: Room; opener?: HTMLElement; onClose: () => void }) {
  const { rooms, contacts } = useHallway();
  const { busy, error, run } = createSubmit();
  const [contact, setContact] = createSignal("");
  const [reason, setReason] = createSignal("");
  const [contactError, setContactError] = createSignal<string | null>(null);
  const [sent, setSent] = createSignal<string | null>(null);
  let contactInput!: HTMLInputElement | HTMLTextAreaElement;
  const listId = `invite-suggestions-${Math.random().toString(36).slice(2)}`;

  async function submit(e: SubmitEvent) {
    e.preventDefault();
    if (busy()) return;
    const who = contact().trim();
    if (!/^[^@\s/]+@[^@\s/]+$/.test(who)) {
      setContactError("An address looks like name@example.com.");
      contactInput.focus();
      return;
    }
    setContactError(null);
    const why = reason().trim();
    const room = props.room.room;
    if (await run(() => rooms.invite(room, who, why))) {
      setSent(who);
      setContact("");
      setReason("");
      contactInput.focus();
    }
  }

  return (
    <Modal
      title="Invite people"
      returnFocus={() => props.opener}
      onClose={props.onClose}
      initialFocus={() => contactInput}
    >
      <form class="modal-form" noValidate onSubmit={(e) => void submit(e)}>
        <p class="modal-text">
          To <span class="modal-name">{props.room.name}</span>
        </p>
        <TextField
          label="Contact address"
          ref={(el) => {
            contactInput = el;
            el.setAttribute("list", listId);
          }}
          plain
          placeholder="name@example.com"
          value={contact()}
          error={contactError()}
          onInput={setContact}
        />
        <datalist id={listId}>
          <For each={contacts.all()}>{(c) => <option value={c.jid}>{c.name}</option>}</For>
        </datalist>
        <TextField
          label="Reason"
          maxLength={500}
          value={reason()}
          hint="Optional: why you invite them."
          onInput={setReason}
        />
        <p class="field-hint" role="status">
          {sent() ? `Invitation sent to ${sent()}.` : ""}
        </p>
        <DialogError message={error()} />
        <DialogButtons submit="Invite" busy={busy()} onCancel={props.onClose} />
      </form>
    </Modal>
  );
}
