// The people dialogs: "Add contact", "Rename contact", "Move to group", "Remove contact" and
// "Block contact" (also the contact details panel's), and the host the contact list shows them in.
import {
  createSignal,
  createUniqueId,
  For,
  Match,
  onCleanup,
  Show,
  Switch,
  untrack,
} from "solid-js";
import type { JSX } from "solid-js";
import { errorMessage } from "../../ipc";
import { ADDRESS_HINT, isValidAddress } from "../../lib/address";
import { OTHER_GROUP } from "../../lib/contactRows";
import { useHallway } from "../../state/context";
import { Modal } from "../shared/Modal";

/** Which people dialog is open (at most one), and the control focus returns to afterwards. */
export type PeopleDialog = (
  | { kind: "add"; address?: string }
  | { kind: "rename"; jid: string }
  | { kind: "move"; jid: string }
  | { kind: "remove"; jid: string }
  | { kind: "block"; jid: string }
) & { opener?: HTMLElement };

/**
 * What every people dialog gets: the control that opened it (focus returns there), where focus
 * goes instead when that control goes away (a removed contact's row), and how to close it.
 */
type DialogProps = {
  opener?: HTMLElement;
  fallbackFocus?: () => HTMLElement | undefined;
  onClose: () => void;
};

/** Shows the open dialog; `onClose` clears it. */
export function PeopleDialogHost(props: {
  dialog: PeopleDialog | null;
  fallbackFocus?: () => HTMLElement | undefined;
  onClose: () => void;
}): JSX.Element {
  return (
    <Switch>
      <Match when={props.dialog?.kind === "add" && props.dialog} keyed>
        {(d) => (
          <AddContactDialog
            address={d.address}
            opener={d.opener}
            fallbackFocus={props.fallbackFocus}
            onClose={props.onClose}
          />
        )}
      </Match>
      <Match when={props.dialog?.kind === "rename" && props.dialog} keyed>
        {(d) => <RenameContactDialog jid={d.jid} opener={d.opener} onClose={props.onClose} />}
      </Match>
      <Match when={props.dialog?.kind === "move" && props.dialog} keyed>
        {(d) => <MoveContactDialog jid={d.jid} opener={d.opener} onClose={props.onClose} />}
      </Match>
      <Match when={props.dialog?.kind === "remove" && props.dialog} keyed>
        {(d) => (
          <RemoveContactDialog
            jid={d.jid}
            opener={d.opener}
            fallbackFocus={props.fallbackFocus}
            onClose={props.onClose}
          />
        )}
      </Match>
      <Match when={props.dialog?.kind === "block" && props.dialog} keyed>
        {(d) => (
          <BlockContactDialog
            jid={d.jid}
            opener={d.opener}
            fallbackFocus={props.fallbackFocus}
            onClose={props.onClose}
          />
        )}
      </Match>
    </Switch>
  );
}

/**
 * Runs a dialog's backend call: `busy` while it is under way, `error` (the backend's sentence)
 * when it fails. `run` resolves to true when it succeeded and the dialog is still open.
 */
export function createSubmit() {
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  let open = true;
  onCleanup(() => (open = false));
  async function run(action: () => Promise<unknown>): Promise<boolean> {
    setBusy(true);
    setError(null);
    try {
      await action();
      return open;
    } catch (e) {
      setError(errorMessage(e));
      return false;
    } finally {
      setBusy(false);
    }
  }
  return { busy, error, run };
}

/** The backend's error, inside the dialog (announced). */
export function DialogError(props: { message: string | null }) {
  return (
    <Show when={props.message}>
      {(message) => (
        <p class="modal-error" role="alert">
          {message()}
        </p>
      )}
    </Show>
  );
}

/** Cancel and the dialog's main button. */
export function DialogButtons(props: {
  submit: string;
  busy: boolean;
  danger?: boolean;
  onCancel: () => void;
  cancelRef?: (el: HTMLButtonElement) => void;
}) {
  return (
    <div class="modal-actions">
      <button
        ref={props.cancelRef}
        type="button"
        class="button button--secondary"
        onClick={() => props.onCancel()}
      >
        Cancel
      </button>
      <button
        type="submit"
        class={props.danger ? "button button--danger" : "button button--primary"}
        disabled={props.busy}
        aria-busy={props.busy ? "true" : undefined}
      >
        {props.submit}
      </button>
    </div>
  );
}

/** A pasted "xmpp:bob@example.com" works too. */
function cleanAddress(input: string): string {
  return input.trim().replace(/^xmpp:/i, "");
}

/** Group names from "Sales, Design ,, Sales": trimmed, without blanks and repeats. */
export function parseGroups(input: string): string[] {
  const out: string[] = [];
  for (const part of input.split(",")) {
    const g = part.trim();
    if (g !== "" && !out.includes(g)) out.push(g);
  }
  return out;
}

