import { onCleanup, Show } from "solid-js";
import { AccountHeader } from "../components/account/AccountHeader";
import { NoticeBanner } from "../components/account/NoticeBanner";
import { ContactList } from "../components/contacts/ContactList";
import { RoomList } from "../components/rooms/RoomList";
import { BubbleWarmUp } from "../components/conversation/BubbleWarmUp";
import { ConversationPane, dragsFiles } from "../components/conversation/ConversationPane";
import { EmptyConversation } from "../components/conversation/EmptyConversation";
import { SearchBox, SearchResults } from "../components/search/MessageSearch";
import { useHallway } from "../state/context";

export function MainView() {
  const { conversations, search } = useHallway();

  // Files dropped outside an open conversation do nothing (the web view would open them in
  // place of the app). A conversation takes them before this sees the event.
  const refuseDrag = (e: DragEvent) => {
    if (e.defaultPrevented || !dragsFiles(e)) return;
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = "none";
  };
  window.addEventListener("dragover", refuseDrag);
  window.addEventListener("drop", refuseDrag);
  onCleanup(() => {
    window.removeEventListener("dragover", refuseDrag);
    window.removeEventListener("drop", refuseDrag);
  });

  return (
    <div class="layout">
      <aside class="sidebar" aria-label="Account and contacts">
        <AccountHeader />
        <NoticeBanner />
        <SearchBox />
        <Show
          when={search.active()}
          fallback={
            <>
              <RoomList />
              <ContactList />
            </>
          }
        >
          <SearchResults />
        </Show>
      </aside>
      <main class="pane">
        <Show when={conversations.selected()} keyed fallback={<EmptyConversation />}>
          {(peer) => <ConversationPane peer={peer} />}
        </Show>
        <BubbleWarmUp />
      </main>
    </div>
  );
}
