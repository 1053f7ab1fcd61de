// A message's file: type icon, name and size, a picture's preview, and what can be done with it
// now (Accept / Decline a direct offer, Cancel while it moves, Download, Open / Show in folder).
// Name, type and URL come from strangers: they are shown as text only, and the URL is never a
// link. A direct file (XEP-0234) goes straight between devices: it has no URL, so never Download.
import { createEffect, createSignal, Match, on, Show, Switch } from "solid-js";
import { api, errorMessage } from "../../ipc";
import type { Attachment, FileStatus } from "../../ipc";
import { isImageFile, opensSafely } from "../../lib/fileKind";
import { humanSize, humanSpeed } from "../../lib/fileSize";
import { useHallway } from "../../state/context";
import { FileIcon } from "./FileIcon";

/** "1.2 MB of 3.1 MB · 40% · 850 kB/s" (what is known of it). */
export function progressText(bytes: number, total: number | null, bytesPerSecond: number): string {
  const parts =
    total !== null && total > 0
      ? [`${humanSize(bytes)} of ${humanSize(total)}`, `${progressPercent(bytes, total)}%`]
      : [humanSize(bytes)];
  if (bytesPerSecond > 0) parts.push(humanSpeed(bytesPerSecond));
  return parts.join(" · ");
}

function progressPercent(bytes: number, total: number): number {
  return Math.max(0, Math.min(100, Math.floor((bytes * 100) / total)));
}

