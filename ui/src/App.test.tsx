import { fireEvent, render, screen, waitFor, within } from "@solidjs/testing-library";
import { describe, expect, it } from "vitest";
import { App } from "./App";
import {
  contact,
  emitEvent,
  fail,
  ipcError,
  ME,
  mockBackend,
  room,
  snapshot,
} from "./test/backend";

describe("app shell", () => {
  it("shows the main window with the account and an Online status", async () => {
    mockBackend();
    render(() => <App />);
    await screen.findByRole("button", { name: "Sign out" });
    const status = screen.getByRole("status");
    expect(status.textContent).toBe("Online");
    expect(screen.getByText(ME)).toBeTruthy();
    expect(screen.getByRole("button", { name: "Sign out" })).toBeTruthy();
  });

  it("tells the signed-in user a one-off notice until it is dismissed", async () => {
    mockBackend({
      get_app_state: () =>
        snapshot({
          notice:
            "Hallway could not open its message history (database error: file is not a database), so it started a new one.",
        }),
    });
    render(() => <App />);
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("could not open its message history");
    fireEvent.click(screen.getByRole("button", { name: "Dismiss notice" }));
    await waitFor(() => expect(screen.queryByRole("alert")).toBeNull());
  });

  it("follows connectionStateChanged in the status element", async () => {
    mockBackend();
    render(() => <App />);
    await screen.findByRole("button", { name: "Sign out" });
    const status = screen.getByRole("status");
    const steps: [Parameters<typeof emitEvent<"connection-state-changed">>[1], string][] = [
      [{ state: { state: "reconnecting", attempt: 1, retryInSecs: 2 } }, "Reconnecting…"],
      [
        { state: { state: "reconnecting", attempt: 2, retryInSecs: 4 } },
        "Reconnecting… (attempt 2)",
      ],
      [{ state: { state: "connecting" } }, "Connecting…"],
      [{ state: { state: "offline" } }, "Offline"],
      [
        {
          state: {
            state: "error",
            error: { kind: "unreachable", message: "Server unreachable", fingerprint: null },
          },
        },
        "Server unreachable",
      ],
      [{ state: { state: "online", jid: `${ME}/x` } }, "Online"],
    ];
    for (const [payload, text] of steps) {
      await emitEvent("connection-state-changed", payload);
      await waitFor(() => expect(status.textContent).toBe(text));
    }
  });

  it("returns to sign-in with the message when authentication fails", async () => {
    mockBackend();
    render(() => <App />);
    await screen.findByRole("list", { name: "Contacts" });
    await emitEvent("connection-state-changed", {
      state: {
        state: "error",
        error: { kind: "authFailed", message: "Your password was changed", fingerprint: null },
      },
    });
    await screen.findByRole("heading", { name: "Sign in to Hallway" });
    expect(screen.getByRole("alert").textContent).toContain("Your password was changed");
    expect((screen.getByLabelText("Address") as HTMLInputElement).value).toBe(ME);
  });

  it("sets the window title from unread counts", async () => {
    mockBackend({
      list_contacts: () => [
        contact("bob@example.com", { unread: 2 }),
        contact("carol@example.com", { unread: 1 }),
      ],
    });
    render(() => <App />);
    await waitFor(() => expect(document.title).toBe("(3) Hallway"));
    await emitEvent("unread-changed", {
      counts: [
        { peer: "bob@example.com", unread: 0, mentions: 0 },
        { peer: "carol@example.com", unread: 0, mentions: 0 },
      ],
    });
    await waitFor(() => expect(document.title).toBe("Hallway"));
    await emitEvent("unread-changed", {
      counts: [{ peer: "stranger@example.net", unread: 4, mentions: 0 }],
    });
    await waitFor(() => expect(document.title).toBe("(4) Hallway"));
  });

  it("counts rooms in the window title by their notification setting", async () => {
    const rooms = [
      room("quiet@rooms.example.com", { notify: "nothing" }),
      room("team@rooms.example.com"),
      room("news@rooms.example.com", { notify: "all" }),
    ];
    mockBackend({
      list_contacts: () => [contact("bob@example.com", { unread: 1 })],
      list_rooms: () => rooms,
    });
    render(() => <App />);
    await waitFor(() => expect(document.title).toBe("(1) Hallway"));
    await emitEvent("unread-changed", {
      counts: [
        { peer: "quiet@rooms.example.com", unread: 40, mentions: 2 },
        { peer: "team@rooms.example.com", unread: 9, mentions: 2 },
        { peer: "news@rooms.example.com", unread: 3, mentions: 0 },
      ],
    });
    // Bob's 1, the team room's 2 mentions (rooms default to mentions), all 3 of the news room.
    await waitFor(() => expect(document.title).toBe("(6) Hallway"));
    await emitEvent("rooms-changed", {
      rooms: rooms.map((r) => ({ ...r, notify: "all" as const })),
    });
    await waitFor(() => expect(document.title).toBe("(53) Hallway"));
  });

  it("signs in, then signs out", async () => {
    let account: string | null = null;
    const backend = mockBackend({
      get_app_state: () => snapshot({ account, savedAccount: null }),
      sign_in: () => {
        account = "alice@example.com";
        return null;
      },
      sign_out: () => {
        account = null;
        return null;
      },
    });
    render(() => <App />);
    await screen.findByRole("heading", { name: "Sign in to Hallway" });
    fireEvent.input(screen.getByLabelText("Address"), { target: { value: "alice@example.com" } });
    fireEvent.input(screen.getByLabelText("Password"), { target: { value: "pw" } });
    fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
    await screen.findByRole("list", { name: "Contacts" });
    expect(screen.getByText("alice@example.com")).toBeTruthy();
    expect(backend.callsTo("list_contacts")).toHaveLength(1);

    fireEvent.click(screen.getByRole("button", { name: "Sign out" }));
    await screen.findByRole("heading", { name: "Sign in to Hallway" });
    expect(backend.callsTo("sign_out")).toHaveLength(1);
  });

  it("changes my presence from the status controls and follows myPresenceChanged", async () => {
    const backend = mockBackend();
    render(() => <App />);
    const select = (await screen.findByRole("combobox", {
      name: "My status",
    })) as HTMLSelectElement;
    expect([...select.options].map((o) => [o.value, o.textContent])).toEqual([
      ["available", "Available"],
      ["away", "Away"],
      ["dnd", "Do not disturb"],
      ["invisible", "Invisible"],
    ]);
    select.value = "dnd";
    fireEvent.change(select);
    await waitFor(() =>
      expect(backend.callsTo("set_my_presence")).toEqual([
        { presence: { show: "dnd", status: "" } },
      ]),
    );

    const message = screen.getByRole("textbox", { name: "Status message" }) as HTMLInputElement;
    fireEvent.focus(message);
    fireEvent.input(message, { target: { value: "Focus time" } });
    fireEvent.keyDown(message, { key: "Enter" });
    await waitFor(() =>
      expect(backend.callsTo("set_my_presence")[1]).toEqual({
        presence: { show: "dnd", status: "Focus time" },
      }),
    );

    await emitEvent("my-presence-changed", { presence: { show: "away", status: "Lunch" } });
    await waitFor(() => expect(select.value).toBe("away"));
    expect(message.value).toBe("Lunch");
  });

  it("tells the backend which conversation is on screen and whether the window has focus", async () => {
    const backend = mockBackend({
      list_contacts: () => [
        contact("bob@example.com", { displayName: "Bob" }),
        contact("carol@example.com", { displayName: "Carol" }),
      ],
    });
    const last = () => backend.callsTo("set_visible_conversation").at(-1);
    render(() => <App />);
    const list = await screen.findByRole("list", { name: "Contacts" });
    window.dispatchEvent(new Event("focus"));
    await waitFor(() => expect(last()).toEqual({ peer: null, focused: true }));

    fireEvent.click(await within(list).findByRole("button", { name: /^Bob/ }));
    await waitFor(() => expect(last()).toEqual({ peer: "bob@example.com", focused: true }));
    window.dispatchEvent(new Event("blur"));
    await waitFor(() => expect(last()).toEqual({ peer: "bob@example.com", focused: false }));
    fireEvent.click(within(list).getByRole("button", { name: /^Carol/ }));
    await waitFor(() => expect(last()).toEqual({ peer: "carol@example.com", focused: false }));
    window.dispatchEvent(new Event("focus"));
    await waitFor(() => expect(last()).toEqual({ peer: "carol@example.com", focused: true }));
    // One call per change, no repeats.
    const calls = backend.callsTo("set_visible_conversation");
    const distinct = calls.filter((c, i) => JSON.stringify(c) !== JSON.stringify(calls[i - 1]));
    expect(distinct).toEqual(calls);

    fireEvent.click(screen.getByRole("button", { name: "Sign out" }));
    await screen.findByRole("heading", { name: "Sign in to Hallway" });
    await waitFor(() => expect(last()).toEqual({ peer: null, focused: true }));
  });

  it("opens the conversation of a clicked desktop notification", async () => {
    const backend = mockBackend({
      list_contacts: () => [
        contact("bob@example.com", { displayName: "Bob" }),
        contact("carol@example.com", { displayName: "Carol" }),
      ],
    });
    const last = () => backend.callsTo("set_visible_conversation").at(-1);
    render(() => <App />);
    const list = await screen.findByRole("list", { name: "Contacts" });
    fireEvent.click(await within(list).findByRole("button", { name: /^Bob/ }));
    await waitFor(() => expect(last()?.peer).toBe("bob@example.com"));
    // A summary of several conversations changes nothing; a conversation's notification opens it.
    await emitEvent("notification-clicked", { peer: null });
    await emitEvent("notification-clicked", { peer: "carol@example.com" });
    await waitFor(() => expect(last()?.peer).toBe("carol@example.com"));
    await screen.findByRole("heading", { name: /Carol/ });
  });

  it("offers a retry when the app state cannot be loaded", async () => {
    let broken = true;
    mockBackend({
      get_app_state: (args) =>
        broken ? fail(ipcError("storage", "Database is locked"))(args) : snapshot(),
    });
    render(() => <App />);
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("Database is locked");
    broken = false;
    fireEvent.click(screen.getByRole("button", { name: "Try again" }));
    await screen.findByRole("list", { name: "Contacts" });
  });
});
