// A one-off notice from the backend for the signed-in window (the history database had to be
// started afresh, the password could not be saved…), until the user dismisses it.
import { Show } from "solid-js";
import { useHallway } from "../../state/context";

export function NoticeBanner() {
  const { session } = useHallway();
  return (
    <Show when={session.state.notice}>
      {(text) => (
        <div class="notice notice--banner" role="alert">
          <p>{text()}</p>
          <button
            type="button"
            class="button button--quiet"
            aria-label="Dismiss notice"
            onClick={() => session.dismissNotice()}
          >
            Dismiss
          </button>
        </div>
      )}
    </Show>
  );
}
