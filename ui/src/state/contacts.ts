// Contacts state: the roster by JID, unread counts, and the grouped rows the contact list shows.
import { batch, createMemo, createSignal, untrack } from "solid-js";
import { createStore, reconcile, unwrap } from "solid-js/store";
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
  byJid: Record<string, Contact>;
  /** Unread counts by peer; covers peers that are not in the roster too. */
  unread: Record<string, number>;
};

export function createContactsStore() {
  const [state, setState] = createStore<ContactsState>({
    status: "idle",
    error: null,
    byJid: {},
    unread: {},
  });

  // The list's shape (order, groups, who is online, who has unread) depends on a few fields of
  // every contact. Reading them through the store would subscribe to 5,000 × 5 properties on each
  // rebuild; instead the rebuild reads the raw objects and this version says when the shape may
  // have changed (roster replaced, someone going online/offline, unread becoming zero or not).
  // Rows read their own contact reactively, so a status text change touches only its row.
  const [shapeVersion, bumpShape] = createSignal(0);
  const shapeChanged = () => bumpShape((v) => v + 1);

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
    const byJid: Record<string, Contact> = {};
    const unread: Record<string, number> = {};
    for (const c of contacts) {
      byJid[c.jid] = c;
      unread[c.jid] = c.unread;
    }
    batch(() => {
      // An empty list takes the new one as it is; diffing (reconcile) only pays off when rows
      // exist whose DOM should be kept. One merge for all unread counts (a store write per
      // contact costs milliseconds per thousand).
      if (Object.keys(state.byJid).length === 0) setState("byJid", byJid);
      else setState("byJid", reconcile(byJid));
      setState("unread", unread);
      shapeChanged();
    });
  }

  async function load(): Promise<void> {
    const mine = ++generation;
    queue = [];
    setState({ status: "loading", error: null });
    try {
      const contacts = await api.listContacts();
      if (mine !== generation) return;
      // eslint-disable-next-line solid/reactivity -- runs when the query resolves; untracked
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
    batch(() => {
      setState({ status: "idle", error: null });
      setState("byJid", reconcile({}));
      setState("unread", reconcile({}));
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
    // eslint-disable-next-line solid/reactivity -- runs from an event handler; reads are untracked
    whenLoaded(() =>
      batch(() => {
        let flipped = false;
        for (const u of updates) {
          const before = state.byJid[u.jid];
          if (!before) continue;
          if (isOnline(before.presence) !== isOnline(u.presence)) flipped = true;
          setState("byJid", u.jid, {
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
    // eslint-disable-next-line solid/reactivity -- runs from an event handler; reads are untracked
    whenLoaded(() => {
      if (state.byJid[jid]) setState("byJid", jid, "avatar", avatar);
    });
  }

  function applyUnread(counts: UnreadCount[]) {
    // eslint-disable-next-line solid/reactivity -- runs from an event handler; reads are untracked
    whenLoaded(() =>
      batch(() => {
        let flipped = false;
        for (const c of counts) {
          if ((state.unread[c.peer] ?? 0) > 0 !== c.unread > 0) flipped = true;
          setState("unread", c.peer, c.unread);
        }
        if (flipped) shapeChanged();
      }),
    );
  }

  function clearUnread(peer: string) {
    if (state.unread[peer]) {
      setState("unread", peer, 0);
      shapeChanged();
    }
  }

  let rowCache: Map<string, Row> | undefined;
  const built = createMemo(() => {
    shapeVersion();
    const result = buildContactRows(Object.values(unwrap(state.byJid)), rowCache);
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

  const totalUnread = createMemo(() => {
    let total = 0;
    for (const n of Object.values(state.unread)) total += n;
    return total;
  });

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
    contact: (jid: string): Contact | undefined => state.byJid[jid],
    unreadOf: (jid: string): number => state.unread[jid] ?? 0,
    /** Untracked reads for list-shape computations that depend on `rows()` (see shapeVersion). */
    peek: (jid: string): Contact | undefined => unwrap(state.byJid)[jid],
    peekUnread: (jid: string): number => unwrap(state.unread)[jid] ?? 0,
  };
}

export type ContactsStore = ReturnType<typeof createContactsStore>;
