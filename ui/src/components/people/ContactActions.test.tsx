// Tests of the contact list's people features: Add contact, the per-contact actions menu (Rename,
// Move to group, Block / Unblock, Remove), subscription states, avatars and idle / last seen.
import { fireEvent, render, screen, waitFor, within } from "@solidjs/testing-library";
import { afterEach, describe, expect, it, vi } from "vitest";
import { App } from "../../App";
import { ADDRESS_HINT } from "../../lib/address";
import { contact, emitEvent, fail, ipcError, mockBackend } from "../../test/backend";

const roster = [
  contact("carol@example.com", { displayName: "Carol", groups: ["Sales"], presence: "available" }),
  contact("dan@example.com", { name: "Dan D.", displayName: "Dan D.", groups: ["Design"] }),
];

async function renderContacts() {
  render(() => <App />);
  const list = await screen.findByRole("list", { name: "Contacts" });
  await within(list).findAllByRole("button");
  return list;
}

function type(field: HTMLElement, value: string) {
  fireEvent.input(field, { target: { value } });
}

/** Opens the "More actions" menu of a contact and returns its button and the menu. */
function openMenu(name: string) {
  const button = screen.getByRole("button", { name: `More actions for ${name}` });
  button.focus();
  fireEvent.click(button);
  const menu = screen.getByRole("menu", { name: `Actions for ${name}` });
  return { button, menu };
}

function chooseFromMenu(name: string, item: string) {
  const { button, menu } = openMenu(name);
  fireEvent.click(within(menu).getByRole("menuitem", { name: item }));
  return button;
}

