import { createEffect, createSignal, createUniqueId, For } from "solid-js";
import type { MyShow } from "../../ipc";
import { MY_SHOW_OPTIONS } from "../../lib/presence";
import { useHallway } from "../../state/context";

/** "My status" select and "Status message" input → setMyPresence. */
export function MyStatusControl() {
  const { session } = useHallway();
  const id = createUniqueId();
  const [draft, setDraft] = createSignal(session.state.myPresence.status);
  const [error, setError] = createSignal<string | null>(null);

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
        class={`presence-dot presence-dot--${session.state.myPresence.show}`}
        aria-hidden="true"
      />
      <select
        class="my-status-show"
        aria-label="My status"
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
