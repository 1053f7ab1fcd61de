import { createEffect, For, on, Show } from "solid-js";
import { useHallway } from "../../state/context";
import { MessageItem } from "./MessageItem";

/** Distance from the bottom (px) under which the list counts as "at the bottom". */
const STICK_THRESHOLD = 48;
/** Distance from the top (px) under which older history is loaded. */
const LOAD_THRESHOLD = 80;

export function MessageList(props: { peer: string; peerName: string }) {
  const { conversations } = useHallway();
  const conv = () => conversations.conversation(props.peer);
  const messages = () => conv()?.messages ?? [];
  let log!: HTMLDivElement;
  let atBottom = true;

  const scrollToBottom = () => {
    log.scrollTop = log.scrollHeight;
  };

  async function loadOlder() {
    const beforeHeight = log.scrollHeight;
    const beforeTop = log.scrollTop;
    const added = await conversations.loadOlder(props.peer);
    // Keep the messages that were on screen where they were.
    if (added > 0) log.scrollTop = log.scrollHeight - beforeHeight + beforeTop;
  }

  function onScroll() {
    atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < STICK_THRESHOLD;
    if (log.scrollTop < LOAD_THRESHOLD && conv()?.hasMore) void loadOlder();
  }

  // New last message (first page loaded, received, or sent): follow it if we were at the bottom.
  createEffect(
    on(
      () => {
        const list = messages();
        const last = list[list.length - 1];
        return last ? `${last.id}:${last.direction}` : "";
      },
      (key) => {
        if (key === "") return;
        if (atBottom || key.endsWith(":outgoing")) {
          scrollToBottom();
          atBottom = true;
        }
        // Too little history to scroll: fetch more so the user can reach it.
        if (log.clientHeight > 0 && log.scrollHeight <= log.clientHeight && conv()?.hasMore) {
          void loadOlder();
        }
      },
    ),
  );

  return (
    <div
      ref={log}
      role="log"
      aria-label="Messages"
      class="log"
      tabIndex={0}
      onScroll={onScroll}
      aria-busy={conv()?.status === "loading" || conv()?.loadingOlder ? "true" : undefined}
    >
      <Show when={conv()?.hasMore}>
        <div class="log-more">
          <button
            type="button"
            class="button button--quiet"
            disabled={conv()?.loadingOlder}
            onClick={() => void loadOlder()}
          >
            {conv()?.loadingOlder ? "Loading…" : "Load earlier messages"}
          </button>
        </div>
      </Show>
      <Show when={conv()?.status === "loading"}>
        <p class="log-note">Loading messages…</p>
      </Show>
      <Show when={conv()?.error}>
        {(error) => <p class="log-note log-note--error">{error()}</p>}
      </Show>
      <Show when={conv()?.status === "ready" && messages().length === 0}>
        <p class="log-note">No messages yet. Say hello!</p>
      </Show>
      <For each={messages()}>
        {(m) => (
          <MessageItem
            message={m}
            peerName={props.peerName}
            onRetry={(id) => void conversations.retry(id)}
          />
        )}
      </For>
    </div>
  );
}
