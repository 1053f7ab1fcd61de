import { createSignal, createUniqueId, onCleanup, Show } from "solid-js";
import { errorMessage } from "../../ipc";
import { useHallway } from "../../state/context";

/** "Settings" button opening a small panel (a disclosure): notification preview choice. */
export function SettingsMenu() {
  const { session } = useHallway();
  const id = createUniqueId();
  const [open, setOpen] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  let root!: HTMLDivElement;
  let toggle!: HTMLButtonElement;

  function close(refocus: boolean) {
    setOpen(false);
    if (refocus) toggle.focus();
  }

  // Clicking anywhere else closes the panel.
  const onPointerDown = (e: PointerEvent) => {
    if (open() && !root.contains(e.target as Node)) close(false);
  };
  document.addEventListener("pointerdown", onPointerDown);
  onCleanup(() => document.removeEventListener("pointerdown", onPointerDown));

  async function setPreviews(show: boolean) {
    setError(null);
    try {
      await session.setNotificationPreviews(show);
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  return (
    <div
      ref={root}
      class="settings"
      onKeyDown={(e) => {
        if (e.key === "Escape" && open()) {
          e.preventDefault();
          close(true);
        }
      }}
    >
      <button
        ref={toggle}
        type="button"
        class="button button--quiet button--icon"
        aria-label="Settings"
        title="Settings"
        aria-expanded={open() ? "true" : "false"}
        aria-controls={`${id}-panel`}
        onClick={() => setOpen(!open())}
      >
        <svg class="settings-icon" viewBox="0 0 20 20" aria-hidden="true">
          <path d="M8.3 2h3.4l.5 2.3 1.6.9 2.2-.8 1.7 2.9-1.7 1.6v1.8l1.7 1.6-1.7 2.9-2.2-.8-1.6.9-.5 2.3H8.3l-.5-2.3-1.6-.9-2.2.8-1.7-2.9 1.7-1.6V8.9L2.3 7.3 4 4.4l2.2.8 1.6-.9z" />
          <circle cx="10" cy="10" r="2.6" />
        </svg>
      </button>
      <Show when={open()}>
        <div id={`${id}-panel`} class="settings-panel" role="group" aria-labelledby={`${id}-title`}>
          <h2 id={`${id}-title`} class="settings-title">
            Settings
          </h2>
          <div class="field field--checkbox">
            <input
              id={`${id}-previews`}
              type="checkbox"
              checked={session.state.notificationPreviews}
              aria-describedby={`${id}-previews-hint`}
              onChange={(e) => void setPreviews(e.currentTarget.checked)}
            />
            <label for={`${id}-previews`}>Show message text in notifications</label>
          </div>
          <p id={`${id}-previews-hint`} class="field-hint">
            When off, notifications only say who wrote.
          </p>
          <Show when={error()}>
            {(message) => (
              <p class="field-error" role="alert">
                Could not save: {message()}
              </p>
            )}
          </Show>
        </div>
      </Show>
    </div>
  );
}
