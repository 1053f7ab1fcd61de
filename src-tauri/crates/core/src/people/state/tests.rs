//! The people part without a server: roster, presence merging and its caps, subscription
//! requests, blocking, avatars and message requests.

use super::*;
use hallway_model::{DeliveryState, Direction, Subscription};
use hallway_protocol::xep0060_pubsub::Notification;
use hallway_protocol::xep0191_blocking::Push;

const ME: &str = "me@x.org";

struct T {
    store: Store,
    people: People,
    out: Out,
    batch: Batcher,
    now: Instant,
}

impl T {
    fn new() -> T {
        let store = Store::open_in_memory().unwrap();
        let people = People::new(&store, ME, Me::default());
        T {
            store,
            people,
            out: Out::default(),
            batch: Batcher::default(),
            now: Instant::now(),
        }
    }

    fn roster(&mut self, items: &[(&str, Subscription, bool)]) {
        let items = items
            .iter()
            .map(|(jid, subscription, pending_out)| RosterItem {
                jid: jid.to_string(),
                name: None,
                groups: Vec::new(),
                subscription: *subscription,
                pending_out: *pending_out,
                removed: false,
            })
            .collect();
        self.people
            .on_roster(&self.store, items, &mut self.out, &mut self.batch, self.now);
    }

    fn presence(&mut self, xml: &str) {
        let p = Presence::try_from(
            format!("<presence xmlns='jabber:client' {xml}")
                .parse::<tokio_xmpp::minidom::Element>()
                .unwrap(),
        )
        .unwrap();
        self.people.on_presence(
            &self.store,
            &p,
            &mut self.out,
            &mut self.batch,
            self.now,
            1_000_000,
        );
    }

    fn flushed_presence(&mut self) -> Vec<PresenceUpdate> {
        let name = |j: &str| j.to_string();
        let cx = crate::live::batch::FlushContext {
            store: &self.store,
            account: ME,
            notify: Default::default(),
            name: &name,
            requests: &Vec::new,
            rooms: &Vec::new,
            occupants: &|_| Vec::new(),
        };
        self.batch
            .flush(&cx)
            .into_iter()
            .flat_map(|e| match e {
                CoreEvent::PresencesChanged(u) => u,
                _ => Vec::new(),
            })
            .collect()
    }

    fn events(&mut self) -> Vec<CoreEvent> {
        std::mem::take(&mut self.out.events)
    }
}

#[test]
fn the_fetched_roster_is_the_contact_list() {
    let mut t = T::new();
    assert!(!t.people.roster_loaded());
    t.roster(&[("bob@x.org", Subscription::Both, false)]);
    assert!(t.people.roster_loaded() && t.people.in_roster("bob@x.org"));
    let ev = t.events();
    let [CoreEvent::RosterChanged(contacts)] = &ev[..] else {
        panic!("{ev:?}")
    };
    assert_eq!(contacts[0].display_name, "bob");
    assert_eq!(contacts[0].presence, PresenceShow::Offline);
}

#[test]
fn only_contacts_presence_is_kept_and_merged_most_available_first() {
    let mut t = T::new();
    t.roster(&[("bob@x.org", Subscription::Both, false)]);
    t.flushed_presence();
    t.presence("from='bob@x.org/phone'><show>away</show><priority>5</priority></presence>");
    t.presence("from='bob@x.org/desk'><status>At my desk</status></presence>");
    // A stranger and our own other device change nothing.
    t.presence("from='eve@y.org/pc'/>");
    t.presence("from='me@x.org/laptop'/>");
    let updates = t.flushed_presence();
    assert_eq!(updates.len(), 1);
    assert_eq!(updates[0].presence, PresenceShow::Available);
    assert_eq!(updates[0].status.as_deref(), Some("At my desk"));
    let d = t.people.details("bob@x.org");
    assert_eq!(
        d.devices
            .iter()
            .map(|d| d.resource.as_str())
            .collect::<Vec<_>>(),
        vec!["desk", "phone"]
    );
    assert!(t.people.details("eve@y.org").devices.is_empty());
}

#[test]
fn a_contact_announcing_many_devices_is_capped() {
    let mut t = T::new();
    t.roster(&[("bob@x.org", Subscription::Both, false)]);
    for i in 0..40 {
        t.presence(&format!("from='bob@x.org/r{i}'/>"));
    }
    assert_eq!(t.people.details("bob@x.org").devices.len(), MAX_RESOURCES);
    // A very long status is cut.
    t.presence(&format!(
        "from='bob@x.org/r0'><status>{}</status></presence>",
        "x".repeat(5000)
    ));
    let s = t
        .people
        .details("bob@x.org")
        .devices
        .into_iter()
        .find(|d| d.resource == "r0")
        .unwrap();
    assert_eq!(s.status.unwrap().chars().count(), MAX_STATUS);
}

