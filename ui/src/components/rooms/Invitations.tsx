// Invitations to rooms (XEP-0249, XEP-0045 §7.8.2): who invites (their contact name, or their
// address when they are a stranger), to which room, why, with `Join` and `Decline`. Contacts'
// invitations sit in the Rooms section; strangers' under Requests. All of it is strangers' text,
// shown as text; joining is always the user's click.
import { createSignal, For, Show } from "solid-js";
import type { Invitation } from "../../ipc";
import { errorMessage } from "../../ipc";
import { useHallway } from "../../state/context";
import { defaultNick } from "./JoinRoomDialog";

/** "Ann Lee invites you to sales@rooms.example.com" */
export function invitationWords(inv: Invitation): string {
  return `${inv.inviterName ?? inv.inviter} invites you to ${inv.room}`;
}

export function Invitations(props: { strangers?: boolean; label: string }) {
  const { rooms, conversations, session } = useHallway();
  const list = () => rooms.invitations(!props.strangers);
  const [error, setError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal<string | null>(null);

  async function answer(inv: Invitation, join: boolean) {
    if (busy()) return;
    setBusy(inv.room);
    setError(null);
    try {
      if (join) {
        const name = await rooms.myName();
        await rooms.accept(inv.room, defaultNick(name, session.state.account));
        conversations.open(inv.room);
      } else {
        await rooms.decline(inv.room);
      }
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(null);
    }
  }

  return (
    <Show when={list().length > 0}>
      <ul class="invitations" aria-label={props.label}>
        <For each={list()}>
          {(inv) => (
            <li class="invitation" aria-label={invitationWords(inv)}>
              <p class="invitation-text">
                <span class="invitation-who">{inv.inviterName ?? inv.inviter}</span> invites you to{" "}
                <span class="invitation-room">{inv.room}</span>
              </p>
              <Show when={inv.reason}>
                {(reason) => <p class="invitation-reason">“{reason()}”</p>}
              </Show>
              <div class="invitation-actions">
                <button
                  type="button"
                  class="button button--primary"
                  aria-label={`Join ${inv.room}`}
                  disabled={busy() !== null}
                  onClick={() => void answer(inv, true)}
                >
                  Join
                </button>
                <button
                  type="button"
                  class="button button--secondary"
                  aria-label={`Decline ${inv.room}`}
                  disabled={busy() !== null}
                  onClick={() => void answer(inv, false)}
                >
                  Decline
                </button>
              </div>
            </li>
          )}
        </For>
      </ul>
      <Show when={error()}>
        {(message) => (
          <p class="field-error" role="alert">
            {message()}
          </p>
        )}
      </Show>
    </Show>
  );
}
