import { batch } from "solid-js";
import { createStore, produce, reconcile } from "solid-js/store";
import { api, errorMessage } from "../ipc";
import type { DeliveryState, Message } from "../ipc";
import type { ContactsStore } from "./contacts";

export const PAGE_SIZE = 50;

export type Conversation = {
  peer: string;
  messages: Message[];
  status: "loading" | "ready" | "error";
  error: string | null;
  /** More history may exist before messages[0]. */
  hasMore: boolean;
  loadingOlder: boolean;
  /** Last failure to send or retry, shown above the composer. */
  sendError: string | null;
};

export type ConversationsState = {
  selected: string | null;
  byPeer: Record<string, Conversation>;
};

export type ConversationsOptions = {
  /** Whether the user can see the window (markRead only then). */
  isWindowFocused?: () => boolean;
};

export function createConversationsStore(contacts: ContactsStore, opts: ConversationsOptions = {}) {
  const isFocused = opts.isWindowFocused ?? (() => document.hasFocus());
  const [state, setState] = createStore<ConversationsState>({ selected: null, byPeer: {} });
  /** Which conversation holds a message id (for messageStateChanged). */
  const peerOfMessage = new Map<number, string>();
  let generation = 0;

  function remember(messages: readonly Message[]) {
    for (const m of messages) peerOfMessage.set(m.id, m.peer);
  }

  function markRead(peer: string) {
    contacts.clearUnread(peer);
    api.markRead(peer).catch((e: unknown) => console.warn("Hallway: markRead failed", e));
  }

  async function loadNewest(peer: string) {
    const mine = generation;
    setState("byPeer", peer, {
      peer,
      messages: [],
      status: "loading",
      error: null,
      hasMore: false,
      loadingOlder: false,
      sendError: null,
    });
    try {
      const page = await api.loadHistory(peer, null, PAGE_SIZE);
      if (mine !== generation || !state.byPeer[peer]) return;
      remember(page);
      setState(
        "byPeer",
        peer,
        produce((c) => {
          // Keep messages that arrived by event while the page was loading.
          const ids = new Set(page.map((m) => m.id));
          const extra = c.messages.filter((m) => !ids.has(m.id));
          c.messages = [...page, ...extra];
          c.status = "ready";
          c.hasMore = page.length >= PAGE_SIZE;
        }),
      );
    } catch (e) {
      if (mine !== generation || !state.byPeer[peer]) return;
      setState("byPeer", peer, { status: "error", error: errorMessage(e) });
    }
  }

  /** Select a conversation: loads its newest page (once) and marks it read. */
  function open(peer: string) {
    setState("selected", peer);
    const existing = state.byPeer[peer];
    if (!existing || existing.status === "error") void loadNewest(peer);
    markRead(peer);
  }

  function close() {
    setState("selected", null);
  }

  /** Loads the page before the oldest loaded message. Resolves to the number of messages added. */
  async function loadOlder(peer: string): Promise<number> {
    const conv = state.byPeer[peer];
    if (!conv || conv.status !== "ready" || !conv.hasMore || conv.loadingOlder) return 0;
    const oldest = conv.messages[0];
    if (!oldest) {
      setState("byPeer", peer, "hasMore", false);
      return 0;
    }
    const mine = generation;
    setState("byPeer", peer, "loadingOlder", true);
    try {
      const page = await api.loadHistory(peer, oldest.id, PAGE_SIZE);
      if (mine !== generation || !state.byPeer[peer]) return 0;
      remember(page);
      let added = 0;
      setState(
        "byPeer",
        peer,
        produce((c) => {
          const ids = new Set(c.messages.map((m) => m.id));
          const older = page.filter((m) => !ids.has(m.id));
          added = older.length;
          c.messages = [...older, ...c.messages];
          c.hasMore = page.length >= PAGE_SIZE;
          c.loadingOlder = false;
        }),
      );
      return added;
    } catch (e) {
      if (mine === generation && state.byPeer[peer]) {
        setState("byPeer", peer, { loadingOlder: false, error: errorMessage(e) });
      }
      return 0;
    }
  }

  /** messagesReceived: append to loaded conversations (deduplicated by id). */
  function applyReceived(messages: Message[]) {
    const toMarkRead = new Set<string>();
    batch(() => {
      for (const m of messages) {
        const conv = state.byPeer[m.peer];
        if (!conv) continue; // not loaded: its history load will include it
        peerOfMessage.set(m.id, m.peer);
        if (conv.messages.some((x) => x.id === m.id)) continue;
        setState("byPeer", m.peer, "messages", conv.messages.length, m);
        if (m.direction === "incoming" && state.selected === m.peer) toMarkRead.add(m.peer);
      }
    });
    if (isFocused()) for (const peer of toMarkRead) markRead(peer);
  }

  function applyState(id: number, delivery: DeliveryState) {
    const peer = peerOfMessage.get(id);
    const conv = peer ? state.byPeer[peer] : undefined;
    if (!peer || !conv) return;
    for (let i = conv.messages.length - 1; i >= 0; i--) {
      if (conv.messages[i]?.id === id) {
        setState("byPeer", peer, "messages", i, "state", delivery);
        return;
      }
    }
  }

  /** Sends a message; resolves to false (and records sendError) when the backend refused it. */
  async function send(peer: string, body: string): Promise<boolean> {
    if (body.trim() === "") return false;
    try {
      const message = await api.sendMessage(peer, body);
      if (state.byPeer[peer]) setState("byPeer", peer, "sendError", null);
      applyReceived([message]);
      return true;
    } catch (e) {
      if (state.byPeer[peer]) setState("byPeer", peer, "sendError", errorMessage(e));
      return false;
    }
  }

  async function retry(id: number): Promise<void> {
    const peer = peerOfMessage.get(id);
    try {
      await api.retryMessage(id);
      if (peer && state.byPeer[peer]) setState("byPeer", peer, "sendError", null);
    } catch (e) {
      if (peer && state.byPeer[peer]) setState("byPeer", peer, "sendError", errorMessage(e));
    }
  }

  /** The window got focus: the open conversation is now being read. */
  function windowFocused() {
    const peer = state.selected;
    if (peer && contacts.unreadOf(peer) > 0) markRead(peer);
  }

  function reset() {
    generation++;
    peerOfMessage.clear();
    batch(() => {
      setState("selected", null);
      setState("byPeer", reconcile({}));
    });
  }

  return {
    state,
    open,
    close,
    loadOlder,
    applyReceived,
    applyState,
    send,
    retry,
    windowFocused,
    reset,
    selected: () => state.selected,
    conversation: (peer: string): Conversation | undefined => state.byPeer[peer],
  };
}

export type ConversationsStore = ReturnType<typeof createConversationsStore>;
