// Tests of the contact details panel and the conversation header's picture and activity words.
import { fireEvent, render, screen, waitFor, within } from "@solidjs/testing-library";
import { afterEach, describe, expect, it, vi } from "vitest";
import { App } from "../../App";
import type { ContactDetails } from "../../ipc";
import {
  contact,
  contactDetails,
  emitEvent,
  fail,
  ipcError,
  mockBackend,
  vcard,
} from "../../test/backend";
import type { Handler } from "../../test/backend";

const BOB = "bob@example.com";
const CAROL = "carol@example.com";
const MINUTE = 60_000;

const bob = (overrides: Parameters<typeof contact>[1] = {}) =>
  contact(BOB, {
    displayName: "Bob Baker",
    presence: "away",
    status: "in a meeting",
    ...overrides,
  });

async function openChat(
  name: RegExp,
  handlers: Record<string, Handler> = {},
  roster = [bob(), contact(CAROL, { displayName: "Carol" })],
) {
  const backend = mockBackend({ list_contacts: () => roster, ...handlers });
  render(() => <App />);
  const list = await screen.findByRole("list", { name: "Contacts" });
  fireEvent.click(await within(list).findByRole("button", { name }));
  await screen.findByRole("log", { name: "Messages" });
  return { backend, list };
}

async function openPanel() {
  const toggle = screen.getByRole("button", { name: "Contact details" });
  expect(toggle.getAttribute("aria-expanded")).toBe("false");
  fireEvent.click(toggle);
  expect(toggle.getAttribute("aria-expanded")).toBe("true");
  const panel = await screen.findByRole("complementary", { name: "Contact details" });
  return { toggle, panel };
}

