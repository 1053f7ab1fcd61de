// Tests of the Settings panel: notification previews, automatic away and blocked people.
import { fireEvent, render, screen, waitFor, within } from "@solidjs/testing-library";
import { describe, expect, it } from "vitest";
import { App } from "../../App";
import { contact, emitEvent, fail, ipcError, mockBackend, snapshot } from "../../test/backend";

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

  it("shows and saves the largest file taken straight from a device", async () => {
    const GIB = 1024 * 1024 * 1024;
    const backend = mockBackend({
      get_app_state: () => snapshot({ maxIncomingFile: 3 * GIB }),
    });
    render(() => <App />);
    await openSettings();
    const select = screen.getByRole("combobox", {
      name: "Files sent straight from a device",
    }) as HTMLSelectElement;
    // A value saved elsewhere is shown as it is, beside the usual choices.
    expect(select.value).toBe(String(3 * GIB));
    expect(within(select).getByRole("option", { name: "Up to 3 GB" })).toBeTruthy();
    fireEvent.change(select, { target: { value: String(16 * GIB) } });
    await waitFor(() =>
      expect(backend.callsTo("set_max_incoming_file")).toEqual([{ bytes: 16 * GIB }]),
    );
    expect(select.value).toBe(String(16 * GIB));
  });

  it("shows and saves whether contacts learn the operating system", async () => {
    const backend = mockBackend({ get_app_state: () => snapshot({ shareOs: false }) });
    render(() => <App />);
    await openSettings();
    const box = screen.getByRole("checkbox", {
      name: "Tell contacts my operating system",
    }) as HTMLInputElement;
    expect(box.checked).toBe(false);
    fireEvent.click(box);
    await waitFor(() => expect(backend.callsTo("set_share_os")).toEqual([{ share: true }]));
    expect(box.checked).toBe(true);
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

/** The "Blocked people" section of the open panel. */
function blockedSection() {
  return screen.getByRole("group", { name: "Blocked people" });
}

/** The rows of the block list in order: each one's texts (name, address, button) joined by "|". */
function blockedRows() {
  const list = within(blockedSection()).getByRole("list", { name: "Blocked people" });
  return within(list)
    .getAllByRole("listitem")
    .map((li) =>
      [...li.querySelectorAll(".blocked-person-text > *, button")]
        .map((e) => e.textContent)
        .join("|"),
    );
}

describe("blocked people", () => {
  it("says so when nobody is blocked", async () => {
    mockBackend();
    render(() => <App />);
    await openSettings();
    const section = blockedSection();
    expect(section.textContent).toContain("You have not blocked anyone.");
    expect(within(section).queryByRole("list")).toBeNull();
  });

  it("shows the block list the backend already has when the window opens", async () => {
    // The blocklistChanged event may have gone out before the window listened.
    mockBackend({ list_blocked: () => ["zed@example.com"] });
    render(() => <App />);
    await openSettings();
    const list = await within(blockedSection()).findByRole("list", { name: "Blocked people" });
    expect(list.textContent).toContain("zed@example.com");
    expect(within(list).getByRole("button", { name: "Unblock zed@example.com" })).toBeTruthy();
  });

  it("lists strangers and contacts by address, with the contact's name", async () => {
    mockBackend({
      list_contacts: () => [contact("carol@example.com", { displayName: "Carol", blocked: true })],
    });
    render(() => <App />);
    await openSettings();
    await emitEvent("blocklist-changed", {
      jids: ["zed@spam.example", "carol@example.com", "<b>x</b>@evil.example"],
    });
    await waitFor(() => expect(blockedRows()).toHaveLength(3));
    expect(blockedRows()).toEqual([
      "<b>x</b>@evil.example|Unblock",
      "Carol|carol@example.com|Unblock",
      "zed@spam.example|Unblock",
    ]);
    // strangers' addresses are text, never markup
    expect(blockedSection().querySelector("b")).toBeNull();
    expect(blockedSection().textContent).not.toContain("You have not blocked anyone.");
    for (const jid of ["zed@spam.example", "carol@example.com", "<b>x</b>@evil.example"]) {
      const button = screen.getByRole("button", { name: `Unblock ${jid}` });
      expect(button.textContent).toBe("Unblock");
    }
  });

  it("unblocks on Unblock and drops the row when the new block list arrives", async () => {
    let finish!: () => void;
    const backend = mockBackend({
      unblock_contact: () =>
        new Promise((resolve) => {
          finish = () => resolve(null);
        }),
    });
    render(() => <App />);
    await openSettings();
    await emitEvent("blocklist-changed", { jids: ["spam@example.net", "troll@example.org"] });
    const button = await screen.findByRole("button", { name: "Unblock spam@example.net" });
    button.focus();
    fireEvent.click(button);
    await waitFor(() =>
      expect(backend.callsTo("unblock_contact")).toEqual([{ jid: "spam@example.net" }]),
    );
    expect(button.getAttribute("aria-disabled")).toBe("true");
    // pressed again while busy: no second call
    fireEvent.click(button);
    expect(backend.callsTo("unblock_contact")).toHaveLength(1);

    finish();
    await waitFor(() => expect(button.getAttribute("aria-disabled")).toBeNull());
    // not removed until the server confirms through the event
    expect(blockedRows()).toEqual(["spam@example.net|Unblock", "troll@example.org|Unblock"]);

    await emitEvent("blocklist-changed", { jids: ["troll@example.org"] });
    await waitFor(() => expect(blockedRows()).toEqual(["troll@example.org|Unblock"]));
    // focus moves on to the next row instead of being lost
    expect(document.activeElement).toBe(
      screen.getByRole("button", { name: "Unblock troll@example.org" }),
    );

    await emitEvent("blocklist-changed", { jids: [] });
    await waitFor(() =>
      expect(blockedSection().textContent).toContain("You have not blocked anyone."),
    );
    expect(screen.queryByRole("list", { name: "Blocked people" })).toBeNull();
  });

  it("says so when unblocking fails and keeps the row", async () => {
    mockBackend({ unblock_contact: fail(ipcError("offline", "Not connected to the server.")) });
    render(() => <App />);
    await openSettings();
    await emitEvent("blocklist-changed", { jids: ["spam@example.net"] });
    const button = await screen.findByRole("button", { name: "Unblock spam@example.net" });
    fireEvent.click(button);
    const alert = await within(blockedSection()).findByRole("alert");
    expect(alert.textContent).toBe(
      "Could not unblock spam@example.net: Not connected to the server.",
    );
    expect(button.getAttribute("aria-disabled")).toBeNull();
    expect(blockedRows()).toEqual(["spam@example.net|Unblock"]);
  });
});
