// "Join room": a room's address and the nickname to use there (prefilled from our name).
import { createSignal, onMount } from "solid-js";
import { useHallway } from "../../state/context";
import { Modal } from "../shared/Modal";
import { createSubmit, DialogButtons, DialogError } from "../people/PeopleDialogs";
import { TextField } from "../shared/TextField";

const ROOM_HINT = "A room address looks like team@conference.example.com.";

/** A pasted "xmpp:team@conference.example.com?join" works too. */
export function cleanRoomAddress(input: string): string {
  return input
    .trim()
    .replace(/^xmpp:/i, "")
    .replace(/\?.*$/, "");
}

export function isRoomAddress(address: string): boolean {
  return /^[^@\s/]+@[^@\s/]+\.[^@\s/]+$/.test(address) || /^[^@\s/]+@[^@\s/.]+$/.test(address);
}

/** The nickname we offer: our name, else our address's local part. */
export function defaultNick(name: string | null | undefined, account: string | null): string {
  const n = name?.trim();
  if (n) return n;
  return account?.split("@")[0] ?? "";
}

/** The nickname field's value: our full name (vCard) once known, unless the user typed one. */
export function createNick() {
  const { rooms, session } = useHallway();
  const [nick, setNick] = createSignal(defaultNick(null, session.state.account));
  let touched = false;
  onMount(() => {
    const account = session.state.account;
    void rooms.myName().then((name) => {
      if (!touched && name) setNick(defaultNick(name, account));
    });
  });
  return {
    nick,
    setNick: (value: string) => {
      touched = true;
      setNick(value);
    },
  };
}

/** The nickname field every room dialog has. */
export function NickField(props: { nick: ReturnType<typeof createNick> }) {
  return (
    <TextField
      label="Nickname"
      value={props.nick.nick()}
      onInput={props.nick.setNick}
      maxLength={64}
      hint="How the others in the room see you."
    />
  );
}

export function JoinRoomDialog(props: {
  opener?: HTMLElement;
  onClose: () => void;
  onJoined: (room: string) => void;
}) {
  const { rooms } = useHallway();
  const { busy, error, run } = createSubmit();
  const [address, setAddress] = createSignal("");
  const nick = createNick();
  const [addressError, setAddressError] = createSignal<string | null>(null);
  let addressInput!: HTMLInputElement | HTMLTextAreaElement;

  async function submit(e: SubmitEvent) {
    e.preventDefault();
    if (busy()) return;
    const room = cleanRoomAddress(address());
    if (!isRoomAddress(room)) {
      setAddressError(ROOM_HINT);
      addressInput.focus();
      return;
    }
    setAddressError(null);
    const chosen = nick.nick().trim();
    if (await run(() => rooms.join(room, chosen))) {
      props.onClose();
      props.onJoined(room);
    }
  }

  return (
    <Modal
      title="Join room"
      returnFocus={() => props.opener}
      onClose={props.onClose}
      initialFocus={() => addressInput}
    >
      <form class="modal-form" noValidate onSubmit={(e) => void submit(e)}>
        <TextField
          label="Room address"
          ref={(el) => (addressInput = el)}
          plain
          placeholder="team@conference.example.com"
          value={address()}
          error={addressError()}
          onInput={setAddress}
        />
        <NickField nick={nick} />
        <DialogError message={error()} />
        <DialogButtons submit="Join" busy={busy()} onCancel={props.onClose} />
      </form>
    </Modal>
  );
}
