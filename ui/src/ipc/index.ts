// The one client wrapper around the generated bindings (bindings.ts, from tauri-specta).
// - Commands: unwrap `Result<T, IpcError>` and throw `IpcFailure` on error.
// - Events: `on.x(cb)` subscribes and returns a synchronous unsubscribe function plus a `ready`
//   promise that resolves once the listener is registered with the backend.
// Nothing outside src/ipc/ may import @tauri-apps/* or bindings.ts (enforced by eslint).
import { commands, events } from "./bindings";
import type {
  AppSnapshot,
  AutoAwaySettings,
  Contact,
  ContactDetails,
  IpcError,
  IpcErrorCode,
  Message,
  MessageRequest,
  MyPresence,
  SearchResult,
  ServerSearchPage,
  SignInRequest,
  SubscriptionRequest,
  UploadLimit,
  VCardFields,
} from "./bindings";

export type * from "./bindings";
/** The file types the backend opens (documents, pictures, audio, video, archives). */
export { OPENABLE_EXTENSIONS } from "./bindings";

/** A command failed; `error` is the backend's IpcError (or a synthesised `internal` one). */
export class IpcFailure extends Error {
  readonly error: IpcError;

  constructor(error: IpcError) {
    super(error.message);
    this.name = "IpcFailure";
    this.error = error;
  }

  get code(): IpcErrorCode {
    return this.error.code;
  }
}

function isIpcError(value: unknown): value is IpcError {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { code?: unknown }).code === "string" &&
    typeof (value as { message?: unknown }).message === "string"
  );
}

function toIpcError(value: unknown): IpcError {
  if (isIpcError(value)) {
    return { code: value.code, message: value.message, fingerprint: value.fingerprint ?? null };
  }
  const message =
    value instanceof Error ? value.message : typeof value === "string" ? value : String(value);
  return { code: "internal", message: message || "Unexpected error", fingerprint: null };
}

/** Turn anything thrown by a command wrapper into a user-facing message. */
export function errorMessage(err: unknown): string {
  if (err instanceof IpcFailure) return err.message;
  return toIpcError(err).message;
}

/** The shape tauri-specta's commands resolve to. */
export type Result<T, E> = { status: "ok"; data: T } | { status: "error"; error: E };

async function unwrap<T>(pending: Promise<Result<T, IpcError>>): Promise<T> {
  let result: Result<T, IpcError>;
  try {
    result = await pending;
  } catch (e) {
    // Transport-level failure (e.g. the command does not exist): still an IpcFailure.
    throw new IpcFailure(toIpcError(e));
  }
  if (result.status === "error") throw new IpcFailure(toIpcError(result.error));
  return result.data;
}

