// One search hit as a button (local or on the server): contact with presence (or the room's name
// and who said it), time, and the text around the match with matches in <mark>, all rendered as
// text nodes.
import { createMemo, For, Show } from "solid-js";
import type { Direction } from "../../ipc";
import { presenceWord } from "../../lib/presence";
import { excerpt, segmentsText, splitSnippet } from "../../lib/snippet";
import { formatFullDate, formatWhen, isoDate } from "../../lib/time";
import { useHallway } from "../../state/context";
import { PresenceDot } from "../shared/PresenceDot";

/**
 * One hit, local or on the server: contact, time and the text around the match, matches in
 * <mark> (text nodes). `busy` adds a spinner; the accessible name stays.
 */
export function HitButton(props: {
  peer: string;
  direction: Direction;
  timestamp: number;
  snippet: string;
  /** Who wrote it, when known (a room's hit names its author: room@service/nick). */
  sender?: string;
  current: boolean;
  busy?: boolean;
  onClick: () => void;
}) {
  const { contacts, rooms } = useHallway();
  const room = () => rooms.room(props.peer);
  const name = () => room()?.name ?? contacts.contact(props.peer)?.displayName ?? props.peer;
  /** In a room, the nickname of who said it. */
  const author = () => {
    const prefix = `${props.peer}/`;
    const sender = props.sender;
    return room() && sender?.startsWith(prefix) ? sender.slice(prefix.length) : null;
  };
  // Presence of the contact (never colour alone: the word is part of the text and the name).
  const presence = () => contacts.contact(props.peer)?.presence ?? null;
  const outgoing = () => props.direction === "outgoing";
  const segments = createMemo(() => excerpt(splitSnippet(props.snippet)));
  const label = () => {
    const show = presence();
    const who = show ? `${name()}, ${presenceWord(show)}` : name();
    const by = outgoing() ? "You: " : author() ? `${author()}: ` : "";
    const where = room() ? `Room ${who}` : who;
    return `${where}, ${formatFullDate(props.timestamp)}, ${by}${segmentsText(segments())}`;
  };

  return (
    <button
      type="button"
      class="search-hit"
      classList={{ "search-hit--current": props.current, "search-hit--busy": props.busy }}
      aria-label={label()}
      aria-current={props.current ? "true" : undefined}
      aria-busy={props.busy ? "true" : undefined}
      title={props.peer}
      onClick={() => props.onClick()}
    >
      <span class="search-hit-top">
        <Show when={room()}>
          <span class="room-mark" aria-hidden="true">
            #
          </span>
        </Show>
        <span class="search-hit-name">{name()}</span>
        <Show when={presence()}>
          {(show) => (
            <span class="search-hit-presence">
              <PresenceDot show={show()} />
              {presenceWord(show())}
            </span>
          )}
        </Show>
        <Show when={props.busy}>
          <span class="spinner search-hit-spinner" aria-hidden="true" />
        </Show>
        <time
          class="search-hit-time"
          dateTime={isoDate(props.timestamp)}
          title={formatFullDate(props.timestamp)}
        >
          {formatWhen(props.timestamp)}
        </time>
      </span>
      <span class="search-hit-text">
        <Show when={outgoing()}>
          <span class="search-hit-you">You: </span>
        </Show>
        <Show when={!outgoing() && author()}>
          {(nick) => <span class="search-hit-you">{nick()}: </span>}
        </Show>
        <For each={segments()}>
          {(s) => (s.match ? <mark class="search-mark">{s.text}</mark> : s.text)}
        </For>
      </span>
    </button>
  );
}
