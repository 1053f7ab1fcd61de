import { fireEvent, render, screen, waitFor, within } from "@solidjs/testing-library";
import { afterEach, describe, expect, it, vi } from "vitest";
import { App } from "../../App";
import type { Message, ServerSearchPage } from "../../ipc";
import {
  contact,
  emitEvent,
  fail,
  ipcError,
  message,
  mockBackend,
  room,
  searchResult,
  serverHit,
  serverPage,
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

  it("shows a room's hit by the room's name and its author, and opens the room there", async () => {
    const OFFICE = "office@rooms.example.com";
    const said = message(OFFICE, {
      id: 7,
      sender: `${OFFICE}/Ann <b>`,
      body: "Release notes are up",
    });
    const { backend, box } = await renderApp({
      list_rooms: () => [room(OFFICE, { name: "The office" })],
      search_messages: () => [searchResult(said, "Release")],
      load_history_around: () => [said],
    });
    type(box, "Release");
    const results = await screen.findByRole("list", { name: "Search results" });
    const hit = await within(results).findByRole("button", {
      name: /^Room The office, .*2026.*, Ann <b>: Release notes are up$/,
    });
    expect(hit.querySelector(".search-hit-name")?.textContent).toBe("The office");
    expect(hit.querySelector(".search-hit-text")?.textContent).toBe(
      "Ann <b>: Release notes are up",
    );
    expect(document.querySelector(".search-hit b")).toBeNull();
    fireEvent.click(hit);
    await waitFor(() => expect(backend.callsTo("load_history_around")[0]).toMatchObject({ id: 7 }));
    await screen.findByRole("heading", { name: "The office" });
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

/** A promise the test settles by hand. */
function deferred<T>() {
  let resolve: (value: T) => void = () => {};
  let reject: (reason: unknown) => void = () => {};
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

/** The server search's live status line (the connection has a status too). */
function serverStatus(): HTMLElement {
  const status = document.querySelector<HTMLElement>(".server-search [role='status']");
  if (!status) throw new Error("no server search status");
  return status;
}

describe("search on server", () => {
  const serverCan = { can_search_server: () => true };

  it("offers no button when the server cannot search", async () => {
    const { backend, box } = await renderApp();
    type(box, "budget");
    await screen.findByText("No messages found");
    await tick();
    expect(backend.callsTo("can_search_server")).toHaveLength(1);
    expect(screen.queryByRole("button", { name: "Search on server" })).toBeNull();
    expect(screen.queryByRole("list", { name: "Server results" })).toBeNull();
  });

  it("asks the server once, when the search first shows, and offers the button below results", async () => {
    const { backend, box } = await renderApp({
      ...serverCan,
      search_messages: () => [searchResult(message(BOB, { id: 4, body: "budget 2026" }), "budget")],
    });
    expect(backend.callsTo("can_search_server")).toEqual([]);
    type(box, "b");
    type(box, "bu");
    type(box, "budget");
    const button = await screen.findByRole("button", { name: "Search on server" });
    const results = await screen.findByRole("list", { name: "Search results" });
    // Below the local results.
    expect(results.compareDocumentPosition(button) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    type(box, "budget plan");
    type(box, "");
    type(box, "budget");
    await screen.findByRole("button", { name: "Search on server" });
    expect(backend.callsTo("can_search_server")).toHaveLength(1);
    // Nothing is searched on the server until asked.
    expect(backend.callsTo("search_server")).toEqual([]);
  });

  it("asks again after a reconnect, and hides the button while offline", async () => {
    const { backend, box } = await renderApp(serverCan);
    type(box, "budget");
    await screen.findByRole("button", { name: "Search on server" });
    await emitEvent("connection-state-changed", {
      state: { state: "reconnecting", attempt: 1, retryInSecs: 5 },
    });
    await waitFor(() =>
      expect(screen.queryByRole("button", { name: "Search on server" })).toBeNull(),
    );
    expect(backend.callsTo("can_search_server")).toHaveLength(1);
    await emitEvent("connection-state-changed", {
      state: { state: "online", jid: "me@example.com/hallway" },
    });
    await screen.findByRole("button", { name: "Search on server" });
    expect(backend.callsTo("can_search_server")).toHaveLength(2);
  });

  it("lists the server's matches as text, with highlighted words", async () => {
    const page = deferred<ServerSearchPage>();
    const { backend, box } = await renderApp({
      ...serverCan,
      search_server: () => page.promise,
    });
    type(box, "  budget ");
    await screen.findByText("No messages found");
    fireEvent.click(await screen.findByRole("button", { name: "Search on server" }));
    expect(backend.callsTo("search_server")).toEqual([{ query: "budget", older: null }]);
    expect(serverStatus().textContent).toBe("Searching the server…");

    page.resolve(
      serverPage([
        serverHit(BOB, "the budget is due", "budget", {
          timestamp: new Date(2024, 2, 1, 9, 30).getTime(),
        }),
        serverHit(STRANGER, "<img src=x onerror=alert(1)> budget <b>x</b>", "budget", {
          direction: "outgoing",
        }),
      ]),
    );
    const list = await screen.findByRole("list", { name: "Server results" });
    expect(screen.getByRole("heading", { name: "On the server" })).toBeTruthy();
    expect(serverStatus().textContent).toBe("2 messages found on the server");
    const [first, second] = within(list).getAllByRole("button");
    expect(first?.getAttribute("aria-label")).toMatch(
      /^Bob Baker, (Available|Away|Offline|Do not disturb|Extended away), .*2024.*, the budget is due$/,
    );
    expect(first?.querySelector(".search-hit-name")?.textContent).toBe("Bob Baker");
    expect(first?.querySelector("time")?.getAttribute("title")).toMatch(/2024/);
    const marks = [...(first as HTMLElement).querySelectorAll("mark")];
    expect(marks.map((m) => m.textContent)).toEqual(["budget"]);
    expect(marks[0]?.childNodes).toHaveLength(1);
    expect(marks[0]?.firstChild?.nodeType).toBe(Node.TEXT_NODE);

    // Hostile text stays text; our own messages say so.
    expect(second?.getAttribute("aria-label")).toMatch(
      /^stranger@example\.net, .*, You: <img src=x onerror=alert\(1\)> budget <b>x<\/b>$/,
    );
    expect(second?.querySelector(".search-hit-text")?.textContent).toBe(
      "You: <img src=x onerror=alert(1)> budget <b>x</b>",
    );
    expect(document.querySelector("img")).toBeNull();
    expect(list.querySelector("b")).toBeNull();
    expect(list.textContent).not.toContain("\u0002");
    // Searched: the button made way for the results.
    expect(screen.queryByRole("button", { name: "Search on server" })).toBeNull();
  });

  it("says when the server found nothing", async () => {
    const { box } = await renderApp(serverCan);
    type(box, "zebra");
    fireEvent.click(await screen.findByRole("button", { name: "Search on server" }));
    await screen.findByText("No older messages found on the server");
    expect(screen.queryByRole("list", { name: "Server results" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Search on server" })).toBeNull();
  });

  it("Show older results appends the next page until there is no more", async () => {
    const pages: Record<string, ServerSearchPage> = {
      first: serverPage([serverHit(BOB, "plan a", "plan", { archiveId: "a1" })], "cursor-2"),
      "cursor-2": serverPage([serverHit(BOB, "plan b", "plan", { archiveId: "a2" })], "cursor-3"),
      "cursor-3": serverPage([serverHit(BOB, "plan c", "plan", { archiveId: "a3" })], null),
    };
    const { backend, box } = await renderApp({
      ...serverCan,
      search_server: (args) => pages[args.older === null ? "first" : String(args.older)],
    });
    type(box, "plan");
    fireEvent.click(await screen.findByRole("button", { name: "Search on server" }));
    const list = await screen.findByRole("list", { name: "Server results" });
    const texts = () =>
      [...list.querySelectorAll(".search-hit-text")].map((t) => t.textContent ?? "");
    expect(texts()).toEqual(["plan a"]);

    fireEvent.click(screen.getByRole("button", { name: "Show older results" }));
    await waitFor(() => expect(texts()).toEqual(["plan a", "plan b"]));
    fireEvent.click(screen.getByRole("button", { name: "Show older results" }));
    await waitFor(() => expect(texts()).toEqual(["plan a", "plan b", "plan c"]));
    expect(screen.queryByRole("button", { name: "Show older results" })).toBeNull();
    expect(backend.callsTo("search_server")).toEqual([
      { query: "plan", older: null },
      { query: "plan", older: "cursor-2" },
      { query: "plan", older: "cursor-3" },
    ]);
    expect(serverStatus().textContent).toBe("3 messages found on the server");
  });

  it("other words clear the server results until searched again", async () => {
    const { backend, box } = await renderApp({
      ...serverCan,
      search_server: (args) =>
        serverPage([serverHit(BOB, `about ${String(args.query)}`, String(args.query))]),
    });
    type(box, "alpha");
    fireEvent.click(await screen.findByRole("button", { name: "Search on server" }));
    await screen.findByRole("list", { name: "Server results" });

    type(box, "alpha beta");
    expect(screen.queryByRole("list", { name: "Server results" })).toBeNull();
    expect(screen.queryByRole("heading", { name: "On the server" })).toBeNull();
    fireEvent.click(await screen.findByRole("button", { name: "Search on server" }));
    const list = await screen.findByRole("list", { name: "Server results" });
    expect(within(list).getByRole("button", { name: /about alpha beta$/ })).toBeTruthy();
    expect(backend.callsTo("search_server")).toEqual([
      { query: "alpha", older: null },
      { query: "alpha beta", older: null },
    ]);

    // An empty box drops them too.
    fireEvent.keyDown(box, { key: "Escape" });
    await screen.findByRole("list", { name: "Contacts" });
    type(box, "alpha beta");
    await screen.findByRole("button", { name: "Search on server" });
    expect(screen.queryByRole("list", { name: "Server results" })).toBeNull();
  });

  it("ignores the answer to an older server search", async () => {
    const slow = deferred<ServerSearchPage>();
    const { box } = await renderApp({
      ...serverCan,
      search_server: (args) =>
        args.query === "first"
          ? slow.promise
          : serverPage([serverHit(BOB, "second hit", "second")]),
    });
    type(box, "first");
    fireEvent.click(await screen.findByRole("button", { name: "Search on server" }));
    await screen.findByText("Searching the server…");
    type(box, "second");
    fireEvent.click(await screen.findByRole("button", { name: "Search on server" }));
    const list = await screen.findByRole("list", { name: "Server results" });
    slow.resolve(serverPage([serverHit(BOB, "first hit", "first")], "more"));
    await tick();
    await tick();
    expect(within(list).getAllByRole("button")).toHaveLength(1);
    expect(within(list).getByRole("button", { name: /second hit$/ })).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Show older results" })).toBeNull();
  });

  it("an answer that comes after the words changed is dropped", async () => {
    const slow = deferred<ServerSearchPage>();
    const { box } = await renderApp({ ...serverCan, search_server: () => slow.promise });
    type(box, "first");
    fireEvent.click(await screen.findByRole("button", { name: "Search on server" }));
    await screen.findByText("Searching the server…");
    type(box, "other");
    expect(screen.queryByText("Searching the server…")).toBeNull();
    slow.resolve(serverPage([serverHit(BOB, "first hit", "first")]));
    await tick();
    await tick();
    expect(screen.queryByRole("list", { name: "Server results" })).toBeNull();
    expect(screen.getByRole("button", { name: "Search on server" })).toBeTruthy();
  });

  it("a failed search says why and can be tried again", async () => {
    let calls = 0;
    const { box } = await renderApp({
      ...serverCan,
      search_server: () => {
        calls += 1;
        if (calls === 1) return Promise.reject(ipcError("offline", "You are offline."));
        return serverPage([serverHit(BOB, "found it", "found")]);
      },
    });
    type(box, "found");
    fireEvent.click(await screen.findByRole("button", { name: "Search on server" }));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toBe("Server search failed: You are offline.");
    fireEvent.click(screen.getByRole("button", { name: "Search on server" }));
    await screen.findByRole("list", { name: "Server results" });
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("a failed older page keeps the results and offers the page again", async () => {
    let olderCalls = 0;
    const { backend, box } = await renderApp({
      ...serverCan,
      search_server: (args) => {
        if (args.older === null) return serverPage([serverHit(BOB, "new one", "one")], "c2");
        olderCalls += 1;
        if (olderCalls === 1) return Promise.reject(ipcError("network", "The server went away."));
        return serverPage([serverHit(BOB, "old one", "one")]);
      },
    });
    type(box, "one");
    fireEvent.click(await screen.findByRole("button", { name: "Search on server" }));
    const list = await screen.findByRole("list", { name: "Server results" });
    fireEvent.click(screen.getByRole("button", { name: "Show older results" }));
    expect((await screen.findByRole("alert")).textContent).toBe(
      "Server search failed: The server went away.",
    );
    expect(within(list).getAllByRole("button")).toHaveLength(1);
    expect(screen.queryByRole("button", { name: "Search on server" })).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Show older results" }));
    await waitFor(() => expect(within(list).getAllByRole("button")).toHaveLength(2));
    expect(backend.callsTo("search_server").map((a) => a.older)).toEqual([null, "c2", "c2"]);
  });

  it("opening a match fetches it from the archive, then shows it in its conversation", async () => {
    const all = history(120);
    const fetched = deferred<number>();
    const scrolled: Element[] = [];
    vi.spyOn(Element.prototype, "scrollIntoView").mockImplementation(function (this: Element) {
      scrolled.push(this);
    });
    const hit = serverHit(BOB, "m30", "m30", { archiveId: "stanza-30", originId: "origin-30" });
    const { backend, box } = await renderApp({
      ...serverCan,
      search_server: () => serverPage([hit]),
      fetch_archived_message: () => fetched.promise,
      load_history_around: around(all),
      load_history: before(all),
    });
    type(box, "m30");
    fireEvent.click(await screen.findByRole("button", { name: "Search on server" }));
    const list = await screen.findByRole("list", { name: "Server results" });
    const button = within(list).getByRole("button", { name: /^Bob Baker, .*, m30$/ });
    await waitFor(() => expect(backend.callsTo("search_messages")).toHaveLength(1));
    fireEvent.click(button);
    expect(backend.callsTo("fetch_archived_message")).toEqual([
      { peer: BOB, archiveId: "stanza-30", originId: "origin-30" },
    ]);
    // Busy while the archive is walked; the name stays.
    expect(button.getAttribute("aria-busy")).toBe("true");
    expect(button.querySelector(".spinner")).not.toBeNull();
    expect(button.getAttribute("aria-label")).toMatch(/m30$/);
    // A second click does not fetch again.
    fireEvent.click(button);
    expect(backend.callsTo("fetch_archived_message")).toHaveLength(1);
    expect(backend.callsTo("load_history_around")).toEqual([]);

    fetched.resolve(30);
    const log = await screen.findByRole("log", { name: "Messages" });
    const msg = (await within(log).findByText("m30")).closest(".msg") as HTMLElement;
    expect(backend.callsTo("load_history_around")).toEqual([{ id: 30, limit: 50 }]);
    expect(screen.getByRole("heading", { level: 2, name: "Bob Baker" })).toBeTruthy();
    await waitFor(() => expect(msg.classList.contains("msg--highlight")).toBe(true));
    expect(scrolled).toContain(msg);
    expect(button.getAttribute("aria-busy")).toBeNull();
    expect(button.getAttribute("aria-current")).toBe("true");
    // The local list is searched again (the match is local now); the server's list stays.
    await waitFor(() => expect(backend.callsTo("search_messages")).toHaveLength(2));
    expect(backend.callsTo("search_messages").at(-1)).toEqual({ query: "m30" });
    expect(screen.getByRole("list", { name: "Server results" })).toBeTruthy();
  });

  it("says when a match cannot be opened", async () => {
    const { backend, box } = await renderApp({
      ...serverCan,
      search_server: () => serverPage([serverHit(BOB, "lost words", "lost")]),
      fetch_archived_message: fail(ipcError("refused", "The server no longer has it.")),
    });
    type(box, "lost");
    fireEvent.click(await screen.findByRole("button", { name: "Search on server" }));
    const list = await screen.findByRole("list", { name: "Server results" });
    const button = within(list).getByRole("button", { name: /lost words$/ });
    fireEvent.click(button);
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toBe("Could not open that message: The server no longer has it.");
    expect(button.getAttribute("aria-busy")).toBeNull();
    expect(backend.callsTo("load_history_around")).toEqual([]);
    expect(screen.queryByRole("log", { name: "Messages" })).toBeNull();
  });

  it("a match still being fetched does not open once the words changed", async () => {
    const fetched = deferred<number>();
    const { backend, box } = await renderApp({
      ...serverCan,
      search_server: () => serverPage([serverHit(BOB, "slow words", "slow")]),
      fetch_archived_message: () => fetched.promise,
    });
    type(box, "slow");
    fireEvent.click(await screen.findByRole("button", { name: "Search on server" }));
    const list = await screen.findByRole("list", { name: "Server results" });
    fireEvent.click(within(list).getByRole("button", { name: /slow words$/ }));
    type(box, "something else");
    fetched.resolve(7);
    await tick();
    await tick();
    expect(backend.callsTo("load_history_around")).toEqual([]);
    expect(screen.queryByRole("log", { name: "Messages" })).toBeNull();
  });

  it("server matches are reachable with the keyboard", async () => {
    const { box } = await renderApp({
      ...serverCan,
      search_messages: () => [searchResult(message(BOB, { id: 2, body: "local pear" }), "pear")],
      search_server: () =>
        serverPage([
          serverHit(BOB, "server pear 1", "pear", { archiveId: "p1" }),
          serverHit(BOB, "server pear 2", "pear", { archiveId: "p2" }),
        ]),
    });
    type(box, "pear");
    const local = await screen.findByRole("list", { name: "Search results" });
    const searchButton = await screen.findByRole("button", { name: "Search on server" });
    // A keyboard user's focus goes on to the first match when the button makes way.
    searchButton.focus();
    fireEvent.click(searchButton);
    const list = await screen.findByRole("list", { name: "Server results" });
    const [s1, s2] = within(list).getAllByRole("button");
    await waitFor(() => expect(document.activeElement).toBe(s1));

    const [l1] = within(local).getAllByRole("button");
    box.focus();
    fireEvent.keyDown(box, { key: "ArrowDown" });
    expect(document.activeElement).toBe(l1);
    fireEvent.keyDown(l1 as HTMLElement, { key: "ArrowDown" });
    expect(document.activeElement).toBe(s1);
    fireEvent.keyDown(s1 as HTMLElement, { key: "ArrowDown" });
    expect(document.activeElement).toBe(s2);
    fireEvent.keyDown(s2 as HTMLElement, { key: "Home" });
    expect(document.activeElement).toBe(l1);
    fireEvent.keyDown(l1 as HTMLElement, { key: "End" });
    expect(document.activeElement).toBe(s2);
    fireEvent.keyDown(s2 as HTMLElement, { key: "ArrowUp" });
    expect(document.activeElement).toBe(s1);
    fireEvent.keyDown(s1 as HTMLElement, { key: "Escape" });
    expect(document.activeElement).toBe(box);
    expect(box.getAttribute("aria-controls")).toBe("search-results server-results");
  });
});
