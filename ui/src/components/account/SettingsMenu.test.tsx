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
