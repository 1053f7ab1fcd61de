// The files waiting above the message box: a picture's preview (or a type icon), the name, the
// size, why a file cannot be sent (and "Send directly" when the contact's device can take it
// instead), "Preparing …" while it is copied, and Remove.
import { createEffect, For, Match, Show, Switch } from "solid-js";
import { humanSize } from "../../lib/fileSize";
import { FileIcon } from "./FileIcon";
import type { AttachmentTray as Tray, TrayItem } from "./tray";

/** "Bob's device" (or "The contact's device" when the name is not known). */
export function deviceOf(peerName: string | undefined): string {
  const name = peerName?.trim() ?? "";
  return name === "" ? "The contact's device" : `${name}'s device`;
}

export function AttachmentTray(props: { tray: Tray; peer: string; peerName?: string }) {
  // A file the server will not take: ask (once) whether the contact's device can take it.
  createEffect(() => {
    if (props.tray.items.some((i) => props.tray.problem(i) !== null)) {
      props.tray.askDirect(props.peer);
    }
  });

  return (
    <Show when={props.tray.items.length > 0}>
      <div class="tray" role="region" aria-label="Files to send">
        <ul class="tray-list">
          <For each={props.tray.items}>
            {(item) => (
              <TrayEntry
                item={item}
                problem={props.tray.problem(item)}
                direct={props.tray.canSendDirectly(props.peer)}
                device={deviceOf(props.peerName)}
                onSendDirect={() => void props.tray.sendDirect(props.peer, item.key)}
                onRemove={() => props.tray.remove(item.key)}
              />
            )}
          </For>
        </ul>
      </div>
    </Show>
  );
}

function TrayEntry(props: {
  item: TrayItem;
  problem: string | null;
  /** The contact's device can take files directly. */
  direct: boolean;
  /** Whose device that is, in words. */
  device: string;
  onSendDirect: () => void;
  onRemove: () => void;
}) {
  return (
    <li
      class="tray-item"
      classList={{
        "tray-item--problem": props.problem !== null || props.item.error !== null,
        "tray-item--busy": props.item.phase !== "ready",
      }}
    >
      <div class="tray-thumb">
        <Show
          when={props.item.preview}
          fallback={<FileIcon name={props.item.name} mime={props.item.file.type} />}
        >
          {(src) => <img class="tray-thumb-image" src={src()} alt="" />}
        </Show>
      </div>
      <div class="tray-item-info">
        <span class="tray-item-name" title={props.item.name}>
          {props.item.name}
        </span>
        <span class="tray-item-meta">{humanSize(props.item.size)}</span>
        <Switch>
          {/* First: a file sent directly is being prepared although the server refuses it. */}
          <Match when={props.item.phase === "preparing"}>
            <span class="tray-item-status" role="status">
              <span class="spinner" aria-hidden="true" />
              Preparing {props.item.name}…
            </span>
          </Match>
          <Match when={props.problem}>
            {(problem) => (
              <>
                <span class="tray-item-problem">{problem()}</span>
                <Show when={props.direct && props.item.phase === "ready"}>
                  <span class="tray-item-direct">
                    {props.device} is online: it can receive the file straight from you.
                  </span>
                  <button
                    type="button"
                    class="button button--secondary tray-direct"
                    aria-label={`Send ${props.item.name} directly`}
                    onClick={() => props.onSendDirect()}
                  >
                    Send directly
                  </button>
                </Show>
              </>
            )}
          </Match>
          <Match when={props.item.phase === "queued"}>
            <span class="tray-item-status">Waiting to send…</span>
          </Match>
        </Switch>
        <Show when={props.item.error}>
          {(error) => (
            <span class="tray-item-error" role="alert">
              {error()}
            </span>
          )}
        </Show>
      </div>
      <button
        type="button"
        class="button button--quiet button--icon tray-remove"
        aria-label={`Remove ${props.item.name}`}
        title="Remove"
        onClick={() => props.onRemove()}
      >
        <svg class="tray-remove-icon" viewBox="0 0 12 12" aria-hidden="true">
          <path d="M2.5 2.5l7 7M9.5 2.5l-7 7" />
        </svg>
      </button>
    </li>
  );
}
