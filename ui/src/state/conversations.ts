import { batch } from "solid-js";
import { createStore, produce, reconcile } from "solid-js/store";
import { api, errorMessage } from "../ipc";
import type { DeliveryState, Message } from "../ipc";
import { compareMessages, insertionIndex } from "../lib/messageOrder";
import { timedCall } from "../lib/perfMarks";
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
  /**
   * More history may exist after the last loaded message: the conversation was opened around an
   * older message (a search result). Live messages are held back until the newer pages are loaded.
   */
  hasNewer: boolean;
  loadingNewer: boolean;
  /** A message to scroll into view and highlight; the message list clears it once shown. */
  target: number | null;
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
  /**
   * Messages received for a conversation that cannot place them yet: its page is loading, or it
   * shows older history (hasNewer) and they belong after messages that are not loaded.
   */
  const held = new Map<string, Message[]>();
  /** Bumped when a conversation's page is replaced: answers to older requests are dropped. */
  const epochs = new Map<string, number>();
  let generation = 0;

  function remember(messages: readonly Message[]) {
    for (const m of messages) peerOfMessage.set(m.id, m.peer);
  }

  function markRead(peer: string) {
    contacts.clearUnread(peer);
    api.markRead(peer).catch((e: unknown) => console.warn("Hallway: markRead failed", e));
  }

  /** A token for a request about `peer`; still current while no reset or page replacement. */
  function token(peer: string) {
    const gen = generation;
    const epoch = epochs.get(peer) ?? 0;
    // eslint-disable-next-line solid/reactivity -- checked from async code after an await; untracked
    return () => gen === generation && epochs.get(peer) === epoch && !!state.byPeer[peer];
  }

  /** Replaces the conversation with an empty one in the loading state. */
  function startPage(peer: string, target: number | null) {
    epochs.set(peer, (epochs.get(peer) ?? 0) + 1);
    setState("byPeer", peer, {
      peer,
      messages: [],
      status: "loading",
      error: null,
      hasMore: false,
      loadingOlder: false,
      hasNewer: false,
      loadingNewer: false,
      target,
      sendError: null,
    });
    return token(peer);
  }

  /**
   * Puts received messages where they belong in a ready conversation (history order), keeping
   * the loaded range contiguous: a message older than the first loaded one is left to loadOlder
   * when more history exists; one newer than the last is held while newer pages are unloaded.
   */
  function place(peer: string, messages: readonly Message[]) {
    const conv = state.byPeer[peer];
    if (!conv) return;
    if (conv.status !== "ready") {
      held.set(peer, [...(held.get(peer) ?? []), ...messages]);
      return;
    }
    const ids = new Set(conv.messages.map((m) => m.id));
    const later: Message[] = [];
    const fresh: Message[] = [];
    for (const m of messages) {
      if (ids.has(m.id)) continue;
      ids.add(m.id);
      const first = conv.messages[0];
      const last = conv.messages[conv.messages.length - 1];
      if (conv.hasNewer && (!last || compareMessages(m, last) > 0)) later.push(m);
      else if (first && conv.hasMore && compareMessages(m, first) < 0) continue;
      else fresh.push(m);
    }
    if (later.length > 0) held.set(peer, [...(held.get(peer) ?? []), ...later]);
    if (fresh.length === 0) return;
    const last = conv.messages[conv.messages.length - 1];
    const appendOnly = fresh.every((m, i) => {
      const before = i === 0 ? last : fresh[i - 1];
      return !before || compareMessages(m, before) > 0;
    });
    if (appendOnly) {
      // The common case (live messages): append, so only the new rows render.
      batch(() => {
        for (const m of fresh) setState("byPeer", peer, "messages", conv.messages.length, m);
      });
    } else {
      setState(
        "byPeer",
        peer,
        produce((c) => {
          for (const m of fresh) c.messages.splice(insertionIndex(c.messages, m), 0, m);
        }),
      );
    }
  }

  /** Places the messages held for a conversation whose page changed. */
  function releaseHeld(peer: string) {
    const pending = held.get(peer);
    if (!pending) return;
    held.delete(peer);
    place(peer, pending);
  }

  async function loadNewest(peer: string) {
    const current = startPage(peer, null);
    try {
      const page = await timedCall("history-call", () => api.loadHistory(peer, null, PAGE_SIZE));
      if (!current()) return;
      remember(page);
      setState("byPeer", peer, {
        messages: page,
        status: "ready",
        hasMore: page.length >= PAGE_SIZE,
      });
      // Messages that arrived by event while the page was loading.
      releaseHeld(peer);
    } catch (e) {
      if (!current()) return;
      setState("byPeer", peer, { status: "error", error: errorMessage(e) });
    }
  }

  /** Loads the page around message `id` and asks the view to show it. */
  async function loadAround(peer: string, id: number) {
    const current = startPage(peer, id);
    try {
      const page = await api.loadHistoryAround(id, PAGE_SIZE);
      if (!current()) return;
      const at = page.findIndex((m) => m.id === id);
      if (at === -1) {
        // The message is gone: show the conversation's newest page instead.
        void loadNewest(peer);
        return;
      }
      remember(page);
      // The backend returns up to PAGE_SIZE / 2 newer messages and fills the page with older ones.
      const newer = page.length - at - 1;
      setState("byPeer", peer, {
        messages: page,
        status: "ready",
        hasMore: at + 1 >= Math.max(1, PAGE_SIZE - newer),
        hasNewer: newer >= Math.floor(PAGE_SIZE / 2),
      });
      releaseHeld(peer);
    } catch (e) {
      if (!current()) return;
      setState("byPeer", peer, { status: "error", error: errorMessage(e), target: null });
    }
  }

  /** Select a conversation: loads its newest page (once) and marks it read. */
  function open(peer: string) {
    const existing = state.byPeer[peer];
    // Ask for the page before drawing the conversation: the backend reads it while the window
    // builds the conversation's header and composer.
    if (!existing || existing.status === "error" || existing.hasNewer) void loadNewest(peer);
    setState("selected", peer);
    markRead(peer);
  }

  /**
   * Select a conversation showing message `id` (a search result): loads the page around it unless
   * it is already loaded, then the view scrolls to it and highlights it.
   */
  async function openAt(peer: string, id: number): Promise<void> {
    setState("selected", peer);
    markRead(peer);
    const existing = state.byPeer[peer];
    if (existing?.status === "ready" && existing.messages.some((m) => m.id === id)) {
      setState("byPeer", peer, "target", id);
      return;
    }
    await loadAround(peer, id);
  }

  /** The view has shown the target message. */
  function clearTarget(peer: string) {
    if (state.byPeer[peer]?.target != null) setState("byPeer", peer, "target", null);
  }

  /** Replaces the page with the newest one (leaves older history opened from a search). */
  function showLatest(peer: string): Promise<void> {
    return loadNewest(peer);
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
    const current = token(peer);
    setState("byPeer", peer, "loadingOlder", true);
    try {
      const page = await api.loadHistory(peer, oldest.id, PAGE_SIZE);
      if (!current()) return 0;
      remember(page);
      let added = 0;
      setState(
        "byPeer",
        peer,
        produce((c) => {
          added = addUnique(c, page, "before");
          c.hasMore = page.length >= PAGE_SIZE;
          c.loadingOlder = false;
        }),
      );
      return added;
    } catch (e) {
      if (current()) setState("byPeer", peer, { loadingOlder: false, error: errorMessage(e) });
      return 0;
    }
  }

  /**
   * Loads the page after the newest loaded message (when the conversation was opened around an
   * older one). Resolves to the number of messages added.
   */
  async function loadNewer(peer: string): Promise<number> {
    const conv = state.byPeer[peer];
    if (!conv || conv.status !== "ready" || !conv.hasNewer || conv.loadingNewer) return 0;
    const newest = conv.messages[conv.messages.length - 1];
    if (!newest) {
      void loadNewest(peer);
      return 0;
    }
    const current = token(peer);
    setState("byPeer", peer, "loadingNewer", true);
    try {
      // Around the newest loaded message: up to PAGE_SIZE messages after it.
      const page = await api.loadHistoryAround(newest.id, PAGE_SIZE * 2);
      if (!current()) return 0;
      const at = page.findIndex((m) => m.id === newest.id);
      if (at === -1) {
        void loadNewest(peer);
        return 0;
      }
      const newer = page.slice(at + 1);
      remember(newer);
      let added = 0;
      setState(
        "byPeer",
        peer,
        produce((c) => {
          added = addUnique(c, newer, "after");
          c.hasNewer = newer.length >= PAGE_SIZE;
          c.loadingNewer = false;
        }),
      );
      releaseHeld(peer);
      return added;
    } catch (e) {
      if (current()) setState("byPeer", peer, { loadingNewer: false, error: errorMessage(e) });
      return 0;
    }
  }

  /** messagesReceived: place in loaded conversations (deduplicated by id, in history order). */
  function applyReceived(messages: Message[]) {
    const toMarkRead = new Set<string>();
    const byPeer = new Map<string, Message[]>();
    for (const m of messages) {
      if (!state.byPeer[m.peer]) continue; // not loaded: its history load will include it
      peerOfMessage.set(m.id, m.peer);
      const list = byPeer.get(m.peer);
      if (list) list.push(m);
      else byPeer.set(m.peer, [m]);
      if (m.direction === "incoming" && state.selected === m.peer) toMarkRead.add(m.peer);
    }
    batch(() => {
      for (const [peer, list] of byPeer) place(peer, list);
    });
    if (isFocused()) for (const peer of toMarkRead) markRead(peer);
  }

  /** messageCorrected (XEP-0308): the author's latest text replaces the shown one. */
  function applyCorrection(message: Message) {
    const conv = state.byPeer[message.peer];
    if (!conv) return;
    const i = conv.messages.findIndex((m) => m.id === message.id);
    if (i >= 0) {
      setState("byPeer", message.peer, "messages", i, { body: message.body, edited: true });
      return;
    }
    const waiting = held.get(message.peer)?.find((m) => m.id === message.id);
    if (waiting) {
      waiting.body = message.body;
      waiting.edited = true;
    }
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
    const waiting = held.get(peer)?.find((m) => m.id === id);
    if (waiting) waiting.state = delivery;
  }

  /**
   * messageUpdated: the stored message changed (a file's status, size or URL). Merged into the
   * shown copy in place, so its row is patched rather than rebuilt.
   */
  function applyUpdated(message: Message) {
    const peer = peerOfMessage.get(message.id) ?? message.peer;
    const conv = state.byPeer[peer];
    if (!conv) return;
    for (let i = conv.messages.length - 1; i >= 0; i--) {
      if (conv.messages[i]?.id === message.id) {
        setState("byPeer", peer, "messages", i, reconcile(message));
        return;
      }
    }
    const waiting = held.get(peer);
    const at = waiting?.findIndex((m) => m.id === message.id) ?? -1;
    if (waiting && at >= 0) waiting[at] = message;
  }

  /** The loaded copy of a message, if a conversation holds it. */
  function findMessage(id: number): Message | undefined {
    const peer = peerOfMessage.get(id);
    const conv = peer ? state.byPeer[peer] : undefined;
    if (!peer || !conv) return undefined;
    for (let i = conv.messages.length - 1; i >= 0; i--) {
      if (conv.messages[i]?.id === id) return conv.messages[i];
    }
    return held.get(peer)?.find((m) => m.id === id);
  }

  /**
   * We just sent something (text or file) to `peer`: the message itself arrives through
   * messagesReceived (the one way a sent message reaches the window); here the error line goes,
   * and a conversation showing older history (opened from a search) jumps to the newest page.
   */
  function sent(peer: string) {
    if (state.byPeer[peer]) setState("byPeer", peer, "sendError", null);
    if (state.byPeer[peer]?.hasNewer) void loadNewest(peer);
  }

  /** Sends a message; resolves to false (and records sendError) when the backend refused it. */
  async function send(peer: string, body: string): Promise<boolean> {
    if (body.trim() === "") return false;
    try {
      await api.sendMessage(peer, body);
      sent(peer);
      return true;
    } catch (e) {
      if (state.byPeer[peer]) setState("byPeer", peer, "sendError", errorMessage(e));
      return false;
    }
  }

  /** Shows why something was not sent above the conversation's composer. */
  function noteSendError(peer: string, message: string) {
    if (state.byPeer[peer]) setState("byPeer", peer, "sendError", message);
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
    held.clear();
    epochs.clear();
    batch(() => {
      setState("selected", null);
      setState("byPeer", reconcile({}));
    });
  }

  return {
    state,
    open,
    openAt,
    clearTarget,
    showLatest,
    close,
    loadOlder,
    loadNewer,
    applyReceived,
    applyState,
    applyCorrection,
    applyUpdated,
    findMessage,
    sent,
    noteSendError,
    send,
    retry,
    windowFocused,
    reset,
    selected: () => state.selected,
    conversation: (peer: string): Conversation | undefined => state.byPeer[peer],
  };
}

export type ConversationsStore = ReturnType<typeof createConversationsStore>;

/** Adds the messages `c` does not hold yet before or after the loaded ones; returns how many. */
function addUnique(c: Conversation, page: Message[], where: "before" | "after"): number {
  const ids = new Set(c.messages.map((m) => m.id));
  const fresh = page.filter((m) => !ids.has(m.id));
  c.messages = where === "before" ? [...fresh, ...c.messages] : [...c.messages, ...fresh];
  return fresh.length;
}
