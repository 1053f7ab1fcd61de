import { Show } from "solid-js";
import type { DeliveryState, Message } from "../../ipc";
import { formatFullDate, formatTime, isoDate } from "../../lib/time";

const STATE_WORDS: Record<DeliveryState, string> = {
  pending: "Pending",
  sent: "Sent",
  delivered: "Delivered",
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
  onRetry: (id: number) => void;
}) {
  const outgoing = () => props.message.direction === "outgoing";
  const state = () => props.message.state;
  return (
    <div class="msg" classList={{ "msg--out": outgoing(), "msg--in": !outgoing() }}>
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
      </div>
      <Show when={outgoing()}>
        <div class={`msg-state msg-state--${state()}`}>
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
