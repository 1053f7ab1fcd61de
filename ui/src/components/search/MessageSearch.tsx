// Message search: the "Search messages" field, the "Search results" list (each hit with its
// contact's presence as dot and word), opening a hit in its conversation, and the server search
// below the local results.
import { createEffect, createSignal, For, Match, Show, Switch } from "solid-js";
import type { SearchResult } from "../../ipc";
import { useHallway } from "../../state/context";
import { HitButton } from "./HitButton";
import { SERVER_RESULTS_ID, ServerResults } from "./ServerResults";

const RESULTS_ID = "search-results";
/** The backend returns at most this many results. */
const MAX_RESULTS = 100;

/** The hits in both lists, local first, in the order arrow keys walk them. */
function resultButtons(): HTMLElement[] {
  return [
    ...document.querySelectorAll<HTMLElement>(
      `#${RESULTS_ID} button.search-hit, #${SERVER_RESULTS_ID} button.search-hit`,
    ),
  ];
}

/** "Search messages" box at the top of the sidebar. Escape clears it; ↓ moves into the results. */
export function SearchBox() {
  const { search } = useHallway();
  const resultLists = () => {
    if (!search.active()) return undefined;
    const ids = [
      search.state.results.length > 0 ? RESULTS_ID : null,
      search.server.state.hits.length > 0 ? SERVER_RESULTS_ID : null,
    ].filter((id) => id !== null);
    return ids.length > 0 ? ids.join(" ") : undefined;
  };
  return (
    <div class="search" role="search">
      <svg class="search-icon" viewBox="0 0 16 16" aria-hidden="true">
        <circle cx="7" cy="7" r="4.5" />
        <path d="M10.5 10.5 14 14" />
      </svg>
      <input
        id="message-search"
        type="search"
        class="search-input"
        aria-label="Search messages"
        placeholder="Search messages"
        autocomplete="off"
        spellcheck={false}
        maxLength={1000}
        value={search.state.query}
        aria-controls={resultLists()}
        onInput={(e) => search.setQuery(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === "Escape") {
            if (search.state.query !== "") {
              e.preventDefault();
              search.clear();
            }
          } else if (e.key === "ArrowDown") {
            const first = resultButtons()[0];
            if (first) {
              e.preventDefault();
              first.focus();
            }
          }
        }}
      />
    </div>
  );
}

/** What the sidebar shows instead of the contacts while the search box is not blank. */
export function SearchResults() {
  const { search, session } = useHallway();
  const [opened, setOpened] = createSignal<number | null>(null);
  const results = () => search.state.results;
  const searching = () => search.state.status === "searching";

  // Whether the server can search is asked the first time this shows while online (once per
  // connection: the store forgets the answer when the connection drops).
  createEffect(() => {
    if (session.state.connection.state === "online") search.server.ensureCapability();
  });

  const summary = () => {
    const n = results().length;
    if (searching()) return "Searching…";
    if (search.state.status === "error") return "";
    if (n === 0) return "No messages found";
    if (n >= MAX_RESULTS) return `Showing the ${n} newest matches`;
    return n === 1 ? "1 message found" : `${n} messages found`;
  };

  function onKeyDown(e: KeyboardEvent) {
    const buttons = resultButtons();
    const index = buttons.indexOf(e.target as HTMLElement);
    if (index === -1) return;
    let next: HTMLElement | undefined;
    if (e.key === "ArrowDown") next = buttons[index + 1];
    else if (e.key === "ArrowUp") next = index === 0 ? undefined : buttons[index - 1];
    else if (e.key === "Home") next = buttons[0];
    else if (e.key === "End") next = buttons[buttons.length - 1];
    else if (e.key !== "Escape") return;
    e.preventDefault();
    if (next) next.focus();
    else if (e.key === "ArrowUp" || e.key === "Escape") {
      document.getElementById("message-search")?.focus();
    }
  }

  return (
    <div class="search-pane">
      <p
        class="search-summary"
        classList={{ "search-summary--empty": summary() === "" }}
        aria-live="polite"
      >
        <Show when={searching()}>
          <span class="spinner" aria-hidden="true" />
        </Show>
        {summary()}
      </p>
      <div class="search-scroll">
        <Switch>
          <Match when={search.state.status === "error"}>
            <p class="search-error" role="alert">
              Search failed: {search.state.error}
            </p>
          </Match>
          <Match when={results().length > 0}>
            <ul
              id={RESULTS_ID}
              role="list"
              aria-label="Search results"
              aria-busy={searching() ? "true" : undefined}
              class="search-results"
              classList={{ "search-results--stale": searching() }}
              onKeyDown={onKeyDown}
            >
              <For each={results()}>
                {(r) => (
                  <li class="search-results-item">
                    <SearchHit
                      result={r}
                      current={opened() === r.message.id}
                      onOpen={() => setOpened(r.message.id)}
                    />
                  </li>
                )}
              </For>
            </ul>
          </Match>
        </Switch>
        <ServerResults onKeyDown={onKeyDown} />
      </div>
    </div>
  );
}

/** A local result: opens its conversation at the message. */
function SearchHit(props: { result: SearchResult; current: boolean; onOpen: () => void }) {
  const { conversations } = useHallway();
  const message = () => props.result.message;
  return (
    <HitButton
      peer={message().peer}
      direction={message().direction}
      timestamp={message().timestamp}
      snippet={props.result.snippet}
      sender={message().sender}
      current={props.current}
      onClick={() => {
        props.onOpen();
        void conversations.openAt(message().peer, message().id);
      }}
    />
  );
}
