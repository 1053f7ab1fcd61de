// Tests of rooms in the window: the `Rooms` list with where we stand and unread counts, the
// `Join room` dialog (address checked, nickname from our name), a room opened with its subject,
// its `Occupants` (strangers' text as text, windowed) and nicknames on messages, and Leave room.
import { fireEvent, render, screen, waitFor, within } from "@solidjs/testing-library";
import { describe, expect, it } from "vitest";
import { App } from "../../App";
import type { Occupant, RoomRefusal } from "../../ipc";
import { contact, emitEvent, message, mockBackend, room, vcard } from "../../test/backend";
import { sortOccupants, standingWords } from "./OccupantList";
import { cleanRoomAddress, defaultNick, isRoomAddress } from "./JoinRoomDialog";
import { anotherNick } from "./RoomTrouble";

const OFFICE = "office@rooms.example.com";

function occupant(nick: string, overrides: Partial<Occupant> = {}): Occupant {
  return {
    nick,
    show: "available",
    status: null,
    role: "participant",
    affiliation: "none",
    realJid: null,
    isSelf: false,
    actions: [],
    ...overrides,
  };
}

async function renderApp() {
  render(() => <App />);
  return screen.findByRole("button", { name: "Join room" });
}

describe("rooms", () => {
  it("joins a room through the dialog with our name as the nickname", async () => {
    const backend = mockBackend({ get_my_profile: () => vcard({ fullName: "Mia Chen" }) });
    const join = await renderApp();
    expect(screen.getByText("No rooms yet. Join, create or browse one.")).toBeTruthy();
    fireEvent.click(join);
    const dialog = await screen.findByRole("dialog", { name: "Join room" });
    const nick = within(dialog).getByRole("textbox", { name: "Nickname" }) as HTMLInputElement;
    await waitFor(() => expect(nick.value).toBe("Mia Chen"));
    const address = within(dialog).getByRole("textbox", { name: "Room address" });
    fireEvent.input(address, { target: { value: "not a room" } });
    fireEvent.click(within(dialog).getByRole("button", { name: "Join" }));
    expect(await within(dialog).findByRole("alert")).toBeTruthy();
    expect(backend.callsTo("join_room")).toEqual([]);

    fireEvent.input(address, { target: { value: ` xmpp:${OFFICE}?join ` } });
    fireEvent.click(within(dialog).getByRole("button", { name: "Join" }));
    await waitFor(() => expect(screen.queryByRole("dialog", { name: "Join room" })).toBeNull());
    expect(backend.callsTo("join_room")).toEqual([
      { address: OFFICE, nick: "Mia Chen", password: null },
    ]);

    await emitEvent("rooms-changed", { rooms: [room(OFFICE, { phase: { kind: "joining" } })] });
    const rooms = await screen.findByRole("list", { name: "Rooms" });
    expect(within(rooms).getByRole("button", { name: "office, Joining…" })).toBeTruthy();
    await emitEvent("rooms-changed", {
      rooms: [room(OFFICE, { name: "The <b>office</b>", subject: "Release <i>Friday</i>" })],
    });
    await emitEvent("unread-changed", { counts: [{ peer: OFFICE, unread: 3, mentions: 0 }] });
    const entry = await within(rooms).findByRole("button", {
      name: "The <b>office</b>, Joined, 3 unread",
    });
    await emitEvent("unread-changed", { counts: [{ peer: OFFICE, unread: 3, mentions: 1 }] });
    await within(rooms).findByRole("button", {
      name: "The <b>office</b>, Joined, 3 unread, 1 mention",
    });
    expect(document.querySelector("b, i")).toBeNull();
    // A room counts in the window title by its setting: mentions, by default.
    expect(document.title).toBe("(1) Hallway");

    fireEvent.click(entry);
    const title = await screen.findByRole("heading", { level: 2, name: "The <b>office</b>" });
    expect(title).toBeTruthy();
    expect(screen.getByText("Release <i>Friday</i>")).toBeTruthy();
  });

  it("shows occupants with standing and nicknames on messages, and leaves", async () => {
    const backend = mockBackend({
      list_rooms: () => [room(OFFICE, { nick: "me" })],
      list_contacts: () => [contact("ann@example.com", { displayName: "Ann", avatar: "0123abcd" })],
      get_avatar: (args) => (args.hash === "0123abcd" ? "data:image/png;base64,AAAA" : null),
      list_occupants: () => [
        occupant("zed <script>", { status: "at lunch" }),
        occupant("Ann", {
          role: "moderator",
          affiliation: "owner",
          realJid: "ann@example.com/desk",
        }),
        occupant("me", { isSelf: true, affiliation: "member" }),
      ],
      load_history: () => [
        message(OFFICE, { id: 1, sender: `${OFFICE}/Ann`, body: "Morning all" }),
        message(OFFICE, { id: 3, sender: `${OFFICE}/Bea`, body: "me: ship it?", mention: true }),
        message(OFFICE, { id: 2, direction: "outgoing", sender: "me@example.com", body: "Hi" }),
      ],
    });
    await renderApp();
    fireEvent.click(await screen.findByRole("button", { name: "office, Joined" }));
    const occupants = await screen.findByRole("list", { name: "Occupants" });
    await waitFor(() => expect(within(occupants).getAllByRole("listitem")).toHaveLength(3));
    const items = within(occupants).getAllByRole("listitem");
    expect(items[0]?.getAttribute("aria-label")).toBe(
      "Ann, Available, Owner · Moderator · ann@example.com/desk",
    );
    // A contact the room shows by address wears their picture; a stranger their initials in
    // their nickname's colour (nothing fetched for them).
    await waitFor(() =>
      expect(items[0]?.querySelector("img")?.getAttribute("src")).toBe(
        "data:image/png;base64,AAAA",
      ),
    );
    expect(items[2]?.querySelector("img")).toBeNull();
    expect(items[2]?.querySelector(".avatar")?.textContent).toBe("Z");
    expect(backend.callsTo("get_avatar")).toEqual([{ hash: "0123abcd" }]);
    expect(items[1]?.getAttribute("aria-label")).toBe("me (you), Available, Member");
    expect(items[2]?.textContent).toContain("zed <script>");
    expect(document.querySelector("script")).toBeNull();
    const log = await screen.findByRole("log", { name: /Messages/ });
    await within(log).findByText("Morning all");
    expect(within(log).getByText("Ann")).toBeTruthy();
    // Authors wear their XEP-0392 colour, the same in the log and the occupant list.
    const annColor = (within(log).getByText("Ann") as HTMLElement).style.color;
    expect(annColor).not.toBe("");
    const annRow = items[0] as HTMLElement;
    expect((annRow.querySelector(".occupant-nick") as HTMLElement).style.color).toBe(annColor);
    expect((within(log).getByText("You") as HTMLElement).style.color).toBe("");
    expect(within(log).getByText("You")).toBeTruthy();
    // A message naming us is marked, in words too.
    const named = within(log).getByText("me: ship it?").closest(".msg");
    expect(named?.classList.contains("msg--mention")).toBe(true);
    expect(named?.textContent).toContain("mentions you");
    expect(within(log).getByText("Morning all").closest(".msg")?.textContent).not.toContain(
      "mentions you",
    );

    // Tab completes a nickname in the composer; the room's notification setting.
    const composer = screen.getByRole("textbox", { name: "Message" }) as HTMLTextAreaElement;
    fireEvent.input(composer, { target: { value: "thanks ze" } });
    composer.setSelectionRange(9, 9);
    fireEvent.keyDown(composer, { key: "Tab" });
    expect(composer.value).toBe("thanks zed <script> ");
    const notify = screen.getByRole("combobox", { name: "Notify me" }) as HTMLSelectElement;
    expect(notify.value).toBe("mentions");
    fireEvent.change(notify, { target: { value: "all" } });
    await waitFor(() =>
      expect(backend.callsTo("set_room_notify")).toEqual([{ room: OFFICE, notify: "all" }]),
    );

    // A flood of occupants is one event; only the rows in view exist.
    await emitEvent("occupants-changed", {
      room: OFFICE,
      occupants: Array.from({ length: 1000 }, (_, i) => occupant(`person ${i}`)),
    });
    await waitFor(() => expect(within(occupants).getAllByRole("listitem").length).toBeLessThan(60));
    expect(within(occupants).getAllByRole("listitem")[0]?.getAttribute("aria-setsize")).toBe(
      "1000",
    );

    fireEvent.click(screen.getByRole("button", { name: "Leave room" }));
    await waitFor(() => expect(backend.callsTo("leave_room")).toEqual([{ room: OFFICE }]));
  });

  it("offers another nickname, asks a password, or joins again, but not when banned", async () => {
    const refused = (jid: string, reason: RoomRefusal, nick = "me") =>
      room(jid, { nick, phase: { kind: "error", reason, words: `${reason}.` } });
    const backend = mockBackend({
      list_rooms: () => [
        refused(OFFICE, "nicknameTaken", "Sam7"),
        refused("secret@rooms.example.com", "passwordRequired"),
        refused("kicked@rooms.example.com", "kicked"),
        refused("banned@rooms.example.com", "banned"),
      ],
    });
    await renderApp();
    fireEvent.click(await screen.findByRole("button", { name: "office, nicknameTaken." }));
    let again = await screen.findByRole("form", { name: "Join again" });
    const nick = within(again).getByRole("textbox", { name: "Nickname" }) as HTMLInputElement;
    expect(nick.value).toBe("Sam8");
    fireEvent.click(within(again).getByRole("button", { name: "Join as this nickname" }));
    await waitFor(() =>
      expect(backend.callsTo("join_room")).toEqual([
        { address: OFFICE, nick: "Sam8", password: null },
      ]),
    );

    fireEvent.click(screen.getByRole("button", { name: "secret, passwordRequired." }));
    again = await screen.findByRole("form", { name: "Join again" });
    const secret = within(again).getByLabelText("Room password") as HTMLInputElement;
    expect(secret.type).toBe("password");
    fireEvent.input(secret, { target: { value: "hunter2" } });
    fireEvent.click(within(again).getByRole("button", { name: "Join again" }));
    await waitFor(() =>
      expect(backend.callsTo("join_room")[1]).toEqual({
        address: "secret@rooms.example.com",
        nick: "me",
        password: "hunter2",
      }),
    );

    fireEvent.click(screen.getByRole("button", { name: "kicked, kicked." }));
    again = await screen.findByRole("form", { name: "Join again" });
    expect(within(again).queryByRole("textbox")).toBeNull();
    fireEvent.click(within(again).getByRole("button", { name: "Join again" }));
    await waitFor(() => expect(backend.callsTo("join_room")).toHaveLength(3));

    fireEvent.click(screen.getByRole("button", { name: "banned, banned." }));
    await screen.findByRole("heading", { name: "banned" });
    expect(screen.queryByRole("form", { name: "Join again" })).toBeNull();
    expect(anotherNick("Mia")).toBe("Mia2");
  });

  it("words a refusal and reads addresses and nicknames", async () => {
    mockBackend({
      list_rooms: () => [
        room(OFFICE, {
          phase: {
            kind: "error",
            reason: "nicknameTaken",
            words: "Someone in the room already uses this nickname.",
          },
        }),
      ],
    });
    await renderApp();
    expect(
      await screen.findByRole("button", {
        name: "office, Someone in the room already uses this nickname.",
      }),
    ).toBeTruthy();
    expect(cleanRoomAddress("xmpp:team@muc.example.com?join")).toBe("team@muc.example.com");
    expect(isRoomAddress("team@muc.example.com")).toBe(true);
    expect(isRoomAddress("muc.example.com")).toBe(false);
    expect(isRoomAddress("a b@muc.example.com")).toBe(false);
    expect(defaultNick("  ", "mia@example.com")).toBe("mia");
    expect(defaultNick("Mia", "mia@example.com")).toBe("Mia");
    expect(
      sortOccupants([occupant("b"), occupant("A"), occupant("z", { role: "moderator" })]).map(
        (o) => o.nick,
      ),
    ).toEqual(["z", "A", "b"]);
    expect(standingWords(occupant("v", { role: "visitor", affiliation: "outcast" }))).toBe(
      "Banned · Visitor",
    );
  });

  it("creates a room from a name, open or members-only", async () => {
    const backend = mockBackend({ get_my_profile: () => vcard({ fullName: "Mia Chen" }) });
    await renderApp();
    fireEvent.click(screen.getByRole("button", { name: "Create room" }));
    const dialog = await screen.findByRole("dialog", { name: "Create room" });
    const nick = within(dialog).getByRole("textbox", { name: "Nickname" }) as HTMLInputElement;
    await waitFor(() => expect(nick.value).toBe("Mia Chen"));
    fireEvent.click(within(dialog).getByRole("button", { name: "Create" }));
    expect((await within(dialog).findByRole("alert")).textContent).toBe("Give the room a name.");
    expect(backend.callsTo("create_room")).toEqual([]);
    fireEvent.input(within(dialog).getByRole("textbox", { name: "Room name" }), {
      target: { value: "  Board  " },
    });
    fireEvent.input(within(dialog).getByRole("textbox", { name: /Description/ }), {
      target: { value: "Quarterly numbers" },
    });
    const open = within(dialog).getByRole("radio", { name: /^Open/ }) as HTMLInputElement;
    expect(open.checked).toBe(true);
    fireEvent.click(within(dialog).getByRole("radio", { name: /^Members only/ }));
    fireEvent.click(within(dialog).getByRole("button", { name: "Create" }));
    await waitFor(() => expect(screen.queryByRole("dialog", { name: "Create room" })).toBeNull());
    expect(backend.callsTo("create_room")).toEqual([
      { name: "Board", description: "Quarterly numbers", membersOnly: true, nick: "Mia Chen" },
    ]);
  });

  it("browses the server's rooms, filters them as text and joins one", async () => {
    const backend = mockBackend({
      browse_rooms: () => [
        { room: "sales@rooms.example.com", name: "Sales <b>team</b>", joined: false },
        { room: OFFICE, name: "The office", joined: true },
        ...Array.from({ length: 150 }, (_, i) => ({
          room: `r${i}@rooms.example.com`,
          name: `Project ${i}`,
          joined: false,
        })),
      ],
    });
    await renderApp();
    fireEvent.click(screen.getByRole("button", { name: "Browse rooms" }));
    const dialog = await screen.findByRole("dialog", { name: "Browse rooms" });
    const list = await within(dialog).findByRole("list", { name: "Public rooms" });
    expect(within(list).getAllByRole("listitem")).toHaveLength(100);
    expect(within(dialog).getByRole("status").textContent).toContain("152 rooms");
    expect(document.querySelector(".browse-list b")).toBeNull();
    fireEvent.input(within(dialog).getByRole("textbox", { name: "Filter rooms" }), {
      target: { value: "SALES" },
    });
    await waitFor(() => expect(within(list).getAllByRole("listitem")).toHaveLength(1));
    expect(within(list).getByText("Sales <b>team</b>")).toBeTruthy();
    fireEvent.input(within(dialog).getByRole("textbox", { name: "Filter rooms" }), {
      target: { value: "office" },
    });
    await within(list).findByRole("button", { name: "Open The office" });
    fireEvent.input(within(dialog).getByRole("textbox", { name: "Filter rooms" }), {
      target: { value: "sales" },
    });
    fireEvent.click(await within(list).findByRole("button", { name: "Join Sales <b>team</b>" }));
    await waitFor(() => expect(screen.queryByRole("dialog", { name: "Browse rooms" })).toBeNull());
    expect(backend.callsTo("join_room")).toEqual([
      { address: "sales@rooms.example.com", nick: "me", password: null },
    ]);
  });

  it("says so when the server has no room service", async () => {
    mockBackend({
      browse_rooms: () => {
        throw { code: "refused", message: "Your server has no rooms service." };
      },
    });
    await renderApp();
    fireEvent.click(screen.getByRole("button", { name: "Browse rooms" }));
    const dialog = await screen.findByRole("dialog", { name: "Browse rooms" });
    expect((await within(dialog).findByRole("alert")).textContent).toBe(
      "Your server has no rooms service.",
    );
  });

  it("shows invitations as text, joins or declines them, and invites people", async () => {
    const invitation = (roomJid: string, fromContact: boolean) => ({
      room: roomJid,
      inviter: fromContact ? "ann@example.com" : "eve@elsewhere.org",
      inviterName: fromContact ? "Ann <b>Lee</b>" : null,
      reason: "Numbers <i>at 3</i>",
      fromContact,
      mediated: false,
      receivedAt: 1,
    });
    const backend = mockBackend({
      list_rooms: () => [room(OFFICE, { nick: "me" })],
      list_occupants: () => [occupant("me", { isSelf: true, affiliation: "owner" })],
      list_invitations: () => [
        invitation("sales@rooms.example.com", true),
        invitation("spam@rooms.elsewhere.org", false),
      ],
    });
    await renderApp();
    const mine = await screen.findByRole("list", { name: "Invitations" });
    const item = within(mine).getByRole("listitem", {
      name: "Ann <b>Lee</b> invites you to sales@rooms.example.com",
    });
    expect(within(item).getByText("“Numbers <i>at 3</i>”")).toBeTruthy();
    expect(document.querySelector(".invitation b, .invitation i")).toBeNull();
    const strangers = screen.getByRole("list", { name: "Invitation requests" });
    expect(within(strangers).getByText("eve@elsewhere.org")).toBeTruthy();
    fireEvent.click(
      within(strangers).getByRole("button", { name: "Decline spam@rooms.elsewhere.org" }),
    );
    await waitFor(() =>
      expect(backend.callsTo("decline_invitation")).toEqual([{ room: "spam@rooms.elsewhere.org" }]),
    );
    fireEvent.click(within(item).getByRole("button", { name: "Join sales@rooms.example.com" }));
    await waitFor(() =>
      expect(backend.callsTo("accept_invitation")).toEqual([
        { room: "sales@rooms.example.com", nick: "me" },
      ]),
    );
    await emitEvent("invitations-changed", { invitations: [] });
    await waitFor(() => expect(screen.queryByRole("list", { name: "Invitations" })).toBeNull());

    // Invite people from a room we are in.
    fireEvent.click(await screen.findByRole("button", { name: "office, Joined" }));
    fireEvent.click(await screen.findByRole("button", { name: "Invite people" }));
    const dialog = await screen.findByRole("dialog", { name: "Invite people" });
    fireEvent.input(within(dialog).getByRole("combobox", { name: "Contact address" }), {
      target: { value: "not an address" },
    });
    fireEvent.click(within(dialog).getByRole("button", { name: "Invite" }));
    expect(await within(dialog).findByRole("alert")).toBeTruthy();
    fireEvent.input(within(dialog).getByRole("combobox", { name: "Contact address" }), {
      target: { value: "bob@example.com" },
    });
    fireEvent.input(within(dialog).getByRole("textbox", { name: /Reason/ }), {
      target: { value: "Release notes" },
    });
    fireEvent.click(within(dialog).getByRole("button", { name: "Invite" }));
    await waitFor(() =>
      expect(backend.callsTo("invite_to_room")).toEqual([
        { room: OFFICE, contact: "bob@example.com", reason: "Release notes" },
      ]),
    );
    expect(await within(dialog).findByText("Invitation sent to bob@example.com.")).toBeTruthy();
  });

  it("offers moderators, admins and owners what their standing allows", async () => {
    let settings = {
      name: "The office",
      description: "Where we <b>work</b>",
      membersOnly: false,
      public: true,
      persistent: true,
      archived: true,
    };
    const backend = mockBackend({
      list_rooms: () => [
        room(OFFICE, { name: "The office", role: "moderator", affiliation: "owner" }),
      ],
      list_occupants: () => [
        occupant("me", { isSelf: true, role: "moderator", affiliation: "owner" }),
        occupant("gus", { realJid: "gus@example.com", actions: ["kick", "ban", "makeMember"] }),
        occupant("quiet", {}),
      ],
      get_room_settings: () => settings,
      change_room_settings: (args) => {
        settings = args.settings as typeof settings;
        return null;
      },
    });
    await renderApp();
    fireEvent.click(await screen.findByRole("button", { name: "The office, Joined" }));
    const occupants = await screen.findByRole("list", { name: "Occupants" });
    await waitFor(() => expect(within(occupants).getAllByRole("listitem")).toHaveLength(3));
    // Only someone we may act on has the button.
    expect(within(occupants).queryByRole("button", { name: "Moderate quiet" })).toBeNull();
    expect(within(occupants).queryByRole("button", { name: "Moderate me" })).toBeNull();
    fireEvent.click(within(occupants).getByRole("button", { name: "Moderate gus" }));
    let dialog = await screen.findByRole("dialog", { name: "Moderate gus" });
    expect(
      within(dialog)
        .getAllByRole("button")
        .map((b) => b.textContent),
    ).toEqual(["Kick", "Ban", "Make member", "Cancel"]);
    fireEvent.input(within(dialog).getByRole("textbox", { name: /Reason/ }), {
      target: { value: "spam" },
    });
    fireEvent.click(within(dialog).getByRole("button", { name: "Kick" }));
    await waitFor(() =>
      expect(backend.callsTo("moderate_occupant")).toEqual([
        { room: OFFICE, nick: "gus", action: "kick", reason: "spam" },
      ]),
    );
    await waitFor(() => expect(screen.queryByRole("dialog", { name: "Moderate gus" })).toBeNull());
    // Their row is still there: the focus is back on its button.
    expect(document.activeElement).toBe(
      within(occupants).getByRole("button", { name: "Moderate gus" }),
    );

    // Someone else taking the nickname of who the dialog was for closes it.
    fireEvent.click(within(occupants).getByRole("button", { name: "Moderate gus" }));
    await screen.findByRole("dialog", { name: "Moderate gus" });
    await emitEvent("occupants-changed", {
      room: OFFICE,
      occupants: [
        occupant("me", { isSelf: true, role: "moderator", affiliation: "owner" }),
        occupant("gus", { realJid: "mallory@example.com", actions: ["kick", "ban"] }),
      ],
    });
    await waitFor(() => expect(screen.queryByRole("dialog", { name: "Moderate gus" })).toBeNull());
    await emitEvent("occupants-changed", {
      room: OFFICE,
      occupants: [
        occupant("me", { isSelf: true, role: "moderator", affiliation: "owner" }),
        occupant("gus", { realJid: "gus@example.com", actions: ["kick", "ban", "makeMember"] }),
        occupant("quiet", {}),
      ],
    });

    // The subject, for everyone.
    fireEvent.click(screen.getByRole("button", { name: "Change subject" }));
    dialog = await screen.findByRole("dialog", { name: "Change subject" });
    fireEvent.input(within(dialog).getByRole("textbox", { name: /Subject/ }), {
      target: { value: "  Q4 planning  " },
    });
    fireEvent.click(within(dialog).getByRole("button", { name: "Save" }));
    await waitFor(() =>
      expect(backend.callsTo("set_room_subject")).toEqual([
        { room: OFFICE, subject: "Q4 planning" },
      ]),
    );

    // Room settings start from the room's own, keep what the dialog does not show.
    fireEvent.click(screen.getByRole("button", { name: "Room settings" }));
    dialog = await screen.findByRole("dialog", { name: "Room settings" });
    const description = within(dialog).getByRole("textbox", {
      name: /Description/,
    }) as HTMLTextAreaElement;
    await waitFor(() => expect(description.value).toBe("Where we <b>work</b>"));
    fireEvent.input(within(dialog).getByRole("textbox", { name: "Room name" }), {
      target: { value: "Office floor 2" },
    });
    fireEvent.click(within(dialog).getByRole("radio", { name: /Members only/ }));
    fireEvent.click(within(dialog).getByRole("button", { name: "Save" }));
    await waitFor(() =>
      expect(backend.callsTo("change_room_settings")).toEqual([
        {
          room: OFFICE,
          settings: { ...settings, name: "Office floor 2", membersOnly: true },
        },
      ]),
    );
    expect(settings.archived).toBe(true);
    await waitFor(() => expect(screen.queryByRole("dialog", { name: "Room settings" })).toBeNull());

    // Destroy asks first, with a reason.
    fireEvent.click(screen.getByRole("button", { name: "Room settings" }));
    dialog = await screen.findByRole("dialog", { name: "Room settings" });
    await waitFor(() =>
      expect(
        (within(dialog).getByRole("button", { name: "Destroy room" }) as HTMLButtonElement)
          .disabled,
      ).toBe(false),
    );
    fireEvent.click(within(dialog).getByRole("button", { name: "Destroy room" }));
    fireEvent.input(within(dialog).getByRole("textbox", { name: /Reason/ }), {
      target: { value: "Moved to #sales" },
    });
    expect(backend.callsTo("destroy_room")).toEqual([]);
    fireEvent.click(within(dialog).getByRole("button", { name: "Destroy" }));
    await waitFor(() =>
      expect(backend.callsTo("destroy_room")).toEqual([
        { room: OFFICE, reason: "Moved to #sales" },
      ]),
    );
  });

  it("offers a participant no moderation", async () => {
    mockBackend({
      list_rooms: () => [room(OFFICE)],
      list_occupants: () => [
        occupant("me", { isSelf: true }),
        occupant("Ann", { role: "moderator", affiliation: "owner" }),
      ],
    });
    await renderApp();
    fireEvent.click(await screen.findByRole("button", { name: "office, Joined" }));
    const occupants = await screen.findByRole("list", { name: "Occupants" });
    await waitFor(() => expect(within(occupants).getAllByRole("listitem")).toHaveLength(2));
    expect(screen.queryByRole("button", { name: "Change subject" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Room settings" })).toBeNull();
    expect(within(occupants).queryByRole("button", { name: /Moderate/ })).toBeNull();
  });

  it("keeps a room's newer phase when the list answer comes after the event", async () => {
    let answer: (rooms: unknown) => void = () => {};
    mockBackend({ list_rooms: () => new Promise((resolve) => (answer = resolve)) });
    await renderApp();
    await emitEvent("rooms-changed", { rooms: [room(OFFICE)] });
    const rooms = await screen.findByRole("list", { name: "Rooms" });
    await within(rooms).findByRole("button", { name: "office, Joined" });
    answer([room(OFFICE, { phase: { kind: "joining" } })]);
    await new Promise((r) => setTimeout(r, 20));
    expect(within(rooms).getByRole("button", { name: "office, Joined" })).toBeTruthy();
  });
});
