// Files: sending (a file from the window is copied to the backend in slices, then sent), the
// server's upload limit (asked once per session), transfer progress (ephemeral, from
// transferProgressed) and the stored message updates (messageUpdated) that move a file along.
import { batch, createSignal } from "solid-js";
import { createStore, reconcile } from "solid-js/store";
import { api } from "../ipc";
import type { FileStatus, Message, TransferProgress, UploadLimit } from "../ipc";
import { bytesToBase64 } from "../lib/base64";
import type { ConversationsStore } from "./conversations";

/** A file is handed to the backend in slices of this many bytes (base64 in JSON). */
export const CHUNK_SIZE = 512 * 1024;

/** Statuses during which a transfer runs and reports progress. */
export function isTransferring(status: FileStatus | undefined): boolean {
  return status === "uploading" || status === "downloading";
}

/** Thrown by sendFile when the caller gave up on the file while it was being copied. */
export class SendAbandoned extends Error {
  constructor() {
    super("The file was removed before it was sent.");
    this.name = "SendAbandoned";
  }
}

export type SendFileOptions = {
  /** Checked between slices: true stops the copy (the staged file is thrown away). */
  abandoned?: () => boolean;
  /** Bytes copied so far. */
  onCopied?: (bytes: number) => void;
  /**
   * Sends the file straight to the contact's online device (XEP-0234) instead of uploading it to
   * the server: for files the server refuses, or when it has no upload service.
   */
  direct?: boolean;
};

export function createFilesStore(conversations: ConversationsStore) {
  const [progress, setProgress] = createStore<Record<number, TransferProgress | undefined>>({});
  const [limit, setLimit] = createSignal<UploadLimit | null>(null);
  let limitRequest: Promise<UploadLimit | null> | null = null;
  /** Messages whose size was asked for (HEAD) this session. */
  const inspected = new Set<number>();
  let generation = 0;

  /**
   * The server's upload limit: asked the first time it is needed, then remembered for the
   * session. Resolves to null when it could not be asked (asked again next time).
   */
  function loadUploadLimit(): Promise<UploadLimit | null> {
    if (limitRequest) return limitRequest;
    const mine = generation;
    const request = api.getUploadLimit().then(
      (answer) => {
        if (mine === generation) setLimit(answer);
        return answer;
      },
      (e: unknown) => {
        console.warn("Hallway: upload limit unknown", e);
        if (mine === generation && limitRequest === request) limitRequest = null;
        return null;
      },
    );
    limitRequest = request;
    return request;
  }

  /**
   * Sends `file` to `peer`: stages it, copies it in CHUNK_SIZE slices, then asks the backend to
   * send it (uploaded, or straight to the contact's device with `direct`); the stored message
   * (uploading) reaches the conversation through `messagesReceived`. Resolves to its id. On
   * failure the staged copy is thrown away and the error is rethrown (an IpcFailure, or
   * SendAbandoned).
   */
  async function sendFile(peer: string, file: File, opts: SendFileOptions = {}): Promise<number> {
    const stagingId = await api.stageFile(file.name);
    let id: number;
    try {
      let copied = 0;
      opts.onCopied?.(0);
      while (copied < file.size) {
        if (opts.abandoned?.()) throw new SendAbandoned();
        const end = Math.min(copied + CHUNK_SIZE, file.size);
        const bytes = new Uint8Array(await file.slice(copied, end).arrayBuffer());
        await api.appendStagedFile(stagingId, bytesToBase64(bytes));
        copied = end;
        opts.onCopied?.(copied);
      }
      if (opts.abandoned?.()) throw new SendAbandoned();
      id = opts.direct
        ? await api.sendStagedFileDirectly(peer, stagingId)
        : await api.sendStagedFile(peer, stagingId);
    } catch (e) {
      api
        .discardStagedFile(stagingId)
        .catch((err: unknown) => console.warn("Hallway: staged file not discarded", err));
      throw e;
    }
    conversations.sent(peer);
    return id;
  }

  /** transferProgressed: remembered while the message's file is on its way. */
  function applyProgress(p: TransferProgress) {
    const status = conversations.findMessage(p.messageId)?.attachment?.status;
    // A late report for a transfer that already ended is dropped.
    if (status !== undefined && !isTransferring(status)) return;
    setProgress(p.messageId, p);
  }

  /** messageUpdated: the stored message replaces the shown one; progress ends with transfers. */
  function applyUpdated(message: Message) {
    batch(() => {
      conversations.applyUpdated(message);
      if (!isTransferring(message.attachment?.status) && progress[message.id]) {
        setProgress(message.id, undefined);
      }
    });
  }

  /** Asks the server once for a received file's size and type (HEAD); the answer arrives as a
   * messageUpdated. */
  function inspectOnce(id: number) {
    if (inspected.has(id)) return;
    inspected.add(id);
    api.inspectFile(id).catch((e: unknown) => console.warn("Hallway: file not inspected", e));
  }

  function reset() {
    generation++;
    limitRequest = null;
    inspected.clear();
    batch(() => {
      setLimit(null);
      setProgress(reconcile({}));
    });
  }

  return {
    /** The server's limit, once known this session. */
    uploadLimit: limit,
    loadUploadLimit,
    sendFile,
    progress: (id: number): TransferProgress | undefined => progress[id],
    applyProgress,
    applyUpdated,
    inspectOnce,
    reset,
  };
}

export type FilesStore = ReturnType<typeof createFilesStore>;
