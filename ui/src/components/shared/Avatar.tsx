// A contact's avatar: initials on their XEP-0392 colour, or a picture when one is known.
import { createEffect, createSignal, on, Show } from "solid-js";
import { avatarColor } from "../../lib/consistentColor";
import { initials } from "../../lib/initials";

/**
 * Decorative (aria-hidden): the name is always shown as text next to it. With `src`, shows that
 * image (alt="") over the initials; they show through while it loads and if it fails.
 */
export function Avatar(props: { jid: string; name: string; src?: string | null; class?: string }) {
  const [failed, setFailed] = createSignal(false);
  createEffect(
    on(
      () => props.src,
      () => setFailed(false),
      { defer: true },
    ),
  );
  const showImage = () => !!props.src && !failed();

  return (
    <span
      class={props.class ? `avatar ${props.class}` : "avatar"}
      aria-hidden="true"
      style={{ "background-color": avatarColor(props.jid) }}
    >
      {/* The initials stay underneath the picture: they show while it decodes, and if it fails. */}
      <span class="avatar-initials" dir="auto">
        {initials(props.name, props.jid)}
      </span>
      <Show when={showImage()}>
        <img class="avatar-image" src={props.src ?? ""} alt="" onError={() => setFailed(true)} />
      </Show>
    </span>
  );
}