describe("Add contact", () => {
  it("adds a contact with address, name and group, then closes", async () => {
    const backend = mockBackend({ list_contacts: () => roster });
    await renderContacts();
    const opener = screen.getByRole("button", { name: "Add contact" });
    opener.focus();
    fireEvent.click(opener);

    const dialog = screen.getByRole("dialog", { name: "Add contact" });
    const address = within(dialog).getByRole("textbox", { name: "Address" });
    expect(document.activeElement).toBe(address);
    // the group field offers the existing groups
    const group = within(dialog).getByRole("combobox", { name: "Group" }) as HTMLInputElement;
    const options = document.getElementById(group.getAttribute("list") ?? "")?.children ?? [];
    expect([...options].map((o) => o.getAttribute("value"))).toEqual(["Design", "Sales"]);

    type(address, " zoe@example.com ");
    type(within(dialog).getByRole("textbox", { name: "Name" }), "Zoë");
    type(group, "Design");
    fireEvent.click(within(dialog).getByRole("button", { name: "Add" }));

    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(backend.callsTo("add_contact")).toEqual([
      { address: "zoe@example.com", name: "Zoë", group: "Design" },
    ]);
    expect(document.activeElement).toBe(opener);

    // the server's roster push shows the new contact, waiting for approval
    await emitEvent("roster-changed", {
      contacts: [
        ...roster,
        contact("zoe@example.com", {
          displayName: "Zoë",
          groups: ["Design"],
          subscription: "none",
          pendingOut: true,
        }),
      ],
    });
    const row = await screen.findByRole("button", { name: "Zoë, Waiting for approval" });
    expect(row.textContent).toContain("Waiting for approval");
  });

  it("shows the backend's error and keeps the dialog and its input", async () => {
    const backend = mockBackend({
      list_contacts: () => roster,
      add_contact: fail(ipcError("refused", "The server does not know zoe@nowhere.example.")),
    });
    await renderContacts();
    fireEvent.click(screen.getByRole("button", { name: "Add contact" }));
    const dialog = screen.getByRole("dialog", { name: "Add contact" });
    const address = within(dialog).getByRole("textbox", { name: "Address" }) as HTMLInputElement;
    type(address, "zoe@nowhere.example");
    fireEvent.click(within(dialog).getByRole("button", { name: "Add" }));

    const alert = await within(dialog).findByRole("alert");
    expect(alert.textContent).toBe("The server does not know zoe@nowhere.example.");
    expect(backend.callsTo("add_contact")).toHaveLength(1);
    expect(screen.getByRole("dialog", { name: "Add contact" })).toBe(dialog);
    expect(address.value).toBe("zoe@nowhere.example");
  });

  it("checks the address before asking the backend", async () => {
    const backend = mockBackend({ list_contacts: () => roster });
    await renderContacts();
    fireEvent.click(screen.getByRole("button", { name: "Add contact" }));
    const dialog = screen.getByRole("dialog", { name: "Add contact" });
    const address = within(dialog).getByRole("textbox", { name: "Address" });
    fireEvent.click(within(dialog).getByRole("button", { name: "Add" }));
    expect(within(dialog).getByRole("alert").textContent).toBe(ADDRESS_HINT);
    type(address, "zoe at example");
    fireEvent.click(within(dialog).getByRole("button", { name: "Add" }));
    expect(address.getAttribute("aria-invalid")).toBe("true");
    await Promise.resolve();
    expect(backend.callsTo("add_contact")).toEqual([]);
    // fixing it clears the hint
    type(address, "zoe@example.com");
    expect(within(dialog).queryByRole("alert")).toBeNull();
  });

  it("Escape and Cancel close the dialog and return focus to the button", async () => {
    const backend = mockBackend({ list_contacts: () => roster });
    await renderContacts();
    const opener = screen.getByRole("button", { name: "Add contact" });
    opener.focus();
    fireEvent.click(opener);
    // Tab stays inside the dialog
    const address = screen.getByRole("textbox", { name: "Address" });
    const add = screen.getByRole("button", { name: "Add" });
    fireEvent.keyDown(address, { key: "Tab", shiftKey: true });
    expect(document.activeElement).toBe(add);
    fireEvent.keyDown(add, { key: "Tab" });
    expect(document.activeElement).toBe(address);
    fireEvent.keyDown(address, { key: "Escape" });
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(document.activeElement).toBe(opener);

    // WebKit does not focus a clicked button: focus still comes back to it
    opener.blur();
    fireEvent.click(opener);
    expect(document.activeElement).toBe(screen.getByRole("textbox", { name: "Address" }));
    fireEvent.click(screen.getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(document.activeElement).toBe(opener);
    expect(backend.callsTo("add_contact")).toEqual([]);
  });
});

describe("contact actions menu", () => {
  it("opens from the row's button, moves with the arrow keys and closes on Escape", async () => {
    mockBackend({ list_contacts: () => roster });
    await renderContacts();
    const { button, menu } = openMenu("Carol");
    expect(button.getAttribute("aria-haspopup")).toBe("menu");
    expect(button.getAttribute("aria-expanded")).toBe("true");
    expect(button.getAttribute("aria-controls")).toBe(menu.id);
    const items = within(menu).getAllByRole("menuitem");
    expect(items.map((i) => i.textContent)).toEqual([
      "Rename…",
      "Move to group…",
      "Block",
      "Remove…",
    ]);
    expect(document.activeElement).toBe(items[0]);
    fireEvent.keyDown(items[0] as HTMLElement, { key: "ArrowDown" });
    expect(document.activeElement).toBe(items[1]);
    fireEvent.keyDown(items[1] as HTMLElement, { key: "End" });
    expect(document.activeElement).toBe(items[3]);
    fireEvent.keyDown(items[3] as HTMLElement, { key: "ArrowDown" });
    expect(document.activeElement).toBe(items[0]);

    fireEvent.keyDown(items[0] as HTMLElement, { key: "Escape" });
    expect(screen.queryByRole("menu")).toBeNull();
    expect(button.getAttribute("aria-expanded")).toBe("false");
    expect(document.activeElement).toBe(button);
  });

  it("opens on right-click and closes when clicking elsewhere", async () => {
    mockBackend({ list_contacts: () => roster });
    const list = await renderContacts();
    const row = within(list).getByRole("button", { name: "Carol, Available" });
    fireEvent.contextMenu(row, { clientX: 40, clientY: 60 });
    const menu = screen.getByRole("menu", { name: "Actions for Carol" });
    expect(menu.style.left).toBe("40px");
    fireEvent.pointerDown(document.body);
    expect(screen.queryByRole("menu")).toBeNull();
  });

  it("renames a contact", async () => {
    const backend = mockBackend({ list_contacts: () => roster });
    await renderContacts();
    const button = chooseFromMenu("Dan D.", "Rename…");
    expect(screen.queryByRole("menu")).toBeNull();
    const dialog = screen.getByRole("dialog", { name: "Rename contact" });
    const name = within(dialog).getByRole("textbox", { name: "Name" }) as HTMLInputElement;
    expect(name.value).toBe("Dan D.");
    expect(document.activeElement).toBe(name);
    type(name, "  Daniel  ");
    fireEvent.click(within(dialog).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(backend.callsTo("rename_contact")).toEqual([{ jid: "dan@example.com", name: "Daniel" }]);
    expect(document.activeElement).toBe(button);
  });

  it("moves a contact to groups typed with commas", async () => {
    const backend = mockBackend({ list_contacts: () => roster });
    await renderContacts();
    chooseFromMenu("Carol", "Move to group…");
    const dialog = screen.getByRole("dialog", { name: "Move to group" });
    const groups = within(dialog).getByRole("textbox", { name: "Groups" }) as HTMLInputElement;
    expect(groups.value).toBe("Sales");
    type(groups, "Sales, Front desk , ,Sales");
    fireEvent.click(within(dialog).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(backend.callsTo("set_contact_groups")).toEqual([
      { jid: "carol@example.com", groups: ["Sales", "Front desk"] },
    ]);
  });

  it("shows a failed rename in the dialog", async () => {
    mockBackend({
      list_contacts: () => roster,
      rename_contact: fail(ipcError("offline", "Not connected to the server.")),
    });
    await renderContacts();
    chooseFromMenu("Carol", "Rename…");
    const dialog = screen.getByRole("dialog", { name: "Rename contact" });
    fireEvent.click(within(dialog).getByRole("button", { name: "Save" }));
    expect((await within(dialog).findByRole("alert")).textContent).toBe(
      "Not connected to the server.",
    );
    expect(screen.getByRole("dialog", { name: "Rename contact" })).toBe(dialog);
  });

  it("removes a contact only after confirmation", async () => {
    const backend = mockBackend({ list_contacts: () => roster });
    await renderContacts();
    const button = chooseFromMenu("Carol", "Remove…");
    let dialog = screen.getByRole("dialog", { name: "Remove contact" });
    expect(
      within(dialog).getByText(
        "Remove Carol from your contacts? They will no longer see your status.",
      ),
    ).toBeTruthy();
    // Cancel has the focus and does nothing
    const cancel = within(dialog).getByRole("button", { name: "Cancel" });
    expect(document.activeElement).toBe(cancel);
    fireEvent.click(cancel);
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(document.activeElement).toBe(button);
    await Promise.resolve();
    expect(backend.callsTo("remove_contact")).toEqual([]);

    chooseFromMenu("Carol", "Remove…");
    dialog = screen.getByRole("dialog", { name: "Remove contact" });
    fireEvent.click(within(dialog).getByRole("button", { name: "Remove" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(backend.callsTo("remove_contact")).toEqual([{ jid: "carol@example.com" }]);
    // the row is about to go: focus goes to the filter field rather than to nowhere
    expect(document.activeElement).toBe(screen.getByRole("searchbox", { name: "Filter contacts" }));
  });

  it("blocks after confirmation and unblocks at once", async () => {
    const backend = mockBackend({ list_contacts: () => roster });
    const list = await renderContacts();
    chooseFromMenu("Carol", "Block");
    let dialog = screen.getByRole("dialog", { name: "Block contact" });
    expect(
      within(dialog).getByText(
        "Block Carol? They will not be able to message you or see your status.",
      ),
    ).toBeTruthy();
    expect(document.activeElement).toBe(within(dialog).getByRole("button", { name: "Cancel" }));
    fireEvent.click(within(dialog).getByRole("button", { name: "Cancel" }));
    const button = chooseFromMenu("Carol", "Block");
    dialog = screen.getByRole("dialog", { name: "Block contact" });
    fireEvent.click(within(dialog).getByRole("button", { name: "Block" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(backend.callsTo("block_contact")).toEqual([{ jid: "carol@example.com" }]);
    // a blocked contact keeps its row: focus goes back to its button
    expect(document.activeElement).toBe(button);

    // the backend pushes the roster with Carol blocked
    await emitEvent("roster-changed", {
      contacts: [{ ...roster[0]!, presence: "offline", blocked: true }, roster[1]!],
    });
    const row = await within(list).findByRole("button", { name: "Carol, Blocked" });
    expect(row.querySelector(".contact-status")?.textContent).toBe("Blocked");

    const { menu } = openMenu("Carol");
    expect(within(menu).queryByRole("menuitem", { name: "Block" })).toBeNull();
    fireEvent.click(within(menu).getByRole("menuitem", { name: "Unblock" }));
    expect(screen.queryByRole("dialog")).toBeNull();
    await waitFor(() =>
      expect(backend.callsTo("unblock_contact")).toEqual([{ jid: "carol@example.com" }]),
    );
  });

  it("says when unblocking fails", async () => {
    mockBackend({
      list_contacts: () => [contact("carol@example.com", { displayName: "Carol", blocked: true })],
      unblock_contact: fail(ipcError("offline", "Not connected to the server.")),
    });
    await renderContacts();
    chooseFromMenu("Carol", "Unblock");
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("Could not unblock Carol: Not connected to the server.");
    fireEvent.click(within(alert).getByRole("button", { name: "Dismiss" }));
    expect(screen.queryByRole("alert")).toBeNull();
  });
});

describe("contact rows", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("say in words when a contact shares no status", async () => {
    mockBackend({
      list_contacts: () => [
        contact("ann@example.com", { displayName: "Ann", subscription: "none", pendingOut: true }),
        contact("ben@example.com", { displayName: "Ben", subscription: "from" }),
        contact("cat@example.com", { displayName: "Cat", subscription: "none" }),
        contact("dee@example.com", { displayName: "Dee", blocked: true }),
        contact("eve@example.com", { displayName: "Eve", subscription: "to" }),
      ],
    });
    const list = await renderContacts();
    const line = (name: string) =>
      within(list).getByRole("button", { name }).querySelector(".contact-status")?.textContent;
    expect(line("Ann, Waiting for approval")).toBe("Waiting for approval");
    expect(line("Ben, Not sharing status")).toBe("Not sharing status");
    expect(line("Cat, Not sharing status")).toBe("Not sharing status");
    expect(line("Dee, Blocked")).toBe("Blocked");
    expect(line("Eve, Offline")).toBe("Offline");
  });

  it("keep a contact waiting for approval in view when offline contacts are hidden", async () => {
    mockBackend({
      list_contacts: () => [
        contact("ann@example.com", { displayName: "Ann", subscription: "none", pendingOut: true }),
        contact("eve@example.com", { displayName: "Eve" }),
      ],
    });
    const list = await renderContacts();
    fireEvent.click(screen.getByRole("checkbox", { name: "Show offline contacts" }));
    await waitFor(() =>
      expect(within(list).queryByRole("button", { name: "Eve, Offline" })).toBeNull(),
    );
    expect(within(list).getByRole("button", { name: "Ann, Waiting for approval" })).toBeTruthy();
  });

  it("show the contact's picture when they have one", async () => {
    mockBackend({
      list_contacts: () => [
        contact("ann@example.com", { displayName: "Ann", avatar: "0123abcd" }),
        contact("ben@example.com", { displayName: "Ben" }),
      ],
      get_avatar: (args) => (args.hash === "0123abcd" ? "data:image/png;base64,AAAA" : null),
    });
    const list = await renderContacts();
    const ann = within(list).getByRole("button", { name: "Ann, Offline" });
    await waitFor(() =>
      expect(ann.querySelector("img")?.getAttribute("src")).toBe("data:image/png;base64,AAAA"),
    );
    expect(ann.querySelector("img")?.getAttribute("alt")).toBe("");
    const ben = within(list).getByRole("button", { name: "Ben, Offline" });
    expect(ben.querySelector("img")).toBeNull();
    expect(ben.querySelector(".avatar")?.textContent).toBe("B");
  });

  it("show idle time and last seen, following a minute clock", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "Date"] });
    const now = Date.UTC(2026, 10, 24, 15, 0);
    vi.setSystemTime(now);
    mockBackend({
      list_contacts: () => [
        contact("ann@example.com", {
          displayName: "Ann",
          presence: "away",
          status: "in a meeting",
          idleSince: now - 20 * 60_000,
        }),
        contact("ben@example.com", {
          displayName: "Ben",
          presence: "available",
          idleSince: now - 5 * 60_000,
        }),
        contact("cat@example.com", { displayName: "Cat", lastSeen: now - 125 * 60_000 }),
        contact("dan@example.com", { displayName: "Dan", presence: "available" }),
      ],
    });
    const list = await renderContacts();
    const line = (name: RegExp) =>
      within(list).getByRole("button", { name }).querySelector(".contact-status")?.textContent;
    expect(line(/^Ann,/)).toBe("Away: in a meeting · idle 20 min");
    expect(line(/^Ben,/)).toBe("Available · idle 5 min");
    expect(line(/^Cat,/)).toBe("Offline · last seen 2 h ago");
    expect(line(/^Dan,/)).toBe("Available");
    expect(
      within(list).getByRole("button", { name: "Ann, Away: in a meeting, idle 20 min" }),
    ).toBeTruthy();
    const dan = within(list).getByRole("button", { name: /^Dan,/ });

    vi.advanceTimersByTime(60_000);
    await waitFor(() => expect(line(/^Ann,/)).toBe("Away: in a meeting · idle 21 min"));
    expect(line(/^Ben,/)).toBe("Available · idle 6 min");
    expect(within(list).getByRole("button", { name: /^Dan,/ })).toBe(dan);

    // a presence update that ends idleness drops the words
    await emitEvent("presences-changed", {
      updates: [
        {
          jid: "ann@example.com",
          presence: "available",
          status: null,
          idleSince: null,
          lastSeen: null,
        },
      ],
    });
    await waitFor(() => expect(line(/^Ann,/)).toBe("Available"));
  });
});
