import { connectionText } from "../../lib/presence";
import { useHallway } from "../../state/context";

const DOT: Record<string, string> = {
  online: "available",
  connecting: "connecting",
  reconnecting: "connecting",
  offline: "offline",
  error: "dnd",
};

/** Live connection state: "Connecting…", "Online", "Reconnecting…", "Offline" or the error. */
export function ConnectionStatus() {
  const { session } = useHallway();
  const kind = () => session.state.connection.state;
  return (
    <div class={`connection connection--${kind()}`}>
      <span class={`presence-dot presence-dot--${DOT[kind()] ?? "offline"}`} aria-hidden="true" />
      <span role="status" class="connection-text">
        {connectionText(session.state.connection)}
      </span>
    </div>
  );
}
