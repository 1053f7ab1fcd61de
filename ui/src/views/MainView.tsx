import { Show } from "solid-js";
import { AccountHeader } from "../components/account/AccountHeader";
import { ContactList } from "../components/contacts/ContactList";
import { ConversationPane } from "../components/conversation/ConversationPane";
import { EmptyConversation } from "../components/conversation/EmptyConversation";
import { useHallway } from "../state/context";

export function MainView() {
  const { conversations } = useHallway();
  return (
    <div class="layout">
      <aside class="sidebar" aria-label="Account and contacts">
        <AccountHeader />
        <ContactList />
      </aside>
      <main class="pane">
        <Show when={conversations.selected()} keyed fallback={<EmptyConversation />}>
          {(peer) => <ConversationPane peer={peer} />}
        </Show>
      </main>
    </div>
  );
}