/** A details answer the test releases when it wants. */
function deferred() {
  let release: (d: ContactDetails) => void = () => {};
  let reject: (e: unknown) => void = () => {};
  const handler: Handler = () =>
    new Promise<ContactDetails>((res, rej) => {
      release = res;
      reject = rej;
    });
  return { handler, release: (d: ContactDetails) => release(d), reject: (e: unknown) => reject(e) };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("contact details panel", () => {
  it("opens from the header, shows Loading… then the details, and closes", async () => {
    const answer = deferred();
    const { backend } = await openChat(/^Bob Baker/, { get_contact_details: answer.handler });
    const { toggle, panel } = await openPanel();
    expect(document.activeElement).toBe(panel);
    expect(within(panel).getByText("Loading…")).toBeTruthy();
    expect(backend.callsTo("get_contact_details")).toEqual([{ jid: BOB }]);
    // the live parts come from the roster straight away
    expect(within(panel).getByRole("heading", { name: "Bob Baker" })).toBeTruthy();
    expect(within(panel).getByText(BOB)).toBeTruthy();
    expect(panel.textContent).toContain("Away: in a meeting");

    answer.release(contactDetails(BOB, { vcard: vcard({ title: "Accountant" }) }));
    await within(panel).findByText("Accountant");
    expect(within(panel).queryByText("Loading…")).toBeNull();

    fireEvent.click(within(panel).getByRole("button", { name: "Close contact details" }));
    expect(screen.queryByRole("complementary", { name: "Contact details" })).toBeNull();
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
    expect(document.activeElement).toBe(toggle);

    // the toggle opens it again (and loads again)
    fireEvent.click(toggle);
    await screen.findByRole("complementary", { name: "Contact details" });
    expect(backend.callsTo("get_contact_details")).toHaveLength(2);
  });

  it("stays open across conversations and loads the new contact's details", async () => {
    const { backend, list } = await openChat(/^Bob Baker/, {
      get_contact_details: (args) =>
        contactDetails(String(args.jid), {
          vcard: vcard({ fullName: args.jid === BOB ? "Robert Baker" : "Carol Jones" }),
        }),
    });
    const { panel } = await openPanel();
    await within(panel).findByText("Robert Baker");

    fireEvent.click(within(list).getByRole("button", { name: /^Carol/ }));
    const next = await screen.findByRole("complementary", { name: "Contact details" });
    await within(next).findByText("Carol Jones");
    expect(within(next).queryByText("Robert Baker")).toBeNull();
    expect(backend.callsTo("get_contact_details")).toEqual([{ jid: BOB }, { jid: CAROL }]);
    expect(
      screen.getByRole("button", { name: "Contact details" }).getAttribute("aria-expanded"),
    ).toBe("true");
  });

  it("shows every business-card field as plain text, never as markup or links", async () => {
    const evil = vcard({
      fullName: "<b>Mallory</b>",
      title: "<img src=x onerror=alert(1)>",
      organization: "Evil Corp",
      department: "  ",
      email: "mallory@evil.example",
      phone: "+1 555 0100",
    });
    await openChat(/^Bob Baker/, {
      get_contact_details: () => contactDetails(BOB, { vcard: evil }),
    });
    const { panel } = await openPanel();
    const name = await within(panel).findByText("<b>Mallory</b>");
    expect(name.children).toHaveLength(0);
    expect(panel.querySelector("b")).toBeNull();
    expect(panel.querySelector("img")).toBeNull();
    expect(within(panel).getByText("<img src=x onerror=alert(1)>")).toBeTruthy();
    expect(within(panel).queryByRole("link")).toBeNull();

    // labelled lines, in order, only for the fields that exist (a blank one is left out)
    const terms = within(panel)
      .getAllByRole("term")
      .map((t) => t.textContent);
    expect(terms).toEqual(["Full name", "Title", "Organisation", "Email", "Phone"]);
    const email = within(panel).getByText("mallory@evil.example");
    expect(email.closest("a")).toBeNull();
    expect(email.closest(".details-field")?.querySelector("dt")?.textContent).toBe("Email");
    expect(within(panel).getByText("+1 555 0100").closest("a")).toBeNull();
    expect(within(panel).queryByText("No profile published.")).toBeNull();
  });

  it("copies a field to the clipboard", async () => {
    const write = vi.spyOn(navigator.clipboard, "writeText").mockResolvedValue(undefined);
    await openChat(/^Bob Baker/, {
      get_contact_details: () =>
        contactDetails(BOB, { vcard: vcard({ email: "bob@corp.example" }) }),
    });
    const { panel } = await openPanel();
    const copy = await within(panel).findByRole("button", { name: "Copy email" });
    fireEvent.click(copy);
    await waitFor(() => expect(write).toHaveBeenCalledWith("bob@corp.example"));
    await waitFor(() => expect(copy.textContent).toBe("Copied"));
  });

  it("says when no profile is published and when no device is online", async () => {
    await openChat(/^Bob Baker/, {
      get_contact_details: () => contactDetails(BOB, { vcard: vcard({ email: " " }) }),
    });
    const { panel } = await openPanel();
    await within(panel).findByText("No profile published.");
    expect(within(panel).queryByRole("term")).toBeNull();
    expect(within(panel).getByText("Not online on any device.")).toBeTruthy();
  });

  it("lists each device with its presence, status text and idle time", async () => {
    const now = Date.now();
    await openChat(/^Bob Baker/, {
      get_contact_details: () =>
        contactDetails(BOB, {
          devices: [
            { resource: "laptop", presence: "available", status: null, idleSince: null },
            {
              resource: "<i>phone</i>",
              presence: "away",
              status: "on the train",
              idleSince: now - 20 * MINUTE - 1000,
            },
          ],
        }),
    });
    const { panel } = await openPanel();
    const devices = await within(panel).findByRole("list", { name: "Devices" });
    const items = within(devices).getAllByRole("listitem");
    expect(items).toHaveLength(2);
    expect(items[0]?.querySelector(".details-device-name")?.textContent).toBe("laptop");
    expect(items[0]?.textContent).toContain("Available");
    expect(items[0]?.textContent).not.toContain("idle");
    expect(items[1]?.querySelector(".details-device-name")?.textContent).toBe("<i>phone</i>");
    expect(items[1]?.querySelector("i")).toBeNull();
    expect(items[1]?.textContent).toContain("Away: on the train");
    expect(items[1]?.textContent).toContain("idle 20 min");
  });

  it("shows last seen for an offline contact from the details", async () => {
    const now = Date.now();
    await openChat(
      /^Bob Baker/,
      { get_contact_details: () => contactDetails(BOB, { lastSeen: now - 3 * 3600_000 - 1000 }) },
      [bob({ presence: "offline", status: null, lastSeen: null })],
    );
    const { panel } = await openPanel();
    await waitFor(() =>
      expect(panel.querySelector(".details-presence")?.textContent).toBe(
        "Offline · last seen 3 h ago",
      ),
    );
  });

  it("shows the error and loads again with Try again", async () => {
    let broken = true;
    const { backend } = await openChat(/^Bob Baker/, {
      get_contact_details: (args) =>
        broken
          ? fail(ipcError("offline", "Not connected to the server."))(args)
          : contactDetails(BOB, { vcard: vcard({ department: "Payroll" }) }),
    });
    const { panel } = await openPanel();
    const alert = await within(panel).findByRole("alert");
    expect(alert.textContent).toContain("Not connected to the server.");
    broken = false;
    fireEvent.click(within(panel).getByRole("button", { name: "Try again" }));
    await within(panel).findByText("Payroll");
    expect(within(panel).queryByRole("alert")).toBeNull();
    expect(within(panel).queryByRole("button", { name: "Try again" })).toBeNull();
    expect(backend.callsTo("get_contact_details")).toHaveLength(2);
  });

  it("asks before blocking, then blocks; Cancel does nothing", async () => {
    const { backend } = await openChat(/^Bob Baker/, { block_contact: () => null });
    const { panel } = await openPanel();
    await within(panel).findByText("No profile published.");

    // Cancel: nothing is sent, focus goes back to Block
    fireEvent.click(within(panel).getByRole("button", { name: "Block" }));
    let question = screen.getByRole("dialog", { name: "Block contact" });
    expect(question.textContent).toContain(
      "Block Bob Baker? They will not be able to message you or see your status.",
    );
    expect(document.activeElement).toBe(within(question).getByRole("button", { name: "Cancel" }));
    fireEvent.click(within(question).getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(backend.callsTo("block_contact")).toEqual([]);
    expect(document.activeElement).toBe(within(panel).getByRole("button", { name: "Block" }));

    // Escape closes it too
    fireEvent.click(within(panel).getByRole("button", { name: "Block" }));
    question = screen.getByRole("dialog", { name: "Block contact" });
    fireEvent.keyDown(within(question).getByRole("button", { name: "Cancel" }), { key: "Escape" });
    expect(screen.queryByRole("dialog")).toBeNull();

    // Block
    fireEvent.click(within(panel).getByRole("button", { name: "Block" }));
    question = screen.getByRole("dialog", { name: "Block contact" });
    fireEvent.click(within(question).getByRole("button", { name: "Block" }));
    await waitFor(() => expect(backend.callsTo("block_contact")).toEqual([{ jid: BOB }]));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(document.activeElement).toBe(within(panel).getByRole("button", { name: "Block" }));

    // The backend's roster push marks them blocked: the button offers Unblock.
    await emitEvent("roster-changed", { contacts: [bob({ blocked: true })] });
    await within(panel).findByRole("button", { name: "Unblock" });
    expect(within(panel).getByText("Blocked")).toBeTruthy();
  });

  it("keeps the question open and says so when blocking fails", async () => {
    await openChat(/^Bob Baker/, {
      block_contact: fail(ipcError("offline", "Not connected to the server.")),
    });
    const { panel } = await openPanel();
    fireEvent.click(within(panel).getByRole("button", { name: "Block" }));
    const question = screen.getByRole("dialog", { name: "Block contact" });
    fireEvent.click(within(question).getByRole("button", { name: "Block" }));
    const alert = await within(question).findByRole("alert");
    expect(alert.textContent).toContain("Not connected to the server.");
  });

  it("unblocks a blocked contact without asking", async () => {
    const { backend } = await openChat(/^Bob Baker/, { unblock_contact: () => null }, [
      bob({ blocked: true }),
    ]);
    const { panel } = await openPanel();
    fireEvent.click(within(panel).getByRole("button", { name: "Unblock" }));
    await waitFor(() => expect(backend.callsTo("unblock_contact")).toEqual([{ jid: BOB }]));
    expect(screen.queryByRole("dialog")).toBeNull();
  });
});

describe("conversation header", () => {
  it("shows the contact's picture when they have one", async () => {
    const url = "data:image/png;base64,iVBORw0KGgo=";
    const { backend } = await openChat(/^Bob Baker/, { get_avatar: () => url }, [
      bob({ avatar: "abc123" }),
    ]);
    const header = screen.getByRole("heading", { level: 2, name: "Bob Baker" }).closest("header");
    await waitFor(() => expect(header?.querySelector("img")?.getAttribute("src")).toBe(url));
    expect(header?.querySelector(".avatar")?.getAttribute("aria-hidden")).toBe("true");
    expect(backend.callsTo("get_avatar")).toContainEqual({ hash: "abc123" });
  });

  it("adds idle words for an online contact and last seen for an offline one", async () => {
    const now = Date.now();
    const roster = [
      bob({ idleSince: now - 20 * MINUTE - 1000 }),
      contact(CAROL, {
        displayName: "Carol",
        presence: "offline",
        lastSeen: now - 2 * 3600_000 - 1000,
      }),
    ];
    const { list } = await openChat(/^Bob Baker/, {}, roster);
    const line = () => document.querySelector(".conversation-presence")?.textContent ?? "";
    expect(line()).toContain("Away: in a meeting · idle 20 min");

    fireEvent.click(within(list).getByRole("button", { name: /^Carol/ }));
    await screen.findByRole("heading", { level: 2, name: "Carol" });
    expect(line()).toContain("Offline · last seen 2 h ago");

    // presence events keep it current
    await emitEvent("presences-changed", {
      updates: [
        { jid: CAROL, presence: "available", status: null, idleSince: null, lastSeen: null },
      ],
    });
    await waitFor(() => expect(line()).toContain("Available"));
    expect(line()).not.toContain("last seen");
  });
});
