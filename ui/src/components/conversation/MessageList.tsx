import { createEffect, createMemo, createSignal, For, on, onCleanup, Show } from "solid-js";
import { useHallway } from "../../state/context";
import { MessageItem } from "./MessageItem";

/** Distance from the bottom (px) under which the list counts as "at the bottom". */
const STICK_THRESHOLD = 48;
/** Distance from the top (px) under which older history is loaded (and from the bottom, newer). */
const LOAD_THRESHOLD = 80;
/** How long a message opened from a search result stays highlighted (ms). */
export const HIGHLIGHT_MS = 2000;
/** The rest of a page drawn in two steps goes in after this at the latest (ms). */
const REST_LATEST_MS = 100;
/** No message takes less height than this (px): one line of text, its header and the gap. */
const MIN_MESSAGE_PX = 48;

/**
 * How many of the newest messages fill a view `viewportPx` high (with two to spare). An opened
 * conversation draws these first and the rest after that frame is painted: building all 50
 * bubbles before the first paint was most of the time to open a conversation (docs/PERFORMANCE.md).
 */
export function firstPaintCount(viewportPx: number): number {
  return Math.max(12, Math.ceil(viewportPx / MIN_MESSAGE_PX) + 2);
}

export function MessageList(props: { peer: string; peerName: string }) {
  const { conversations } = useHallway();
  const conv = () => conversations.conversation(props.peer);
  const messages = () => conv()?.messages ?? [];
  let log!: HTMLDivElement;
  // Every conversation opened (again) draws its newest messages first, also a page already here:
  // at once, 50 bubbles took up to 60 ms to paint in the window benchmark.
  const [whole, setWhole] = createSignal(false);
  const shown = createMemo(() => {
    const list = messages();
    const c = conv();
    // A search result or older history is positioned by its target: draw the whole page.
    if (whole() || c?.target != null || c?.hasNewer) return list;
    const n = firstPaintCount(log?.clientHeight ?? 0);
    return list.length <= n ? list : list.slice(list.length - n);
  });
  /** Only the newest messages are drawn so far; the rest of the page follows. */
  const partial = () => shown().length < messages().length;
  /** The rest of a page drawn in two steps: the frame it waits for, then its task. */
  let rest: { frame?: number; timer?: ReturnType<typeof setTimeout> } = {};
  const cancelRest = () => {
    if (rest.frame !== undefined) cancelAnimationFrame(rest.frame);
    clearTimeout(rest.timer);
    rest = {};
  };
  onCleanup(cancelRest);
  const [highlighted, setHighlighted] = createSignal<number | null>(null);
  let atBottom = true;
  /** A newer page is being appended: keep the reading position instead of following it. */
  let appendingPage = false;
  let highlightTimer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(highlightTimer));

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

  async function loadNewer() {
    appendingPage = true;
    try {
      await conversations.loadNewer(props.peer);
    } finally {
      appendingPage = false;
    }
  }

  /** Too little history to scroll: fetch more so the user can reach it. */
  function fillWindow() {
    if (log.clientHeight > 0 && log.scrollHeight <= log.clientHeight) {
      const c = conv();
      if (c?.hasMore) void loadOlder();
      else if (c?.hasNewer) void loadNewer();
    }
  }

  /** The rest of the page, above what the first paint showed, keeping the view where it is. */
  function drawWholePage() {
    cancelRest();
    const fromBottom = log.scrollHeight - log.scrollTop;
    setWhole(true);
    log.scrollTop = log.scrollHeight - fromBottom;
    fillWindow();
  }

  function onScroll() {
    const fromBottom = log.scrollHeight - log.scrollTop - log.clientHeight;
    atBottom = fromBottom < STICK_THRESHOLD && !conv()?.hasNewer;
    // The page is still being drawn: older history is not what the user scrolled to.
    if (partial()) return;
    if (log.scrollTop < LOAD_THRESHOLD && conv()?.hasMore) void loadOlder();
    if (fromBottom < LOAD_THRESHOLD && conv()?.hasNewer) void loadNewer();
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
        const c = conv();
        if (c?.target != null || c?.hasNewer) {
          // Showing a search result (or older history): the target effect positions the list.
          atBottom = false;
        } else if (!appendingPage && (atBottom || key.endsWith(":outgoing"))) {
          scrollToBottom();
          atBottom = true;
        }
        if (partial()) {
          // The newest messages go into this frame; the rest of the page once it is painted
          // (a task queued from the frame's callback runs after its paint).
          // A hidden window gets no frames: then the rest goes in after REST_LATEST_MS.
          if (rest.frame === undefined) {
            rest.timer = setTimeout(drawWholePage, REST_LATEST_MS);
            rest.frame = requestAnimationFrame(() => {
              clearTimeout(rest.timer);
              rest.timer = setTimeout(drawWholePage, 0);
            });
          }
        } else {
          // From here on every message of the conversation is drawn (older pages too).
          setWhole(true);
          fillWindow();
        }
      },
    ),
  );

  // A message to show (opened from a search result): scroll it into view and highlight it.
  createEffect(() => {
    const c = conv();
    const id = c?.target;
    if (id == null || c?.status !== "ready") return;
    // The target needs the whole page, also once it is cleared below.
    cancelRest();
    setWhole(true);
    const el = log.querySelector<HTMLElement>(`[data-message-id="${id}"]`);
    if (el) {
      el.scrollIntoView?.({ block: "center" });
      atBottom = false;
      setHighlighted(id);
      clearTimeout(highlightTimer);
      highlightTimer = setTimeout(() => setHighlighted(null), HIGHLIGHT_MS);
    }
    conversations.clearTarget(props.peer);
  });

  return (
    <>
      <div
        ref={log}
        role="log"
        aria-label="Messages"
        class="log"
        tabIndex={0}
        onScroll={onScroll}
        aria-busy={
          conv()?.status === "loading" || conv()?.loadingOlder || conv()?.loadingNewer || partial()
            ? "true"
            : undefined
        }
      >
        <Show when={conv()?.hasMore}>
          <div class="log-more">
            <button
              type="button"
              class="button button--quiet"
              aria-disabled={conv()?.loadingOlder ? "true" : undefined}
              onClick={() => void loadOlder()}
            >
              <Show when={conv()?.loadingOlder} fallback="Load earlier messages">
                <span class="spinner" aria-hidden="true" />
                Loading earlier messages…
              </Show>
            </button>
          </div>
        </Show>
        <Show when={conv()?.status === "loading"}>
          <p class="log-note">
            <span class="spinner" aria-hidden="true" />
            Loading messages…
          </p>
        </Show>
        <Show when={conv()?.error}>
          {(error) => <p class="log-note log-note--error">{error()}</p>}
        </Show>
        <Show when={conv()?.status === "ready" && messages().length === 0}>
          <p class="log-note">No messages yet. Say hello!</p>
        </Show>
        <For each={shown()}>
          {(m) => (
            <MessageItem
              message={m}
              peerName={props.peerName}
              highlighted={highlighted() === m.id}
              onRetry={(id) => void conversations.retry(id)}
            />
          )}
        </For>
        <Show when={conv()?.hasNewer}>
          <div class="log-more">
            <button
              type="button"
              class="button button--quiet"
              aria-disabled={conv()?.loadingNewer ? "true" : undefined}
              onClick={() => void loadNewer()}
            >
              <Show when={conv()?.loadingNewer} fallback="Load newer messages">
                <span class="spinner" aria-hidden="true" />
                Loading newer messages…
              </Show>
            </button>
          </div>
        </Show>
      </div>
      <Show when={conv()?.hasNewer}>
        <div class="log-jump">
          <span>You are viewing older messages.</span>
          <button
            type="button"
            class="button button--secondary"
            onClick={() => {
              atBottom = true;
              void conversations.showLatest(props.peer);
            }}
          >
            Jump to latest
          </button>
        </div>
      </Show>
    </>
  );
}