#[test]
fn going_offline_records_last_seen_which_never_goes_back() {
    let mut t = T::new();
    t.roster(&[("bob@x.org", Subscription::Both, false)]);
    t.presence("from='bob@x.org/phone'/>");
    t.presence("from='bob@x.org/phone' type='unavailable'/>");
    let d = t.people.details("bob@x.org");
    assert_eq!(d.last_seen, Some(1_000_000));
    assert_eq!(
        t.store.contact_infos(ME).unwrap()["bob@x.org"].last_seen,
        Some(1_000_000)
    );
    t.people.remember_last_seen(&t.store, "bob@x.org", 10);
    assert_eq!(t.people.details("bob@x.org").last_seen, Some(1_000_000));
    let updates = t.flushed_presence();
    assert_eq!(updates.last().unwrap().presence, PresenceShow::Offline);
}

#[test]
fn subscription_requests_wait_unless_they_answer_ours() {
    let mut t = T::new();
    t.roster(&[("carol@x.org", Subscription::None, true)]);
    t.events();
    t.presence("from='dave@y.org' type='subscribe'><nick xmlns='http://jabber.org/protocol/nick'>Dave D</nick></presence>");
    let reqs = t.people.subscription_requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].display_name, "Dave D");
    assert!(matches!(
        t.events()[..],
        [CoreEvent::SubscriptionRequestsChanged(_)]
    ));
    // Carol answers our own request with hers: approved at once, never shown.
    t.presence("from='carol@x.org' type='subscribe'/>");
    assert_eq!(t.people.subscription_requests().len(), 1);
    let sent: Vec<String> = t.out.send.iter().map(|s| format!("{s:?}")).collect();
    assert!(
        sent.iter()
            .any(|s| s.contains("carol@x.org") && s.contains("Subscribed")),
        "{sent:?}"
    );
    // Once the roster says Dave sees us (accepted on another device), the request goes.
    t.people.on_roster_push(
        &t.store,
        vec![RosterItem {
            jid: "dave@y.org".into(),
            name: None,
            groups: Vec::new(),
            subscription: Subscription::From,
            pending_out: false,
            removed: false,
        }],
        &mut t.out,
        &mut t.batch,
        t.now,
    );
    assert!(t.people.subscription_requests().is_empty());
}

#[test]
fn a_flood_of_subscription_requests_is_capped() {
    let mut t = T::new();
    for i in 0..MAX_SUB_REQUESTS + 20 {
        t.presence(&format!("from='s{i}@y.org' type='subscribe'/>"));
    }
    assert_eq!(t.people.subscription_requests().len(), MAX_SUB_REQUESTS);
}

#[test]
fn blocking_hides_presence_and_requests_and_unblocking_asks_again() {
    let mut t = T::new();
    t.roster(&[("bob@x.org", Subscription::Both, false)]);
    t.presence("from='bob@x.org/phone'/>");
    t.presence("from='eve@y.org' type='subscribe'/>");
    t.flushed_presence();
    t.events();
    t.people.on_block_push(
        &t.store,
        Push::Blocked(vec!["bob@x.org".into(), "eve@y.org".into()]),
        &mut t.out,
        &mut t.batch,
        t.now,
    );
    assert!(t.people.blocked().contains(&"bob@x.org".to_string()));
    assert!(t.people.subscription_requests().is_empty());
    assert_eq!(t.flushed_presence()[0].presence, PresenceShow::Offline);
    let ev = t.events();
    assert!(ev
        .iter()
        .any(|e| matches!(e, CoreEvent::BlocklistChanged(l) if l.len() == 2)));
    assert!(ev
        .iter()
        .any(|e| matches!(e, CoreEvent::RosterChanged(c) if c[0].blocked)));
    // Blocked: their presence is ignored. Unblocked: we ask for it (XEP-0191 §3.4).
    t.presence("from='bob@x.org/phone'/>");
    assert!(t.people.details("bob@x.org").devices.is_empty());
    t.out.send.clear();
    t.people.on_block_push(
        &t.store,
        Push::Unblocked(Vec::new()),
        &mut t.out,
        &mut t.batch,
        t.now,
    );
    assert!(t.people.blocked().is_empty());
    let sent: Vec<String> = t.out.send.iter().map(|s| format!("{s:?}")).collect();
    assert!(
        sent.iter()
            .any(|s| s.contains("Probe") && s.contains("bob@x.org")),
        "{sent:?}"
    );
    // An unchanged list from a fresh session does not resend the roster.
    t.events();
    t.people
        .set_blocklist(&t.store, BTreeSet::new(), &mut t.out, &mut t.batch, t.now);
    assert!(matches!(t.events()[..], [CoreEvent::BlocklistChanged(_)]));
}

