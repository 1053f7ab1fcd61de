import type { PresenceShow } from "../../ipc";

/** Coloured dot for a presence. Decorative: the presence word is always shown as text too. */
export function PresenceDot(props: { show: PresenceShow | "invisible" | "connecting" }) {
  return <span class={`presence-dot presence-dot--${props.show}`} aria-hidden="true" />;
}
