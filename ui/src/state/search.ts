import { createStore } from "solid-js/store";
import { api, errorMessage } from "../ipc";
import type { SearchResult } from "../ipc";
import { createServerSearchStore } from "./serverSearch";

/** Typing pauses this long (ms) before the search runs. */
export const SEARCH_DELAY_MS = 200;

export type SearchStatus = "idle" | "searching" | "ready" | "error";

export type SearchState = {
  /** What is in the search box. */
  query: string;
  status: SearchStatus;
  /** Newest first; kept while the next search runs so the list does not flicker. */
  results: SearchResult[];
  /** The query `results` answer. */
  resultsFor: string;
  error: string | null;
};

/**
 * Message search: debounced, and only the answer to the latest query is shown. `server` searches
 * the server's archive on request; other words in the box clear its results.
 */
export function createSearchStore(opts: { delay?: number } = {}) {
  const delay = opts.delay ?? SEARCH_DELAY_MS;
  const [state, setState] = createStore<SearchState>({
    query: "",
    status: "idle",
    results: [],
    resultsFor: "",
    error: null,
  });
  const server = createServerSearchStore();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let generation = 0;

  async function run(query: string, mine: number) {
    try {
      const results = await api.searchMessages(query);
      if (mine !== generation) return;
      setState({ status: "ready", results, resultsFor: query, error: null });
    } catch (e) {
      if (mine !== generation) return;
      setState({ status: "error", results: [], resultsFor: query, error: errorMessage(e) });
    }
  }

  /** The search box changed: search after a pause; an empty box clears the results. */
  function setQuery(query: string) {
    clearTimeout(timer);
    const mine = ++generation;
    const trimmed = query.trim();
    server.queryChanged(trimmed);
    if (trimmed === "") {
      setState({ query, status: "idle", results: [], resultsFor: "", error: null });
      return;
    }
    setState({ query, status: "searching" });
    timer = setTimeout(() => void run(trimmed, mine), delay);
  }

  /** Searches the local copy again with the same words (a server hit just brought messages in);
   * the server's results stay. */
  function refresh() {
    const trimmed = state.query.trim();
    if (trimmed === "") return;
    clearTimeout(timer);
    void run(trimmed, ++generation);
  }

  return {
    state,
    server,
    setQuery,
    refresh,
    clear: () => setQuery(""),
    /** Whether the sidebar shows search results (the box is not blank). */
    active: () => state.query.trim() !== "",
    dispose: () => {
      clearTimeout(timer);
      generation++;
      server.dispose();
    },
  };
}

export type SearchStore = ReturnType<typeof createSearchStore>;
