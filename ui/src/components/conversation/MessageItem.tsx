import { Show } from "solid-js";
import type { DeliveryState, Message } from "../../ipc";
import { formatFullDate, formatTime, isoDate } from "../../lib/time";

const STATE_WORDS: Record<DeliveryState, string> = {
  pending: "Pending",
  sent: "Sent",
  delivered: "Delivered",
  displayed: "Read",
  failed: "Failed",
  received: "Received",
};

export function deliveryWord(state: DeliveryState): string {
  return STATE_WORDS[state];
}

/**
 * One message. The body is rendered as a text node (never as HTML); CSS keeps its newlines
 * (white-space: pre-wrap) and breaks long words (overflow-wrap: anywhere).
 */
export function MessageItem(props: {
  message: Message;
  peerName: string;
  /** Briefly emphasised (opened from a search result). */
  highlighted?: boolean;
  onRetry: (id: number) => void;
}) {
  const outgoing = () => props.message.direction === "outgoing";
  const state = () => props.message.state;
  return (
    <div
      class="msg"
      classList={{
        "msg--out": outgoing(),
        "msg--in": !outgoing(),
        "msg--highlight": props.highlighted,
      }}
      data-message-id={props.message.id}
    >
      <div class="msg-meta">
        <span class="msg-sender">{outgoing() ? "You" : props.peerName}</span>
        <time
          class="msg-time"
          dateTime={isoDate(props.message.timestamp)}
          title={formatFullDate(props.message.timestamp)}
        >
          {formatTime(props.message.timestamp)}
        </time>
      </div>
      <div class="msg-bubble">
        <p class="msg-body">{props.message.body}</p>
        <Show when={props.message.edited}>
          <span class="msg-edited" title="The author corrected this message">
            (edited)
          </span>
        </Show>
      </div>
      <Show when={outgoing()}>
        <div class={`msg-state msg-state--${state()}`}>
          <Show when={state() === "displayed"}>
            {/* Read is also shown by the icon and weight, not by colour alone. */}
            <svg class="msg-state-icon" viewBox="0 0 18 12" aria-hidden="true">
              <path d="M1 6.5 4.5 10 11 2.5" />
              <path d="M7.5 9 8.5 10 15 2.5" />
            </svg>
          </Show>
          <span>{deliveryWord(state())}</span>
          <Show when={state() === "failed"}>
            <button
              type="button"
              class="button button--link"
              aria-label="Retry sending"
              onClick={() => props.onRetry(props.message.id)}
            >
              Retry
            </button>
          </Show>
        </div>
      </Show>
    </div>
  );
}
