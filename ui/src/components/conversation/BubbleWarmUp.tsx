// Lays out two message bubbles off screen once, while the window is idle after sign-in, so the
// first conversation the user opens does not pay for WebKit's first use of the bubbles' fonts,
// styles and code (~20 ms of a first open on a 2-core machine; docs/PERFORMANCE.md). The bubbles
// are added, measured and removed in one task: never painted, never in the accessibility tree.
import { createSignal, onCleanup, onMount, Show } from "solid-js";
import type { Message } from "../../ipc";
import { MessageItem } from "./MessageItem";

/** After the main view appears: after the roster of a big office (~1 s after sign-in) is drawn. */
export const WARM_UP_DELAY_MS = 2000;

function sample(id: number, direction: Message["direction"]): Message {
  return {
    id,
    peer: "",
    direction,
    sender: "",
    body: "Hallway",
    timestamp: Date.now(),
    state: direction === "incoming" ? "received" : "sent",
    originId: "",
    edited: false,
    attachment: null,
    mention: false,
  };
}

/** Whether this window has warmed the bubbles up already (once per window, not per view). */
let warmed = false;

export function BubbleWarmUp() {
  const [shown, setShown] = createSignal(false);
  let box: HTMLDivElement | undefined;
  onMount(() => {
    if (warmed) return;
    const timer = setTimeout(() => {
      warmed = true;
      setShown(true);
      // Reading a size lays the bubbles out now, in this task; then they are gone again.
      void box?.offsetHeight;
      setShown(false);
    }, WARM_UP_DELAY_MS);
    onCleanup(() => clearTimeout(timer));
  });
  return (
    <Show when={shown()}>
      <div ref={box} class="log bubble-warm-up" aria-hidden="true" inert>
        <MessageItem message={sample(-1, "incoming")} peerName="Hallway" onRetry={() => {}} />
        <MessageItem message={sample(-2, "outgoing")} peerName="Hallway" onRetry={() => {}} />
      </div>
    </Show>
  );
}

/** For tests: lets a new window warm up again. */
export function resetBubbleWarmUp(): void {
  warmed = false;
}
