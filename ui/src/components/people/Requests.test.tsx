// Tests of the subscription prompts ("NAME wants to see your status": Accept / Decline) and the
// "Requests" section (people outside the contacts who wrote: open, Add, Block).
import { fireEvent, render, screen, waitFor, within } from "@solidjs/testing-library";
import { describe, expect, it } from "vitest";
import { App } from "../../App";
import {
  contact,
  emitEvent,
  fail,
  ipcError,
  messageRequest,
  mockBackend,
} from "../../test/backend";

const roster = [
  contact("carol@example.com", { displayName: "Carol", groups: ["Sales"], presence: "available" }),
];

async function renderApp() {
  render(() => <App />);
  const list = await screen.findByRole("list", { name: "Contacts" });
  await within(list).findAllByRole("button");
}

describe("subscription requests", () => {
  it("asks with Accept and Decline, showing the address when it differs", async () => {
    const backend = mockBackend({
      list_contacts: () => roster,
      list_subscription_requests: () => [{ jid: "zoe@example.com", displayName: "Zoë" }],
    });
    await renderApp();
    const prompt = await screen.findByRole("group", { name: "Zoë wants to see your status" });
    expect(within(prompt).getByText("zoe@example.com")).toBeTruthy();
    const accept = within(prompt).getByRole("button", { name: /^Accept/ });
    expect(accept.textContent).toBe("Accept");
    expect(within(prompt).getByRole("button", { name: /^Decline/ }).textContent).toBe("Decline");

    fireEvent.click(accept);
    await waitFor(() =>
      expect(screen.queryByRole("group", { name: "Zoë wants to see your status" })).toBeNull(),
    );
    expect(backend.callsTo("accept_subscription")).toEqual([{ jid: "zoe@example.com" }]);
    expect(backend.callsTo("decline_subscription")).toEqual([]);
  });

  it("declines", async () => {
    const backend = mockBackend({
      list_contacts: () => roster,
      list_subscription_requests: () => [
        { jid: "zoe@example.com", displayName: "zoe@example.com" },
      ],
    });
    await renderApp();
    const prompt = await screen.findByRole("group", {
      name: "zoe@example.com wants to see your status",
    });
    // the name is the address: not said twice
    expect(within(prompt).getAllByText(/zoe@example\.com/)).toHaveLength(1);
    fireEvent.click(within(prompt).getByRole("button", { name: /^Decline/ }));
    await waitFor(() =>
      expect(backend.callsTo("decline_subscription")).toEqual([{ jid: "zoe@example.com" }]),
    );
    await waitFor(() => expect(screen.queryByRole("group", { name: /wants to see/ })).toBeNull());
    expect(backend.callsTo("accept_subscription")).toEqual([]);
  });

  it("gives every button a unique name when several people ask", async () => {
    const backend = mockBackend({
      list_contacts: () => roster,
      list_subscription_requests: () => [
        { jid: "zoe@example.com", displayName: "Zoë" },
        { jid: "yann@example.com", displayName: "Yann" },
        { jid: "zoe@other.example", displayName: "Zoë" },
      ],
    });
    await renderApp();
    await screen.findByRole("button", { name: "Accept Yann" });
    expect(screen.getByRole("button", { name: "Decline Yann" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Accept Zoë (zoe@example.com)" })).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Accept Zoë (zoe@other.example)" }));
    await waitFor(() =>
      expect(backend.callsTo("accept_subscription")).toEqual([{ jid: "zoe@other.example" }]),
    );
  });

  it("shows a failure inline and keeps the prompt", async () => {
    mockBackend({
      list_contacts: () => roster,
      list_subscription_requests: () => [{ jid: "zoe@example.com", displayName: "Zoë" }],
      accept_subscription: fail(ipcError("offline", "Not connected to the server.")),
    });
    await renderApp();
    const prompt = await screen.findByRole("group", { name: "Zoë wants to see your status" });
    fireEvent.click(within(prompt).getByRole("button", { name: /^Accept/ }));
    const alert = await within(prompt).findByRole("alert");
    expect(alert.textContent).toBe("Could not accept: Not connected to the server.");
    expect(within(prompt).getByRole("button", { name: /^Accept/ })).toBeTruthy();
  });

  it("follows subscriptionRequestsChanged", async () => {
    mockBackend({ list_contacts: () => roster });
    await renderApp();
    expect(screen.queryByRole("group", { name: /wants to see your status/ })).toBeNull();
    await emitEvent("subscription-requests-changed", {
      requests: [{ jid: "zoe@example.com", displayName: "Zoë" }],
    });
    await screen.findByRole("group", { name: "Zoë wants to see your status" });
    await emitEvent("subscription-requests-changed", { requests: [] });
    await waitFor(() =>
      expect(screen.queryByRole("group", { name: "Zoë wants to see your status" })).toBeNull(),
    );
  });
});

