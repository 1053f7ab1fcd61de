// The files waiting above the message box: a picture's preview (or a type icon), the name, the
// size, why a file cannot be sent, "Preparing …" while it is copied, and Remove.
import { For, Match, Show, Switch } from "solid-js";
import { humanSize } from "../../lib/fileSize";
import { FileIcon } from "./FileIcon";
import type { AttachmentTray as Tray, TrayItem } from "./tray";

export function AttachmentTray(props: { tray: Tray }) {
  return (
    <Show when={props.tray.items.length > 0}>
      <div class="tray" role="region" aria-label="Files to send">
        <ul class="tray-list">
          <For each={props.tray.items}>
            {(item) => (
              <TrayEntry
                item={item}
                problem={props.tray.problem(item)}
                onRemove={() => props.tray.remove(item.key)}
              />
            )}
          </For>
        </ul>
      </div>
    </Show>
  );
}

function TrayEntry(props: { item: TrayItem; problem: string | null; onRemove: () => void }) {
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
          <Match when={props.problem}>
            {(problem) => <span class="tray-item-problem">{problem()}</span>}
          </Match>
          <Match when={props.item.phase === "preparing"}>
            <span class="tray-item-status" role="status">
              <span class="spinner" aria-hidden="true" />
              Preparing {props.item.name}…
            </span>
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
