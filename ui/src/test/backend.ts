// A fake backend for component tests: mockIPC with per-command handlers, a call log, and typed
// event emission. Only test code may import @tauri-apps/* outside src/ipc/.
import { emit } from "@tauri-apps/api/event";
import { mockIPC } from "@tauri-apps/api/mocks";
import type {
  AppSnapshot,
  Attachment,
  AutoAwayChanged,
  AvatarChanged,
  BlocklistChanged,
  Contact,
  ContactDetails,
  ConnectionStateChanged,
  IpcError,
  Message,
  MessageRequest,
  MessageRequestsChanged,
  MessageStateChanged,
  MessageCorrected,
  MessageUpdated,
  MessagesReceived,
  MyPresenceChanged,
  PresencesChanged,
  RosterChanged,
  SearchResult,
  ServerSearchHit,
  ServerSearchPage,
  SubscriptionRequestsChanged,
  TransferProgressed,
  NotificationClicked,
  InvitationsChanged,
  OccupantsChanged,
  Room,
  RoomsChanged,
  UnreadChanged,
  UploadLimit,
  VCardFields,
} from "../ipc";

export type Args = Record<string, unknown>;
export type Handler = (args: Args) => unknown;
export type Call = { cmd: string; args: Args };

export const ME = "me@example.com";

export function snapshot(overrides: Partial<AppSnapshot> = {}): AppSnapshot {
  return {
    account: ME,
    connection: { state: "online", jid: `${ME}/hallway` },
    myPresence: { show: "available", status: "" },
    keychainAvailable: true,
    savedAccount: { address: ME, server: null },
    notice: null,
    notificationPreviews: true,
    autoAway: { enabled: true, awayMinutes: 5, xaMinutes: 30 },
    autoAwayState: "off",
    myAvatar: null,
    previewLimit: 5 * 1000 * 1000,
    maxIncomingFile: 4 * 1024 * 1024 * 1024,
    shareOs: true,
    ...overrides,
  };
}

export function contact(jid: string, overrides: Partial<Contact> = {}): Contact {
  const local = jid.split("@")[0] ?? jid;
  return {
    jid,
    name: null,
    displayName: local,
    groups: [],
    subscription: "both",
    presence: "offline",
    status: null,
    unread: 0,
    pendingOut: false,
    blocked: false,
    idleSince: null,
    lastSeen: null,
    avatar: null,
    ...overrides,
  };
}

let nextId = 1000;
export function message(peer: string, overrides: Partial<Message> = {}): Message {
  const id = overrides.id ?? nextId++;
  const direction = overrides.direction ?? "incoming";
  return {
    id,
    peer,
    direction,
    sender: direction === "incoming" ? peer : ME,
    body: `message ${id}`,
    timestamp: Date.UTC(2026, 10, 24, 9, 30) + id * 1000,
    state: direction === "incoming" ? "received" : "sent",
    originId: `origin-${id}`,
    edited: false,
    attachment: null,
    mention: false,
    ...overrides,
  };
}

/** A message's file: a received PDF waiting to be downloaded unless given. */
export function attachment(overrides: Partial<Attachment> = {}): Attachment {
  return {
    url: "https://upload.example.com/abc123/report.pdf",
    name: "report.pdf",
    size: 3_100_000,
    mime: "application/pdf",
    localPath: null,
    status: "available",
    error: null,
    ...overrides,
  };
}

/** The upload limit the fake server states unless a test says otherwise (10 MiB). */
export const UPLOAD_LIMIT: UploadLimit = { available: true, maxSize: 10 * 1024 * 1024 };

/** A search hit whose snippet marks every occurrence of `term` in the body (as the backend does). */
export function searchResult(m: Message, term: string): SearchResult {
  const snippet = term ? m.body.split(term).join(`\u0002${term}\u0003`) : m.body;
  return { message: m, snippet };
}

let nextArchiveId = 1;
/** A match on the server (not stored locally); its snippet marks every occurrence of `term`. */
export function serverHit(
  peer: string,
  body: string,
  term: string,
  overrides: Partial<ServerSearchHit> = {},
): ServerSearchHit {
  const archiveId = overrides.archiveId ?? `archive-${nextArchiveId++}`;
  return {
    archiveId,
    originId: `origin-${archiveId}`,
    peer,
    direction: "incoming",
    timestamp: Date.UTC(2024, 2, 1, 9, 30),
    snippet: term ? body.split(term).join(`\u0002${term}\u0003`) : body,
    ...overrides,
  };
}

