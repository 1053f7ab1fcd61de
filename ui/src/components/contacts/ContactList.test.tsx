import { fireEvent, render, screen, waitFor, within } from "@solidjs/testing-library";
import { describe, expect, it } from "vitest";
import { App } from "../../App";
import { contact, emitEvent, mockBackend } from "../../test/backend";

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

/** Headings and contact names in document order. */
function outline(list: HTMLElement): string[] {
  return [...list.querySelectorAll("h3, button")].map((el) =>
    el.tagName === "H3" ? `# ${el.textContent}` : (el.getAttribute("aria-label") ?? ""),
  );
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
    expect(screen.getAllByRole("heading", { level: 3 }).map((h) => h.textContent)).toEqual([
      "Design",
      "Sales",
      "Other contacts",
    ]);
    // the presence word is visible text, not only a colour
    const bob = screen.getAllByRole("button", { name: "Bob Baker, Away: in a meeting" })[0];
    expect(bob?.textContent).toContain("Away: in a meeting");
  });

  it("patches a contact from presencesChanged", async () => {
    mockBackend({ list_contacts: () => roster });
    const list = await renderContacts();
    const dan = within(list).getByRole("button", { name: "Dan, Offline" });

    await emitEvent("presences-changed", {
      updates: [{ jid: "dan@example.com", presence: "available", status: "back at my desk" }],
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
    await emitEvent("unread-changed", { counts: [{ peer: "carol@example.com", unread: 2 }] });
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
    const many = Array.from({ length: 5000 }, (_, i) =>
      contact(`user${i}@example.com`, {
        displayName: `User ${String(i).padStart(4, "0")}`,
        groups: [`Team ${Math.floor(i / 500)}`],
      }),
    );
    mockBackend({ list_contacts: () => many });
    const list = await renderContacts();
    const rendered = list.querySelectorAll("li").length;
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(60);
    expect(within(list).getAllByRole("button")[0]?.getAttribute("aria-label")).toBe(
      "User 0000, Offline",
    );
    // the list is as tall as all rows together, so the scrollbar is right
    expect(parseInt(list.style.height, 10)).toBeGreaterThan(5000 * 40);
  });

  it("filters with the search box", async () => {
    mockBackend({ list_contacts: () => roster });
    const list = await renderContacts();
    fireEvent.input(screen.getByRole("searchbox", { name: "Filter contacts" }), {
      target: { value: "car" },
    });
    await waitFor(() => expect(outline(list)).toEqual(["# Sales", "Carol, Available"]));
  });
});
