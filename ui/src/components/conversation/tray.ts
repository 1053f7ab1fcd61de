// The files chosen for sending in one conversation (picked, dropped or pasted), before they are
// sent: shown by AttachmentTray above the message box, sent by the composer's Send. A file the
// server will not take can be sent straight to the contact's device when one is online.
import { batch, onCleanup } from "solid-js";
import { createStore, produce } from "solid-js/store";
import { api, errorMessage } from "../../ipc";
import { isImageFile } from "../../lib/fileKind";
import { humanSize } from "../../lib/fileSize";
import type { FilesStore } from "../../state/files";
import { SendAbandoned } from "../../state/files";

export type TrayPhase =
  /** Waiting for Send (or sent and refused: `error` says why). */
  | "ready"
  /** Send was pressed; another file is being prepared first. */
  | "queued"
  /** Being copied to the app and sent. */
  | "preparing";

export type TrayItem = {
  key: number;
  file: File;
  name: string;
  size: number;
  /** An object URL of the picture (images only), revoked when the item leaves the tray. */
  preview: string | null;
  phase: TrayPhase;
  /** Why the last attempt to send it failed. */
  error: string | null;
};

let nextKey = 1;

export type AttachmentTrayOptions = {
  /**
   * A file failed after the tray was closed (the conversation was left while it was being
   * sent): the reason goes where the user will see it.
   */
  onLostError?: (peer: string, message: string) => void;
};

/**
 * The tray's state. Must run under a Solid owner: object URLs are revoked on cleanup; files
 * already on their way are still sent. `files` asks the server's limit when a file is added.
 */
export function createAttachmentTray(files: FilesStore, opts: AttachmentTrayOptions = {}) {
  const [items, setItems] = createStore<TrayItem[]>([]);
  /** Items removed while being prepared: their copy stops at the next slice. */
  const removed = new Set<number>();
  let closed = false;
  /** Per contact: whether a device of theirs can take files directly (asked once, see askDirect). */
  const [direct, setDirect] = createStore<Record<string, boolean | undefined>>({});
  const directAsked = new Set<string>();

  function revoke(item: TrayItem) {
    if (item.preview) URL.revokeObjectURL(item.preview);
  }

  onCleanup(() => {
    closed = true;
    for (const item of items) revoke(item);
  });

  function add(list: readonly File[]) {
    if (list.length === 0) return;
    void files.loadUploadLimit();
    const fresh = list.map((file): TrayItem => ({
      key: nextKey++,
      file,
      name: file.name,
      size: file.size,
      preview: isImageFile(file.name, file.type) ? URL.createObjectURL(file) : null,
      phase: "ready",
      error: null,
    }));
    setItems((current) => [...current, ...fresh]);
  }

  function remove(key: number) {
    const item = items.find((i) => i.key === key);
    if (!item) return;
    removed.add(key);
    revoke(item);
    setItems((current) => current.filter((i) => i.key !== key));
  }

  function patch(key: number, change: Partial<TrayItem>) {
    setItems(
      (i) => i.key === key,
      produce((i) => Object.assign(i, change)),
    );
  }

  /** Why a file cannot be sent to this server (known once the limit is), or null. */
  function problem(item: TrayItem): string | null {
    const limit = files.uploadLimit();
    if (!limit) return null;
    if (!limit.available) return "Your server does not accept files.";
    if (limit.maxSize !== null && item.size > limit.maxSize) {
      return `Too large: your server accepts files up to ${humanSize(limit.maxSize)}`;
    }
    return null;
  }

  /**
   * Asks once (for this tray) whether `peer` has a device online that can receive files directly;
   * the answer is kept for canSendDirectly. A failed question counts as no, and is asked again
   * the next time.
   */
  function askDirect(peer: string) {
    if (directAsked.has(peer)) return;
    directAsked.add(peer);
    api.canSendDirectly(peer).then(
      (answer) => {
        if (!closed) setDirect(peer, answer);
      },
      (e: unknown) => {
        console.warn("Hallway: direct transfer unknown", e);
        directAsked.delete(peer);
      },
    );
  }

  /** Whether files can go straight to `peer`'s device (false until askDirect has an answer). */
  const canSendDirectly = (peer: string) => direct[peer] === true;

  /** Files that Send would send now. */
  const sendable = () => items.filter((i) => i.phase === "ready" && problem(i) === null);

  /**
   * Sends every sendable file to `peer`, one after another. A sent file leaves the tray; one the
   * backend refuses stays, with the reason, so nothing is lost.
   */
  async function sendAll(peer: string): Promise<void> {
    const chosen = sendable().map((i) => i.key);
    if (chosen.length === 0) return;
    batch(() => chosen.forEach((key) => patch(key, { phase: "queued", error: null })));
    // Over the limit is refused before any byte is copied.
    await files.loadUploadLimit();
    for (const key of chosen) {
      const item = items.find((i) => i.key === key);
      if (!item || removed.has(key)) continue;
      if (problem(item) !== null) {
        patch(key, { phase: "ready" });
        continue;
      }
      patch(key, { phase: "preparing" });
      try {
        await files.sendFile(peer, item.file, { abandoned: () => removed.has(key) });
        remove(key);
      } catch (e) {
        if (e instanceof SendAbandoned || removed.has(key)) continue;
        patch(key, { phase: "ready", error: errorMessage(e) });
        if (closed) opts.onLostError?.(peer, `${item.name}: ${errorMessage(e)}`);
      }
    }
  }

  /**
   * Sends one file straight to `peer`'s device (for a file the server will not take). Sent, it
   * leaves the tray; refused, it stays with the reason.
   */
  async function sendDirect(peer: string, key: number): Promise<void> {
    const item = items.find((i) => i.key === key);
    if (!item || item.phase !== "ready") return;
    patch(key, { phase: "preparing", error: null });
    try {
      await files.sendFile(peer, item.file, { direct: true, abandoned: () => removed.has(key) });
      remove(key);
    } catch (e) {
      if (e instanceof SendAbandoned || removed.has(key)) return;
      patch(key, { phase: "ready", error: errorMessage(e) });
      if (closed) opts.onLostError?.(peer, `${item.name}: ${errorMessage(e)}`);
    }
  }

  return {
    items,
    add,
    remove,
    problem,
    sendable,
    sendAll,
    askDirect,
    canSendDirectly,
    sendDirect,
  };
}

export type AttachmentTray = ReturnType<typeof createAttachmentTray>;
