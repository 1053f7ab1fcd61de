// People state beyond the roster: subscription requests (Accept / Decline), message requests
// from people outside the contacts ("Requests"), the block list and avatar images by hash, plus
// the roster edits the contact list offers (add, rename, move, remove, block, unblock).
// Filled from a query at sign-in, then by events.
import { createStore, reconcile } from "solid-js/store";
import { api } from "../ipc";
import type { MessageRequest, SubscriptionRequest } from "../ipc";

export type PeopleState = {
  subscriptionRequests: SubscriptionRequest[];
  messageRequests: MessageRequest[];
  blocked: string[];
  /** Avatar `data:` URLs by hash; `null` while loading or when the image is not cached. */
  avatars: Record<string, string | null>;
};

export function createPeopleStore() {
  const [state, setState] = createStore<PeopleState>({
    subscriptionRequests: [],
    messageRequests: [],
    blocked: [],
    avatars: {},
  });

  /** The image URL for an avatar hash; fetched once from the backend's cache, then reactive. */
  function avatarUrl(hash: string | null | undefined): string | null {
    if (!hash) return null;
    if (!(hash in state.avatars)) {
      setState("avatars", hash, null);
      api.getAvatar(hash).then(
        (url) => setState("avatars", hash, url),
        (e: unknown) => console.warn("Hallway: avatar not loaded", e),
      );
    }
    return state.avatars[hash] ?? null;
  }

  /** Bumped by every blocklistChanged: a list loaded before the event must not replace it. */
  let blockedVersion = 0;

  /** Loads the lists after sign-in (events keep them current afterwards). */
  async function load() {
    const version = blockedVersion;
    const [subs, msgs, blocked] = await Promise.all([
      api.listSubscriptionRequests(),
      api.listMessageRequests(),
      api.listBlocked(),
    ]);
    setState("subscriptionRequests", reconcile(subs, { key: "jid" }));
    setState("messageRequests", reconcile(msgs, { key: "jid" }));
    if (version === blockedVersion) setState("blocked", blocked);
  }

  function reset() {
    setState({ subscriptionRequests: [], messageRequests: [], blocked: [] });
  }

  // The backend pushes the new lists (subscriptionRequestsChanged, messageRequestsChanged,
  // rosterChanged) after each of these; answered requests are also dropped locally at once so
  // their buttons cannot be pressed twice while the event is on its way.
  const dropSubscriptionRequest = (jid: string) =>
    setState("subscriptionRequests", (list) => list.filter((r) => r.jid !== jid));
  const dropMessageRequest = (jid: string) =>
    setState("messageRequests", (list) => list.filter((r) => r.jid !== jid));

  return {
    state,
    avatarUrl,
    load,
    reset,
    isBlocked: (jid: string) => state.blocked.includes(jid),
    setSubscriptionRequests: (r: SubscriptionRequest[]) =>
      setState("subscriptionRequests", reconcile(r, { key: "jid" })),
    setMessageRequests: (r: MessageRequest[]) =>
      setState("messageRequests", reconcile(r, { key: "jid" })),
    setBlocked: (jids: string[]) => {
      blockedVersion += 1;
      setState("blocked", jids);
    },

    /** **Add contact**: roster item plus a subscription request. */
    addContact: (address: string, name: string, group: string) =>
      api.addContact(address, name, group),
    renameContact: (jid: string, name: string) => api.renameContact(jid, name),
    setContactGroups: (jid: string, groups: string[]) => api.setContactGroups(jid, groups),
    removeContact: (jid: string) => api.removeContact(jid),
    /** Lets them see our status (and asks to see theirs). */
    async acceptSubscription(jid: string) {
      await api.acceptSubscription(jid);
      dropSubscriptionRequest(jid);
    },
    async declineSubscription(jid: string) {
      await api.declineSubscription(jid);
      dropSubscriptionRequest(jid);
    },
    async block(jid: string) {
      await api.blockContact(jid);
      dropSubscriptionRequest(jid);
      dropMessageRequest(jid);
    },
    unblock: (jid: string) => api.unblockContact(jid),
  };
}

export type PeopleStore = ReturnType<typeof createPeopleStore>;
