// A small "Copy" button that puts one value of the details panel on the clipboard.
import { createSignal, onCleanup, Show } from "solid-js";

/** How long the button says "Copied" (ms). */
const COPIED_MS = 1500;

/** Rendered only where the web view offers the asynchronous clipboard API. */
export function CopyButton(props: { label: string; text: string }) {
  const [copied, setCopied] = createSignal(false);
  const [failed, setFailed] = createSignal(false);
  let timer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(timer));

  const clipboard = () =>
    typeof navigator !== "undefined" && typeof navigator.clipboard?.writeText === "function"
      ? navigator.clipboard
      : null;

  async function copy() {
    const target = clipboard();
    if (!target) return;
    clearTimeout(timer);
    try {
      await target.writeText(props.text);
      setFailed(false);
      setCopied(true);
    } catch {
      setCopied(false);
      setFailed(true);
    }
    timer = setTimeout(() => {
      setCopied(false);
      setFailed(false);
    }, COPIED_MS);
  }

  return (
    <Show when={clipboard()}>
      <button
        type="button"
        class="details-copy"
        aria-label={props.label}
        title={props.label}
        onClick={() => void copy()}
      >
        {copied() ? "Copied" : failed() ? "Not copied" : "Copy"}
      </button>
      <span class="visually-hidden" aria-live="polite">
        {copied() ? "Copied" : failed() ? "Could not copy" : ""}
      </span>
    </Show>
  );
}
