// The application state: every store, wired to the backend's events and the window's focus.
import { createEffect, createMemo, createSignal, onCleanup } from "solid-js";
import { api, on } from "../ipc";
import { measured } from "../lib/perfMarks";
import type { Subscription } from "../ipc";
import { createContactsStore } from "./contacts";
import { createConversationsStore } from "./conversations";
import { createFilesStore } from "./files";
import { createPeopleStore } from "./people";
import { createRoomsStore } from "./rooms";
import type { ConversationsOptions } from "./conversations";
import { createSearchStore } from "./search";
import { createSessionStore } from "./session";

export const APP_NAME = "Hallway";

export type HallwayOptions = ConversationsOptions & {
  /** Search debounce in ms (tests may shorten it). */
  searchDelay?: number;
};

export function windowTitle(totalUnread: number): string {
  return totalUnread > 0 ? `(${totalUnread}) ${APP_NAME}` : APP_NAME;
}

/**
 * Creates the application state and wires it to the backend: subscribes to every event first,
 * then loads the snapshot with a query command; afterwards only events patch it (no polling).
 * Must run under a Solid owner (a component or createRoot): listeners are removed on cleanup.
 */
export function createHallway(opts: HallwayOptions = {}) {
  const isWindowFocused = opts.isWindowFocused ?? (() => document.hasFocus());
  const session = createSessionStore();
  const contacts = createContactsStore();
  const people = createPeopleStore();
  const rooms = createRoomsStore();
  const conversations = createConversationsStore(contacts, { isWindowFocused });
  const files = createFilesStore(conversations);
  const search = createSearchStore({ delay: opts.searchDelay });
  onCleanup(() => search.dispose());

  const subs: Subscription[] = [
    on.connectionStateChanged(({ state }) => {
      // The next connection may reach another server (or the same one, upgraded): ask it again.
      if (state.state !== "online") search.server.resetCapability();
      session.setConnection(state);
      if (state.state === "error" && state.error.kind === "authFailed" && session.state.account) {
        // The server no longer accepts our credentials: back to the sign-in form, with the reason.
        session.showSignIn(state.error.message, session.state.account);
      }
    }),
    on.myPresenceChanged(({ presence }) => session.setMyPresenceFromEvent(presence)),
    on.rosterChanged(({ contacts: list }) => contacts.applyRoster(list)),
    on.presencesChanged(({ updates }) =>
      measured("presences", () => contacts.applyPresences(updates)),
    ),
    on.unreadChanged(({ counts }) => contacts.applyUnread(counts)),
    on.messagesReceived(({ messages }) => conversations.applyReceived(messages)),
    on.messageStateChanged(({ id, state }) => conversations.applyState(id, state)),
    on.messageCorrected(({ message }) => conversations.applyCorrection(message)),
    on.messageUpdated(({ message }) => files.applyUpdated(message)),
    on.transferProgressed(({ progress }) => files.applyProgress(progress)),
    on.subscriptionRequestsChanged(({ requests }) => people.setSubscriptionRequests(requests)),
    on.messageRequestsChanged(({ requests }) => people.setMessageRequests(requests)),
    on.blocklistChanged(({ jids }) => people.setBlocked(jids)),
    on.avatarChanged(({ jid, avatar }) => {
      if (jid === session.state.account) session.setMyAvatar(avatar);
      else contacts.applyAvatar(jid, avatar);
    }),
    on.autoAwayChanged(({ state }) => session.setAutoAwayState(state)),
    on.roomsChanged(({ rooms: list }) => rooms.applyRooms(list)),
    on.occupantsChanged(({ room, occupants }) =>
      measured("occupants", () => rooms.applyOccupants(room, occupants)),
    ),
    on.invitationsChanged(({ invitations }) => rooms.applyInvitations(invitations)),
    // A click on a desktop notification: its conversation (a summary only brings the window up).
    on.notificationClicked(({ peer }) => {
      if (peer && session.state.phase === "signedIn") {
        search.clear();
        conversations.open(peer);
      }
    }),
  ];
  onCleanup(() => subs.forEach((s) => s.unsubscribe()));

  const [focused, setFocused] = createSignal(isWindowFocused());
  const onFocus = () => {
    setFocused(true);
    conversations.windowFocused();
  };
  const onBlur = () => setFocused(false);
  const onVisibility = () => {
    if (document.hidden) setFocused(false);
  };
  window.addEventListener("focus", onFocus);
  window.addEventListener("blur", onBlur);
  document.addEventListener("visibilitychange", onVisibility);
  onCleanup(() => {
    window.removeEventListener("focus", onFocus);
    window.removeEventListener("blur", onBlur);
    document.removeEventListener("visibilitychange", onVisibility);
  });

  // The backend suppresses desktop notifications for the conversation the user is looking at.
  const visiblePeer = createMemo(() =>
    session.state.phase === "signedIn" ? conversations.selected() : null,
  );
  createEffect(() => {
    const peer = visiblePeer();
    const isFocused = focused();
    api
      .setVisibleConversation(peer, isFocused)
      .catch((e: unknown) => console.warn("Hallway: setVisibleConversation failed", e));
  });

  // Signed in → load the roster; signed out → drop everything that belonged to the account.
  let loadedFor: string | null = null;
  createEffect(() => {
    const account = session.state.phase === "signedIn" ? session.state.account : null;
    if (account === loadedFor) return;
    loadedFor = account;
    conversations.reset();
    files.reset();
    contacts.reset();
    people.reset();
    rooms.reset();
    search.clear();
    search.server.resetCapability();
    if (account) {
      void contacts.load();
      void rooms.load();
      people.load().catch((e: unknown) => console.warn("Hallway: requests not loaded", e));
    }
  });

  // Chats count every unread message; a room by its Notify setting (rooms notify on mentions
  // unless the user chose otherwise): all of them, only those naming us, or none.
  createEffect(() => {
    document.title = windowTitle(
      contacts.totalUnread((peer, unread, mentions) => {
        const room = rooms.room(peer);
        if (!room) return unread;
        return room.notify === "all" ? unread : room.notify === "mentions" ? mentions : 0;
      }),
    );
  });

  /** Resolves when listeners are registered and the first snapshot is applied. */
  const ready = Promise.all(subs.map((s) => s.ready)).then(() => session.refresh());

  return { session, contacts, conversations, files, search, people, rooms, ready };
}

export type Hallway = ReturnType<typeof createHallway>;