export function FileCard(props: { messageId: number; incoming: boolean; attachment: Attachment }) {
  const { files } = useHallway();
  const name = () => props.attachment.name;
  const status = (): FileStatus => props.attachment.status;
  const direct = () => props.attachment.direct === true;
  const image = () => isImageFile(props.attachment.name, props.attachment.mime);
  const [preview, setPreview] = createSignal<string | null>(null);
  const [actionError, setActionError] = createSignal<string | null>(null);
  const [pending, setPending] = createSignal(false);

  // A received file's size and type, asked once (the answer arrives as messageUpdated).
  createEffect(() => {
    if (props.incoming && status() === "available" && props.attachment.size === null) {
      files.inspectOnce(props.messageId);
    }
  });

  // A picture's preview: asked when the card shows, and again once the file is on this computer.
  let asked = 0;
  createEffect(
    on([image, status], ([isImage, now], before) => {
      if (!isImage) return;
      const first = !before || !before[0];
      if (!first && (now === before[1] || (now !== "uploaded" && now !== "downloaded"))) return;
      const mine = ++asked;
      api.getFilePreview(props.messageId).then(
        (url) => {
          if (mine === asked && url) setPreview(url);
        },
        (e: unknown) => console.warn("Hallway: no preview", e),
      );
    }),
  );

  /** Runs a file command; its refusal is shown under the card. */
  async function act(command: (id: number) => Promise<unknown>) {
    setActionError(null);
    setPending(true);
    try {
      await command(props.messageId);
    } catch (e) {
      setActionError(errorMessage(e));
    } finally {
      setPending(false);
    }
  }

  const progress = () => files.progress(props.messageId);
  const total = () => progress()?.total ?? props.attachment.size;
  const percent = () => {
    const p = progress();
    const t = total();
    return p && t !== null && t > 0 ? progressPercent(p.bytes, t) : null;
  };
  const progressLine = (starting: string) => {
    const p = progress();
    return p ? progressText(p.bytes, total(), p.bytesPerSecond) : starting;
  };

  return (
    <div class="file-card" classList={{ "file-card--preview": preview() !== null }}>
      <Show when={preview()}>
        {(src) => (
          <div class="file-preview">
            <img class="file-preview-image" src={src()} alt={`Preview of ${name()}`} />
          </div>
        )}
      </Show>
      <div class="file-card-head">
        <FileIcon name={name()} mime={props.attachment.mime} />
        <div class="file-card-info">
          <span class="file-card-name" title={name()}>
            {name()}
          </span>
          <Show when={props.attachment.size !== null}>
            <span class="file-card-size">{humanSize(props.attachment.size ?? 0)}</span>
          </Show>
          <Show when={direct()}>
            <span class="file-card-caption">
              {props.incoming ? "Offered directly" : "Sent directly"}
            </span>
          </Show>
        </div>
      </div>
      <Switch>
        <Match when={status() === "offered"}>
          <div class="file-card-actions">
            <button
              type="button"
              class="button button--primary file-card-button"
              aria-label={`Accept ${name()}`}
              disabled={pending()}
              onClick={() => void act(api.acceptFile)}
            >
              Accept
            </button>
            <button
              type="button"
              class="button button--secondary file-card-button"
              aria-label={`Decline ${name()}`}
              disabled={pending()}
              onClick={() => void act(api.declineFile)}
            >
              Decline
            </button>
          </div>
        </Match>
        <Match when={status() === "uploading" && direct()}>
          <TransferBar
            label={`Sending ${name()}`}
            cancelLabel={`Cancel sending ${name()}`}
            percent={percent()}
            text={progressLine("Waiting for it to be accepted…")}
            pending={pending()}
            onCancel={() => void act(api.cancelTransfer)}
          />
        </Match>
        <Match when={status() === "uploading"}>
          <TransferBar
            label={`Uploading ${name()}`}
            cancelLabel={`Cancel upload of ${name()}`}
            percent={percent()}
            text={progressLine("Starting upload…")}
            pending={pending()}
            onCancel={() => void act(api.cancelTransfer)}
          />
        </Match>
        <Match when={status() === "downloading"}>
          <TransferBar
            label={`Downloading ${name()}`}
            cancelLabel={`Cancel download of ${name()}`}
            percent={percent()}
            text={progressLine("Starting download…")}
            pending={pending()}
            onCancel={() => void act(api.cancelTransfer)}
          />
        </Match>
        <Match when={status() === "uploadFailed"}>
          <p class="file-card-error" role="status">
            {direct() ? "Not sent" : "Upload failed"}: {props.attachment.error ?? "Unknown error."}
          </p>
        </Match>
        {/* A direct file has no URL to download (again): only why it did not arrive. */}
        <Match when={direct() && status() === "downloadFailed"}>
          <p class="file-card-error" role="status">
            {props.attachment.error ?? "The file did not arrive."}
          </p>
        </Match>
        <Match when={!direct() && (status() === "available" || status() === "downloadFailed")}>
          <Show when={status() === "downloadFailed"}>
            <p class="file-card-error" role="status">
              Download failed: {props.attachment.error ?? "Unknown error."}
            </p>
          </Show>
          <div class="file-card-actions">
            <button
              type="button"
              class="button button--secondary file-card-button"
              aria-label={`Download ${name()}`}
              disabled={pending()}
              onClick={() => void act(api.downloadFile)}
            >
              Download
            </button>
          </div>
        </Match>
        <Match when={status() === "downloaded" || status() === "uploaded"}>
          <div class="file-card-actions">
            {/* Only documents, pictures, audio, video and archives: anything else might run. */}
            <Show when={opensSafely(name())}>
              <button
                type="button"
                class="button button--secondary file-card-button"
                aria-label={`Open ${name()}`}
                onClick={() => void act(api.openFile)}
              >
                Open
              </button>
            </Show>
            <button
              type="button"
              class="button button--quiet file-card-button"
              aria-label={`Show ${name()} in folder`}
              onClick={() => void act(api.showFileInFolder)}
            >
              Show in folder
            </button>
          </div>
        </Match>
      </Switch>
      <Show when={actionError()}>
        {(error) => (
          <p class="file-card-error" role="alert">
            {error()}
          </p>
        )}
      </Show>
    </div>
  );
}

/** A running transfer: a progress bar (indeterminate until the total is known), the bytes, the
 * percentage and the speed in words, and Cancel. */
function TransferBar(props: {
  label: string;
  cancelLabel: string;
  percent: number | null;
  text: string;
  pending: boolean;
  onCancel: () => void;
}) {
  return (
    <div class="file-card-transfer">
      <div
        class="file-progress"
        classList={{ "file-progress--indeterminate": props.percent === null }}
        role="progressbar"
        aria-label={props.label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={props.percent ?? undefined}
        aria-valuetext={props.text}
      >
        <div class="file-progress-bar" style={{ width: `${props.percent ?? 0}%` }} />
      </div>
      <div class="file-card-row">
        <span class="file-progress-text">{props.text}</span>
        <button
          type="button"
          class="button button--quiet file-card-button"
          aria-label={props.cancelLabel}
          disabled={props.pending}
          onClick={() => props.onCancel()}
        >
          Cancel
        </button>
      </div>
    </div>
  );
}
