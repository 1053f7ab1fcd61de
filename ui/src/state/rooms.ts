// Rooms state (XEP-0045): our rooms with where we stand in each, and who is in them. Loaded once
// per sign-in, then patched by RoomsChanged / OccupantsChanged (the backend batches occupant
// floods: one event per room per 50 ms).
import { createSignal } from "solid-js";
import { api } from "../ipc";
import type {
  Invitation,
  Occupant,
  OccupantAction,
  Room,
  RoomNotify,
  RoomPhase,
  RoomSettings,
} from "../ipc";

/** The words a room's phase shows in the sidebar and the room's header. */
export function phaseWords(phase: RoomPhase): string {
  switch (phase.kind) {
    case "joining":
      return "Joining…";
    case "joined":
      return "Joined";
    case "reconnecting":
      return "Reconnecting…";
    case "left":
      return "Not joined";
    case "error":
      return phase.words;
  }
}

/** A nickname from an occupant address (room@service/nick), or the address itself. */
export function nickOf(sender: string): string {
  const slash = sender.indexOf("/");
  return slash >= 0 ? sender.slice(slash + 1) : sender;
}

export function createRoomsStore() {
  const [rooms, setRooms] = createSignal<readonly Room[]>([]);
  const [invitations, setInvitations] = createSignal<readonly Invitation[]>([]);
  const [occupants, setOccupants] = createSignal<ReadonlyMap<string, readonly Occupant[]>>(
    new Map(),
  );

  /** RoomsChanged / InvitationsChanged events seen: a list answer older than one is stale. */
  let roomEvents = 0;
  let invitationEvents = 0;

  async function load(): Promise<void> {
    try {
      // The answer and the events travel separately: an event that came meanwhile is newer
      // (a room joined while the list was on its way stays joined).
      const rooms = roomEvents;
      const list = await api.listRooms();
      if (rooms === roomEvents) setRooms(list);
      const invitations = invitationEvents;
      const waiting = await api.listInvitations();
      if (invitations === invitationEvents) setInvitations(waiting);
    } catch (e) {
      console.warn("Hallway: rooms not loaded", e);
    }
  }

  /** OccupantsChanged events seen per room: an answer older than the latest event is stale. */
  const eventsSeen = new Map<string, number>();

  async function loadOccupants(room: string): Promise<void> {
    const before = eventsSeen.get(room) ?? 0;
    try {
      const list = await api.listOccupants(room);
      // The answer and the events travel separately: an event that came meanwhile is newer.
      if ((eventsSeen.get(room) ?? 0) === before) setList(room, list);
    } catch (e) {
      console.warn("Hallway: occupants not loaded", e);
    }
  }

  function setList(room: string, list: readonly Occupant[]) {
    setOccupants((old) => new Map(old).set(room, list));
  }

  function applyOccupants(room: string, list: Occupant[]) {
    eventsSeen.set(room, (eventsSeen.get(room) ?? 0) + 1);
    setList(room, list);
  }

  return {
    rooms,
    load,
    loadOccupants,
    applyRooms: (list: Room[]) => {
      roomEvents += 1;
      setRooms(list);
    },
    /** Invitations from contacts (the Rooms section) and from strangers (under Requests). */
    invitations: (fromContacts: boolean): readonly Invitation[] =>
      invitations().filter((i) => i.fromContact === fromContacts),
    applyInvitations: (list: Invitation[]) => {
      invitationEvents += 1;
      setInvitations(list);
    },
    accept: (room: string, nick: string) => api.acceptInvitation(room, nick),
    decline: (room: string) => api.declineInvitation(room),
    invite: (room: string, contact: string, reason: string) =>
      api.inviteToRoom(room, contact, reason),
    applyOccupants,
    /** One of our rooms, or undefined (a chat). */
    room: (jid: string): Room | undefined => rooms().find((r) => r.room === jid),
    occupants: (room: string): readonly Occupant[] => occupants().get(room) ?? [],
    join: (address: string, nick: string, password: string | null = null) =>
      api.joinRoom(address, nick, password),
    create: (name: string, description: string, membersOnly: boolean, nick: string) =>
      api.createRoom(name, description, membersOnly, nick),
    browse: () => api.browseRooms(),
    /** Our full name from our profile (the nickname we offer), or null. */
    myName: async (): Promise<string | null> => {
      try {
        return (await api.getMyProfile()).fullName ?? null;
      } catch {
        return null;
      }
    },
    leave: (room: string) => api.leaveRoom(room),
    setNotify: (room: string, notify: RoomNotify) => api.setRoomNotify(room, notify),
    setSubject: (room: string, subject: string) => api.setRoomSubject(room, subject),
    moderate: (room: string, nick: string, action: OccupantAction, reason: string) =>
      api.moderateOccupant(room, nick, action, reason),
    settings: (room: string) => api.getRoomSettings(room),
    changeSettings: (room: string, settings: RoomSettings) =>
      api.changeRoomSettings(room, settings),
    destroy: (room: string, reason: string) => api.destroyRoom(room, reason),
    reset() {
      eventsSeen.clear();
      setRooms([]);
      setInvitations([]);
      setOccupants(new Map());
    },
  };
}

export type RoomsStore = ReturnType<typeof createRoomsStore>;
