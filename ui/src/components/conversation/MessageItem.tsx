import { Show } from "solid-js";
import type { DeliveryState, Message } from "../../ipc";
import { formatFullDate, formatTime, isoDate } from "../../lib/time";
import { FileCard } from "./FileCard";
import { nickColor } from "../../lib/nickColor";

const STATE_WORDS: Record<DeliveryState, string> = {
  pending: "Pending",
  sent: "Sent",
  delivered: "Delivered",
  displayed: "Read",
  failed: "Failed",
  received: "Received",
};

/**
 * Who wrote an incoming message: in a room the author's nickname (the sender is their occupant
 * address, room@service/nick), in a chat the contact's name.
 */
export function senderName(message: Message, peerName: string): string {
  const prefix = `${message.peer}/`;
  return message.sender.startsWith(prefix) ? message.sender.slice(prefix.length) : peerName;
}

/** A room author's colour (XEP-0392), by nickname; undefined in a chat and for us. */
export function roomAuthorColor(message: Message): string | undefined {
  const prefix = `${message.peer}/`;
  return message.direction === "incoming" && message.sender.startsWith(prefix)
    ? nickColor(message.sender.slice(prefix.length))
    : undefined;
}

export function deliveryWord(state: DeliveryState): string {
  return STATE_WORDS[state];
}

/**
 * Whether a message's text says more than its file card: a file's message usually carries only
 * the file's URL (or, until the upload is done, its name), which the card already stands for.
 */
export function bodyWorthShowing(message: Message): boolean {
  const a = message.attachment;
  if (!a) return true;
  const body = message.body.trim();
  if (body === "" || body === a.url) return false;
  return !(a.url === null && body === a.name);
}

/**
 * One message. The body is rendered as a text node (never as HTML); CSS keeps its newlines
 * (white-space: pre-wrap) and breaks long words (overflow-wrap: anywhere). A file shows as a
 * card in the bubble.
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
        "msg--mention": props.message.mention,
      }}
      data-message-id={props.message.id}
    >
      <div class="msg-meta">
        <span class="msg-sender" style={{ color: roomAuthorColor(props.message) }}>
          {outgoing() ? "You" : senderName(props.message, props.peerName)}
        </span>
        <Show when={props.message.mention}>
          <span class="msg-mention">mentions you</span>
        </Show>
        <time
          class="msg-time"
          dateTime={isoDate(props.message.timestamp)}
          title={formatFullDate(props.message.timestamp)}
        >
          {formatTime(props.message.timestamp)}
        </time>
      </div>
      <div class="msg-bubble" classList={{ "msg-bubble--file": !!props.message.attachment }}>
        <Show when={props.message.attachment}>
          {(attachment) => (
            <FileCard
              messageId={props.message.id}
              incoming={!outgoing()}
              attachment={attachment()}
            />
          )}
        </Show>
        <Show when={bodyWorthShowing(props.message)}>
          <p class="msg-body">{props.message.body}</p>
        </Show>
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