/** "Add contact": address, optional name and group → addContact (roster item + request). */
export function AddContactDialog(props: DialogProps & { address?: string }) {
  const { contacts, people } = useHallway();
  const id = createUniqueId();
  const [address, setAddress] = createSignal(untrack(() => props.address) ?? "");
  const [name, setName] = createSignal("");
  const [group, setGroup] = createSignal("");
  const [addressError, setAddressError] = createSignal<string | null>(null);
  const { busy, error, run } = createSubmit();
  let addressInput!: HTMLInputElement;
  // Added from a message request: that request (the opener) leaves the list.
  let done = false;

  async function submit(e: SubmitEvent) {
    e.preventDefault();
    if (busy()) return;
    const jid = cleanAddress(address());
    if (!isValidAddress(jid)) {
      setAddressError(ADDRESS_HINT);
      addressInput.focus();
      return;
    }
    setAddressError(null);
    const [n, g] = [name().trim(), group().trim()];
    if (await run(() => people.addContact(jid, n, g))) {
      done = true;
      props.onClose();
    }
  }

  return (
    <Modal
      title="Add contact"
      returnFocus={() =>
        done && props.address ? (props.fallbackFocus?.() ?? props.opener) : props.opener
      }
      onClose={props.onClose}
      initialFocus={() => addressInput}
    >
      <form class="modal-form" noValidate onSubmit={(e) => void submit(e)}>
        <p class="modal-text">They will be asked to let you see their status.</p>
        <div class="field">
          <label for={`${id}-address`}>Address</label>
          <input
            ref={addressInput}
            id={`${id}-address`}
            type="text"
            autocomplete="off"
            autocapitalize="off"
            spellcheck={false}
            placeholder="alice@example.com"
            value={address()}
            aria-invalid={addressError() ? "true" : undefined}
            aria-describedby={addressError() ? `${id}-address-error` : undefined}
            onInput={(e) => {
              setAddress(e.currentTarget.value);
              if (addressError() && isValidAddress(cleanAddress(e.currentTarget.value))) {
                setAddressError(null);
              }
            }}
          />
          <Show when={addressError()}>
            {(message) => (
              <p id={`${id}-address-error`} class="field-error" role="alert">
                {message()}
              </p>
            )}
          </Show>
        </div>
        <div class="field">
          <label for={`${id}-name`}>Name</label>
          <input
            id={`${id}-name`}
            type="text"
            autocomplete="off"
            maxLength={200}
            value={name()}
            aria-describedby={`${id}-name-hint`}
            onInput={(e) => setName(e.currentTarget.value)}
          />
          <p id={`${id}-name-hint`} class="field-hint">
            Optional: how they appear in your list.
          </p>
        </div>
        <div class="field">
          <label for={`${id}-group`}>Group</label>
          <input
            id={`${id}-group`}
            type="text"
            autocomplete="off"
            maxLength={200}
            list={`${id}-groups`}
            value={group()}
            aria-describedby={`${id}-group-hint`}
            onInput={(e) => setGroup(e.currentTarget.value)}
          />
          <datalist id={`${id}-groups`}>
            <For each={contacts.groupNames()}>{(g) => <option value={g} />}</For>
          </datalist>
          <p id={`${id}-group-hint`} class="field-hint">
            Optional: pick a group or type a new one.
          </p>
        </div>
        <DialogError message={error()} />
        <DialogButtons submit="Add" busy={busy()} onCancel={props.onClose} />
      </form>
    </Modal>
  );
}

/** The name to call a contact by in a dialog: roster display name, else the address. */
function useSubject(jid: string) {
  const { contacts } = useHallway();
  return () => contacts.contact(jid)?.displayName ?? jid;
}

/** The address under a dialog's title when the name differs from it. */
function Subject(props: { jid: string; name: string }) {
  return (
    <Show when={props.name !== props.jid}>
      <p class="modal-subject">{props.jid}</p>
    </Show>
  );
}

/** "Rename contact": the roster name (empty: shown by their address's local part). */
export function RenameContactDialog(props: DialogProps & { jid: string }) {
  const { contacts, people } = useHallway();
  const id = createUniqueId();
  const subject = useSubject(untrack(() => props.jid));
  const initial = untrack(() => {
    const c = contacts.contact(props.jid);
    return c ? (c.name ?? c.displayName) : "";
  });
  const [name, setName] = createSignal(initial);
  const { busy, error, run } = createSubmit();
  let input!: HTMLInputElement;

  async function submit(e: SubmitEvent) {
    e.preventDefault();
    if (busy()) return;
    const [jid, n] = [props.jid, name().trim()];
    if (await run(() => people.renameContact(jid, n))) props.onClose();
  }

  return (
    <Modal
      title="Rename contact"
      returnFocus={() => props.opener}
      onClose={props.onClose}
      initialFocus={() => {
        input.select();
        return input;
      }}
    >
      <form class="modal-form" noValidate onSubmit={(e) => void submit(e)}>
        <Subject jid={props.jid} name={subject()} />
        <div class="field">
          <label for={`${id}-name`}>Name</label>
          <input
            ref={input}
            id={`${id}-name`}
            type="text"
            autocomplete="off"
            maxLength={200}
            value={name()}
            aria-describedby={`${id}-hint`}
            onInput={(e) => setName(e.currentTarget.value)}
          />
          <p id={`${id}-hint`} class="field-hint">
            Leave empty to use the name from their address.
          </p>
        </div>
        <DialogError message={error()} />
        <DialogButtons submit="Save" busy={busy()} onCancel={props.onClose} />
      </form>
    </Modal>
  );
}