export const api = {
  getAppState: (): Promise<AppSnapshot> => unwrap(commands.getAppState()),
  signIn: (req: SignInRequest): Promise<null> => unwrap(commands.signIn(req)),
  trustCertificate: (address: string, fingerprint: string): Promise<null> =>
    unwrap(commands.trustCertificate(address, fingerprint)),
  signOut: (): Promise<null> => unwrap(commands.signOut()),
  listContacts: (): Promise<Contact[]> => unwrap(commands.listContacts()),
  setMyPresence: (presence: MyPresence): Promise<null> => unwrap(commands.setMyPresence(presence)),
  loadHistory: (peer: string, beforeId: number | null, limit: number): Promise<Message[]> =>
    unwrap(commands.loadHistory(peer, beforeId, limit)),
  sendMessage: (peer: string, body: string): Promise<Message> =>
    unwrap(commands.sendMessage(peer, body)),
  retryMessage: (id: number): Promise<null> => unwrap(commands.retryMessage(id)),
  markRead: (peer: string): Promise<null> => unwrap(commands.markRead(peer)),
  loadHistoryAround: (id: number, limit: number): Promise<Message[]> =>
    unwrap(commands.loadHistoryAround(id, limit)),
  searchMessages: (query: string): Promise<SearchResult[]> =>
    unwrap(commands.searchMessages(query)),
  canSearchServer: (): Promise<boolean> => unwrap(commands.canSearchServer()),
  searchServer: (query: string, older: string | null): Promise<ServerSearchPage> =>
    unwrap(commands.searchServer(query, older)),
  fetchArchivedMessage: (
    peer: string,
    archiveId: string,
    originId: string | null,
  ): Promise<number> => unwrap(commands.fetchArchivedMessage(peer, archiveId, originId)),
  setNotificationPreviews: (show: boolean): Promise<null> =>
    unwrap(commands.setNotificationPreviews(show)),
  setVisibleConversation: (peer: string | null, focused: boolean): Promise<null> =>
    unwrap(commands.setVisibleConversation(peer, focused)),
  addContact: (address: string, name: string, group: string): Promise<null> =>
    unwrap(commands.addContact(address, name, group)),
  renameContact: (jid: string, name: string): Promise<null> =>
    unwrap(commands.renameContact(jid, name)),
  setContactGroups: (jid: string, groups: string[]): Promise<null> =>
    unwrap(commands.setContactGroups(jid, groups)),
  removeContact: (jid: string): Promise<null> => unwrap(commands.removeContact(jid)),
  acceptSubscription: (jid: string): Promise<null> => unwrap(commands.acceptSubscription(jid)),
  declineSubscription: (jid: string): Promise<null> => unwrap(commands.declineSubscription(jid)),
  listSubscriptionRequests: (): Promise<SubscriptionRequest[]> =>
    unwrap(commands.listSubscriptionRequests()),
  listMessageRequests: (): Promise<MessageRequest[]> => unwrap(commands.listMessageRequests()),
  blockContact: (jid: string): Promise<null> => unwrap(commands.blockContact(jid)),
  unblockContact: (jid: string): Promise<null> => unwrap(commands.unblockContact(jid)),
  getContactDetails: (jid: string): Promise<ContactDetails> =>
    unwrap(commands.getContactDetails(jid)),
  getMyProfile: (): Promise<VCardFields> => unwrap(commands.getMyProfile()),
  setMyProfile: (profile: VCardFields): Promise<null> => unwrap(commands.setMyProfile(profile)),
  setMyAvatar: (imageBase64: string): Promise<string> => unwrap(commands.setMyAvatar(imageBase64)),
  getAvatar: (hash: string): Promise<string | null> => unwrap(commands.getAvatar(hash)),
  setAutoAway: (settings: AutoAwaySettings): Promise<null> =>
    unwrap(commands.setAutoAway(settings)),
  getUploadLimit: (): Promise<UploadLimit> => unwrap(commands.getUploadLimit()),
  stageFile: (name: string): Promise<string> => unwrap(commands.stageFile(name)),
  appendStagedFile: (stagingId: string, chunkBase64: string): Promise<null> =>
    unwrap(commands.appendStagedFile(stagingId, chunkBase64)),
  discardStagedFile: (stagingId: string): Promise<null> =>
    unwrap(commands.discardStagedFile(stagingId)),
  sendStagedFile: (peer: string, stagingId: string): Promise<Message> =>
    unwrap(commands.sendStagedFile(peer, stagingId)),
  cancelTransfer: (id: number): Promise<null> => unwrap(commands.cancelTransfer(id)),
  downloadFile: (id: number): Promise<null> => unwrap(commands.downloadFile(id)),
  inspectFile: (id: number): Promise<null> => unwrap(commands.inspectFile(id)),
  getFilePreview: (id: number): Promise<string | null> => unwrap(commands.getFilePreview(id)),
  openFile: (id: number): Promise<null> => unwrap(commands.openFile(id)),
  showFileInFolder: (id: number): Promise<null> => unwrap(commands.showFileInFolder(id)),
  canSendDirectly: (peer: string): Promise<boolean> => unwrap(commands.canSendDirectly(peer)),
  sendStagedFileDirectly: (peer: string, stagingId: string): Promise<Message> =>
    unwrap(commands.sendStagedFileDirectly(peer, stagingId)),
  acceptFile: (id: number): Promise<null> => unwrap(commands.acceptFile(id)),
  declineFile: (id: number): Promise<null> => unwrap(commands.declineFile(id)),
  setPreviewLimit: (bytes: number): Promise<null> => unwrap(commands.setPreviewLimit(bytes)),
  setMaxIncomingFile: (bytes: number): Promise<null> => unwrap(commands.setMaxIncomingFile(bytes)),
  listBlocked: (): Promise<string[]> => unwrap(commands.listBlocked()),
};

export type Api = typeof api;

export interface Subscription {
  /** Stop listening. Safe to call before the listener is registered, and more than once. */
  unsubscribe: () => void;
  /** Resolves once the backend has registered the listener. */
  ready: Promise<void>;
}

type Listenable<T> = {
  listen: (cb: (e: { payload: T }) => void) => Promise<() => void>;
};

function subscribe<T>(event: Listenable<T>, cb: (payload: T) => void): Subscription {
  let active = true;
  let unlisten: (() => void) | undefined;
  const ready = event
    .listen((e) => {
      if (active) cb(e.payload);
    })
    .then(
      (fn) => {
        if (active) unlisten = fn;
        else fn();
      },
      (err: unknown) => {
        console.error("Hallway: could not subscribe to an event", err);
      },
    );
  return {
    unsubscribe: () => {
      if (!active) return;
      active = false;
      unlisten?.();
      unlisten = undefined;
    },
    ready,
  };
}

type Payload<E> = E extends Listenable<infer T> ? T : never;
type Subscribers = {
  [K in keyof typeof events]: (cb: (payload: Payload<(typeof events)[K]>) => void) => Subscription;
};

/** `on.presencesChanged(p => …)`: one subscribe helper per event in the contract. */
export const on: Subscribers = {
  connectionStateChanged: (cb) => subscribe(events.connectionStateChanged, cb),
  rosterChanged: (cb) => subscribe(events.rosterChanged, cb),
  presencesChanged: (cb) => subscribe(events.presencesChanged, cb),
  messagesReceived: (cb) => subscribe(events.messagesReceived, cb),
  messageStateChanged: (cb) => subscribe(events.messageStateChanged, cb),
  messageCorrected: (cb) => subscribe(events.messageCorrected, cb),
  unreadChanged: (cb) => subscribe(events.unreadChanged, cb),
  myPresenceChanged: (cb) => subscribe(events.myPresenceChanged, cb),
  subscriptionRequestsChanged: (cb) => subscribe(events.subscriptionRequestsChanged, cb),
  messageRequestsChanged: (cb) => subscribe(events.messageRequestsChanged, cb),
  blocklistChanged: (cb) => subscribe(events.blocklistChanged, cb),
  avatarChanged: (cb) => subscribe(events.avatarChanged, cb),
  autoAwayChanged: (cb) => subscribe(events.autoAwayChanged, cb),
  messageUpdated: (cb) => subscribe(events.messageUpdated, cb),
  transferProgressed: (cb) => subscribe(events.transferProgressed, cb),
  notificationClicked: (cb) => subscribe(events.notificationClicked, cb),
};
