// The Settings button and its panel: notification previews, picture and file limits, whether
// contacts learn the operating system, automatic away and blocked people.
import { createSignal, createUniqueId, For, onCleanup, Show } from "solid-js";
import { errorMessage } from "../../ipc";
import type { AutoAwaySettings } from "../../ipc";
import { useHallway } from "../../state/context";
import { BlockedPeople } from "./BlockedPeople";

/** Bounds of the automatic away minutes (one minute to one day). */
export const MIN_IDLE_MINUTES = 1;
export const MAX_IDLE_MINUTES = 1440;

/** The two minutes fields of automatic away, in order. */
const MINUTE_FIELDS: { key: "awayMinutes" | "xaMinutes"; label: string }[] = [
  { key: "awayMinutes", label: "Away after (minutes)" },
  { key: "xaMinutes", label: "Extended away after (minutes)" },
];

/** Whole minutes within the bounds, or null. */
/** Choices for how large a picture may be fetched by itself for a preview. */
const PREVIEW_LIMITS = [
  { bytes: 0, label: "Off" },
  { bytes: 1_000_000, label: "Up to 1 MB" },
  { bytes: 5_000_000, label: "Up to 5 MB" },
  { bytes: 20_000_000, label: "Up to 20 MB" },
];

const GIB = 1024 * 1024 * 1024;
/** Choices for the largest file taken straight from a contact's device. */
const INCOMING_LIMITS = [
  { bytes: GIB, label: "Up to 1 GB" },
  { bytes: 4 * GIB, label: "Up to 4 GB" },
  { bytes: 16 * GIB, label: "Up to 16 GB" },
  { bytes: 64 * GIB, label: "Up to 64 GB" },
];

/** The limit choices, with the current value among them even when it is not a usual one. */
function incomingChoices(current: number) {
  if (INCOMING_LIMITS.some((o) => o.bytes === current)) return INCOMING_LIMITS;
  const gb = (current / GIB).toFixed(1).replace(/\.0$/, "");
  return [...INCOMING_LIMITS, { bytes: current, label: `Up to ${gb} GB` }];
}

export function parseMinutes(text: string): number | null {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return null;
  const n = Number(t);
  return n >= MIN_IDLE_MINUTES && n <= MAX_IDLE_MINUTES ? n : null;
}

/**
 * "Settings" button opening a small panel (a disclosure): notification preview choice,
 * automatic away ("Set me away when inactive", after how many minutes) and the block list
 * ("Blocked people", each with Unblock).
 */