/** "Move to group": the contact's groups as a comma-separated list. */
export function MoveContactDialog(props: DialogProps & { jid: string }) {
  const { contacts, people } = useHallway();
  const id = createUniqueId();
  const subject = useSubject(untrack(() => props.jid));
  const [groups, setGroups] = createSignal(
    untrack(() => (contacts.contact(props.jid)?.groups ?? []).join(", ")),
  );
  const { busy, error, run } = createSubmit();
  let input!: HTMLInputElement;

  async function submit(e: SubmitEvent) {
    e.preventDefault();
    if (busy()) return;
    const [jid, list] = [props.jid, parseGroups(groups())];
    if (await run(() => people.setContactGroups(jid, list))) props.onClose();
  }

  return (
    <Modal
      title="Move to group"
      returnFocus={() => props.opener}
      onClose={props.onClose}
      initialFocus={() => input}
    >
      <form class="modal-form" noValidate onSubmit={(e) => void submit(e)}>
        <p class="modal-name">{subject()}</p>
        <Subject jid={props.jid} name={subject()} />
        <div class="field">
          <label for={`${id}-groups`}>Groups</label>
          <input
            ref={input}
            id={`${id}-groups`}
            type="text"
            autocomplete="off"
            value={groups()}
            aria-describedby={`${id}-hint`}
            onInput={(e) => setGroups(e.currentTarget.value)}
          />
          <p id={`${id}-hint`} class="field-hint">
            Separate groups with commas; leave empty for “{OTHER_GROUP}”.
            <Show when={contacts.groupNames().length > 0}>
              {" "}
              Existing groups: {contacts.groupNames().join(", ")}.
            </Show>
          </p>
        </div>
        <DialogError message={error()} />
        <DialogButtons submit="Save" busy={busy()} onCancel={props.onClose} />
      </form>
    </Modal>
  );
}

/** A yes/no question with a danger button; Cancel has the focus. */
function ConfirmDialog(
  props: {
    title: string;
    question: string;
    jid: string;
    name: string;
    confirm: string;
    action: () => Promise<unknown>;
    /** Done, the opener's row goes away: focus goes to `fallbackFocus` instead. */
    removesOpener: boolean;
  } & DialogProps,
) {
  const id = createUniqueId();
  const { busy, error, run } = createSubmit();
  let cancel!: HTMLButtonElement;
  let done = false;

  async function submit(e: SubmitEvent) {
    e.preventDefault();
    if (busy()) return;
    if (await run(props.action)) {
      done = true;
      props.onClose();
    }
  }

  return (
    <Modal
      title={props.title}
      returnFocus={() =>
        done && props.removesOpener ? (props.fallbackFocus?.() ?? props.opener) : props.opener
      }
      onClose={props.onClose}
      describedBy={`${id}-question`}
      initialFocus={() => cancel}
    >
      <form class="modal-form" noValidate onSubmit={(e) => void submit(e)}>
        <p id={`${id}-question`} class="modal-text">
          {props.question}
        </p>
        <Subject jid={props.jid} name={props.name} />
        <DialogError message={error()} />
        <DialogButtons
          submit={props.confirm}
          danger
          busy={busy()}
          onCancel={props.onClose}
          cancelRef={(el) => (cancel = el)}
        />
      </form>
    </Modal>
  );
}

/** "Remove contact": removes the roster item (and both subscriptions). */
export function RemoveContactDialog(props: DialogProps & { jid: string }) {
  const { people } = useHallway();
  const name = useSubject(untrack(() => props.jid));
  return (
    <ConfirmDialog
      title="Remove contact"
      question={`Remove ${name()} from your contacts? They will no longer see your status.`}
      jid={props.jid}
      name={name()}
      confirm="Remove"
      action={() => people.removeContact(props.jid)}
      removesOpener
      opener={props.opener}
      fallbackFocus={props.fallbackFocus}
      onClose={props.onClose}
    />
  );
}

/**
 * "Block contact": puts the address on the block list (a contact or a message request). The one
 * confirmation for blocking: the contact menu, "Requests" and the contact details panel use it.
 */
export function BlockContactDialog(props: DialogProps & { jid: string }) {
  const { contacts, people } = useHallway();
  const name = useSubject(untrack(() => props.jid));
  const inRoster = untrack(() => !!contacts.contact(props.jid));
  return (
    <ConfirmDialog
      title="Block contact"
      question={`Block ${name()}? They will not be able to message you or see your status.`}
      jid={props.jid}
      name={name()}
      confirm="Block"
      action={() => people.block(props.jid)}
      // A message request leaves the list once blocked; a contact's row stays ("Blocked").
      removesOpener={!inRoster}
      opener={props.opener}
      fallbackFocus={props.fallbackFocus}
      onClose={props.onClose}
    />
  );
}
