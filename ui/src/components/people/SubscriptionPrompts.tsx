// The subscription prompts above the contact list: "NAME wants to see your status", with Accept
// and Decline for each pending request.
import { createMemo, createSignal, createUniqueId, For, Show } from "solid-js";
import { errorMessage } from "../../ipc";
import type { SubscriptionRequest } from "../../ipc";
import { useHallway } from "../../state/context";
import { Avatar } from "../shared/Avatar";

/** What a request is called: the nickname they sent (or roster name), else the address. */
const nameOf = (r: SubscriptionRequest) => r.displayName.trim() || r.jid;

/** One prompt per pending request; nothing when there is none. */
export function SubscriptionPrompts() {
  const { people } = useHallway();
  const requests = () => people.state.subscriptionRequests;
  // Names that more than one request uses: their buttons say the address too, so every button's
  // accessible name stays unique.
  const shared = createMemo(() => {
    const seen = new Set<string>();
    const twice = new Set<string>();
    for (const r of requests()) {
      const name = nameOf(r);
      if (seen.has(name)) twice.add(name);
      seen.add(name);
    }
    return twice;
  });

  return (
    <Show when={requests().length > 0}>
      <section class="sub-requests" aria-label="Subscription requests">
        <ul role="list" class="sub-requests-list">
          <For each={requests()}>
            {(request) => (
              <li>
                <SubscriptionPrompt
                  request={request}
                  buttonName={
                    shared().has(nameOf(request))
                      ? `${nameOf(request)} (${request.jid})`
                      : nameOf(request)
                  }
                />
              </li>
            )}
          </For>
        </ul>
      </section>
    </Show>
  );
}

function SubscriptionPrompt(props: { request: SubscriptionRequest; buttonName: string }) {
  const { people } = useHallway();
  const id = createUniqueId();
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const name = () => nameOf(props.request);

  async function answer(accept: boolean) {
    if (busy()) return;
    setBusy(true);
    setError(null);
    const jid = props.request.jid;
    try {
      if (accept) await people.acceptSubscription(jid);
      else await people.declineSubscription(jid);
    } catch (e) {
      setError(`${accept ? "Could not accept" : "Could not decline"}: ${errorMessage(e)}`);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="sub-request" role="group" aria-labelledby={`${id}-text`}>
      <Avatar jid={props.request.jid} name={name()} />
      <div class="sub-request-body">
        <p id={`${id}-text`} class="sub-request-text">
          {`${name()} wants to see your status`}
        </p>
        <Show when={props.request.jid !== name()}>
          <p class="sub-request-jid">{props.request.jid}</p>
        </Show>
        <div class="sub-request-actions">
          <button
            type="button"
            class="button button--primary button--small"
            aria-label={`Accept ${props.buttonName}`}
            disabled={busy()}
            onClick={() => void answer(true)}
          >
            Accept
          </button>
          <button
            type="button"
            class="button button--secondary button--small"
            aria-label={`Decline ${props.buttonName}`}
            disabled={busy()}
            onClick={() => void answer(false)}
          >
            Decline
          </button>
        </div>
        <Show when={error()}>
          {(message) => (
            <p class="field-error" role="alert">
              {message()}
            </p>
          )}
        </Show>
      </div>
    </div>
  );
}
