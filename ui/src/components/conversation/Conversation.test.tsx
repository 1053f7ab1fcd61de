import { fireEvent, render, screen, waitFor, within } from "@solidjs/testing-library";
import { describe, expect, it } from "vitest";
import { App } from "../../App";
import { contact, emitEvent, message, mockBackend } from "../../test/backend";
import type { Handler } from "../../test/backend";
import type { Message } from "../../ipc";
import { firstPaintCount } from "./MessageList";
import { resetBubbleWarmUp, WARM_UP_DELAY_MS } from "./BubbleWarmUp";

const BOB = "bob@example.com";
const roster = [
  contact(BOB, {
    displayName: "Bob Baker",
    presence: "away",
    status: "in a meeting",
  }),
  contact("carol@example.com", { displayName: "Carol" }),
];

async function openBob(history: Message[] | Handler = [], extra: Record<string, Handler> = {}) {
  const backend = mockBackend({
    list_contacts: () => roster,
    load_history: typeof history === "function" ? history : () => history,
    ...extra,
  });
  render(() => <App />);
  const list = await screen.findByRole("list", { name: "Contacts" });
  fireEvent.click(await within(list).findByRole("button", { name: /^Bob Baker/ }));
  const log = await screen.findByRole("log", { name: "Messages" });
  return { backend, log };
}