describe("message requests", () => {
  const evil = "<img src=x onerror=alert(1)>";

  it("lists who wrote, with unread count and last message as text", async () => {
    mockBackend({
      list_contacts: () => roster,
      list_message_requests: () => [
        messageRequest("stranger@evil.example", { unread: 2, lastBody: evil }),
        messageRequest("sam@example.org", { unread: 0, lastBody: "Hi,\n\nare you   there?" }),
      ],
    });
    await renderApp();
    const heading = await screen.findByRole("heading", { name: /^Requests/ });
    // the heading's button says how many
    expect(within(heading).getByRole("button", { name: "Requests, 2" })).toBeTruthy();
    const list = screen.getByRole("list", { name: "Requests" });
    const items = within(list).getAllByRole("listitem");
    expect(items).toHaveLength(2);

    const stranger = within(list).getByRole("button", { name: "stranger@evil.example, 2 unread" });
    // the body is text: shown literally, never parsed
    expect(within(stranger).getByText(evil)).toBeTruthy();
    expect(list.querySelector("img")).toBeNull();
    expect(stranger.querySelector(".badge")?.textContent).toBe("2");
    const sam = within(list).getByRole("button", { name: "sam@example.org" });
    expect(within(sam).getByText("Hi, are you there?")).toBeTruthy();
    expect(sam.querySelector(".badge")).toBeNull();
    expect(screen.getByRole("button", { name: "Add sam@example.org" }).textContent).toBe("Add");
    expect(screen.getByRole("button", { name: "Block sam@example.org" }).textContent).toBe("Block");
  });

  it("collapses and expands", async () => {
    mockBackend({
      list_contacts: () => roster,
      list_message_requests: () => [messageRequest("sam@example.org")],
    });
    await renderApp();
    const toggle = await screen.findByRole("button", { name: "Requests, 1" });
    expect(toggle.getAttribute("aria-expanded")).toBe("true");
    fireEvent.click(toggle);
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
    expect(screen.queryByRole("list", { name: "Requests" })).toBeNull();
    fireEvent.click(toggle);
    expect(screen.getByRole("list", { name: "Requests" })).toBeTruthy();
  });

  it("opens the conversation when clicked", async () => {
    const backend = mockBackend({
      list_contacts: () => roster,
      list_message_requests: () => [messageRequest("sam@example.org", { lastBody: "Hi" })],
    });
    await renderApp();
    fireEvent.click(await screen.findByRole("button", { name: "sam@example.org, 1 unread" }));
    await screen.findByRole("heading", { level: 2, name: "sam@example.org" });
    expect(backend.callsTo("load_history")).toEqual([
      { peer: "sam@example.org", beforeId: null, limit: 50 },
    ]);
  });

  it("Add opens Add contact with the address filled in", async () => {
    const backend = mockBackend({
      list_contacts: () => roster,
      list_message_requests: () => [messageRequest("sam@example.org")],
    });
    await renderApp();
    const add = await screen.findByRole("button", { name: "Add sam@example.org" });
    add.focus();
    fireEvent.click(add);
    const dialog = screen.getByRole("dialog", { name: "Add contact" });
    const address = within(dialog).getByRole("textbox", { name: "Address" }) as HTMLInputElement;
    expect(address.value).toBe("sam@example.org");
    type(within(dialog).getByRole("textbox", { name: "Name" }), "Sam");
    fireEvent.click(within(dialog).getByRole("button", { name: "Add" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(backend.callsTo("add_contact")).toEqual([
      { address: "sam@example.org", name: "Sam", group: "" },
    ]);
    // the request leaves the list once added: focus goes to the filter field
    expect(document.activeElement).toBe(screen.getByRole("searchbox", { name: "Filter contacts" }));
    // once in the roster, the backend drops the request
    await emitEvent("message-requests-changed", { requests: [] });
    await waitFor(() => expect(screen.queryByRole("heading", { name: /^Requests/ })).toBeNull());
  });

  it("Block asks first, then blocks and drops the request", async () => {
    const backend = mockBackend({
      list_contacts: () => roster,
      list_message_requests: () => [
        messageRequest("stranger@evil.example", { lastBody: evil }),
        messageRequest("sam@example.org"),
      ],
    });
    await renderApp();
    fireEvent.click(await screen.findByRole("button", { name: "Block stranger@evil.example" }));
    let dialog = screen.getByRole("dialog", { name: "Block contact" });
    expect(
      within(dialog).getByText(
        "Block stranger@evil.example? They will not be able to message you or see your status.",
      ),
    ).toBeTruthy();
    expect(document.activeElement).toBe(within(dialog).getByRole("button", { name: "Cancel" }));
    fireEvent.click(within(dialog).getByRole("button", { name: "Cancel" }));
    await Promise.resolve();
    expect(backend.callsTo("block_contact")).toEqual([]);

    fireEvent.click(screen.getByRole("button", { name: "Block stranger@evil.example" }));
    dialog = screen.getByRole("dialog", { name: "Block contact" });
    fireEvent.click(within(dialog).getByRole("button", { name: "Block" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(backend.callsTo("block_contact")).toEqual([{ jid: "stranger@evil.example" }]);
    expect(document.activeElement).toBe(screen.getByRole("searchbox", { name: "Filter contacts" }));
    await waitFor(() =>
      expect(screen.queryByRole("button", { name: /^stranger@evil\.example/ })).toBeNull(),
    );
    expect(screen.getByRole("button", { name: "Requests, 1" })).toBeTruthy();
  });
});

function type(field: HTMLElement, value: string) {
  fireEvent.input(field, { target: { value } });
}
