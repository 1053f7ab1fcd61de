// Message search: the "Search messages" field, the "Search results" list (each hit with its
// contact's presence as dot and word) and opening a hit in its conversation.
import { createMemo, createSignal, For, Match, Show, Switch } from "solid-js";
import type { SearchResult } from "../../ipc";
import { presenceWord } from "../../lib/presence";
import { excerpt, segmentsText, splitSnippet } from "../../lib/snippet";
import { formatFullDate, formatWhen, isoDate } from "../../lib/time";
import { useHallway } from "../../state/context";
import { PresenceDot } from "../shared/PresenceDot";

const RESULTS_ID = "search-results";
/** The backend returns at most this many results. */
const MAX_RESULTS = 100;

function resultButtons(): HTMLElement[] {
  const list = document.getElementById(RESULTS_ID);
  return list ? [...list.querySelectorAll<HTMLElement>("button.search-hit")] : [];
}

/** "Search messages" box at the top of the sidebar. Escape clears it; ↓ moves into the results. */
export function SearchBox() {
  const { search } = useHallway();
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
        aria-controls={search.active() && search.state.results.length > 0 ? RESULTS_ID : undefined}
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
  const { search } = useHallway();
  const [opened, setOpened] = createSignal<number | null>(null);
  const results = () => search.state.results;
  const searching = () => search.state.status === "searching";

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
    </div>
  );
}

/** One result: contact, time and the text around the match, matches in <mark> (text nodes). */
function SearchHit(props: { result: SearchResult; current: boolean; onOpen: () => void }) {
  const { contacts, conversations } = useHallway();
  const message = () => props.result.message;
  const name = () => contacts.contact(message().peer)?.displayName ?? message().peer;
  // Presence of the contact (never colour alone: the word is part of the text and the name).
  const presence = () => contacts.contact(message().peer)?.presence ?? null;
  const outgoing = () => message().direction === "outgoing";
  const segments = createMemo(() => excerpt(splitSnippet(props.result.snippet)));
  const label = () => {
    const show = presence();
    const who = show ? `${name()}, ${presenceWord(show)}` : name();
    return `${who}, ${formatFullDate(message().timestamp)}, ${outgoing() ? "You: " : ""}${segmentsText(segments())}`;
  };

  return (
    <button
      type="button"
      class="search-hit"
      classList={{ "search-hit--current": props.current }}
      aria-label={label()}
      aria-current={props.current ? "true" : undefined}
      title={message().peer}
      onClick={() => {
        props.onOpen();
        void conversations.openAt(message().peer, message().id);
      }}
    >
      <span class="search-hit-top">
        <span class="search-hit-name">{name()}</span>
        <Show when={presence()}>
          {(show) => (
            <span class="search-hit-presence">
              <PresenceDot show={show()} />
              {presenceWord(show())}
            </span>
          )}
        </Show>
        <time
          class="search-hit-time"
          dateTime={isoDate(message().timestamp)}
          title={formatFullDate(message().timestamp)}
        >
          {formatWhen(message().timestamp)}
        </time>
      </span>
      <span class="search-hit-text">
        <Show when={outgoing()}>
          <span class="search-hit-you">You: </span>
        </Show>
        <For each={segments()}>
          {(s) => (s.match ? <mark class="search-mark">{s.text}</mark> : s.text)}
        </For>
      </span>
    </button>
  );
}