describe("conversation", () => {
  it("shows the empty state until a colleague is selected", async () => {
    mockBackend({ list_contacts: () => roster });
    render(() => <App />);
    expect(await screen.findByText("Select a colleague to start chatting")).toBeTruthy();
    expect(screen.queryByRole("log")).toBeNull();
  });

  it("shows the header, history and message details", async () => {
    const history = [
      message(BOB, {
        id: 1,
        body: "Hi!\nAre you there?",
        timestamp: new Date(2026, 0, 5, 9, 7).getTime(),
      }),
      message(BOB, { id: 2, direction: "outgoing", body: "Yes", state: "delivered" }),
    ];
    const { backend, log } = await openBob(history);
    expect(screen.getByRole("heading", { level: 2, name: "Bob Baker" })).toBeTruthy();
    const header = screen.getByRole("heading", { level: 2, name: "Bob Baker" }).parentElement;
    expect(header?.textContent).toContain("Away: in a meeting");
    // a decorative avatar with the initials sits next to the name
    const avatar = header?.closest("header")?.querySelector(".avatar");
    expect(avatar?.getAttribute("aria-hidden")).toBe("true");
    expect(avatar?.textContent).toBe("BB");
    expect(backend.callsTo("load_history")).toEqual([{ peer: BOB, beforeId: null, limit: 50 }]);
    expect(backend.callsTo("mark_read")).toEqual([{ peer: BOB }]);

    await within(log).findByText("Yes");
    const incoming = log.querySelector(".msg--in");
    expect(incoming?.querySelector(".msg-sender")?.textContent).toBe("Bob Baker");
    expect(incoming?.querySelector(".msg-body")?.textContent).toBe("Hi!\nAre you there?");
    const time = incoming?.querySelector("time");
    expect(time?.textContent).toBe("09:07");
    expect(time?.getAttribute("title")).toMatch(/2026/);
    const outgoing = log.querySelector(".msg--out");
    expect(outgoing?.querySelector(".msg-sender")?.textContent).toBe("You");
    expect(outgoing?.textContent).toContain("Delivered");
  });

  it("renders message bodies as text, never as HTML", async () => {
    const evil = "<img src=x onerror=alert(1)>";
    const { log } = await openBob([message(BOB, { id: 1, body: evil })]);
    const body = await within(log).findByText(evil);
    expect(body.textContent).toBe(evil);
    expect(document.querySelector("img")).toBeNull();
    // The markup stays one text node: no element was parsed out of it.
    expect(body.children).toHaveLength(0);
    expect(Array.from(body.childNodes).every((n) => n.nodeType === Node.TEXT_NODE)).toBe(true);
  });

  it("renders a 100 kB body", async () => {
    const huge = "x".repeat(100 * 1024);
    const { log } = await openBob([message(BOB, { id: 1, body: huge + " end" })]);
    await waitFor(() =>
      expect(log.querySelector(".msg-body")?.textContent).toHaveLength(huge.length + 4),
    );
  });

  it("Enter sends, Shift+Enter does not, blank messages are not sent", async () => {
    const { backend, log } = await openBob();
    const box = screen.getByRole("textbox", { name: "Message" }) as HTMLTextAreaElement;

    fireEvent.input(box, { target: { value: "   \n  " } });
    fireEvent.keyDown(box, { key: "Enter" });
    expect(backend.callsTo("send_message")).toHaveLength(0);

    fireEvent.input(box, { target: { value: "line one" } });
    fireEvent.keyDown(box, { key: "Enter", shiftKey: true });
    expect(backend.callsTo("send_message")).toHaveLength(0);
    expect(box.value).toBe("line one");

    fireEvent.input(box, { target: { value: "line one\nline two" } });
    fireEvent.keyDown(box, { key: "Enter" });
    await waitFor(() =>
      expect(backend.callsTo("send_message")).toEqual([{ peer: BOB, body: "line one\nline two" }]),
    );
    expect(box.value).toBe("");
    await waitFor(() => {
      const bodies = [...log.querySelectorAll(".msg-body")];
      expect(bodies.map((b) => b.textContent)).toEqual(["line one\nline two"]);
      expect(bodies[0]?.closest(".msg")?.textContent).toContain("Pending");
    });
  });

  it("the Send button sends too", async () => {
    const { backend } = await openBob();
    const box = screen.getByRole("textbox", { name: "Message" });
    fireEvent.input(box, { target: { value: "via button" } });
    fireEvent.click(screen.getByRole("button", { name: "Send" }));
    await waitFor(() =>
      expect(backend.callsTo("send_message")).toEqual([{ peer: BOB, body: "via button" }]),
    );
  });

  it("shows Retry for a failed message, which calls retryMessage", async () => {
    const { backend, log } = await openBob([
      message(BOB, { id: 7, direction: "outgoing", body: "did it fail?", state: "failed" }),
    ]);
    const msg = (await within(log).findByText("did it fail?")).closest(".msg") as HTMLElement;
    expect(msg.textContent).toContain("Failed");
    fireEvent.click(within(msg).getByRole("button", { name: "Retry sending" }));
    await waitFor(() => expect(backend.callsTo("retry_message")).toEqual([{ id: 7 }]));
  });

  it("patches delivery state from messageStateChanged", async () => {
    const { log } = await openBob([
      message(BOB, { id: 8, direction: "outgoing", body: "hello", state: "sent" }),
    ]);
    const msg = (await within(log).findByText("hello")).closest(".msg") as HTMLElement;
    expect(msg.textContent).toContain("Sent");
    await emitEvent("message-state-changed", { id: 8, state: "failed" });
    await within(msg).findByRole("button", { name: "Retry sending" });
    await emitEvent("message-state-changed", { id: 8, state: "delivered" });
    await waitFor(() => expect(msg.textContent).toContain("Delivered"));
    expect(within(msg).queryByRole("button", { name: "Retry sending" })).toBeNull();
  });

  it("replaces a corrected message's text and says it was edited", async () => {
    const { log } = await openBob([message(BOB, { id: 12, body: "meet at the old cafe" })]);
    const msg = (await within(log).findByText("meet at the old cafe")).closest(
      ".msg",
    ) as HTMLElement;
    expect(msg.textContent).not.toContain("(edited)");
    await emitEvent("message-corrected", {
      message: message(BOB, { id: 12, body: "<b>meet</b> at the new bistro", edited: true }),
    });
    await within(log).findByText("<b>meet</b> at the new bistro");
    expect(within(log).queryByText("meet at the old cafe")).toBeNull();
    expect(msg.textContent).toContain("(edited)");
    expect(msg.querySelector("b")).toBeNull();
  });

  it("shows Read for messages the contact has seen, distinct from Delivered", async () => {
    const { log } = await openBob([
      message(BOB, { id: 8, direction: "outgoing", body: "seen?", state: "displayed" }),
      message(BOB, { id: 9, direction: "outgoing", body: "arrived", state: "delivered" }),
    ]);
    const seen = (await within(log).findByText("seen?")).closest(".msg") as HTMLElement;
    const arrived = within(log).getByText("arrived").closest(".msg") as HTMLElement;
    const state = seen.querySelector(".msg-state") as HTMLElement;
    expect(state.textContent).toBe("Read");
    expect(state.classList.contains("msg-state--displayed")).toBe(true);
    // Not colour alone: Read carries an icon that Delivered does not.
    expect(state.querySelector("svg")).not.toBeNull();
    expect(arrived.querySelector(".msg-state")?.textContent).toBe("Delivered");
    expect(arrived.querySelector(".msg-state svg")).toBeNull();

    await emitEvent("message-state-changed", { id: 9, state: "displayed" });
    await waitFor(() => expect(arrived.querySelector(".msg-state")?.textContent).toBe("Read"));
  });

  it("shows a loading indicator for older history and loads each page once", async () => {
    const page = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => message(BOB, { id: from + i, body: `m${from + i}` }));
    let release: (messages: Message[]) => void = () => {};
    const { backend, log } = await openBob((args) =>
      args.beforeId === null ? page(100, 50) : new Promise<Message[]>((r) => (release = r)),
    );
    await within(log).findByText("m149");
    const more = within(log).getByRole("button", { name: "Load earlier messages" });
    fireEvent.click(more);
    await within(log).findByRole("button", { name: "Loading earlier messages…" });
    expect(log.getAttribute("aria-busy")).toBe("true");
    // More clicks and scrolling to the top while it loads do not start another load.
    fireEvent.click(more);
    fireEvent.scroll(log);
    expect(backend.callsTo("load_history")).toHaveLength(2);
    release(page(50, 50));
    await within(log).findByText("m50");
    expect(within(log).getByRole("button", { name: "Load earlier messages" })).toBeTruthy();
    expect(log.getAttribute("aria-busy")).toBeNull();
    expect(backend.callsTo("load_history")).toEqual([
      { peer: BOB, beforeId: null, limit: 50 },
      { peer: BOB, beforeId: 100, limit: 50 },
    ]);
  });

  it("places archived older messages by time, not at the end", async () => {
    const t = (min: number) => Date.UTC(2026, 0, 5, 9, min);
    const { log } = await openBob([
      message(BOB, { id: 10, body: "ten", timestamp: t(10) }),
      message(BOB, { id: 11, body: "eleven", timestamp: t(11) }),
    ]);
    await within(log).findByText("eleven");
    // Fetched from the server archive: a higher row id, but older.
    await emitEvent("messages-received", {
      messages: [
        message(BOB, { id: 50, body: "nine", timestamp: t(9) }),
        message(BOB, { id: 51, body: "ten and a half", timestamp: t(10) + 30_000 }),
      ],
    });
    await within(log).findByText("nine");
    expect([...log.querySelectorAll(".msg-body")].map((b) => b.textContent)).toEqual([
      "nine",
      "ten",
      "ten and a half",
      "eleven",
    ]);
  });

  it("appends a batch of messagesReceived in order", async () => {
    const { log } = await openBob([message(BOB, { id: 1, body: "first" })]);
    await within(log).findByText("first");
    await emitEvent("messages-received", {
      messages: [2, 3, 4].map((id) => message(BOB, { id, body: `b${id}` })),
    });
    await within(log).findByText("b4");
    expect([...log.querySelectorAll(".msg-body")].map((b) => b.textContent)).toEqual([
      "first",
      "b2",
      "b3",
      "b4",
    ]);
  });

  it("appends messagesReceived to the right conversation, once", async () => {
    const { log } = await openBob([message(BOB, { id: 1, body: "first" })]);
    await within(log).findByText("first");
    const incoming = message(BOB, { id: 2, body: "second" });
    await emitEvent("messages-received", {
      messages: [incoming, message("carol@example.com", { id: 3, body: "for carol" })],
    });
    await within(log).findByText("second");
    await emitEvent("messages-received", { messages: [incoming] });
    await new Promise((r) => setTimeout(r, 0));
    expect(within(log).getAllByText("second")).toHaveLength(1);
    expect(within(log).queryByText("for carol")).toBeNull();
    expect([...log.querySelectorAll(".msg-body")].map((b) => b.textContent)).toEqual([
      "first",
      "second",
    ]);
  });

  it("loads older history with beforeId = oldest loaded id", async () => {
    const page = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => message(BOB, { id: from + i, body: `m${from + i}` }));
    const { backend, log } = await openBob((args) =>
      args.beforeId === null ? page(100, 50) : page(90, 10),
    );
    await within(log).findByText("m149");
    fireEvent.click(within(log).getByRole("button", { name: "Load earlier messages" }));
    await within(log).findByText("m90");
    expect(backend.callsTo("load_history")).toEqual([
      { peer: BOB, beforeId: null, limit: 50 },
      { peer: BOB, beforeId: 100, limit: 50 },
    ]);
    const bodies = [...log.querySelectorAll(".msg-body")].map((b) => b.textContent);
    expect(bodies).toHaveLength(60);
    expect(bodies[0]).toBe("m90");
    expect(bodies[59]).toBe("m149");
    // fewer than a page came back: nothing more to load
    expect(within(log).queryByRole("button", { name: "Load earlier messages" })).toBeNull();
  });

  it("draws the newest messages first and the rest of the page after that frame", async () => {
    const page = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => message(BOB, { id: from + i, body: `m${from + i}` }));
    const { backend, log } = await openBob((args) => (args.beforeId === null ? page(100, 50) : []));
    await within(log).findByText("m149");
    const bodies = () => [...log.querySelectorAll(".msg-body")].map((b) => b.textContent);
    // The first frame: the newest messages that fill the view, in order (the test DOM has no
    // layout, so the view is 0 px high and the smallest count is drawn).
    const first = firstPaintCount(0);
    expect(bodies()).toEqual(page(150 - first, first).map((m) => m.body));
    // Still being drawn: the live region is busy, so the rest is not read out as new.
    expect(log.getAttribute("aria-busy")).toBe("true");
    await within(log).findByText("m100");
    expect(bodies()).toEqual(page(100, 50).map((m) => m.body));
    expect(log.getAttribute("aria-busy")).toBeNull();
    // Opened again, the page is at hand and drawn the same way, without asking the backend.
    const list = screen.getByRole("list", { name: "Contacts" });
    fireEvent.click(within(list).getByRole("button", { name: /^Carol/ }));
    await screen.findByRole("heading", { level: 2, name: "Carol" });
    const asked = backend.callsTo("load_history").length;
    fireEvent.click(within(list).getByRole("button", { name: /^Bob Baker/ }));
    const again = await screen.findByRole("log", { name: "Messages" });
    expect(again.querySelectorAll(".msg-body")).toHaveLength(first);
    await within(again).findByText("m100");
    expect(again.querySelectorAll(".msg-body")).toHaveLength(50);
    expect(backend.callsTo("load_history")).toHaveLength(asked);
  });

  it("counts enough messages to fill the view before the rest is drawn", () => {
    expect(firstPaintCount(0)).toBe(12);
    // 600 px at no less than 48 px a message: 13, and two to spare.
    expect(firstPaintCount(600)).toBe(15);
    expect(firstPaintCount(1200)).toBe(27);
  });

  it("a short first page stays whole when older messages arrive", async () => {
    const t = (min: number) => Date.UTC(2026, 0, 5, 9, min);
    const { log } = await openBob(
      Array.from({ length: 5 }, (_, i) =>
        message(BOB, { id: 100 + i, body: `new${i}`, timestamp: t(40 + i) }),
      ),
    );
    await within(log).findByText("new4");
    await emitEvent("messages-received", {
      messages: Array.from({ length: 30 }, (_, i) =>
        message(BOB, { id: 200 + i, body: `old${i}`, timestamp: t(i) }),
      ),
    });
    // At once, not a frame later: the first page was drawn whole, so is everything after it.
    expect(log.querySelectorAll(".msg-body")).toHaveLength(35);
    expect(log.querySelector(".msg-body")?.textContent).toBe("old0");
  });

  it("lays message bubbles out once off screen after sign-in, and leaves nothing behind", async () => {
    resetBubbleWarmUp();
    mockBackend({ list_contacts: () => roster });
    const added: Element[] = [];
    const observer = new MutationObserver((records) => {
      for (const r of records) {
        for (const n of r.addedNodes) if (n instanceof Element) added.push(n);
      }
    });
    observer.observe(document.body, { childList: true, subtree: true });
    render(() => <App />);
    await screen.findByRole("list", { name: "Contacts" });
    await new Promise((r) => setTimeout(r, WARM_UP_DELAY_MS + 100));
    observer.disconnect();
    const warmUps = added.filter((n) => n.classList.contains("bubble-warm-up"));
    expect(warmUps).toHaveLength(1);
    const box = warmUps[0];
    if (!box) throw new Error("the bubbles were not warmed up");
    expect(box.getAttribute("aria-hidden")).toBe("true");
    // One bubble each way, as a conversation draws them.
    expect(box.querySelectorAll(".msg--in .msg-body, .msg--out .msg-body")).toHaveLength(2);
    expect(box.isConnected).toBe(false);
    expect(document.querySelector(".bubble-warm-up")).toBeNull();
  });
});
