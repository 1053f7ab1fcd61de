// Contacts state: the roster by JID, unread counts, and the grouped rows the contact list shows.
import { batch, createMemo, createSignal, getListener, untrack } from "solid-js";
import { createStore } from "solid-js/store";
import { api, errorMessage } from "../ipc";
import type { Contact, PresenceUpdate, UnreadCount } from "../ipc";
import { buildContactRows, OTHER_GROUP } from "../lib/contactRows";
import { measured } from "../lib/perfMarks";
import { isOnline } from "../lib/presence";
import type { GroupStats, Row } from "../lib/contactRows";

export type LoadStatus = "idle" | "loading" | "ready" | "error";

export type ContactsState = {
  status: LoadStatus;
  error: string | null;
};

type Cell<T> = { read: () => T; write: (v: T) => void };

function cell<T>(value: T): Cell<T> {
  const [read, write] = createSignal(value);
  return { read, write: (v) => write(() => v) };
}

export function createContactsStore() {
  const [state, setState] = createStore<ContactsState>({ status: "idle", error: null });

  // The roster and unread counts are plain maps, not a Solid store: a store walks every object
  // written into it (~35 ms for a 5,000-contact roster, on every roster change). Reactivity is
  // per contact and on demand: a reactive read of one contact (a visible row, the open
  // conversation) creates a signal for that contact only, and a change to the contact sets it,
  // so a status text change re-renders only the places showing that contact.
  let byJid = new Map<string, Contact>();
  let unread = new Map<string, number>();
  /** Of the unread, those that name us (rooms). */
  let mentions = new Map<string, number>();
  const watched = new Map<string, Cell<Contact | undefined>>();
  const watchedUnread = new Map<string, Cell<number>>();
  const watchedMentions = new Map<string, Cell<number>>();

  function putContact(jid: string, c: Contact | undefined) {
    if (c) byJid.set(jid, c);
    else byJid.delete(jid);
    watched.get(jid)?.write(c);
  }

  function putUnread(jid: string, n: number, named = 0) {
    unread.set(jid, n);
    mentions.set(jid, named);
    watchedUnread.get(jid)?.write(n);
    watchedMentions.get(jid)?.write(named);
  }

  function watch<T>(cells: Map<string, Cell<T>>, jid: string, now: T): T {
    // Untracked callers (event handlers, list-shape computations) need no signal.
    if (!getListener()) return now;
    let c = cells.get(jid);
    if (!c) cells.set(jid, (c = cell(now)));
    return c.read();
  }

  // The list's shape (order, groups, who is online, who has unread) depends on a few fields of
  // every contact; the rebuild reads the raw maps and this version says when the shape may have
  // changed (roster replaced, someone going online/offline, unread becoming zero or not).
  const [shapeVersion, bumpShape] = createSignal(0);
  const shapeChanged = () => bumpShape((v) => v + 1);
  // The same for the unread total.
  const [unreadVersion, bumpUnread] = createSignal(0);
  const unreadChanged = () => bumpUnread((v) => v + 1);

  // Events that arrive while listContacts is in flight are queued and applied after it, so a
  // slow query cannot overwrite a newer update.
  let queue: (() => void)[] | null = null;
  let generation = 0;
  // (Called from event handlers, outside any tracking scope.)
  function whenLoaded(apply: () => void) {
    if (queue) queue.push(apply);
    else untrack(apply);
  }

  function setRoster(contacts: readonly Contact[]) {
    byJid = new Map(contacts.map((c) => [c.jid, c]));
    // Unread counts of peers outside the roster (strangers) stay.
    for (const c of contacts) unread.set(c.jid, c.unread);
    batch(() => {
      for (const [jid, w] of watched) w.write(byJid.get(jid));
      for (const [jid, w] of watchedUnread) w.write(unread.get(jid) ?? 0);
      shapeChanged();
      unreadChanged();
    });
  }

  async function load(): Promise<void> {
    const mine = ++generation;
    queue = [];
    setState({ status: "loading", error: null });
    try {
      const contacts = await api.listContacts();
      if (mine !== generation) return;
      measured("roster", () =>
        batch(() => {
          setRoster(contacts);
          setState("status", "ready");
          const pending = queue ?? [];
          queue = null;
          for (const apply of pending) apply();
        }),
      );
    } catch (e) {
      if (mine !== generation) return;
      const pending = queue ?? [];
      queue = null;
      batch(() => {
        setState({ status: "error", error: errorMessage(e) });
        for (const apply of pending) apply();
      });
    }
  }

  function reset() {
    generation++;
    queue = null;
    byJid = new Map();
    unread = new Map();
    mentions = new Map();
    batch(() => {
      setState({ status: "idle", error: null });
      for (const w of watched.values()) w.write(undefined);
      for (const w of watchedUnread.values()) w.write(0);
      for (const w of watchedMentions.values()) w.write(0);
      shapeChanged();
      unreadChanged();
    });
  }

  function applyRoster(contacts: Contact[]) {
    whenLoaded(() =>
      // eslint-disable-next-line solid/reactivity -- runs from an event handler; reads are untracked
      measured("roster", () => {
        setRoster(contacts);
        if (state.status !== "ready") setState({ status: "ready", error: null });
      }),
    );
  }

  /** Patches each contact in place: only the rows showing those contacts update. */
  function applyPresences(updates: PresenceUpdate[]) {
    whenLoaded(() =>
      batch(() => {
        let flipped = false;
        for (const u of updates) {
          const before = byJid.get(u.jid);
          if (!before) continue;
          if (isOnline(before.presence) !== isOnline(u.presence)) flipped = true;
          putContact(u.jid, {
            ...before,
            presence: u.presence,
            status: u.status,
            idleSince: u.idleSince,
            lastSeen: u.lastSeen,
          });
        }
        if (flipped) shapeChanged();
      }),
    );
  }

  /** A contact's avatar changed (XEP-0084 / XEP-0153). */
  function applyAvatar(jid: string, avatar: string | null) {
    whenLoaded(() => {
      const before = byJid.get(jid);
      if (before) putContact(jid, { ...before, avatar });
    });
  }

  function applyUnread(counts: UnreadCount[]) {
    whenLoaded(() =>
      batch(() => {
        let flipped = false;
        for (const c of counts) {
          if ((unread.get(c.peer) ?? 0) > 0 !== c.unread > 0) flipped = true;
          putUnread(c.peer, c.unread, c.mentions);
        }
        unreadChanged();
        if (flipped) shapeChanged();
      }),
    );
  }

  function clearUnread(peer: string) {
    if (unread.get(peer)) {
      batch(() => {
        putUnread(peer, 0);
        unreadChanged();
        shapeChanged();
      });
    }
  }

  let rowCache: Map<string, Row> | undefined;
  const built = createMemo(() => {
    shapeVersion();
    const result = buildContactRows([...byJid.values()], rowCache);
    rowCache = result.cache;
    return result;
  });
  const rows = (): Row[] => built().rows;
  /** The roster's group names in list order (for the group fields of the people dialogs). */
  const groupNames = createMemo(
    () => [...built().stats.keys()].filter((g) => g !== OTHER_GROUP),
    [],
    {
      equals: (a, b) => a.length === b.length && a.every((g, i) => g === b[i]),
    },
  );

  /**
   * Unread messages across conversations, each weighed by `weigh` (a room counts by its
   * notification setting: all, only mentions, or nothing). Tracks every unread change.
   */
  function totalUnread(
    weigh: (peer: string, unread: number, mentions: number) => number = (_, n) => n,
  ): number {
    unreadVersion();
    let total = 0;
    for (const [peer, n] of unread) if (n > 0) total += weigh(peer, n, mentions.get(peer) ?? 0);
    return total;
  }

  return {
    state,
    load,
    reset,
    applyRoster,
    applyPresences,
    applyUnread,
    applyAvatar,
    clearUnread,
    rows,
    groupNames,
    /** Online and total contacts of a roster group (as headed in the list). */
    groupStats: (group: string): GroupStats => built().stats.get(group) ?? { online: 0, total: 0 },
    totalUnread,
    /** A contact; read in a reactive scope, that scope follows the contact's changes. */
    contact: (jid: string): Contact | undefined => watch(watched, jid, byJid.get(jid)),
    unreadOf: (jid: string): number => watch(watchedUnread, jid, unread.get(jid) ?? 0),
    /** Unread messages of a room that name us. */
    mentionsOf: (jid: string): number => watch(watchedMentions, jid, mentions.get(jid) ?? 0),
    /** Untracked reads for list-shape computations that depend on `rows()` (see shapeVersion). */
    peek: (jid: string): Contact | undefined => byJid.get(jid),
    peekUnread: (jid: string): number => unread.get(jid) ?? 0,
    /** Every contact (follows the list's shape): suggestions for Invite people. */
    all: (): Contact[] => {
      rows();
      return [...byJid.values()];
    },
  };
}

export type ContactsStore = ReturnType<typeof createContactsStore>;
