import { Show } from "solid-js";
import { AccountHeader } from "../components/account/AccountHeader";
import { ContactList } from "../components/contacts/ContactList";
import { ConversationPane } from "../components/conversation/ConversationPane";
import { EmptyConversation } from "../components/conversation/EmptyConversation";
import { SearchBox, SearchResults } from "../components/search/MessageSearch";
import { useHallway } from "../state/context";

export function MainView() {
  const { conversations, search } = useHallway();
  return (
    <div class="layout">
      <aside class="sidebar" aria-label="Account and contacts">
        <AccountHeader />
        <SearchBox />
        <Show when={search.active()} fallback={<ContactList />}>
          <SearchResults />
        </Show>
      </aside>
      <main class="pane">
        <Show when={conversations.selected()} keyed fallback={<EmptyConversation />}>
          {(peer) => <ConversationPane peer={peer} />}
        </Show>
      </main>
    </div>
  );
}
