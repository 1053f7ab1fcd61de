import { createSignal, onMount, Show } from "solid-js";
import { useHallway } from "../../state/context";

const MAX_HEIGHT = 160;

/** Drops leading blank lines and trailing whitespace; keeps indentation inside the text. */
export function normaliseBody(text: string): string {
  return text.replace(/^(?:[ \t]*\r?\n)+/, "").trimEnd();
}

/** Message box: Enter sends, Shift+Enter inserts a newline. */
export function Composer(props: { peer: string; peerName: string }) {
  const { conversations } = useHallway();
  const [text, setText] = createSignal("");
  let area!: HTMLTextAreaElement;

  const grow = () => {
    area.style.height = "auto";
    if (area.scrollHeight > 0) area.style.height = `${Math.min(area.scrollHeight, MAX_HEIGHT)}px`;
  };

  async function send() {
    const body = normaliseBody(text());
    if (body === "") return;
    setText("");
    grow();
    const ok = await conversations.send(props.peer, body);
    if (!ok && text() === "") {
      setText(body); // give the text back so it is not lost
      grow();
    }
  }

  // Opening a conversation puts the cursor in the message box.
  onMount(() => area.focus({ preventScroll: true }));

  const sendError = () => conversations.conversation(props.peer)?.sendError ?? null;

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
      <div class="composer-row">
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
          onKeyDown={(e) => {
            if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              void send();
            }
          }}
        />
        <button type="submit" class="button button--primary" disabled={text().trim() === ""}>
          Send
        </button>
      </div>
    </form>
  );
}
