// The "My profile" dialog: our picture ("Change picture…", published at once) and our business
// card (Full name … Phone), loaded from the server and saved with Save.
import { createSignal, createUniqueId, For, onCleanup, Show } from "solid-js";
import { createStore } from "solid-js/store";
import { api, errorMessage } from "../../ipc";
import type { VCardFields } from "../../ipc";
import { PICTURE_TYPES, scaleAvatar } from "../../lib/scaleAvatar";
import { useHallway } from "../../state/context";
import { Avatar } from "../shared/Avatar";
import { Modal } from "../shared/Modal";
import { fieldValue, PROFILE_FIELDS } from "./profileFields";

/** Longest value the backend accepts per field (characters). */
const MAX_FIELD = 200;

type Draft = Record<keyof VCardFields, string>;

const emptyDraft = (): Draft => ({
  fullName: "",
  title: "",
  organization: "",
  department: "",
  email: "",
  phone: "",
});

export function MyProfileDialog(props: {
  onClose: () => void;
  /** The button that opened it (gets the focus back). */
  opener?: () => HTMLElement | undefined;
}) {
  const { session, people } = useHallway();
  const id = createUniqueId();
  const [draft, setDraft] = createStore<Draft>(emptyDraft());
  const [loading, setLoading] = createSignal(true);
  const [loadError, setLoadError] = createSignal<string | null>(null);
  const [saving, setSaving] = createSignal(false);
  const [saveError, setSaveError] = createSignal<string | null>(null);
  const [pictureBusy, setPictureBusy] = createSignal(false);
  const [pictureError, setPictureError] = createSignal<string | null>(null);
  /** The picture we just published (shown until the backend's copy is loaded). */
  const [published, setPublished] = createSignal<string | null>(null);
  let fileInput!: HTMLInputElement;
  let alive = true;
  onCleanup(() => (alive = false));

  const account = () => session.state.account ?? "";
  const picture = () => published() ?? people.avatarUrl(session.state.myAvatar);

  api.getMyProfile().then(
    (card) => {
      if (!alive) return;
      const next = emptyDraft();
      for (const f of PROFILE_FIELDS) next[f.key] = card[f.key] ?? "";
      setDraft(next);
      setLoading(false);
    },
    (e: unknown) => {
      if (!alive) return;
      setLoadError(errorMessage(e));
      setLoading(false);
    },
  );

  async function changePicture(file: File | undefined) {
    if (!file) return;
    setPictureError(null);
    setPictureBusy(true);
    try {
      const image = await scaleAvatar(file);
      await session.publishMyAvatar(image);
      if (alive) setPublished(image);
    } catch (e) {
      if (alive) setPictureError(errorMessage(e));
    } finally {
      if (alive) setPictureBusy(false);
    }
  }

  async function save(e: SubmitEvent) {
    e.preventDefault();
    if (saving() || loading()) return;
    setSaveError(null);
    setSaving(true);
    const card = {} as VCardFields;
    for (const f of PROFILE_FIELDS) card[f.key] = fieldValue(draft[f.key]);
    try {
      await api.setMyProfile(card);
      if (alive) props.onClose();
    } catch (err) {
      if (alive) setSaveError(errorMessage(err));
    } finally {
      if (alive) setSaving(false);
    }
  }

  return (
    <Modal
      title="My profile"
      class="profile-dialog"
      onClose={() => props.onClose()}
      returnFocus={() => props.opener?.()}
    >
      <form class="modal-form" noValidate onSubmit={(e) => void save(e)}>
        <div class="profile-picture">
          <Avatar jid={account()} name={draft.fullName} src={picture()} class="avatar--xl" />
          <div class="profile-picture-side">
            <button
              type="button"
              class="button button--secondary"
              disabled={pictureBusy()}
              aria-describedby={`${id}-picture-hint`}
              onClick={() => fileInput.click()}
            >
              Change picture…
            </button>
            <input
              ref={fileInput}
              type="file"
              accept={PICTURE_TYPES}
              aria-label="Picture file"
              hidden
              onChange={(e) => {
                const input = e.currentTarget;
                const file = input.files?.[0];
                void changePicture(file).finally(() => (input.value = ""));
              }}
            />
            <p id={`${id}-picture-hint`} class="field-hint">
              {pictureBusy()
                ? "Publishing your picture…"
                : "Contacts see a new picture right away. Square pictures look best."}
            </p>
            <Show when={pictureError()}>
              {(message) => (
                <p class="field-error" role="alert">
                  Could not change the picture: {message()}
                </p>
              )}
            </Show>
          </div>
        </div>

        <Show when={loading()}>
          <p class="modal-note">
            <span class="spinner" aria-hidden="true" /> Loading…
          </p>
        </Show>
        <Show when={loadError()}>
          {(message) => (
            <p class="field-error" role="alert">
              Could not load your profile: {message()} You can still fill it in.
            </p>
          )}
        </Show>

        <div class="profile-fields" aria-busy={loading() ? "true" : undefined}>
          <For each={PROFILE_FIELDS}>
            {(f) => (
              <div class="field">
                <label for={`${id}-${f.key}`}>{f.label}</label>
                <input
                  id={`${id}-${f.key}`}
                  type={f.type}
                  autocomplete={f.autocomplete}
                  maxLength={MAX_FIELD}
                  disabled={loading()}
                  value={draft[f.key]}
                  onInput={(e) => setDraft(f.key, e.currentTarget.value)}
                />
              </div>
            )}
          </For>
        </div>

        <Show when={saveError()}>
          {(message) => (
            <p class="field-error" role="alert">
              Could not save: {message()}
            </p>
          )}
        </Show>

        <div class="modal-actions">
          <button type="button" class="button button--secondary" onClick={() => props.onClose()}>
            Cancel
          </button>
          <button
            type="submit"
            class="button button--primary"
            disabled={loading() || saving()}
            aria-busy={saving() ? "true" : undefined}
          >
            Save
          </button>
        </div>
      </form>
    </Modal>
  );
}
