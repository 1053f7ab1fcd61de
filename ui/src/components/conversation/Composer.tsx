import { createSignal, onMount, Show } from "solid-js";
import { hasGenericName, pastedImageName } from "../../lib/fileKind";
import { completeNick } from "../../lib/nickCompletion";
import { useHallway } from "../../state/context";
import { AttachmentTray } from "./AttachmentTray";
import type { AttachmentTray as Tray } from "./tray";

const MAX_HEIGHT = 160;

/** Drops leading blank lines and trailing whitespace; keeps indentation inside the text. */
export function normaliseBody(text: string): string {
  return text.replace(/^(?:[ \t]*\r?\n)+/, "").trimEnd();
}

/** A pasted picture without a name of its own is named after the moment it was pasted. */
export function namePasted(file: File, when = new Date()): File {
  if (!file.type.startsWith("image/") || !hasGenericName(file)) return file;
  return new File([file], pastedImageName(when, file.type), {
    type: file.type,
    lastModified: file.lastModified,
  });
}

/**
 * Message box: Enter sends, Shift+Enter inserts a newline. "Attach file" (or pasting files into
 * the box) adds files to the tray above it; Send sends the text and the files.
 */
export function Composer(props: { peer: string; peerName: string; tray: Tray }) {
  const { conversations, rooms } = useHallway();
  /** In a room, the others' nicknames (Tab completes them). */
  const nicks = () =>
    rooms.room(props.peer)
      ? rooms
          .occupants(props.peer)
          .filter((o) => !o.isSelf)
          .map((o) => o.nick)
      : [];
  const [text, setText] = createSignal("");
  let area!: HTMLTextAreaElement;
  let picker!: HTMLInputElement;

  const grow = () => {
    area.style.height = "auto";
    if (area.scrollHeight > 0) area.style.height = `${Math.min(area.scrollHeight, MAX_HEIGHT)}px`;
  };

  async function sendText(body: string) {
    setText("");
    grow();
    const ok = await conversations.send(props.peer, body);
    if (!ok && text() === "") {
      setText(body); // give the text back so it is not lost
      grow();
    }
  }

  async function send() {
    const body = normaliseBody(text());
    const withFiles = props.tray.sendable().length > 0;
    if (body === "" && !withFiles) return;
    if (body !== "") await sendText(body);
    if (withFiles) await props.tray.sendAll(props.peer);
  }

  function onPaste(e: ClipboardEvent) {
    const pasted = Array.from(e.clipboardData?.files ?? []);
    if (pasted.length === 0) return;
    e.preventDefault();
    const when = new Date();
    props.tray.add(pasted.map((f) => namePasted(f, when)));
  }

  // Opening a conversation puts the cursor in the message box.
  onMount(() => area.focus({ preventScroll: true }));

  const sendError = () => conversations.conversation(props.peer)?.sendError ?? null;
  const canSend = () => text().trim() !== "" || props.tray.sendable().length > 0;

  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      <Show when={sendError()}>
        {(error) => (
          <p class="composer-error" role="alert">
            Not sent: {error()}
          </p>
        )}
      </Show>
      <AttachmentTray tray={props.tray} peer={props.peer} peerName={props.peerName} />
      <div class="composer-row">
        <button
          type="button"
          class="button button--quiet button--icon composer-attach"
          title="Attach file"
          onClick={() => picker.click()}
        >
          <svg class="composer-attach-icon" viewBox="0 0 20 20" aria-hidden="true">
            <path d="M16.5 9.5 10 16a4.2 4.2 0 0 1-6-6l6.8-6.8a2.8 2.8 0 0 1 4 4L8 14a1.4 1.4 0 0 1-2-2l6.2-6.2" />
          </svg>
          <span class="visually-hidden">Attach file</span>
        </button>
        <input
          ref={picker}
          type="file"
          multiple
          class="visually-hidden"
          tabIndex={-1}
          aria-label="Files to attach"
          onChange={(e) => {
            const input = e.currentTarget;
            props.tray.add(Array.from(input.files ?? []));
            input.value = "";
            area.focus({ preventScroll: true });
          }}
        />
        <textarea
          ref={area}
          class="composer-input"
          aria-label="Message"
          placeholder={`Message ${props.peerName}`}
          rows={1}
          value={text()}
          onInput={(e) => {
            setText(e.currentTarget.value);
            grow();
          }}
          onPaste={onPaste}
          onKeyDown={(e) => {
            if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              void send();
            } else if (e.key === "Tab" && !e.shiftKey && !e.isComposing) {
              // Tab completes a nickname in a room; with nothing to complete it moves on.
              const caret = e.currentTarget.selectionStart;
              const done = completeNick(text(), caret, nicks());
              if (done && caret === e.currentTarget.selectionEnd) {
                e.preventDefault();
                setText(done.text);
                e.currentTarget.value = done.text;
                e.currentTarget.setSelectionRange(done.caret, done.caret);
              }
            }
          }}
        />
        <button type="submit" class="button button--primary" disabled={!canSend()}>
          Send
        </button>
      </div>
    </form>
  );
}
