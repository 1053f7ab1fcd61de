import { Match, Switch } from "solid-js";
import { HallwayProvider, useHallway } from "./state/context";
import type { Hallway } from "./state/hallway";
import { MainView } from "./views/MainView";
import { SignInView } from "./views/SignInView";

function Screens() {
  const { session } = useHallway();
  return (
    <Switch>
      <Match when={session.state.phase === "loading"}>
        <div class="splash">
          <p role="status">Starting Hallway…</p>
        </div>
      </Match>
      <Match when={session.state.phase === "startupError"}>
        <div class="splash" role="alert">
          <p>Hallway could not start: {session.state.startupError}</p>
          <button
            type="button"
            class="button button--primary"
            onClick={() => void session.refresh()}
          >
            Try again
          </button>
        </div>
      </Match>
      <Match when={session.state.phase === "signedOut"}>
        <SignInView />
      </Match>
      <Match when={session.state.phase === "signedIn"}>
        <MainView />
      </Match>
    </Switch>
  );
}

export function App(props: { hallway?: Hallway }) {
  return (
    <HallwayProvider hallway={props.hallway}>
      <Screens />
    </HallwayProvider>
  );
}
