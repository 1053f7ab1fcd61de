// My status: the chosen availability, the status message, and what automatic away shows on top.
import { createEffect, createSignal, createUniqueId, For, Show } from "solid-js";
import type { MyShow } from "../../ipc";
import { MY_SHOW_OPTIONS } from "../../lib/presence";
import { useHallway } from "../../state/context";

/**
 * "My status" select and "Status message" input → setMyPresence. While automatic away lowers
 * an Available or Away status, says so ("Away (inactive)") without changing the choice.
 */
export function MyStatusControl() {
  const { session } = useHallway();
  const id = createUniqueId();
  const [draft, setDraft] = createSignal(session.state.myPresence.status);
  const [error, setError] = createSignal<string | null>(null);

  /** What contacts see instead of the chosen status because we are inactive, if anything. */
  const autoAway = (): "away" | "xa" | null => {
    const auto = session.state.autoAwayState;
    const show = session.state.myPresence.show;
    if (auto === "off" || (show !== "available" && show !== "away")) return null;
    return auto;
  };

  // Follow changes made elsewhere (myPresenceChanged) unless the user is typing.
  let editing = false;
  createEffect(() => {
    const status = session.state.myPresence.status;
    if (!editing) setDraft(status);
  });

  async function apply(show: MyShow, status: string) {
    setError(null);
    try {
      await session.setMyPresence({ show, status });
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }

  function commitStatus() {
    editing = false;
    const status = draft().trim();
    if (status === session.state.myPresence.status) return;
    void apply(session.state.myPresence.show, status);
  }

  return (
    <div class="my-status">
      <span
        class={`presence-dot presence-dot--${autoAway() ?? session.state.myPresence.show}`}
        aria-hidden="true"
      />
      <div class="my-status-choice">
        <select
          class="my-status-show"
          aria-label="My status"
          aria-describedby={autoAway() ? `${id}-auto` : undefined}
          value={session.state.myPresence.show}
          onChange={(e) => void apply(e.currentTarget.value as MyShow, draft().trim())}
        >
          <For each={MY_SHOW_OPTIONS}>
            {(o) => (
              <option value={o.value} selected={o.value === session.state.myPresence.show}>
                {o.label}
              </option>
            )}
          </For>
        </select>
        <Show when={autoAway()}>
          {(auto) => (
            <p
              id={`${id}-auto`}
              class="my-status-auto"
              title="You have been inactive: contacts see you as away until you are back."
            >
              {auto() === "xa" ? "Extended away (inactive)" : "Away (inactive)"}
            </p>
          )}
        </Show>
      </div>
      <input
        class="my-status-message"
        type="text"
        aria-label="Status message"
        placeholder="What are you working on?"
        maxLength={200}
        value={draft()}
        onFocus={() => (editing = true)}
        onInput={(e) => setDraft(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter") {
            e.preventDefault();
            commitStatus();
          } else if (e.key === "Escape") {
            setDraft(session.state.myPresence.status);
          }
        }}
        onBlur={commitStatus}
        aria-describedby={error() ? `${id}-error` : undefined}
      />
      {error() && (
        <p id={`${id}-error`} class="field-error" role="alert">
          {error()}
        </p>
      )}
    </div>
  );
}
