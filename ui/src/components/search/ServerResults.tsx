// "Search on server" below the local results: the button, the "Server results" list with its
// status and errors, "Show older results", and opening a hit (fetched from the archive first).
import { For, Show } from "solid-js";
import { useHallway } from "../../state/context";
import { HitButton } from "./HitButton";

export const SERVER_RESULTS_ID = "server-results";

/**
 * Runs `action` for a button that may go away when it is done; if the button had the focus and
 * nothing else took it, the focus moves to `next()` (else the search box), not to the page.
 */
async function keepingFocus(
  button: HTMLElement | undefined,
  action: () => Promise<void>,
  next: () => HTMLElement | undefined,
) {
  const hadFocus = button !== undefined && document.activeElement === button;
  await action();
  if (!hadFocus || button.isConnected) return;
  const active = document.activeElement;
  if (active && active !== document.body) return;
  (next() ?? document.getElementById("message-search"))?.focus();
}

function serverHitButtons(): HTMLElement[] {
  const list = document.getElementById(SERVER_RESULTS_ID);
  return list ? [...list.querySelectorAll<HTMLElement>("button.search-hit")] : [];
}

/** Shown only when the server can search its archive (asked by the search pane). */
export function ServerResults(props: { onKeyDown: (e: KeyboardEvent) => void }) {
  const { search, conversations } = useHallway();
  const server = search.server;
  const capable = () => server.state.capability === "yes";
  const status = () => server.state.status;
  const searching = () => status() === "searching";
  const loadingOlder = () => status() === "loadingOlder";
  const hits = () => server.state.hits;
  let searchButton: HTMLButtonElement | undefined;
  let olderButton: HTMLButtonElement | undefined;

  const summary = () => {
    if (searching() || loadingOlder()) return "Searching the server…";
    if (status() !== "ready") return "";
    const n = hits().length;
    if (n === 0) return "No older messages found on the server";
    return n === 1 ? "1 message found on the server" : `${n} messages found on the server`;
  };

  // A failed first page offers the search again; a failed older page offers that page again.
  const showSearch = () =>
    capable() &&
    (status() === "idle" || searching() || (status() === "error" && hits().length === 0));
  const showOlder = () => capable() && server.state.older !== null && !searching();

  // Each button makes way when it is done: keyboard users go on at the first new hit.
  function startSearch() {
    if (searching()) return;
    void keepingFocus(
      searchButton,
      () => server.search(search.state.query),
      () => serverHitButtons()[0],
    );
  }

  function showOlderResults() {
    const before = hits().length;
    void keepingFocus(olderButton, server.loadOlder, () => serverHitButtons()[before]);
  }

  return (
    <div class="server-search">
      <Show when={status() !== "idle"}>
        <h3 class="server-search-heading">On the server</h3>
      </Show>
      <p
        class="search-summary"
        classList={{ "search-summary--empty": summary() === "" }}
        role="status"
      >
        <Show when={searching() || loadingOlder()}>
          <span class="spinner" aria-hidden="true" />
        </Show>
        {summary()}
      </p>
      <Show when={status() === "error"}>
        <p class="search-error" role="alert">
          Server search failed: {server.state.error}
        </p>
      </Show>
      <Show when={server.state.openError}>
        {(message) => (
          <p class="search-error" role="alert">
            Could not open that message: {message()}
          </p>
        )}
      </Show>
      <Show when={hits().length > 0}>
        <ul
          id={SERVER_RESULTS_ID}
          role="list"
          aria-label="Server results"
          aria-busy={loadingOlder() ? "true" : undefined}
          class="search-results"
          onKeyDown={(e) => props.onKeyDown(e)}
        >
          <For each={hits()}>
            {(hit) => (
              <li class="search-results-item">
                <HitButton
                  peer={hit.peer}
                  direction={hit.direction}
                  timestamp={hit.timestamp}
                  snippet={hit.snippet}
                  current={server.state.opened === hit.archiveId}
                  busy={server.state.opening === hit.archiveId}
                  onClick={() =>
                    void server.open(hit, async (peer, id) => {
                      await conversations.openAt(peer, id);
                      // The match and what came with it are local now: the local list says so.
                      search.refresh();
                    })
                  }
                />
              </li>
            )}
          </For>
        </ul>
      </Show>
      <Show when={showOlder()}>
        <div class="server-search-actions">
          <button
            ref={olderButton}
            type="button"
            class="button button--quiet"
            aria-disabled={loadingOlder() ? "true" : undefined}
            onClick={showOlderResults}
          >
            <Show when={loadingOlder()}>
              <span class="spinner" aria-hidden="true" />
            </Show>
            Show older results
          </button>
        </div>
      </Show>
      <Show when={showSearch()}>
        <div class="server-search-actions">
          <button
            ref={searchButton}
            type="button"
            class="button button--quiet"
            aria-disabled={searching() ? "true" : undefined}
            onClick={startSearch}
          >
            <Show when={searching()}>
              <span class="spinner" aria-hidden="true" />
            </Show>
            Search on server
          </button>
        </div>
      </Show>
    </div>
  );
}
