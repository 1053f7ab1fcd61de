// The contact details side panel: picture, name, address, presence with idle / last seen, the
// business card ("Profile"), online devices and Block / Unblock. Loaded when it opens and when
// the contact changes. Everything in it comes from the contact: shown as text only.
import {
  createEffect,
  createSignal,
  createUniqueId,
  For,
  Match,
  on,
  onCleanup,
  Show,
  Switch,
} from "solid-js";
import { api, errorMessage } from "../../ipc";
import type { ContactDetails, PresenceShow } from "../../ipc";
import { idleText } from "../../lib/lastSeen";
import { presenceText } from "../../lib/presence";
import { useHallway } from "../../state/context";
import { fieldValue, isEmptyCard, PROFILE_FIELDS } from "../profile/profileFields";
import { Avatar } from "../shared/Avatar";
import { PresenceDot } from "../shared/PresenceDot";
import { createNow, presenceLine } from "./activity";
import { BlockControl } from "./BlockControl";
import { CopyButton } from "./CopyButton";

/** The later of two times (the details' XEP-0012 answer or the roster's, whichever is newer). */
function newest(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a == null) return b ?? null;
  if (b == null) return a;
  return Math.max(a, b);
}

export function ContactDetailsPanel(props: {
  id: string;
  peer: string;
  onClose: () => void;
  ref?: (el: HTMLElement) => void;
}) {
  const { contacts, people } = useHallway();
  const uid = createUniqueId();
  const now = createNow();
  const contact = () => contacts.contact(props.peer);
  const name = () => contact()?.displayName ?? props.peer;

  const [details, setDetails] = createSignal<ContactDetails | null>(null);
  const [loading, setLoading] = createSignal(true);
  const [error, setError] = createSignal<string | null>(null);

  let generation = 0;
  onCleanup(() => generation++);
  async function load(peer: string) {
    const mine = ++generation;
    setLoading(true);
    setError(null);
    try {
      const loaded = await api.getContactDetails(peer);
      if (mine === generation) setDetails(loaded);
    } catch (e) {
      if (mine === generation) setError(errorMessage(e));
    } finally {
      if (mine === generation) setLoading(false);
    }
  }
  createEffect(
    on(
      () => props.peer,
      (peer) => {
        setDetails(null);
        void load(peer);
      },
    ),
  );

  // Presence from the roster (kept current by events); for people outside it, from the devices.
  const show = (): PresenceShow =>
    contact()?.presence ?? details()?.devices[0]?.presence ?? "offline";
  const status = () => contact()?.status ?? details()?.devices[0]?.status ?? null;
  const line = () =>
    presenceLine(
      show(),
      status(),
      contact()?.idleSince ?? details()?.devices[0]?.idleSince ?? null,
      newest(details()?.lastSeen, contact()?.lastSeen),
      now(),
    );
  const blocked = () => people.isBlocked(props.peer) || (contact()?.blocked ?? false);

  return (
    <aside
      ref={(el) => props.ref?.(el)}
      id={props.id}
      class="details"
      role="complementary"
      aria-label="Contact details"
      tabIndex={-1}
    >
      <div class="details-bar">
        <h2 class="details-title">Contact details</h2>
        <button
          type="button"
          class="button button--quiet button--icon"
          aria-label="Close contact details"
          title="Close contact details"
          onClick={() => props.onClose()}
        >
          <svg class="details-icon" viewBox="0 0 16 16" aria-hidden="true">
            <path d="M4 4l8 8M12 4l-8 8" />
          </svg>
        </button>
      </div>

      <div class="details-body" aria-busy={loading() ? "true" : undefined}>
        <div class="details-person">
          <Avatar
            jid={props.peer}
            name={name()}
            src={people.avatarUrl(contact()?.avatar)}
            class="avatar--xl"
          />
          <h3 class="details-name" dir="auto">
            {name()}
          </h3>
          <p class="details-jid">{props.peer}</p>
          <p class="details-presence">
            <PresenceDot show={show()} />
            <span dir="auto">{line()}</span>
          </p>
          <Show when={blocked()}>
            <p class="details-blocked">Blocked</p>
          </Show>
        </div>

        <Switch>
          <Match when={error()}>
            {(message) => (
              <div class="details-error">
                <p role="alert">Could not load the details: {message()}</p>
                <button
                  type="button"
                  class="button button--secondary"
                  onClick={() => void load(props.peer)}
                >
                  Try again
                </button>
              </div>
            )}
          </Match>
          <Match when={details()}>
            {(d) => (
              <>
                <section class="details-section" aria-labelledby={`${uid}-profile`}>
                  <h4 id={`${uid}-profile`} class="details-heading">
                    Profile
                  </h4>
                  <Show
                    when={!isEmptyCard(d().vcard)}
                    fallback={<p class="details-note">No profile published.</p>}
                  >
                    <dl class="details-fields">
                      <For each={PROFILE_FIELDS.filter((f) => fieldValue(d().vcard[f.key]))}>
                        {(f) => (
                          <div class="details-field">
                            <dt>{f.label}</dt>
                            <dd>
                              <span class="details-value" dir="auto">
                                {fieldValue(d().vcard[f.key])}
                              </span>
                              <CopyButton
                                label={`Copy ${f.label.toLowerCase()}`}
                                text={fieldValue(d().vcard[f.key]) ?? ""}
                              />
                            </dd>
                          </div>
                        )}
                      </For>
                    </dl>
                  </Show>
                </section>

                <section class="details-section" aria-labelledby={`${uid}-devices`}>
                  <h4 id={`${uid}-devices`} class="details-heading">
                    Devices
                  </h4>
                  <Show
                    when={d().devices.length > 0}
                    fallback={<p class="details-note">Not online on any device.</p>}
                  >
                    <ul class="details-devices" aria-labelledby={`${uid}-devices`}>
                      <For each={d().devices}>
                        {(device) => (
                          <li class="details-device">
                            <p class="details-device-name" dir="auto">
                              {device.resource}
                            </p>
                            <p class="details-device-presence">
                              <PresenceDot show={device.presence} />
                              <span dir="auto">{presenceText(device.presence, device.status)}</span>
                            </p>
                            <Show when={idleText(device.idleSince, now())}>
                              {(idle) => <p class="details-device-idle">{idle()}</p>}
                            </Show>
                          </li>
                        )}
                      </For>
                    </ul>
                  </Show>
                </section>
              </>
            )}
          </Match>
          <Match when={loading()}>
            <p class="details-note">
              <span class="spinner" aria-hidden="true" /> Loading…
            </p>
          </Match>
        </Switch>

        <BlockControl jid={props.peer} blocked={blocked()} />
      </div>
    </aside>
  );
}
