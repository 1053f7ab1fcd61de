import { createContext, useContext } from "solid-js";
import type { JSX } from "solid-js";
import { createHallway } from "./hallway";
import type { Hallway } from "./hallway";

const HallwayContext = createContext<Hallway>();

export function HallwayProvider(props: { children: JSX.Element; hallway?: Hallway }) {
  // eslint-disable-next-line solid/reactivity -- the instance is created once per provider
  const hallway = props.hallway ?? createHallway();
  return <HallwayContext.Provider value={hallway}>{props.children}</HallwayContext.Provider>;
}

export function useHallway(): Hallway {
  const hallway = useContext(HallwayContext);
  if (!hallway) throw new Error("useHallway must be used inside <HallwayProvider>");
  return hallway;
}