export function SettingsMenu() {
  const { session } = useHallway();
  const id = createUniqueId();
  const [open, setOpen] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const [awayError, setAwayError] = createSignal<string | null>(null);
  /** Which minutes field holds a value out of bounds (kept as typed, not saved). */
  const [invalid, setInvalid] = createSignal<"awayMinutes" | "xaMinutes" | null>(null);
  let root!: HTMLDivElement;
  let toggle!: HTMLButtonElement;

  function close(refocus: boolean) {
    setOpen(false);
    if (refocus) toggle.focus();
  }

  // Clicking anywhere else closes the panel.
  const onPointerDown = (e: PointerEvent) => {
    if (open() && !root.contains(e.target as Node)) close(false);
  };
  document.addEventListener("pointerdown", onPointerDown);
  onCleanup(() => document.removeEventListener("pointerdown", onPointerDown));

  async function setPreviews(show: boolean) {
    setError(null);
    try {
      await session.setNotificationPreviews(show);
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  async function savePreviewLimit(bytes: number) {
    setError(null);
    try {
      await session.setPreviewLimit(bytes);
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  async function saveIncomingLimit(bytes: number) {
    setError(null);
    try {
      await session.setMaxIncomingFile(bytes);
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  async function saveShareOs(share: boolean) {
    setError(null);
    try {
      await session.setShareOs(share);
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  async function saveAutoAway(settings: AutoAwaySettings) {
    setAwayError(null);
    setInvalid(null);
    try {
      await session.setAutoAwaySettings(settings);
    } catch (e) {
      setAwayError(`Could not save: ${errorMessage(e)}`);
    }
  }

  function setMinutes(key: "awayMinutes" | "xaMinutes", text: string) {
    const minutes = parseMinutes(text);
    if (minutes === null) {
      setInvalid(key);
      setAwayError(
        `Enter whole minutes from ${MIN_IDLE_MINUTES} to ${MAX_IDLE_MINUTES}; not saved.`,
      );
      return;
    }
    if (minutes === session.state.autoAway[key]) {
      // Back to the saved value after a wrong one: nothing to save, just drop the complaint.
      if (invalid() === key) {
        setInvalid(null);
        setAwayError(null);
      }
      return;
    }
    void saveAutoAway({ ...session.state.autoAway, [key]: minutes });
  }

  const autoAwayOff = () => !session.state.autoAway.enabled;

  return (
    <div
      ref={root}
      class="settings"
      onKeyDown={(e) => {
        if (e.key === "Escape" && open()) {
          e.preventDefault();
          close(true);
        }
      }}
    >
      <button
        ref={toggle}
        type="button"
        class="button button--quiet button--icon"
        aria-label="Settings"
        title="Settings"
        aria-expanded={open() ? "true" : "false"}
        aria-controls={`${id}-panel`}
        onClick={() => setOpen(!open())}
      >
        <svg class="settings-icon" viewBox="0 0 20 20" aria-hidden="true">
          <path d="M8.3 2h3.4l.5 2.3 1.6.9 2.2-.8 1.7 2.9-1.7 1.6v1.8l1.7 1.6-1.7 2.9-2.2-.8-1.6.9-.5 2.3H8.3l-.5-2.3-1.6-.9-2.2.8-1.7-2.9 1.7-1.6V8.9L2.3 7.3 4 4.4l2.2.8 1.6-.9z" />
          <circle cx="10" cy="10" r="2.6" />
        </svg>
      </button>
      <Show when={open()}>
        <div id={`${id}-panel`} class="settings-panel" role="group" aria-labelledby={`${id}-title`}>
          <h2 id={`${id}-title`} class="settings-title">
            Settings
          </h2>
          <div class="field field--checkbox">
            <input
              id={`${id}-previews`}
              type="checkbox"
              checked={session.state.notificationPreviews}
              aria-describedby={`${id}-previews-hint`}
              onChange={(e) => void setPreviews(e.currentTarget.checked)}
            />
            <label for={`${id}-previews`}>Show message text in notifications</label>
          </div>
          <p id={`${id}-previews-hint`} class="field-hint">
            When off, notifications only say who wrote.
          </p>
          <div class="field">
            <label for={`${id}-preview-limit`}>Picture previews</label>
            <select
              id={`${id}-preview-limit`}
              aria-describedby={`${id}-preview-limit-hint`}
              value={String(session.state.previewLimit)}
              onChange={(e) => void savePreviewLimit(Number(e.currentTarget.value))}
            >
              <For each={PREVIEW_LIMITS}>
                {(o) => <option value={String(o.bytes)}>{o.label}</option>}
              </For>
            </select>
          </div>
          <p id={`${id}-preview-limit-hint`} class="field-hint">
            Pictures from your contacts up to this size are fetched to show a preview. Never from
            people outside your contacts.
          </p>
          <div class="field">
            <label for={`${id}-incoming-limit`}>Files sent straight from a device</label>
            <select
              id={`${id}-incoming-limit`}
              aria-describedby={`${id}-incoming-limit-hint`}
              value={String(session.state.maxIncomingFile)}
              onChange={(e) => void saveIncomingLimit(Number(e.currentTarget.value))}
            >
              <For each={incomingChoices(session.state.maxIncomingFile)}>
                {(o) => <option value={String(o.bytes)}>{o.label}</option>}
              </For>
            </select>
          </div>
          <p id={`${id}-incoming-limit-hint`} class="field-hint">
            Larger offers are refused before anything is saved, and so is a file with no room for
            it.
          </p>
          <div class="field field--checkbox">
            <input
              id={`${id}-share-os`}
              type="checkbox"
              checked={session.state.shareOs}
              aria-describedby={`${id}-share-os-hint`}
              onChange={(e) => void saveShareOs(e.currentTarget.checked)}
            />
            <label for={`${id}-share-os`}>Tell contacts my operating system</label>
          </div>
          <p id={`${id}-share-os-hint`} class="field-hint">
            Contacts whose app asks which app you use see Hallway and its version, and with this on
            also the system's name (such as Linux). People outside your contacts see neither.
          </p>
          <Show when={error()}>
            {(message) => (
              <p class="field-error" role="alert">
                Could not save: {message()}
              </p>
            )}
          </Show>
          <fieldset class="settings-group" aria-describedby={`${id}-away-hint`}>
            <legend class="settings-title">Automatic away</legend>
            <div class="field field--checkbox">
              <input
                id={`${id}-away`}
                type="checkbox"
                checked={session.state.autoAway.enabled}
                onChange={(e) =>
                  void saveAutoAway({
                    ...session.state.autoAway,
                    enabled: e.currentTarget.checked,
                  })
                }
              />
              <label for={`${id}-away`}>Set me away when inactive</label>
            </div>
            <div class="settings-minutes">
              <For each={MINUTE_FIELDS}>
                {(f) => (
                  <>
                    <label for={`${id}-${f.key}`}>{f.label}</label>
                    <input
                      id={`${id}-${f.key}`}
                      type="number"
                      inputMode="numeric"
                      min={MIN_IDLE_MINUTES}
                      max={MAX_IDLE_MINUTES}
                      step={1}
                      required
                      disabled={autoAwayOff()}
                      value={session.state.autoAway[f.key]}
                      aria-invalid={invalid() === f.key ? "true" : undefined}
                      onChange={(e) => setMinutes(f.key, e.currentTarget.value)}
                    />
                  </>
                )}
              </For>
            </div>
            <p id={`${id}-away-hint`} class="field-hint">
              Do not disturb and Invisible are never changed.
            </p>
            <Show when={awayError()}>
              {(message) => (
                <p class="field-error" role="alert">
                  {message()}
                </p>
              )}
            </Show>
          </fieldset>
          <BlockedPeople />
        </div>
      </Show>
    </div>
  );
}
