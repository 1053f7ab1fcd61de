// Tests of My status with automatic away: "Away (inactive)" next to the chosen status.
import { render, screen, waitFor } from "@solidjs/testing-library";
import { describe, expect, it } from "vitest";
import { App } from "../../App";
import type { MyShow } from "../../ipc";
import { emitEvent, mockBackend, snapshot } from "../../test/backend";

async function statusControl() {
  const select = (await screen.findByRole("combobox", { name: "My status" })) as HTMLSelectElement;
  return { select, box: select.closest(".my-status") as HTMLElement };
}

describe("automatic away indicator", () => {
  it("follows autoAwayChanged without changing the chosen status", async () => {
    const backend = mockBackend();
    render(() => <App />);
    const { select, box } = await statusControl();
    expect(screen.queryByText("Away (inactive)")).toBeNull();

    await emitEvent("auto-away-changed", { state: "away" });
    const note = await screen.findByText("Away (inactive)");
    expect(select.value).toBe("available");
    // the select is described by it, and the dot shows what contacts see
    expect(select.getAttribute("aria-describedby")).toBe(note.id);
    expect(box.querySelector(".presence-dot")?.classList.contains("presence-dot--away")).toBe(true);

    await emitEvent("auto-away-changed", { state: "xa" });
    await screen.findByText("Extended away (inactive)");
    expect(screen.queryByText("Away (inactive)")).toBeNull();
    expect(box.querySelector(".presence-dot")?.classList.contains("presence-dot--xa")).toBe(true);

    await emitEvent("auto-away-changed", { state: "off" });
    await waitFor(() => expect(screen.queryByText("Extended away (inactive)")).toBeNull());
    expect(select.getAttribute("aria-describedby")).toBeNull();
    expect(box.querySelector(".presence-dot--available")).not.toBeNull();
    expect(select.value).toBe("available");
    expect(backend.callsTo("set_my_presence")).toEqual([]);
  });

  it("starts from the snapshot", async () => {
    mockBackend({
      get_app_state: () =>
        snapshot({ autoAwayState: "xa", myPresence: { show: "away", status: "Lunch" } }),
    });
    render(() => <App />);
    const { select } = await statusControl();
    expect(await screen.findByText("Extended away (inactive)")).toBeTruthy();
    expect(select.value).toBe("away");
  });

  it.each<MyShow>(["dnd", "invisible"])(
    "says nothing while the chosen status is %s",
    async (show) => {
      mockBackend({
        get_app_state: () => snapshot({ autoAwayState: "away", myPresence: { show, status: "" } }),
      });
      render(() => <App />);
      const { select, box } = await statusControl();
      expect(select.value).toBe(show);
      expect(screen.queryByText("Away (inactive)")).toBeNull();
      expect(box.querySelector(`.presence-dot--${show}`)).not.toBeNull();
    },
  );
});
