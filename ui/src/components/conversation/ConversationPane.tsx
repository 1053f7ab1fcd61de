// The open conversation: header (avatar, name, presence with idle / last seen, address, the
// "Contact details" toggle), message log and composer, and the details panel on the right.
// Files dropped anywhere on the conversation go to the composer's tray.
import { createSignal, createUniqueId, Show } from "solid-js";
import { useHallway } from "../../state/context";
import { createNow, presenceLine } from "../details/activity";
import { ContactDetailsPanel } from "../details/ContactDetailsPanel";
import { OccupantList } from "../rooms/OccupantList";
import { RoomHeader } from "../rooms/RoomHeader";
import { Avatar } from "../shared/Avatar";
import { PresenceDot } from "../shared/PresenceDot";
import { Composer } from "./Composer";
import { MessageList } from "./MessageList";
import { createAttachmentTray } from "./tray";

/** Whether a drag carries files (not text or a link dragged from the page). */
export function dragsFiles(e: DragEvent): boolean {
  const types = e.dataTransfer?.types;
  return !!types && Array.from(types).includes("Files");
}

export function ConversationPane(props: { peer: string }) {
  const { contacts, conversations, files, people, rooms, session } = useHallway();
  const panelId = createUniqueId();
  const tray = createAttachmentTray(files, {
    onLostError: (peer, message) => conversations.noteSendError(peer, message),
  });
  const [dragging, setDragging] = createSignal(false);
  /** dragenter / dragleave pairs seen (they fire for every child the pointer crosses). */
  let dragDepth = 0;
  const now = createNow();
  const contact = () => contacts.contact(props.peer);
  const room = () => rooms.room(props.peer);
  const name = () => room()?.name ?? contact()?.displayName ?? props.peer;
  const show = () => contact()?.presence ?? "offline";
  const open = () => session.state.detailsOpen;
  let toggle!: HTMLButtonElement;
  let panel: HTMLElement | undefined;

  function setOpen(value: boolean) {
    session.setDetailsOpen(value);
    if (value) panel?.focus();
    else toggle.focus();
  }

  return (
    <div class="conversation-shell">
      <section
        class="conversation"
        aria-labelledby="conversation-title"
        onDragEnter={(e) => {
          if (!dragsFiles(e)) return;
          e.preventDefault();
          dragDepth++;
          setDragging(true);
        }}
        onDragOver={(e) => {
          if (!dragsFiles(e)) return;
          e.preventDefault();
          if (e.dataTransfer) e.dataTransfer.dropEffect = "copy";
          setDragging(true);
        }}
        onDragLeave={(e) => {
          if (!dragsFiles(e)) return;
          dragDepth = Math.max(0, dragDepth - 1);
          if (dragDepth === 0) setDragging(false);
        }}
        onDrop={(e) => {
          if (!dragsFiles(e)) return;
          e.preventDefault();
          dragDepth = 0;
          setDragging(false);
          tray.add(Array.from(e.dataTransfer?.files ?? []));
        }}
      >
        <Show when={room()}>{(r) => <RoomHeader room={r()} />}</Show>
        <Show when={!room()}>
          <header class="conversation-header">
            <Avatar
              jid={props.peer}
              name={name()}
              src={people.avatarUrl(contact()?.avatar)}
              class="avatar--large"
            />
            <div class="conversation-heading">
              <h2 id="conversation-title" class="conversation-title">
                {name()}
              </h2>
              <p class="conversation-presence">
                <PresenceDot show={show()} />
                <span>
                  {presenceLine(
                    show(),
                    contact()?.status ?? null,
                    contact()?.idleSince ?? null,
                    contact()?.lastSeen ?? null,
                    now(),
                  )}
                </span>
                <span class="conversation-jid">{props.peer}</span>
              </p>
            </div>
            <button
              ref={toggle}
              type="button"
              class="button button--quiet button--icon conversation-details-toggle"
              aria-label="Contact details"
              title="Contact details"
              aria-expanded={open() ? "true" : "false"}
              aria-controls={open() ? panelId : undefined}
              onClick={() => setOpen(!open())}
            >
              <svg class="details-icon" viewBox="0 0 16 16" aria-hidden="true">
                <circle cx="8" cy="8" r="6.25" />
                <path d="M8 7.2v4M8 4.6v.1" />
              </svg>
            </button>
          </header>
        </Show>
        <MessageList peer={props.peer} peerName={name()} />
        <Composer peer={props.peer} peerName={name()} tray={tray} />
        <Show when={dragging()}>
          <div class="drop-overlay">
            <p class="drop-overlay-text">
              <svg class="drop-overlay-icon" viewBox="0 0 24 24" aria-hidden="true">
                <path d="M12 4v11M7 10l5 5 5-5M5 19h14" />
              </svg>
              <span>Drop files to send to {name()}</span>
            </p>
          </div>
        </Show>
      </section>
      <Show when={room()}>
        <OccupantList room={props.peer} />
      </Show>
      <Show when={open() && !room()}>
        <ContactDetailsPanel
          id={panelId}
          peer={props.peer}
          ref={(el) => (panel = el)}
          onClose={() => setOpen(false)}
        />
      </Show>
    </div>
  );
}
