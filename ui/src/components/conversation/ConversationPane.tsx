// The open conversation: header (avatar, name, presence, address), message log and composer.
import { presenceText } from "../../lib/presence";
import { useHallway } from "../../state/context";
import { Avatar } from "../shared/Avatar";
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
        <Avatar jid={props.peer} name={name()} class="avatar--large" />
        <div class="conversation-heading">
          <h2 id="conversation-title" class="conversation-title">
            {name()}
          </h2>
          <p class="conversation-presence">
            <PresenceDot show={show()} />
            <span>{presenceText(show(), contact()?.status ?? null)}</span>
            <span class="conversation-jid">{props.peer}</span>
          </p>
        </div>
      </header>
      <MessageList peer={props.peer} peerName={name()} />
      <Composer peer={props.peer} peerName={name()} />
    </section>
  );
}
