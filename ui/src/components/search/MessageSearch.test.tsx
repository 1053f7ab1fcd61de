import { fireEvent, render, screen, waitFor, within } from "@solidjs/testing-library";
import { afterEach, describe, expect, it, vi } from "vitest";
import { App } from "../../App";
import type { Message } from "../../ipc";
import {
  contact,
  emitEvent,
  fail,
  ipcError,
  message,
  mockBackend,
  searchResult,
} from "../../test/backend";
import type { Handler } from "../../test/backend";

const BOB = "bob@example.com";
const STRANGER = "stranger@example.net";
const roster = [contact(BOB, { displayName: "Bob Baker" }), contact("carol@example.com")];

/** Bob's history: ids 1..n, one second apart, bodies "m<id>". */
function history(n: number): Message[] {
  return Array.from({ length: n }, (_, i) =>
    message(BOB, { id: i + 1, body: `m${i + 1}`, timestamp: Date.UTC(2026, 0, 5, 9) + i * 1000 }),
  );
}

/** The store's history_around: up to limit/2 newer, the message, older ones to fill the page. */
function around(all: Message[]): Handler {
  return (args) => {
    const at = all.findIndex((m) => m.id === args.id);
    if (at === -1) return [];
    const limit = Number(args.limit);
    const newer = all.slice(at + 1, at + 1 + Math.floor(limit / 2));
    const olderLimit = Math.max(1, limit - newer.length);
    return [...all.slice(Math.max(0, at + 1 - olderLimit), at + 1), ...newer];
  };
}

/** The store's history: the `limit` messages before `beforeId` (or the newest), oldest first. */
function before(all: Message[]): Handler {
  return (args) => {
    const end = args.beforeId === null ? all.length : all.findIndex((m) => m.id === args.beforeId);
    return all.slice(Math.max(0, end - Number(args.limit)), end);
  };
}

async function renderApp(handlers: Record<string, Handler> = {}) {
  const backend = mockBackend({ list_contacts: () => roster, ...handlers });
  render(() => <App />);
  await screen.findByRole("list", { name: "Contacts" });
  const box = screen.getByRole("searchbox", { name: "Search messages" }) as HTMLInputElement;
  return { backend, box };
}