/** One page of server search results; `older` is where the next page starts. */
export function serverPage(hits: ServerSearchHit[], older: string | null = null): ServerSearchPage {
  return { hits, older };
}

export function ipcError(code: IpcError["code"], msg: string, fingerprint: string | null = null) {
  const error: IpcError = { code, message: msg, fingerprint };
  return error;
}

/** A business card; every field empty unless given. */
export function vcard(overrides: Partial<VCardFields> = {}): VCardFields {
  return {
    fullName: null,
    title: null,
    organization: null,
    department: null,
    email: null,
    phone: null,
    ...overrides,
  };
}

/** What the contact details panel loads: no devices and an empty card unless given. */
export function contactDetails(
  jid: string,
  overrides: Partial<ContactDetails> = {},
): ContactDetails {
  return { jid, devices: [], vcard: vcard(), lastSeen: null, ...overrides };
}

/** Someone outside the roster who wrote to us (the "Requests" section). */
export function messageRequest(
  jid: string,
  overrides: Partial<MessageRequest> = {},
): MessageRequest {
  return {
    jid,
    unread: 1,
    lastBody: "Hello",
    lastTimestamp: Date.UTC(2026, 10, 24, 9, 30),
    ...overrides,
  };
}

/** Makes a handler reject with an IpcError, as a failing Rust command does. */
export function room(jid: string, overrides: Partial<Room> = {}): Room {
  return {
    room: jid,
    name: jid.split("@")[0] ?? jid,
    nick: "me",
    phase: { kind: "joined" },
    subject: null,
    notify: "mentions",
    autojoin: true,
    role: "participant",
    affiliation: "none",
    ...overrides,
  };
}

export function fail(error: IpcError): Handler {
  return () => Promise.reject(error);
}

const defaults: Record<string, Handler> = {
  get_app_state: () => snapshot(),
  list_contacts: () => [],
  load_history: () => [],
  mark_read: () => null,
  set_my_presence: () => null,
  sign_in: () => null,
  sign_out: () => null,
  trust_certificate: () => null,
  retry_message: () => null,
  load_history_around: () => [],
  search_messages: () => [],
  // Server archive search (XEP-0431): the server cannot search unless a test says so.
  can_search_server: () => false,
  search_server: () => serverPage([]),
  fetch_archived_message: fail(ipcError("refused", "The server has no such message.")),
  set_notification_previews: () => null,
  set_share_os: () => null,
  set_visible_conversation: () => null,
  get_contact_details: (args) => contactDetails(String(args.jid)),
  get_my_profile: () => vcard(),
  set_my_profile: () => null,
  set_my_avatar: () => "0000000000000000000000000000000000000000",
  set_auto_away: () => null,
  list_subscription_requests: () => [],
  list_message_requests: () => [],
  list_blocked: () => [],
  list_rooms: () => [],
  list_occupants: () => [],
  join_room: (args) =>
    room(String(args.address), { nick: String(args.nick), phase: { kind: "joining" } }),
  create_room: (args) =>
    room(`${String(args.name).toLowerCase().replace(/\W+/g, "-")}@rooms.example.com`, {
      name: String(args.name),
      nick: String(args.nick),
      phase: { kind: "joining" },
    }),
  browse_rooms: () => [],
  list_invitations: () => [],
  accept_invitation: (args) =>
    room(String(args.room), { nick: String(args.nick), phase: { kind: "joining" } }),
  decline_invitation: () => null,
  invite_to_room: () => null,
  leave_room: () => null,
  set_room_notify: () => null,
  set_room_subject: () => null,
  moderate_occupant: () => null,
  get_room_settings: () => ({
    name: "office",
    description: null,
    membersOnly: false,
    public: true,
    persistent: true,
    archived: true,
  }),
  change_room_settings: () => null,
  destroy_room: () => null,
  add_contact: () => null,
  rename_contact: () => null,
  set_contact_groups: () => null,
  remove_contact: () => null,
  accept_subscription: () => null,
  decline_subscription: () => null,
  block_contact: () => null,
  unblock_contact: () => null,
  // As the backend: the stored message reaches the window through messagesReceived, the
  // command answers its id.
  send_message: (args) =>
    shown(
      message(String(args.peer), {
        direction: "outgoing",
        body: String(args.body),
        state: "pending",
      }),
    ),
  get_upload_limit: () => UPLOAD_LIMIT,
  discard_staged_file: () => null,
  cancel_transfer: () => null,
  download_file: () => null,
  inspect_file: () => null,
  get_file_preview: () => null,
  open_file: () => null,
  show_file_in_folder: () => null,
  // Direct transfer (XEP-0234): no device of the contact's takes files unless a test says so.
  can_send_directly: () => false,
  accept_file: () => null,
  decline_file: () => null,
};

