// Tests of the contact list: grouping, live updates, windowing, filter, offline toggle, collapsible
// groups and avatars.
import { cleanup, fireEvent, render, screen, waitFor, within } from "@solidjs/testing-library";
import { describe, expect, it } from "vitest";
import { App } from "../../App";
import { avatarColor } from "../../lib/consistentColor";
import { groupHeadingLabel } from "../../lib/contactRows";
import { COLLAPSED_GROUPS_KEY, SHOW_OFFLINE_KEY } from "../../lib/prefs";
import { contact, emitEvent, mockBackend } from "../../test/backend";
import { ROW_HEIGHT } from "./ContactList";

const roster = [
  contact("dan@example.com", { displayName: "Dan", groups: ["Sales"] }),
  contact("bob@example.com", {
    displayName: "Bob Baker",
    groups: ["Sales", "Design"],
    presence: "away",
    status: "in a meeting",
  }),
  contact("carol@example.com", { displayName: "Carol", groups: ["Sales"], presence: "available" }),
  contact("erin@example.com", { displayName: "Erin", presence: "dnd", unread: 3 }),
  contact("al@example.com", { displayName: "al", groups: ["Sales"], presence: "xa" }),
];

async function renderContacts() {
  render(() => <App />);
  const list = await screen.findByRole("list", { name: "Contacts" });
  await within(list).findAllByRole("button");
  return list;
}

/** Group names (as "# Name") and contact names, in document order. */
function outline(list: HTMLElement): string[] {
  return [...list.querySelectorAll("h3, button.contact")].map((el) =>
    el.tagName === "H3"
      ? `# ${el.querySelector(".contacts-group-name")?.textContent}`
      : (el.getAttribute("aria-label") ?? ""),
  );
}

const heading = (group: string, online: number, total: number) =>
  screen.getByRole("button", { name: groupHeadingLabel(group, { online, total }) });

const filterBox = () => screen.getByRole("searchbox", { name: "Filter contacts" });
const offlineToggle = () =>
  screen.getByRole("checkbox", { name: "Show offline contacts" }) as HTMLInputElement;

function typeFilter(value: string) {
  fireEvent.input(filterBox(), { target: { value } });
}

