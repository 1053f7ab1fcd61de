// PROVISIONAL hand-written stand-in for the tauri-specta output (same exported names and shapes).
// It is replaced by the generated file; do not add anything here that the generator would not emit.
import { invoke as __TAURI_INVOKE } from "@tauri-apps/api/core";
import * as __TAURI_EVENT from "@tauri-apps/api/event";

export type PresenceShow = "available" | "away" | "dnd" | "xa" | "offline";
export type MyShow = "available" | "away" | "dnd" | "invisible";
export type Subscription = "none" | "to" | "from" | "both";
export type Contact = {
  jid: string;
  name: string | null;
  displayName: string;
  groups: string[];
  subscription: Subscription;
  presence: PresenceShow;
  status: string | null;
  unread: number;
};
export type Direction = "incoming" | "outgoing";
export type DeliveryState = "pending" | "sent" | "delivered" | "failed" | "received";
export type Message = {
  id: number;
  peer: string;
  direction: Direction;
  sender: string;
  body: string;
  timestamp: number;
  state: DeliveryState;
  originId: string;
};
export type ConnectionErrorKind =
  | "authFailed"
  | "unknownHost"
  | "connectionRefused"
  | "tlsFailed"
  | "certificateUntrusted"
  | "certificateChanged"
  | "unreachable"
  | "protocol"
  | "other";
export type ConnectionError = { kind: ConnectionErrorKind; message: string; fingerprint: string | null };
export type ConnectionState =
  | { state: "offline" }
  | { state: "connecting" }
  | { state: "online"; jid: string }
  | { state: "reconnecting"; attempt: number; retryInSecs: number }
  | { state: "error"; error: ConnectionError };
export type SignInRequest = { address: string; password: string; server: string | null; remember: boolean };
export type MyPresence = { show: MyShow; status: string };
export type SavedAccount = { address: string; server: string | null };
export type AppSnapshot = {
  account: string | null;
  connection: ConnectionState;
  myPresence: MyPresence;
  keychainAvailable: boolean;
  savedAccount: SavedAccount | null;
  notice: string | null;
};
export type IpcErrorCode =
  | "invalidInput"
  | "authFailed"
  | "network"
  | "tls"
  | "certificateUntrusted"
  | "notSignedIn"
  | "storage"
  | "keychain"
  | "internal";
export type IpcError = { code: IpcErrorCode; message: string; fingerprint: string | null };
export type PresenceUpdate = { jid: string; presence: PresenceShow; status: string | null };
export type UnreadCount = { peer: string; unread: number };
export type ConnectionStateChanged = { state: ConnectionState };
export type RosterChanged = { contacts: Contact[] };
export type PresencesChanged = { updates: PresenceUpdate[] };
export type MessagesReceived = { messages: Message[] };
export type MessageStateChanged = { id: number; state: DeliveryState };
export type UnreadChanged = { counts: UnreadCount[] };
export type MyPresenceChanged = { presence: MyPresence };

export type Result<T, E> = { status: "ok"; data: T } | { status: "error"; error: E };

async function typedError<T, E>(result: Promise<T>): Promise<Result<T, E>> {
  try {
    return { status: "ok", data: await result };
  } catch (e) {
    if (e instanceof Error) throw e;
    return { status: "error", error: e as E };
  }
}

export const commands = {
  getAppState: () => typedError<AppSnapshot, IpcError>(__TAURI_INVOKE("get_app_state")),
  signIn: (req: SignInRequest) => typedError<null, IpcError>(__TAURI_INVOKE("sign_in", { req })),
  trustCertificate: (address: string, fingerprint: string) =>
    typedError<null, IpcError>(__TAURI_INVOKE("trust_certificate", { address, fingerprint })),
  signOut: () => typedError<null, IpcError>(__TAURI_INVOKE("sign_out")),
  listContacts: () => typedError<Contact[], IpcError>(__TAURI_INVOKE("list_contacts")),
  setMyPresence: (presence: MyPresence) =>
    typedError<null, IpcError>(__TAURI_INVOKE("set_my_presence", { presence })),
  loadHistory: (peer: string, beforeId: number | null, limit: number) =>
    typedError<Message[], IpcError>(__TAURI_INVOKE("load_history", { peer, beforeId, limit })),
  sendMessage: (peer: string, body: string) =>
    typedError<Message, IpcError>(__TAURI_INVOKE("send_message", { peer, body })),
  retryMessage: (id: number) => typedError<null, IpcError>(__TAURI_INVOKE("retry_message", { id })),
  markRead: (peer: string) => typedError<null, IpcError>(__TAURI_INVOKE("mark_read", { peer })),
};

function makeEvent<T>(name: string) {
  return {
    listen: (cb: (e: { payload: T }) => void) => __TAURI_EVENT.listen<T>(name, cb),
  };
}

export const events = {
  connectionStateChanged: makeEvent<ConnectionStateChanged>("connection-state-changed"),
  rosterChanged: makeEvent<RosterChanged>("roster-changed"),
  presencesChanged: makeEvent<PresencesChanged>("presences-changed"),
  messagesReceived: makeEvent<MessagesReceived>("messages-received"),
  messageStateChanged: makeEvent<MessageStateChanged>("message-state-changed"),
  unreadChanged: makeEvent<UnreadChanged>("unread-changed"),
  myPresenceChanged: makeEvent<MyPresenceChanged>("my-presence-changed"),
};
