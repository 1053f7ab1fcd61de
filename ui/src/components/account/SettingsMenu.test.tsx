// Tests of the Settings panel: notification previews and automatic away.
import { fireEvent, render, screen, waitFor } from "@solidjs/testing-library";
import { describe, expect, it } from "vitest";
import { App } from "../../App";
import { fail, ipcError, mockBackend, snapshot } from "../../test/backend";

async function openSettings() {
  const toggle = await screen.findByRole("button", { name: "Settings" });
  expect(toggle.getAttribute("aria-expanded")).toBe("false");
  fireEvent.click(toggle);
  expect(toggle.getAttribute("aria-expanded")).toBe("true");
  const box = screen.getByRole("checkbox", {
    name: "Show message text in notifications",
  }) as HTMLInputElement;
  return { toggle, box };
}

describe("settings", () => {
  it("starts from the snapshot and saves the notification preview choice", async () => {
    const backend = mockBackend({ get_app_state: () => snapshot({ notificationPreviews: false }) });
    render(() => <App />);
    const { box } = await openSettings();
    expect(box.checked).toBe(false);

    fireEvent.click(box);
    await waitFor(() =>
      expect(backend.callsTo("set_notification_previews")).toEqual([{ show: true }]),
    );
    expect(box.checked).toBe(true);
    fireEvent.click(box);
    await waitFor(() =>
      expect(backend.callsTo("set_notification_previews")).toEqual([
        { show: true },
        { show: false },
      ]),
    );
  });

  it("shows and saves how large a picture may be fetched for a preview", async () => {
    const backend = mockBackend({ get_app_state: () => snapshot({ previewLimit: 1_000_000 }) });
    render(() => <App />);
    await openSettings();
    const select = screen.getByRole("combobox", { name: "Picture previews" }) as HTMLSelectElement;
    expect(select.value).toBe("1000000");
    fireEvent.change(select, { target: { value: "0" } });
    await waitFor(() => expect(backend.callsTo("set_preview_limit")).toEqual([{ bytes: 0 }]));
    expect(select.value).toBe("0");
  });

  it("puts the choice back and says so when it cannot be saved", async () => {
    mockBackend({ set_notification_previews: fail(ipcError("storage", "Disk full")) });
    render(() => <App />);
    const { box } = await openSettings();
    expect(box.checked).toBe(true);
    fireEvent.click(box);
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("Disk full");
    await waitFor(() => expect(box.checked).toBe(true));
  });

  it("Escape closes the panel and returns focus to the button", async () => {
    mockBackend();
    render(() => <App />);
    const { toggle, box } = await openSettings();
    box.focus();
    fireEvent.keyDown(box, { key: "Escape" });
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
    expect(screen.queryByRole("checkbox", { name: "Show message text in notifications" })).toBe(
      null,
    );
    expect(document.activeElement).toBe(toggle);
  });
});

function autoAwayControls() {
  return {
    enabled: screen.getByRole("checkbox", {
      name: "Set me away when inactive",
    }) as HTMLInputElement,
    away: screen.getByRole("spinbutton", { name: "Away after (minutes)" }) as HTMLInputElement,
    xa: screen.getByRole("spinbutton", {
      name: "Extended away after (minutes)",
    }) as HTMLInputElement,
  };
}

/** Types a value and commits it (a number field saves on change, like leaving the field). */
function setNumber(input: HTMLInputElement, value: string) {
  fireEvent.input(input, { target: { value } });
  fireEvent.change(input, { target: { value } });
}

describe("automatic away settings", () => {
  it("starts from the snapshot and saves each change", async () => {
    const backend = mockBackend({
      get_app_state: () =>
        snapshot({ autoAway: { enabled: true, awayMinutes: 10, xaMinutes: 60 } }),
    });
    render(() => <App />);
    await openSettings();
    const { enabled, away, xa } = autoAwayControls();
    expect(enabled.checked).toBe(true);
    expect(away.value).toBe("10");
    expect(xa.value).toBe("60");
    expect(away.min).toBe("1");
    expect(away.max).toBe("1440");
    expect(xa.max).toBe("1440");
    expect(away.disabled).toBe(false);

    setNumber(away, "15");
    await waitFor(() =>
      expect(backend.callsTo("set_auto_away")).toEqual([
        { settings: { enabled: true, awayMinutes: 15, xaMinutes: 60 } },
      ]),
    );
    setNumber(xa, "120");
    await waitFor(() =>
      expect(backend.callsTo("set_auto_away")[1]).toEqual({
        settings: { enabled: true, awayMinutes: 15, xaMinutes: 120 },
      }),
    );
    // no change, no call
    setNumber(xa, "120");
    expect(backend.callsTo("set_auto_away")).toHaveLength(2);

    fireEvent.click(enabled);
    await waitFor(() =>
      expect(backend.callsTo("set_auto_away")[2]).toEqual({
        settings: { enabled: false, awayMinutes: 15, xaMinutes: 120 },
      }),
    );
    expect(away.disabled).toBe(true);
    expect(xa.disabled).toBe(true);
    fireEvent.click(enabled);
    await waitFor(() => expect(away.disabled).toBe(false));
    expect(backend.callsTo("set_auto_away")).toHaveLength(4);
  });

  it("starts disabled when automatic away is off", async () => {
    mockBackend({
      get_app_state: () =>
        snapshot({ autoAway: { enabled: false, awayMinutes: 5, xaMinutes: 30 } }),
    });
    render(() => <App />);
    await openSettings();
    const { enabled, away, xa } = autoAwayControls();
    expect(enabled.checked).toBe(false);
    expect(away.disabled).toBe(true);
    expect(xa.disabled).toBe(true);
  });

  it("refuses minutes out of range without saving", async () => {
    const backend = mockBackend();
    render(() => <App />);
    await openSettings();
    const { away, xa } = autoAwayControls();
    for (const bad of ["0", "1441", "2.5", ""]) {
      setNumber(away, bad);
      const alert = await screen.findByRole("alert");
      expect(alert.textContent).toContain("from 1 to 1440");
      expect(away.getAttribute("aria-invalid")).toBe("true");
    }
    expect(backend.callsTo("set_auto_away")).toEqual([]);
    // back to the saved value: the complaint goes, nothing is saved
    setNumber(away, "5");
    expect(screen.queryByRole("alert")).toBeNull();
    expect(away.getAttribute("aria-invalid")).toBeNull();
    expect(backend.callsTo("set_auto_away")).toEqual([]);
    setNumber(away, "0");
    await screen.findByRole("alert");
    setNumber(xa, "1440");
    await waitFor(() =>
      expect(backend.callsTo("set_auto_away")).toEqual([
        { settings: { enabled: true, awayMinutes: 5, xaMinutes: 1440 } },
      ]),
    );
    expect(screen.queryByRole("alert")).toBeNull();
    expect(away.getAttribute("aria-invalid")).toBeNull();
  });

  it("puts the settings back and says so when they cannot be saved", async () => {
    mockBackend({ set_auto_away: fail(ipcError("storage", "Disk full")) });
    render(() => <App />);
    await openSettings();
    const { enabled, away } = autoAwayControls();
    fireEvent.click(enabled);
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("Could not save: Disk full");
    await waitFor(() => expect(enabled.checked).toBe(true));
    expect(away.disabled).toBe(false);

    setNumber(away, "9");
    await waitFor(() => expect(away.value).toBe("5"));
    expect(screen.getByRole("alert").textContent).toContain("Disk full");
  });
});
