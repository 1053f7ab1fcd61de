// The collapsible "Requests" section above the contact groups: people outside the contacts who
// wrote to us, each with its unread count, last message (as text) and Add / Block buttons.
import { createSignal, createUniqueId, For, Show } from "solid-js";
import type { MessageRequest } from "../../ipc";
import { useHallway } from "../../state/context";
import { Avatar } from "../shared/Avatar";
import type { PeopleDialog } from "./PeopleDialogs";

/** One line of a message for the list (CSS truncates it further): whitespace folded, capped. */
export function previewText(body: string): string {
  const flat = body.slice(0, 1000).replace(/\s+/g, " ").trim();
  const chars = Array.from(flat);
  return chars.length > 200 ? `${chars.slice(0, 200).join("")}…` : flat;
}

/** Nothing when there are no requests. */
export function MessageRequests(props: { onDialog: (dialog: PeopleDialog) => void }) {
  const { people } = useHallway();
  const id = createUniqueId();
  const [expanded, setExpanded] = createSignal(true);
  const requests = () => people.state.messageRequests;

  return (
    <Show when={requests().length > 0}>
      <section class="requests" aria-labelledby={`${id}-heading`}>
        <h3 id={`${id}-heading`} class="contacts-heading requests-heading">
          <button
            type="button"
            class="contacts-group"
            aria-expanded={expanded() ? "true" : "false"}
            aria-controls={`${id}-list`}
            aria-label={`Requests, ${requests().length}`}
            onClick={() => setExpanded(!expanded())}
          >
            <svg class="contacts-group-chevron" viewBox="0 0 12 12" aria-hidden="true">
              <path d="M4.5 2.5 8 6l-3.5 3.5" />
            </svg>
            <span class="contacts-group-name">Requests</span>
            <span class="contacts-group-count">{requests().length}</span>
          </button>
        </h3>
        <Show when={expanded()}>
          <p class="requests-hint">People who are not in your contacts wrote to you.</p>
          <ul id={`${id}-list`} role="list" class="requests-list" aria-label="Requests">
            <For each={requests()}>
              {(request) => <RequestItem request={request} onDialog={props.onDialog} />}
            </For>
          </ul>
        </Show>
      </section>
    </Show>
  );
}

function RequestItem(props: { request: MessageRequest; onDialog: (dialog: PeopleDialog) => void }) {
  const { conversations } = useHallway();
  const id = createUniqueId();
  const jid = () => props.request.jid;
  const unread = () => props.request.unread;
  const selected = () => conversations.selected() === jid();

  return (
    <li class="request" classList={{ "request--selected": selected() }}>
      <button
        type="button"
        class="request-open"
        classList={{ "request-open--unread": unread() > 0 }}
        aria-label={unread() > 0 ? `${jid()}, ${unread()} unread` : jid()}
        aria-describedby={`${id}-body`}
        aria-current={selected() ? "true" : undefined}
        title={jid()}
        onClick={() => conversations.open(jid())}
      >
        <Avatar jid={jid()} name={jid()} />
        <span class="request-text">
          <span class="request-jid">{jid()}</span>
          <span id={`${id}-body`} class="request-body" dir="auto">
            {previewText(props.request.lastBody)}
          </span>
        </span>
        <Show when={unread() > 0}>
          <span class="badge">{unread() > 99 ? "99+" : unread()}</span>
        </Show>
      </button>
      <div class="request-actions">
        <button
          type="button"
          class="button button--quiet button--small"
          aria-label={`Add ${jid()}`}
          onClick={(e) => props.onDialog({ kind: "add", address: jid(), opener: e.currentTarget })}
        >
          Add
        </button>
        <button
          type="button"
          class="button button--quiet button--small"
          aria-label={`Block ${jid()}`}
          onClick={(e) => props.onDialog({ kind: "block", jid: jid(), opener: e.currentTarget })}
        >
          Block
        </button>
      </div>
    </li>
  );
}
