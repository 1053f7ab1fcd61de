// What a refused or removed room offers in its header: another nickname when ours is taken, the
// password the room asks for (kept for this run only), or simply joining again. A banned user
// is offered nothing; the words say why.
import { createSignal, Show, untrack } from "solid-js";
import type { Room, RoomRefusal } from "../../ipc";
import { useHallway } from "../../state/context";
import { createSubmit, DialogError } from "../people/PeopleDialogs";
import { TextField } from "../shared/TextField";

/** A nickname to offer when ours is taken: ours with a number after it. */
export function anotherNick(nick: string): string {
  const m = /^(.*?)(\d+)$/.exec(nick);
  return m ? `${m[1]}${Number(m[2]) + 1}` : `${nick}2`;
}

export function RoomTrouble(props: { room: Room; reason: RoomRefusal }) {
  const { rooms } = useHallway();
  const { busy, error, run } = createSubmit();
  // Offered once, from the nickname the room refused; then the user's to edit.
  const [nick, setNick] = createSignal(untrack(() => anotherNick(props.room.nick)));
  const [password, setPassword] = createSignal("");

  async function join(e: SubmitEvent) {
    e.preventDefault();
    if (busy()) return;
    const room = props.room.room;
    const as = props.reason === "nicknameTaken" ? nick().trim() : props.room.nick;
    const secret = props.reason === "passwordRequired" ? password() : null;
    await run(() => rooms.join(room, as, secret));
  }

  return (
    <Show when={props.reason !== "banned"}>
      <form class="room-trouble" aria-label="Join again" noValidate onSubmit={(e) => void join(e)}>
        <Show when={props.reason === "nicknameTaken"}>
          <TextField label="Nickname" plain maxLength={64} value={nick()} onInput={setNick} />
        </Show>
        <Show when={props.reason === "passwordRequired"}>
          <TextField
            label="Room password"
            secret
            maxLength={256}
            value={password()}
            onInput={setPassword}
          />
        </Show>
        <button
          type="submit"
          class="button button--primary"
          disabled={busy()}
          aria-busy={busy() ? "true" : undefined}
        >
          {props.reason === "nicknameTaken" ? "Join as this nickname" : "Join again"}
        </button>
        <DialogError message={error()} />
      </form>
    </Show>
  );
}
