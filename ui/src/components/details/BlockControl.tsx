// Block / Unblock in the contact details panel; blocking asks first ("Block contact").
import { createSignal, Show } from "solid-js";
import { errorMessage } from "../../ipc";
import { useHallway } from "../../state/context";
import { BlockContactDialog } from "../people/PeopleDialogs";

export function BlockControl(props: { jid: string; blocked: boolean }) {
  const { people } = useHallway();
  const [confirming, setConfirming] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  let button!: HTMLButtonElement;

  async function unblock() {
    setBusy(true);
    setError(null);
    try {
      await people.unblock(props.jid);
    } catch (e) {
      setError(`Could not unblock: ${errorMessage(e)}`);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="details-block">
      <button
        ref={button}
        type="button"
        class={props.blocked ? "button button--secondary" : "button button--danger"}
        disabled={busy()}
        onClick={() => {
          if (props.blocked) {
            void unblock();
          } else {
            setError(null);
            setConfirming(true);
          }
        }}
      >
        {props.blocked ? "Unblock" : "Block"}
      </button>
      <Show when={error()}>
        {(message) => (
          <p class="field-error" role="alert">
            {message()}
          </p>
        )}
      </Show>
      <Show when={confirming()}>
        <BlockContactDialog jid={props.jid} opener={button} onClose={() => setConfirming(false)} />
      </Show>
    </div>
  );
}
