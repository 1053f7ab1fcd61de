// "Blocked people" in the Settings panel: every address on our XEP-0191 block list, contacts and
// strangers alike (a blocked stranger is shown nowhere else), each with an Unblock button.
import { createEffect, createMemo, createSignal, For, Show } from "solid-js";
import { errorMessage } from "../../ipc";
import { useHallway } from "../../state/context";

const collator = new Intl.Collator(undefined, { sensitivity: "base", numeric: true });

/**
 * The block list sorted by address. A row leaves when the backend sends the new list
 * (blocklistChanged, after the server confirmed), never before.
 */
export function BlockedPeople() {
  const { people, contacts } = useHallway();
  const [busy, setBusy] = createSignal<ReadonlySet<string>>(new Set());
  const [error, setError] = createSignal<string | null>(null);
  const blocked = createMemo(() => [...people.state.blocked].sort(collator.compare));
  let list: HTMLUListElement | undefined;
  let empty: HTMLParagraphElement | undefined;
  /** The row whose Unblock was pressed: when it goes, focus moves to its neighbour. */
  let leaving: { jid: string; index: number } | null = null;

  createEffect(() => {
    const jids = blocked();
    if (!leaving || jids.includes(leaving.jid)) return;
    const { index } = leaving;
    leaving = null;
    // Only when the focus went with the removed button (the user may have moved on).
    const active = document.activeElement;
    if (active && active !== document.body && active.isConnected) return;
    const buttons = list?.isConnected ? list.querySelectorAll("button") : [];
    const next = buttons[Math.min(index, buttons.length - 1)];
    if (next) next.focus();
    else if (empty?.isConnected) empty.focus();
  });

  async function unblock(jid: string, index: number) {
    if (busy().has(jid)) return;
    setBusy((s) => new Set(s).add(jid));
    setError(null);
    leaving = { jid, index };
    try {
      await people.unblock(jid);
    } catch (e) {
      if (leaving?.jid === jid) leaving = null;
      setError(`Could not unblock ${jid}: ${errorMessage(e)}`);
    } finally {
      setBusy((s) => {
        const rest = new Set(s);
        rest.delete(jid);
        return rest;
      });
    }
  }

  /** The contact's name when the address is in the contact list (and differs from it). */
  const nameOf = (jid: string) => {
    const name = contacts.contact(jid)?.displayName;
    return name && name !== jid ? name : null;
  };

  return (
    <fieldset class="settings-group">
      <legend class="settings-title">Blocked people</legend>
      <Show
        when={blocked().length > 0}
        fallback={
          <p ref={empty} class="field-hint blocked-empty" tabIndex={-1}>
            You have not blocked anyone.
          </p>
        }
      >
        <ul ref={list} role="list" class="blocked-list" aria-label="Blocked people">
          <For each={blocked()}>
            {(jid, index) => {
              const pending = () => busy().has(jid);
              return (
                <li class="blocked-person">
                  <span class="blocked-person-text">
                    <Show when={nameOf(jid)}>
                      {(name) => (
                        <span class="blocked-person-name" dir="auto">
                          {name()}
                        </span>
                      )}
                    </Show>
                    <span class="blocked-person-jid">{jid}</span>
                  </span>
                  {/* aria-disabled rather than disabled: a disabled button would drop the focus. */}
                  <button
                    type="button"
                    class="button button--quiet button--small"
                    aria-label={`Unblock ${jid}`}
                    aria-disabled={pending() ? "true" : undefined}
                    aria-busy={pending() ? "true" : undefined}
                    onClick={() => void unblock(jid, index())}
                  >
                    <Show when={pending()}>
                      <span class="spinner" aria-hidden="true" />
                    </Show>
                    Unblock
                  </button>
                </li>
              );
            }}
          </For>
        </ul>
      </Show>
      <Show when={error()}>
        {(message) => (
          <p class="field-error" role="alert">
            {message()}
          </p>
        )}
      </Show>
    </fieldset>
  );
}