fn avatar_event(from: &str, hash: &str) -> Notification {
    let item = format!(
        "<item xmlns='http://jabber.org/protocol/pubsub#event' id='{hash}'><metadata xmlns='urn:xmpp:avatar:metadata'>\
         <info id='{hash}' bytes='100' type='image/png'/></metadata></item>"
    );
    let el: tokio_xmpp::minidom::Element = format!(
        "<message xmlns='jabber:client' from='{from}'><event xmlns='http://jabber.org/protocol/pubsub#event'>\
         <items node='urn:xmpp:avatar:metadata'>{item}</items></event></message>"
    )
    .parse()
    .unwrap();
    let m = tokio_xmpp::parsers::message::Message::try_from(el).unwrap();
    hallway_protocol::xep0060_pubsub::parse_event(&m).unwrap()
}

#[test]
fn avatars_are_fetched_for_contacts_once_and_late_fetches_are_ignored() {
    let mut t = T::new();
    t.roster(&[("bob@x.org", Subscription::Both, false)]);
    t.events();
    let h1 = "a".repeat(40);
    let h2 = "b".repeat(40);
    t.people
        .on_avatar_event(&t.store, &avatar_event("bob@x.org", &h1), &mut t.out);
    t.people
        .on_avatar_event(&t.store, &avatar_event("bob@x.org", &h1), &mut t.out);
    t.people
        .on_avatar_event(&t.store, &avatar_event("eve@y.org", &h1), &mut t.out);
    assert_eq!(t.out.avatar_jobs.len(), 1, "one fetch, none for a stranger");
    // A newer announcement before the first fetch ended: the first result is stale.
    t.people
        .on_avatar_event(&t.store, &avatar_event("bob@x.org", &h2), &mut t.out);
    t.people
        .avatar_stored(&t.store, "bob@x.org", Some(h1.clone()), &mut t.out);
    assert!(t.events().is_empty());
    t.people
        .avatar_stored(&t.store, "bob@x.org", Some(h2.clone()), &mut t.out);
    assert!(
        matches!(&t.events()[..], [CoreEvent::AvatarChanged { avatar: Some(h), .. }] if *h == h2)
    );
    assert_eq!(
        t.store.contact_infos(ME).unwrap()["bob@x.org"]
            .avatar
            .as_deref(),
        Some(h2.as_str())
    );
}

#[test]
fn our_avatar_changed_on_another_device_goes_into_our_presence() {
    let mut t = T::new();
    let h = "c".repeat(40);
    t.people
        .on_avatar_event(&t.store, &avatar_event(ME, &h), &mut t.out);
    assert_eq!(t.out.avatar_jobs.len(), 1);
    t.people
        .avatar_stored(&t.store, ME, Some(h.clone()), &mut t.out);
    assert!(t.people.presence_dirty);
    let p: tokio_xmpp::minidom::Element = t.people.own_presence().into();
    let xml = String::from(&p);
    assert!(xml.contains(&h), "{xml}");
}

#[test]
fn people_outside_the_roster_who_wrote_are_requests() {
    let mut t = T::new();
    t.roster(&[("bob@x.org", Subscription::Both, false)]);
    for (peer, body) in [
        ("eve@y.org", "hello?"),
        ("bob@x.org", "hi"),
        ("mal@y.org", "spam"),
    ] {
        t.store
            .insert_message(
                ME,
                &crate::live::testing::row(
                    peer,
                    Direction::Incoming,
                    body,
                    body,
                    5,
                    DeliveryState::Received,
                ),
            )
            .unwrap();
        t.people.note_incoming(peer, &mut t.batch, t.now);
    }
    t.people.on_block_push(
        &t.store,
        Push::Blocked(vec!["mal@y.org".into()]),
        &mut t.out,
        &mut t.batch,
        t.now,
    );
    let reqs = t.people.message_requests(&t.store);
    assert_eq!(reqs.len(), 1);
    assert_eq!(
        (reqs[0].jid.as_str(), reqs[0].last_body.as_str()),
        ("eve@y.org", "hello?")
    );
}

#[test]
fn a_fresh_session_forgets_presence_and_requests() {
    let mut t = T::new();
    t.roster(&[("bob@x.org", Subscription::Both, false)]);
    t.presence("from='bob@x.org/phone'/>");
    t.presence("from='eve@y.org' type='subscribe'/>");
    t.flushed_presence();
    t.events();
    t.people.on_reset(&mut t.out, &mut t.batch, t.now);
    assert_eq!(t.flushed_presence()[0].presence, PresenceShow::Offline);
    assert!(t.people.subscription_requests().is_empty());
    assert!(
        matches!(t.events()[..], [CoreEvent::SubscriptionRequestsChanged(ref r)] if r.is_empty())
    );
}
