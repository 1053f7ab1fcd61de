// The account header: our picture ("Edit my profile"), address, connection state, settings,
// Sign out and My status.
import { createSignal, Show } from "solid-js";
import { errorMessage } from "../../ipc";
import { useHallway } from "../../state/context";
import { MyProfileDialog } from "../profile/MyProfileDialog";
import { Avatar } from "../shared/Avatar";
import { ConnectionStatus } from "./ConnectionStatus";
import { MyStatusControl } from "./MyStatusControl";
import { SettingsMenu } from "./SettingsMenu";

export function AccountHeader() {
  const { session, people } = useHallway();
  const [busy, setBusy] = createSignal(false);
  const [editing, setEditing] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  let profileButton!: HTMLButtonElement;

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
        <button
          ref={profileButton}
          type="button"
          class="account-avatar"
          aria-label="Edit my profile"
          title="Edit my profile"
          aria-haspopup="dialog"
          onClick={() => setEditing(true)}
        >
          <Avatar
            jid={session.state.account ?? ""}
            name=""
            src={people.avatarUrl(session.state.myAvatar)}
            class="avatar--large"
          />
        </button>
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
      <Show when={editing()}>
        <MyProfileDialog onClose={() => setEditing(false)} opener={() => profileButton} />
      </Show>
    </header>
  );
}
