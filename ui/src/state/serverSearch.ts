// "Search on server": whether the server can search its archive's text (XEP-0431), the pages of
// matches it found for the current query, and opening one (fetching its history first).
import { untrack } from "solid-js";
import { createStore } from "solid-js/store";
import { api, errorMessage } from "../ipc";
import type { ServerSearchHit } from "../ipc";

/** Whether the server searches text: not asked yet, being asked, or the answer. */
export type ServerCapability = "unknown" | "asking" | "yes" | "no";

/** `searching`: the first page is on its way; `loadingOlder`: a further page is. */
export type ServerSearchStatus = "idle" | "searching" | "loadingOlder" | "ready" | "error";

export type ServerSearchState = {
  capability: ServerCapability;
  status: ServerSearchStatus;
  /** The (trimmed) query the hits answer, or are being searched for; "" when idle. */
  query: string;
  /** Newest first; older pages are appended. */
  hits: ServerSearchHit[];
  /** Where the next, older page starts (null: no more). */
  older: string | null;
  error: string | null;
  /** The archive id of the hit being fetched from the server. */
  opening: string | null;
  /** The archive id of the hit last opened. */
  opened: string | null;
  openError: string | null;
};

const cleared = {
  status: "idle",
  query: "",
  hits: [],
  older: null,
  error: null,
  opening: null,
  opened: null,
  openError: null,
} satisfies Omit<ServerSearchState, "capability">;

/**
 * Server search. The capability is asked once (ensureCapability) until resetCapability (the
 * connection dropped); only the answer to the latest search is shown, and clearing forgets the
 * hits and any answer still on its way.
 */
export function createServerSearchStore() {
  const [state, setState] = createStore<ServerSearchState>({ capability: "unknown", ...cleared });
  let askGeneration = 0;
  let generation = 0;
  let openGeneration = 0;

  /** Asks the server whether it can search, unless it was asked since the last reset. */
  function ensureCapability() {
    if (untrack(() => state.capability) !== "unknown") return;
    const mine = ++askGeneration;
    setState("capability", "asking");
    api.canSearchServer().then(
      (can) => {
        if (mine === askGeneration) setState("capability", can ? "yes" : "no");
      },
      (e: unknown) => {
        console.warn("Hallway: canSearchServer failed", e);
        if (mine === askGeneration) setState("capability", "no");
      },
    );
  }

  /** Forget the answer (a new connection may reach a different server): ask again when needed. */
  function resetCapability() {
    askGeneration++;
    setState("capability", "unknown");
  }

  async function fetchPage(query: string, older: string | null, mine: number) {
    try {
      const page = await api.searchServer(query, older);
      if (mine !== generation) return;
      setState((s) => ({
        status: "ready",
        hits: older === null ? page.hits : [...s.hits, ...page.hits],
        older: page.older,
        error: null,
      }));
    } catch (e) {
      if (mine !== generation) return;
      // The pages already shown stay; `older` stays so the same page can be asked again.
      setState({ status: "error", error: errorMessage(e) });
    }
  }

  /** Searches the server for `query` (trimmed), replacing any earlier server results. */
  function search(query: string): Promise<void> {
    const trimmed = query.trim();
    clear();
    if (trimmed === "") return Promise.resolve();
    const mine = generation;
    setState({ status: "searching", query: trimmed });
    return fetchPage(trimmed, null, mine);
  }

  /** Appends the next, older page of the current search. */
  function loadOlder(): Promise<void> {
    const older = state.older;
    const busy = state.status === "searching" || state.status === "loadingOlder";
    if (older === null || state.query === "" || busy) return Promise.resolve();
    const mine = ++generation;
    setState({ status: "loadingOlder", error: null });
    return fetchPage(state.query, older, mine);
  }

  /** Forgets the server results; answers on their way are ignored, and so is a hit opening. */
  function clear() {
    generation++;
    openGeneration++;
    setState({ ...cleared });
  }

  /** The search box now says `query` (trimmed): results for other words go. */
  function queryChanged(query: string) {
    if (query !== state.query) clear();
  }

  /**
   * Brings `hit` into local history, then hands its local id to `openAt` (which shows it). Only
   * the latest click opens, and nothing opens if the results were cleared meanwhile.
   */
  async function open(
    hit: ServerSearchHit,
    openAt: (peer: string, id: number) => Promise<void>,
  ): Promise<void> {
    if (state.opening === hit.archiveId) return;
    const mine = ++openGeneration;
    setState({ opening: hit.archiveId, openError: null });
    let id: number;
    try {
      id = await api.fetchArchivedMessage(hit.peer, hit.archiveId, hit.originId);
    } catch (e) {
      if (mine === openGeneration) setState({ opening: null, openError: errorMessage(e) });
      return;
    }
    if (mine !== openGeneration) return;
    setState({ opening: null, opened: hit.archiveId });
    await openAt(hit.peer, id);
  }

  return {
    state,
    ensureCapability,
    resetCapability,
    search,
    loadOlder,
    clear,
    queryChanged,
    open,
    dispose: () => {
      askGeneration++;
      generation++;
      openGeneration++;
    },
  };
}

export type ServerSearchStore = ReturnType<typeof createServerSearchStore>;