function type(box: HTMLInputElement, value: string) {
  fireEvent.input(box, { target: { value } });
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("message search", () => {
  it("searches after a pause and lists results with highlighted matches", async () => {
    const lunch = message(BOB, {
      id: 5,
      body: "Lunch at noon? Lunch is on me",
      timestamp: new Date(2026, 0, 5, 12, 30).getTime(),
    });
    const mine = message(STRANGER, { id: 6, direction: "outgoing", body: "no lunch today" });
    const { backend, box } = await renderApp({
      search_messages: () => [searchResult(lunch, "Lunch"), searchResult(mine, "lunch")],
    });

    type(box, "l");
    type(box, "lu");
    type(box, "Lunch ");
    expect(backend.callsTo("search_messages")).toEqual([]);
    const results = await screen.findByRole("list", { name: "Search results" });
    expect(backend.callsTo("search_messages")).toEqual([{ query: "Lunch" }]);
    // The sidebar shows results instead of the contacts.
    expect(screen.queryByRole("list", { name: "Contacts" })).toBeNull();

    const items = within(results).getAllByRole("listitem");
    expect(items).toHaveLength(2);
    const first = within(items[0] as HTMLElement).getByRole("button", {
      name: /^Bob Baker, (Available|Away|Offline|Do not disturb|Extended away), .*2026.*, Lunch at noon\? Lunch is on me$/,
    });
    expect([...first.querySelectorAll("mark")].map((m) => m.textContent)).toEqual([
      "Lunch",
      "Lunch",
    ]);
    expect(first.querySelector(".search-hit-name")?.textContent).toBe("Bob Baker");
    expect(first.querySelector("time")?.getAttribute("title")).toMatch(/2026/);
    expect(first.querySelector(".search-hit-text")?.textContent).toBe(
      "Lunch at noon? Lunch is on me",
    );
    // Unknown contacts fall back to the JID; our own messages say so.
    const second = within(items[1] as HTMLElement).getByRole("button", {
      name: /^stranger@example\.net, .*, You: no lunch today$/,
    });
    expect(second.querySelector(".search-hit-name")?.textContent).toBe(STRANGER);
    expect(screen.getByText("2 messages found")).toBeTruthy();
  });

  it("renders hostile snippets as text", async () => {
    const evil = message(BOB, { id: 9, body: "<img src=x onerror=alert(1)> <b>bold</b>" });
    const { box } = await renderApp({
      search_messages: () => [
        { message: evil, snippet: "<img src=x onerror=alert(1)> \u0002<b>bold</b>\u0003\u0002" },
      ],
    });
    type(box, "bold");
    const results = await screen.findByRole("list", { name: "Search results" });
    const text = results.querySelector(".search-hit-text") as HTMLElement;
    expect(text.textContent).toBe("<img src=x onerror=alert(1)> <b>bold</b>");
    expect(document.querySelector("img")).toBeNull();
    expect(results.querySelector("b")).toBeNull();
    const marks = text.querySelectorAll("mark");
    expect(marks).toHaveLength(1);
    expect(marks[0]?.childNodes).toHaveLength(1);
    expect(marks[0]?.firstChild?.nodeType).toBe(Node.TEXT_NODE);
    expect(text.textContent).not.toContain("\u0002");
    expect(text.textContent).not.toContain("\u0003");
  });

  it("says when nothing was found, and an empty box shows the contacts again", async () => {
    const { backend, box } = await renderApp();
    type(box, "zebra");
    await screen.findByText("No messages found");
    expect(screen.queryByRole("list", { name: "Search results" })).toBeNull();

    type(box, "   ");
    await screen.findByRole("list", { name: "Contacts" });
    expect(screen.queryByText("No messages found")).toBeNull();
    await new Promise((r) => setTimeout(r, 250));
    expect(backend.callsTo("search_messages")).toEqual([{ query: "zebra" }]);
  });

  it("Escape clears the search box", async () => {
    const { backend, box } = await renderApp({
      search_messages: () => [searchResult(message(BOB, { id: 3, body: "hello" }), "hello")],
    });
    type(box, "hello");
    await screen.findByRole("list", { name: "Search results" });
    fireEvent.keyDown(box, { key: "Escape" });
    expect(box.value).toBe("");
    await screen.findByRole("list", { name: "Contacts" });
    expect(screen.queryByRole("list", { name: "Search results" })).toBeNull();
    expect(backend.callsTo("search_messages")).toHaveLength(1);
  });

  it("shows errors in an alert", async () => {
    const { box } = await renderApp({
      search_messages: fail(ipcError("invalidInput", "The search is too long.")),
    });
    type(box, "x".repeat(20));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("The search is too long.");
    expect(screen.queryByText("No messages found")).toBeNull();
  });

  it("ignores answers to older queries", async () => {
    let resolveSlow: (value: unknown) => void = () => {};
    const slow = new Promise((resolve) => (resolveSlow = resolve));
    const { box } = await renderApp({
      search_messages: (args) =>
        args.query === "first"
          ? slow
          : [searchResult(message(BOB, { id: 2, body: "second one" }), "second")],
    });
    type(box, "first");
    await new Promise((r) => setTimeout(r, 250));
    type(box, "second");
    const results = await screen.findByRole("list", { name: "Search results" });
    resolveSlow([searchResult(message(BOB, { id: 1, body: "first one" }), "first")]);
    await new Promise((r) => setTimeout(r, 0));
    expect(within(results).getAllByRole("button")).toHaveLength(1);
    expect(within(results).getByRole("button", { name: /second one/ })).toBeTruthy();
  });

  it("results are reachable with the keyboard", async () => {
    const { box } = await renderApp({
      search_messages: () => [
        searchResult(message(BOB, { id: 2, body: "two apples" }), "apples"),
        searchResult(message(BOB, { id: 1, body: "one apples" }), "apples"),
      ],
    });
    type(box, "apples");
    const results = await screen.findByRole("list", { name: "Search results" });
    const [a, b] = within(results).getAllByRole("button");
    box.focus();
    fireEvent.keyDown(box, { key: "ArrowDown" });
    expect(document.activeElement).toBe(a);
    fireEvent.keyDown(a as HTMLElement, { key: "ArrowDown" });
    expect(document.activeElement).toBe(b);
    fireEvent.keyDown(b as HTMLElement, { key: "ArrowUp" });
    expect(document.activeElement).toBe(a);
    fireEvent.keyDown(a as HTMLElement, { key: "ArrowUp" });
    expect(document.activeElement).toBe(box);
  });

  it("opens the conversation around the result and highlights the message", async () => {
    const all = history(120);
    const target = all[29] as Message; // id 30
    const scrolled: Element[] = [];
    vi.spyOn(Element.prototype, "scrollIntoView").mockImplementation(function (this: Element) {
      scrolled.push(this);
    });
    const { backend, box } = await renderApp({
      search_messages: () => [searchResult(target, "m30")],
      load_history_around: around(all),
      load_history: before(all),
    });
    type(box, "m30");
    const results = await screen.findByRole("list", { name: "Search results" });
    fireEvent.click(within(results).getByRole("button", { name: /^Bob Baker, .*, m30$/ }));

    const log = await screen.findByRole("log", { name: "Messages" });
    const hit = (await within(log).findByText("m30")).closest(".msg") as HTMLElement;
    expect(backend.callsTo("load_history_around")).toEqual([{ id: 30, limit: 50 }]);
    expect(backend.callsTo("load_history")).toEqual([]);
    expect(screen.getByRole("heading", { level: 2, name: "Bob Baker" })).toBeTruthy();
    // The page: 25 newer messages and older ones to fill it (ids 6..55).
    const bodies = () => [...log.querySelectorAll(".msg-body")].map((b) => b.textContent);
    expect(bodies()[0]).toBe("m6");
    expect(bodies().at(-1)).toBe("m55");
    await waitFor(() => expect(hit.classList.contains("msg--highlight")).toBe(true));
    expect(scrolled).toContain(hit);
    // The search stays, showing which result is open.
    expect(within(results).getByRole("button", { name: /m30$/ }).getAttribute("aria-current")).toBe(
      "true",
    );

    // Older history still loads from the top of the page.
    fireEvent.click(within(log).getByRole("button", { name: "Load earlier messages" }));
    await within(log).findByText("m1");
    expect(backend.callsTo("load_history")).toEqual([{ peer: BOB, beforeId: 6, limit: 50 }]);

    // A live message is not shown after m55 (m56..m120 are not loaded) …
    const live = message(BOB, { id: 121, body: "live!", timestamp: Date.UTC(2026, 0, 6) });
    await emitEvent("messages-received", { messages: [live] });
    await new Promise((r) => setTimeout(r, 0));
    expect(within(log).queryByText("live!")).toBeNull();
    expect(screen.getByText("You are viewing older messages.")).toBeTruthy();

    // … newer pages load at the bottom; at the newest, the held message follows them.
    fireEvent.click(within(log).getByRole("button", { name: "Load newer messages" }));
    await within(log).findByText("m105");
    expect(backend.callsTo("load_history_around")[1]).toEqual({ id: 55, limit: 100 });
    fireEvent.click(within(log).getByRole("button", { name: "Load newer messages" }));
    await within(log).findByText("live!");
    expect(bodies()).toEqual([...all, live].map((m) => m.body));
    expect(within(log).queryByRole("button", { name: "Load newer messages" })).toBeNull();
    expect(screen.queryByText("You are viewing older messages.")).toBeNull();

    // The highlight is brief.
    await waitFor(() => expect(hit.classList.contains("msg--highlight")).toBe(false), {
      timeout: 3000,
    });
  });

  it("sending from older history jumps to the newest page", async () => {
    const all = history(120);
    const { backend, box } = await renderApp({
      search_messages: () => [searchResult(all[9] as Message, "m10")],
      load_history_around: around(all),
      load_history: before(all),
      send_message: (args) => {
        const sent = message(BOB, {
          id: 500,
          direction: "outgoing",
          body: String(args.body),
          state: "pending",
          timestamp: Date.UTC(2026, 0, 6),
        });
        all.push(sent);
        return sent;
      },
    });
    type(box, "m10");
    const results = await screen.findByRole("list", { name: "Search results" });
    fireEvent.click(within(results).getAllByRole("button")[0] as HTMLElement);
    const log = await screen.findByRole("log", { name: "Messages" });
    await within(log).findByText("m10");
    expect(within(log).queryByText("m120")).toBeNull();

    const composer = screen.getByRole("textbox", { name: "Message" });
    fireEvent.input(composer, { target: { value: "back to now" } });
    fireEvent.click(screen.getByRole("button", { name: "Send" }));
    await within(log).findByText("back to now");
    expect(backend.callsTo("load_history")).toEqual([{ peer: BOB, beforeId: null, limit: 50 }]);
    expect(within(log).getByText("m120")).toBeTruthy();
    expect(within(log).queryByText("m10")).toBeNull();
  });

  it("Jump to latest shows the newest page", async () => {
    const all = history(120);
    const { backend, box } = await renderApp({
      search_messages: () => [searchResult(all[9] as Message, "m10")],
      load_history_around: around(all),
      load_history: before(all),
    });
    type(box, "m10");
    const results = await screen.findByRole("list", { name: "Search results" });
    fireEvent.click(within(results).getAllByRole("button")[0] as HTMLElement);
    const log = await screen.findByRole("log", { name: "Messages" });
    await within(log).findByText("m10");
    fireEvent.click(screen.getByRole("button", { name: "Jump to latest" }));
    await within(log).findByText("m120");
    expect(backend.callsTo("load_history")).toEqual([{ peer: BOB, beforeId: null, limit: 50 }]);
    expect(screen.queryByRole("button", { name: "Jump to latest" })).toBeNull();
  });

  it("a result already on screen is highlighted without reloading", async () => {
    const all = history(10);
    const { backend, box } = await renderApp({
      search_messages: () => [searchResult(all[4] as Message, "m5")],
      load_history: before(all),
    });
    const contacts = screen.getByRole("list", { name: "Contacts" });
    fireEvent.click(await within(contacts).findByRole("button", { name: /^Bob Baker/ }));
    const log = await screen.findByRole("log", { name: "Messages" });
    const msg = (await within(log).findByText("m5")).closest(".msg") as HTMLElement;
    type(box, "m5");
    const results = await screen.findByRole("list", { name: "Search results" });
    fireEvent.click(within(results).getByRole("button", { name: /m5$/ }));
    await waitFor(() => expect(msg.classList.contains("msg--highlight")).toBe(true));
    expect(backend.callsTo("load_history_around")).toEqual([]);
    expect(backend.callsTo("load_history")).toHaveLength(1);
  });
});
