// Session state: the signed-in account, connection, our presence, settings (notification
// previews, automatic away), our avatar, and UI choices kept for the session only.
import { createStore } from "solid-js/store";
import { api, errorMessage } from "../ipc";
import type {
  AppSnapshot,
  AutoAway,
  AutoAwaySettings,
  ConnectionState,
  MyPresence,
  SavedAccount,
  SignInRequest,
} from "../ipc";

export type Phase = "loading" | "startupError" | "signedOut" | "signedIn";

export type SessionState = {
  phase: Phase;
  startupError: string | null;
  account: string | null;
  connection: ConnectionState;
  myPresence: MyPresence;
  keychainAvailable: boolean;
  savedAccount: SavedAccount | null;
  notice: string | null;
  /** Desktop notifications show the message text (else only who wrote). */
  notificationPreviews: boolean;
  /** Pictures up to this many bytes are fetched for a preview by themselves (0: never). */
  previewLimit: number;
  /** Files sent straight from a contact's device may be up to this many bytes. */
  maxIncomingFile: number;
  shareOs: boolean;
  /** Why the user is back on the sign-in screen (e.g. the server rejected the password). */
  signedOutReason: string | null;
  /** Automatic away settings. */
  autoAway: AutoAwaySettings;
  /** What automatic away applies to our status right now. */
  autoAwayState: AutoAway;
  /** Our own avatar's hash. */
  myAvatar: string | null;
  /** The contact details panel is open (kept across conversations, not persisted). */
  detailsOpen: boolean;
};

const initial = (): SessionState => ({
  phase: "loading",
  startupError: null,
  account: null,
  connection: { state: "offline" },
  myPresence: { show: "available", status: "" },
  keychainAvailable: true,
  savedAccount: null,
  notice: null,
  notificationPreviews: true,
  previewLimit: 5_000_000,
  maxIncomingFile: 4 * 1024 * 1024 * 1024,
  shareOs: true,
  signedOutReason: null,
  autoAway: { enabled: true, awayMinutes: 5, xaMinutes: 30 },
  autoAwayState: "off",
  myAvatar: null,
  detailsOpen: false,
});

export function createSessionStore() {
  const [state, setState] = createStore<SessionState>(initial());

  function applySnapshot(snap: AppSnapshot) {
    setState({
      phase: snap.account ? "signedIn" : "signedOut",
      startupError: null,
      account: snap.account,
      connection: snap.connection,
      myPresence: snap.myPresence,
      keychainAvailable: snap.keychainAvailable,
      savedAccount: snap.savedAccount,
      notice: snap.notice,
      notificationPreviews: snap.notificationPreviews,
      previewLimit: snap.previewLimit,
      maxIncomingFile: snap.maxIncomingFile,
      shareOs: snap.shareOs,
      autoAway: snap.autoAway,
      autoAwayState: snap.autoAwayState,
      myAvatar: snap.myAvatar,
    });
  }

  async function refresh(): Promise<void> {
    try {
      applySnapshot(await api.getAppState());
    } catch (e) {
      setState({ phase: "startupError", startupError: errorMessage(e) });
    }
  }

  /** Throws IpcFailure so the form can show the error. */
  async function signIn(req: SignInRequest): Promise<void> {
    await api.signIn(req);
    setState({ signedOutReason: null });
    try {
      applySnapshot(await api.getAppState());
    } catch {
      setState({ phase: "signedIn", account: req.address.trim() });
    }
  }

  /** Pin the certificate, then sign in again with the same form values. */
  async function trustAndSignIn(req: SignInRequest, fingerprint: string): Promise<void> {
    await api.trustCertificate(req.address.trim(), fingerprint);
    await signIn(req);
  }

  async function signOut(): Promise<void> {
    const account = state.account;
    await api.signOut();
    showSignIn(null, account);
    await refresh();
  }

  /** Back to the sign-in screen (after sign-out or a fatal connection error). */
  function showSignIn(reason: string | null, address: string | null) {
    setState({
      phase: "signedOut",
      account: null,
      signedOutReason: reason,
      savedAccount:
        address && state.savedAccount?.address !== address
          ? { address, server: null }
          : state.savedAccount,
    });
  }

  async function setMyPresence(presence: MyPresence): Promise<void> {
    const previous = { ...state.myPresence };
    setState("myPresence", presence);
    try {
      await api.setMyPresence(presence);
    } catch (e) {
      setState("myPresence", previous);
      throw e;
    }
  }

  /** Optimistic; reverts and throws IpcFailure when the backend refuses. */
  async function setNotificationPreviews(show: boolean): Promise<void> {
    const previous = state.notificationPreviews;
    setState("notificationPreviews", show);
    try {
      await api.setNotificationPreviews(show);
    } catch (e) {
      setState("notificationPreviews", previous);
      throw e;
    }
  }

  /** Optimistic; reverts and throws IpcFailure when the backend refuses. */
  async function setPreviewLimit(bytes: number): Promise<void> {
    const previous = state.previewLimit;
    setState("previewLimit", bytes);
    try {
      await api.setPreviewLimit(bytes);
    } catch (e) {
      setState("previewLimit", previous);
      throw e;
    }
  }

  /** Optimistic; reverts and throws IpcFailure when the backend refuses. */
  async function setMaxIncomingFile(bytes: number): Promise<void> {
    const previous = state.maxIncomingFile;
    setState("maxIncomingFile", bytes);
    try {
      await api.setMaxIncomingFile(bytes);
    } catch (e) {
      setState("maxIncomingFile", previous);
      throw e;
    }
  }

  /** Optimistic; reverts and throws IpcFailure when the backend refuses. */
  async function setShareOs(share: boolean): Promise<void> {
    const previous = state.shareOs;
    setState("shareOs", share);
    try {
      await api.setShareOs(share);
    } catch (e) {
      setState("shareOs", previous);
      throw e;
    }
  }

  /**
   * Saves automatic away settings; optimistic, puts the old ones back and throws IpcFailure
   * when refused.
   */
  async function setAutoAwaySettings(settings: AutoAwaySettings): Promise<void> {
    const previous = { ...state.autoAway };
    setState("autoAway", { ...settings });
    try {
      await api.setAutoAway(settings);
    } catch (e) {
      setState("autoAway", previous);
      throw e;
    }
  }

  /** Publishes our picture (a `data:` URL or bare base64); throws IpcFailure when refused. */
  async function publishMyAvatar(image: string): Promise<void> {
    const hash = await api.setMyAvatar(image);
    setState("myAvatar", hash);
  }

  return {
    state,
    setNotificationPreviews,
    setPreviewLimit,
    setMaxIncomingFile,
    setShareOs,
    dismissNotice: () => setState("notice", null),
    setAutoAwaySettings,
    setAutoAwayState: (s: AutoAway) => setState("autoAwayState", s),
    setMyAvatar: (hash: string | null) => setState("myAvatar", hash),
    publishMyAvatar,
    setDetailsOpen: (open: boolean) => setState("detailsOpen", open),
    refresh,
    signIn,
    trustAndSignIn,
    signOut,
    showSignIn,
    setMyPresence,
    setConnection: (connection: ConnectionState) => setState("connection", connection),
    setMyPresenceFromEvent: (presence: MyPresence) => setState("myPresence", presence),
  };
}

export type SessionStore = ReturnType<typeof createSessionStore>;
