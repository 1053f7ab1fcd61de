// "Join room": a room's address and the nickname to use there (prefilled from our name).
import { createSignal, createUniqueId, onMount, Show } from "solid-js";
import { useHallway } from "../../state/context";
import { Modal } from "../shared/Modal";
import { createSubmit, DialogButtons, DialogError } from "../people/PeopleDialogs";

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

export function JoinRoomDialog(props: {
  opener?: HTMLElement;
  onClose: () => void;
  onJoined: (room: string) => void;
}) {
  const { rooms, session } = useHallway();
  const id = createUniqueId();
  const { busy, error, run } = createSubmit();
  const [address, setAddress] = createSignal("");
  const [nick, setNick] = createSignal(defaultNick(null, session.state.account));
  let nickTouched = false;
  // Our full name (vCard) is the better nickname, when we have one and the user typed nothing.
  onMount(() => {
    const account = session.state.account;
    void rooms.myName().then((name) => {
      if (!nickTouched && name) setNick(defaultNick(name, account));
    });
  });
  const [addressError, setAddressError] = createSignal<string | null>(null);
  let addressInput!: HTMLInputElement;

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
    const chosen = nick().trim();
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
        <div class="field">
          <label for={`${id}-address`}>Room address</label>
          <input
            ref={addressInput}
            id={`${id}-address`}
            type="text"
            autocomplete="off"
            autocapitalize="off"
            spellcheck={false}
            placeholder="team@conference.example.com"
            value={address()}
            aria-invalid={addressError() ? "true" : undefined}
            aria-describedby={addressError() ? `${id}-address-error` : undefined}
            onInput={(e) => setAddress(e.currentTarget.value)}
          />
          <Show when={addressError()}>
            {(message) => (
              <p id={`${id}-address-error`} class="field-error" role="alert">
                {message()}
              </p>
            )}
          </Show>
        </div>
        <div class="field">
          <label for={`${id}-nick`}>Nickname</label>
          <input
            id={`${id}-nick`}
            type="text"
            autocomplete="off"
            maxLength={64}
            value={nick()}
            aria-describedby={`${id}-nick-hint`}
            onInput={(e) => {
              nickTouched = true;
              setNick(e.currentTarget.value);
            }}
          />
          <p id={`${id}-nick-hint`} class="field-hint">
            How the others in the room see you.
          </p>
        </div>
        <DialogError message={error()} />
        <DialogButtons submit="Join" busy={busy()} onCancel={props.onClose} />
      </form>
    </Modal>
  );
}
