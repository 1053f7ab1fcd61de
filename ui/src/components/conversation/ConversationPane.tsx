import { presenceText } from "../../lib/presence";
import { useHallway } from "../../state/context";
import { PresenceDot } from "../shared/PresenceDot";
import { Composer } from "./Composer";
import { MessageList } from "./MessageList";

export function ConversationPane(props: { peer: string }) {
  const { contacts } = useHallway();
  const contact = () => contacts.contact(props.peer);
  const name = () => contact()?.displayName ?? props.peer;
  const show = () => contact()?.presence ?? "offline";

  return (
    <section class="conversation" aria-labelledby="conversation-title">
      <header class="conversation-header">
        <h2 id="conversation-title" class="conversation-title">
          {name()}
        </h2>
        <p class="conversation-presence">
          <PresenceDot show={show()} />
          <span>{presenceText(show(), contact()?.status ?? null)}</span>
          <span class="conversation-jid">{props.peer}</span>
        </p>
      </header>
      <MessageList peer={props.peer} peerName={name()} />
      <Composer peer={props.peer} peerName={name()} />
    </section>
  );
}