/**
 * File staging, as the backend does it: stage_file names a staging id, send_staged_file (and
 * send_staged_file_directly, marked direct) answers the stored message (uploading) carrying that
 * file's name and the bytes appended (base64).
 */
function stagingHandlers(): Record<string, Handler> {
  const staged = new Map<string, { name: string; size: number }>();
  let next = 1;
  return {
    stage_file: (args) => {
      const id = `staging-${next++}`;
      staged.set(id, { name: String(args.name), size: 0 });
      return id;
    },
    append_staged_file: (args) => {
      const file = staged.get(String(args.stagingId));
      if (file) file.size += atob(String(args.chunkBase64)).length;
      return null;
    },
    send_staged_file: (args) => sent(args, false),
    send_staged_file_directly: (args) => sent(args, true),
  };

  function sent(args: Args, direct: boolean): number {
    const file = staged.get(String(args.stagingId)) ?? { name: "file", size: 0 };
    return shown(
      message(String(args.peer), {
        direction: "outgoing",
        body: file.name,
        state: "pending",
        attachment: attachment({
          url: null,
          name: file.name,
          size: file.size,
          mime: null,
          localPath: `/data/outgoing/${String(args.stagingId)}/${file.name}`,
          status: "uploading",
          ...(direct ? { direct: true } : {}),
        }),
      }),
    );
  }
}

/** A message we sent, as the backend shows it: a messagesReceived event; returns its id. */
function shown(m: Message): number {
  void emit("messages-received", { messages: [m] });
  return m.id;
}

export function mockBackend(handlers: Record<string, Handler> = {}) {
  const calls: Call[] = [];
  const staging = stagingHandlers();
  mockIPC(
    (cmd, args) => {
      const a = (args ?? {}) as Args;
      calls.push({ cmd, args: a });
      const handler = handlers[cmd] ?? staging[cmd] ?? defaults[cmd];
      if (!handler) return Promise.reject(ipcError("internal", `unmocked command ${cmd}`));
      // Real IPC serialises results: hand out copies, so the app's store cannot change the
      // fixtures a later test reuses.
      return Promise.resolve(handler(a)).then((v: unknown) =>
        v === undefined ? v : structuredClone(v),
      );
    },
    { shouldMockEvents: true },
  );
  return {
    calls,
    callsTo: (cmd: string) => calls.filter((c) => c.cmd === cmd).map((c) => c.args),
    commands: () => calls.map((c) => c.cmd),
  };
}

type EventPayloads = {
  "connection-state-changed": ConnectionStateChanged;
  "roster-changed": RosterChanged;
  "presences-changed": PresencesChanged;
  "messages-received": MessagesReceived;
  "message-state-changed": MessageStateChanged;
  "message-corrected": MessageCorrected;
  "unread-changed": UnreadChanged;
  "my-presence-changed": MyPresenceChanged;
  "auto-away-changed": AutoAwayChanged;
  "avatar-changed": AvatarChanged;
  "subscription-requests-changed": SubscriptionRequestsChanged;
  "message-requests-changed": MessageRequestsChanged;
  "blocklist-changed": BlocklistChanged;
  "message-updated": MessageUpdated;
  "transfer-progressed": TransferProgressed;
  "notification-clicked": NotificationClicked;
  "rooms-changed": RoomsChanged;
  "occupants-changed": OccupantsChanged;
  "invitations-changed": InvitationsChanged;
};

/** Emits a backend event (tauri-specta names events in kebab-case). */
export async function emitEvent<K extends keyof EventPayloads>(name: K, payload: EventPayloads[K]) {
  await emit(name, payload);
}