describe("contact list", () => {
  it("groups and sorts contacts with accessible names", async () => {
    mockBackend({ list_contacts: () => roster });
    const list = await renderContacts();
    expect(outline(list)).toEqual([
      "# Design",
      "Bob Baker, Away: in a meeting",
      "# Sales",
      "al, Extended away",
      "Bob Baker, Away: in a meeting",
      "Carol, Available",
      "Dan, Offline",
      "# Other contacts",
      "Erin, Do not disturb, 3 unread",
    ]);
    // group headings are buttons named by the group and its online count
    expect(screen.getAllByRole("heading", { level: 3 })).toHaveLength(3);
    for (const h of [
      heading("Design", 1, 1),
      heading("Sales", 3, 4),
      heading("Other contacts", 1, 1),
    ])
      expect(h.getAttribute("aria-expanded")).toBe("true");
    // the presence word is visible text, not only a colour
    const bob = screen.getAllByRole("button", { name: "Bob Baker, Away: in a meeting" })[0];
    expect(bob?.textContent).toContain("Away: in a meeting");
  });

  it("patches a contact from presencesChanged", async () => {
    mockBackend({ list_contacts: () => roster });
    const list = await renderContacts();
    const dan = within(list).getByRole("button", { name: "Dan, Offline" });

    await emitEvent("presences-changed", {
      updates: [
        {
          jid: "dan@example.com",
          presence: "available",
          status: "back at my desk",
          idleSince: null,
          lastSeen: null,
        },
      ],
    });

    await waitFor(() =>
      expect(
        within(list).getByRole("button", { name: "Dan, Available: back at my desk" }),
      ).toBeTruthy(),
    );
    // same DOM node, updated in place; and now sorted among the online contacts
    expect(within(list).getByRole("button", { name: /^Dan,/ })).toBe(dan);
    expect(outline(list).slice(2, 7)).toEqual([
      "# Sales",
      "al, Extended away",
      "Bob Baker, Away: in a meeting",
      "Carol, Available",
      "Dan, Available: back at my desk",
    ]);
  });

  it("updates unread counts from unreadChanged and replaces the roster on rosterChanged", async () => {
    mockBackend({ list_contacts: () => roster });
    const list = await renderContacts();
    await emitEvent("unread-changed", {
      counts: [{ peer: "carol@example.com", unread: 2, mentions: 0 }],
    });
    await within(list).findByRole("button", { name: "Carol, Available, 2 unread" });

    await emitEvent("roster-changed", {
      contacts: [contact("zoe@example.com", { displayName: "Zoe", groups: ["Ops"] })],
    });
    await waitFor(() => expect(outline(list)).toEqual(["# Ops", "Zoe, Offline"]));
  });

  it("opens a conversation and marks the contact as current", async () => {
    const backend = mockBackend({ list_contacts: () => roster });
    const list = await renderContacts();
    fireEvent.click(within(list).getByRole("button", { name: /^Erin,/ }));
    await screen.findByRole("heading", { level: 2, name: "Erin" });
    const erin = within(list).getByRole("button", { name: "Erin, Do not disturb" });
    expect(erin.getAttribute("aria-current")).toBe("true");
    expect(backend.callsTo("load_history")).toEqual([
      { peer: "erin@example.com", beforeId: null, limit: 50 },
    ]);
    expect(backend.callsTo("mark_read")).toEqual([{ peer: "erin@example.com" }]);
  });

  it("renders only a window of a large roster", async () => {
    // 5,000 contacts in 50 groups
    const many = Array.from({ length: 5000 }, (_, i) =>
      contact(`user${i}@example.com`, {
        displayName: `User ${String(i).padStart(4, "0")}`,
        groups: [`Team ${String(Math.floor(i / 100)).padStart(2, "0")}`],
        presence: i % 3 === 0 ? "available" : "offline",
      }),
    );
    mockBackend({ list_contacts: () => many });
    const list = await renderContacts();
    const windowed = () => list.querySelectorAll("li").length;
    expect(windowed()).toBeGreaterThan(5);
    expect(windowed()).toBeLessThan(60);
    expect(outline(list).slice(0, 2)).toEqual(["# Team 00", "User 0000, Available"]);
    // the list is as tall as all rows together, so the scrollbar is right
    expect(parseInt(list.style.height, 10)).toBeGreaterThan(5000 * 40);

    // hiding offline contacts and filtering stay windowed
    fireEvent.click(offlineToggle());
    await waitFor(() => expect(outline(list)[2]).toBe("User 0003, Available"));
    expect(windowed()).toBeLessThan(60);
    typeFilter("user 49");
    await waitFor(() => expect(outline(list)[0]).toBe("# Team 49"));
    // 4900…4999, of whom every third is online
    expect(parseInt(list.style.height, 10)).toBe(ROW_HEIGHT.heading + 33 * ROW_HEIGHT.contact);
  });

  it("filters by name, address or group as you type, ignoring case and accents", async () => {
    mockBackend({
      list_contacts: () => [
        ...roster,
        contact("zoe@example.org", { displayName: "Zoë Ångström", groups: ["Design"] }),
      ],
    });
    const list = await renderContacts();
    typeFilter("car");
    await waitFor(() => expect(outline(list)).toEqual(["# Sales", "Carol, Available"]));
    typeFilter("ERIN@EXAMPLE");
    await waitFor(() =>
      expect(outline(list)).toEqual(["# Other contacts", "Erin, Do not disturb, 3 unread"]),
    );
    typeFilter("zoe angstrom");
    await waitFor(() => expect(outline(list)).toEqual(["# Design", "Zoë Ångström, Offline"]));
    // a group name match shows the whole group
    typeFilter("desig");
    await waitFor(() =>
      expect(outline(list)).toEqual([
        "# Design",
        "Bob Baker, Away: in a meeting",
        "Zoë Ångström, Offline",
      ]),
    );
  });

  it("says when nothing matches, showing the filter as text, and Escape clears it", async () => {
    mockBackend({ list_contacts: () => roster });
    const list = await renderContacts();
    const evil = "<img src=x onerror=alert(1)>";
    typeFilter(evil);
    const note = await screen.findByText(`No contacts match “${evil}”`);
    expect(note.children).toHaveLength(0);
    expect(document.querySelector("img")).toBeNull();
    expect(outline(list)).toEqual([]);

    fireEvent.keyDown(filterBox(), { key: "Escape" });
    await waitFor(() => expect(outline(list)).toHaveLength(9));
    expect((filterBox() as HTMLInputElement).value).toBe("");
    expect(screen.queryByText(/No contacts match/)).toBeNull();
  });

  it("hides offline contacts, except those with unread messages, and remembers it", async () => {
    mockBackend({
      list_contacts: () => [
        ...roster,
        contact("fay@example.com", { displayName: "Fay", groups: ["Sales"], unread: 1 }),
      ],
    });
    let list = await renderContacts();
    expect(offlineToggle().checked).toBe(true);
    expect(outline(list)).toContain("Dan, Offline");

    fireEvent.click(offlineToggle());
    await waitFor(() => expect(outline(list)).not.toContain("Dan, Offline"));
    expect(offlineToggle().checked).toBe(false);
    expect(outline(list)).toEqual([
      "# Design",
      "Bob Baker, Away: in a meeting",
      "# Sales",
      "al, Extended away",
      "Bob Baker, Away: in a meeting",
      "Carol, Available",
      "Fay, Offline, 1 unread",
      "# Other contacts",
      "Erin, Do not disturb, 3 unread",
    ]);
    // the counts still cover the whole group
    expect(heading("Sales", 3, 5)).toBeTruthy();
    expect(localStorage.getItem(SHOW_OFFLINE_KEY)).toBe("false");

    // a contact who goes offline disappears; one who comes online appears
    await emitEvent("presences-changed", {
      updates: [
        {
          jid: "carol@example.com",
          presence: "offline",
          status: null,
          idleSince: null,
          lastSeen: null,
        },
        {
          jid: "dan@example.com",
          presence: "available",
          status: null,
          idleSince: null,
          lastSeen: null,
        },
      ],
    });
    await waitFor(() => expect(outline(list)).toContain("Dan, Available"));
    expect(outline(list)).not.toContain("Carol, Offline");
    // reading Fay's messages lets her go too
    await emitEvent("unread-changed", {
      counts: [{ peer: "fay@example.com", unread: 0, mentions: 0 }],
    });
    await waitFor(() => expect(outline(list).some((r) => r.startsWith("Fay"))).toBe(false));

    // remembered across restarts
    cleanup();
    list = await renderContacts();
    expect(offlineToggle().checked).toBe(false);
    expect(outline(list)).not.toContain("Dan, Offline");
    fireEvent.click(offlineToggle());
    await waitFor(() => expect(outline(list)).toContain("Dan, Offline"));
    expect(localStorage.getItem(SHOW_OFFLINE_KEY)).toBe("true");
  });

  it("says so when everyone is offline and offline contacts are hidden", async () => {
    mockBackend({ list_contacts: () => [contact("dan@example.com", { displayName: "Dan" })] });
    render(() => <App />);
    fireEvent.click(await screen.findByRole("checkbox", { name: "Show offline contacts" }));
    await screen.findByText("No contacts are online.");
    expect(screen.getByText("Offline contacts are hidden.")).toBeTruthy();
  });

  it("collapses and expands groups, and remembers it", async () => {
    mockBackend({ list_contacts: () => roster });
    let list = await renderContacts();
    const sales = heading("Sales", 3, 4);
    expect(sales.closest("h3")).toBeTruthy();
    expect(sales.getAttribute("aria-expanded")).toBe("true");

    fireEvent.click(sales);
    await waitFor(() => expect(sales.getAttribute("aria-expanded")).toBe("false"));
    expect(outline(list)).toEqual([
      "# Design",
      "Bob Baker, Away: in a meeting",
      "# Sales",
      "# Other contacts",
      "Erin, Do not disturb, 3 unread",
    ]);
    expect(JSON.parse(localStorage.getItem(COLLAPSED_GROUPS_KEY) ?? "[]")).toEqual(["Sales"]);
    // the count keeps following presence while collapsed
    await emitEvent("presences-changed", {
      updates: [
        {
          jid: "dan@example.com",
          presence: "available",
          status: null,
          idleSince: null,
          lastSeen: null,
        },
      ],
    });
    await waitFor(() => expect(heading("Sales", 4, 4)).toBe(sales));

    // remembered across restarts
    cleanup();
    list = await renderContacts();
    expect(heading("Sales", 3, 4).getAttribute("aria-expanded")).toBe("false");
    expect(outline(list)).not.toContain("Carol, Available");

    fireEvent.click(heading("Sales", 3, 4));
    await waitFor(() => expect(outline(list)).toContain("Carol, Available"));
    expect(heading("Sales", 3, 4).getAttribute("aria-expanded")).toBe("true");
    expect(JSON.parse(localStorage.getItem(COLLAPSED_GROUPS_KEY) ?? "[]")).toEqual([]);
  });

  it("shows collapsed groups expanded while a filter is typed", async () => {
    mockBackend({ list_contacts: () => roster });
    const list = await renderContacts();
    fireEvent.click(heading("Sales", 3, 4));
    await waitFor(() => expect(outline(list)).not.toContain("Carol, Available"));

    typeFilter("carol");
    await waitFor(() => expect(outline(list)).toEqual(["# Sales", "Carol, Available"]));
    const sales = heading("Sales", 3, 4);
    expect(sales.getAttribute("aria-expanded")).toBe("true");
    expect(sales.getAttribute("aria-disabled")).toBe("true");
    // clicking it while filtering changes nothing
    fireEvent.click(sales);
    expect(outline(list)).toEqual(["# Sales", "Carol, Available"]);

    // clearing the filter brings the collapsed state back
    typeFilter("");
    await waitFor(() => expect(outline(list)).not.toContain("Carol, Available"));
    expect(heading("Sales", 3, 4).getAttribute("aria-expanded")).toBe("false");
    expect(heading("Sales", 3, 4).hasAttribute("aria-disabled")).toBe(false);
  });

  it("moves between the filter, headings and contacts with the arrow keys", async () => {
    mockBackend({ list_contacts: () => roster });
    await renderContacts();
    fireEvent.keyDown(filterBox(), { key: "ArrowDown" });
    const design = heading("Design", 1, 1);
    expect(document.activeElement).toBe(design);
    fireEvent.keyDown(design, { key: "ArrowDown" });
    expect(document.activeElement?.getAttribute("aria-label")).toBe(
      "Bob Baker, Away: in a meeting",
    );
    fireEvent.keyDown(document.activeElement as HTMLElement, { key: "End" });
    expect(document.activeElement?.getAttribute("aria-label")).toBe(
      "Erin, Do not disturb, 3 unread",
    );
    fireEvent.keyDown(document.activeElement as HTMLElement, { key: "Home" });
    expect(document.activeElement).toBe(design);
    fireEvent.keyDown(design, { key: "ArrowUp" });
    expect(document.activeElement).toBe(filterBox());
  });

  it("shows each contact's initials on their XEP-0392 colour", async () => {
    mockBackend({ list_contacts: () => roster });
    const list = await renderContacts();
    const bob = within(list).getAllByRole("button", { name: /^Bob Baker,/ })[0] as HTMLElement;
    const avatar = bob.querySelector(".avatar") as HTMLElement;
    expect(avatar.getAttribute("aria-hidden")).toBe("true");
    expect(avatar.textContent).toBe("BB");
    expect(avatar.style.backgroundColor).toBeTruthy();
    expect(avatarColor("bob@example.com")).toMatch(/^#/);
    // the name is still the row's text and accessible name
    expect(bob.querySelector(".contact-name")?.textContent).toBe("Bob Baker");
  });
});
