import { createSignal } from "solid-js";
import { errorMessage } from "../../ipc";
import { useHallway } from "../../state/context";
import { ConnectionStatus } from "./ConnectionStatus";
import { MyStatusControl } from "./MyStatusControl";
import { SettingsMenu } from "./SettingsMenu";

export function AccountHeader() {
  const { session } = useHallway();
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);

  async function signOut() {
    setBusy(true);
    setError(null);
    try {
      await session.signOut();
    } catch (e) {
      setError(errorMessage(e));
      setBusy(false);
    }
  }

  return (
    <header class="account">
      <div class="account-top">
        <div class="account-id">
          <p class="account-address" title={session.state.account ?? ""}>
            {session.state.account}
          </p>
          <ConnectionStatus />
        </div>
        <SettingsMenu />
        <button
          type="button"
          class="button button--quiet"
          onClick={() => void signOut()}
          disabled={busy()}
        >
          Sign out
        </button>
      </div>
      <MyStatusControl />
      {error() && (
        <p class="field-error" role="alert">
          {error()}
        </p>
      )}
    </header>
  );
}
