//! History sync without a server: the catch-up (bounded, gaps, held live messages, read
//! positions), older pages and gap fills, search pages, and the look-up of doubtful messages.

use super::*;
use crate::live::iq::Answered;
use crate::live::testing::{insert, message, row, xml, Bench, ME};
use crate::outbox::Outbox;
use crate::people::state::Me;
use hallway_model::{DeliveryState, Direction};
use hallway_protocol::chat::ServerFacts;
use tokio_xmpp::minidom::Element;

struct T {
    b: Bench,
    sync: ArchiveSync,
    chats: Chats,
    people: People,
    outbox: Outbox,
}

impl T {
    fn new(limit: usize) -> T {
        let b = Bench::new();
        let people = People::new(&b.store, ME, Me::default());
        T {
            b,
            sync: ArchiveSync::new(limit),
            chats: Chats::new(ServerFacts { stanza_ids: true }, 0),
            people,
            outbox: Outbox::default(),
        }
    }

    /// A live chat message as the session hands it over (parsed, not stored yet).
    fn live(&mut self, xml: &str) -> ChatMessage {
        match self.chats.on_message(
            &mut self.b.cx(),
            &self.people,
            &mut self.outbox,
            message(xml),
        ) {
            crate::chats::incoming::Arrived::Chat(c) => c,
            _ => panic!("not a chat message"),
        }
    }

    /// The archive queries sent since last asked: (query id, the `<query/>`).
    fn queries(&mut self) -> Vec<(String, Element)> {
        self.b
            .sent()
            .into_iter()
            .filter_map(|iq| {
                let q = iq.get_child("query", "urn:xmpp:mam:2")?.clone();
                Some((q.attr("queryid")?.to_string(), q))
            })
            .collect()
    }

    fn result(&mut self, qid: &str, id: &str, from: &str, body: &str, stamp: i64) {
        self.sync.on_result(ArchivedMessage {
            query_id: qid.into(),
            archive_id: id.into(),
            stamp_ms: Some(stamp),
            message: message(&format!(
                "<message from='{from}' to='bob@x.org' type='chat' id='{id}-x'><body>{body}</body>\
                 <origin-id xmlns='urn:xmpp:sid:0' id='{id}-o'/></message>"
            )),
        });
    }

    fn fin(&mut self, qid: &str, complete: bool, first: Option<&str>, last: Option<&str>) -> Ended {
        let fin = Fin {
            complete,
            first: first.map(String::from),
            last: last.map(String::from),
        };
        let mut cx = self.b.cx();
        self.sync.on_fin(
            &mut cx,
            &mut self.chats,
            &mut self.people,
            &mut self.outbox,
            qid,
            fin,
        )
    }
}

/// `<before/>` / `<after/>` of a query's RSM set, and its `with`.
fn rsm(q: &Element, name: &str) -> Option<String> {
    q.get_child("set", "http://jabber.org/protocol/rsm")?
        .get_child(name, "http://jabber.org/protocol/rsm")
        .map(|e| e.text())
}

fn field(q: &Element, var: &str) -> Option<String> {
    q.get_child("x", "jabber:x:data")?
        .children()
        .find(|f| f.attr("var") == Some(var))
        .and_then(|f| f.get_child("value", "jabber:x:data"))
        .map(|v| v.text())
}

#[test]
fn a_catch_up_holds_live_messages_until_the_archive_is_stored() {
    let mut t = T::new(1000);
    t.b.store.set_archive_newest(ME, "A0", 10).unwrap();
    t.sync.catch_up(&mut t.b.cx());
    let [(qid, q)] = &t.queries()[..] else {
        panic!()
    };
    assert_eq!(rsm(q, "after").as_deref(), Some("A0"));
    assert!(t.sync.holding());
    // A live message meanwhile waits; the archive's older ones go first.
    let live = t.live("<message from='bob@x.org/r' type='chat'><body>live</body></message>");
    t.sync.hold(live);
    let qid = qid.clone();
    t.result(&qid, "A1", "bob@x.org/r", "from the archive", 20);
    assert_eq!(t.fin(&qid, true, Some("A1"), Some("A1")), Ended::CaughtUp);
    assert!(!t.sync.holding());
    let bodies: Vec<String> =
        t.b.store
            .history(ME, "bob@x.org", None, 10)
            .unwrap()
            .into_iter()
            .map(|m| m.body)
            .collect();
    assert_eq!(bodies, vec!["from the archive", "live"]);
    assert_eq!(t.b.store.archive_newest(ME).unwrap().unwrap().0, "A1");
    // Then our read positions are asked for, and notifications wait for them.
    let sent: Vec<String> = t.b.sent().iter().map(xml).collect();
    assert!(
        sent.iter().any(|s| s.contains("urn:xmpp:mds:displayed:0")),
        "{sent:?}"
    );
}

#[test]
fn a_catch_up_pages_back_until_it_meets_our_newest_and_stops_at_its_bound() {
    let mut t = T::new(3);
    t.b.store.set_archive_newest(ME, "A0", 10).unwrap();
    t.b.stored("bob@x.org", Direction::Incoming, "had", "h");
    t.sync.catch_up(&mut t.b.cx());
    let (q1, _) = t.queries().remove(0);
    t.result(&q1, "A5", "bob@x.org/r", "five", 50);
    t.result(&q1, "A6", "bob@x.org/r", "six", 60);
    assert_eq!(t.fin(&q1, false, Some("A5"), Some("A6")), Ended::Nothing);
    let (q2, page2) = t.queries().remove(0);
    assert_eq!(
        rsm(&page2, "before").as_deref(),
        Some("A5"),
        "the page before"
    );
    t.result(&q2, "A3", "bob@x.org/r", "three", 30);
    t.result(&q2, "A4", "bob@x.org/r", "four", 40);
    // Four messages: past the bound of three, and A0 not met: a gap is recorded.
    assert_eq!(t.fin(&q2, false, Some("A3"), Some("A4")), Ended::CaughtUp);
    let bodies: Vec<String> =
        t.b.store
            .history(ME, "bob@x.org", None, 10)
            .unwrap()
            .into_iter()
            .map(|m| m.body)
            .collect();
    assert_eq!(bodies, vec!["had", "three", "four", "five", "six"]);
    let gaps =
        t.b.store
            .archive_gaps(ME, "bob@x.org", i64::MIN, i64::MAX)
            .unwrap();
    assert_eq!(gaps.len(), 1);
    assert_eq!((gaps[0].start_ts, gaps[0].end_ts), (10, 30));
}

#[test]
fn a_catch_up_after_an_expired_id_starts_again_from_the_newest() {
    let mut t = T::new(1000);
    t.b.store.set_archive_newest(ME, "gone", 10).unwrap();
    t.sync.catch_up(&mut t.b.cx());
    let (qid, _) = t.queries().remove(0);
    let ended = t.sync.on_error(
        &mut t.b.cx(),
        &mut t.chats,
        &mut t.people,
        &qid,
        "ItemNotFound".into(),
    );
    assert_eq!(ended, Ended::Nothing);
    let (_, q) = t.queries().remove(0);
    assert_eq!(rsm(&q, "after"), None);
    assert_eq!(rsm(&q, "before").as_deref(), Some(""));
    assert!(t.sync.holding(), "still catching up");
}

#[test]
fn older_history_is_stored_before_the_page_and_the_reply_waits_for_it() {
    let mut t = T::new(1000);
    t.b.stored("bob@x.org", Direction::Incoming, "newest", "n");
    let (tx, mut rx) = tokio::sync::oneshot::channel();
    let request = ArchiveRequest {
        peer: "bob@x.org".into(),
        start_ms: None,
        end_ms: Some(1_000_000),
        max: 50,
        gap: None,
        before_id: None,
        anchor_ord: None,
    };
    t.sync.fetch_older(&mut t.b.cx(), request, tx);
    let (qid, q) = t.queries().remove(0);
    assert_eq!(field(&q, "with").as_deref(), Some("bob@x.org"));
    assert!(rx.try_recv().is_err());
    t.result(&qid, "A1", "bob@x.org/r", "older", 5);
    t.fin(&qid, true, Some("A1"), Some("A1"));
    // The reply goes only after the batch with the page has gone to the window.
    assert!(rx.try_recv().is_err(), "not before the flush");
    assert!(t.b.out.flush_now);
    for r in std::mem::take(&mut t.b.out.history_done) {
        r.send(Ok(())).unwrap();
    }
    assert_eq!(rx.try_recv().unwrap(), Ok(()));
    let bodies: Vec<String> =
        t.b.store
            .history(ME, "bob@x.org", None, 10)
            .unwrap()
            .into_iter()
            .map(|m| m.body)
            .collect();
    assert_eq!(bodies, vec!["older", "newest"]);
    assert!(
        t.b.store.archive_complete(ME, "bob@x.org").unwrap(),
        "the archive has no more"
    );
}

#[test]
fn pages_of_nothing_new_are_walked_through_but_not_for_ever() {
    let mut t = T::new(1000);
    let (tx, _rx) = tokio::sync::oneshot::channel();
    let request = ArchiveRequest {
        peer: "bob@x.org".into(),
        start_ms: None,
        end_ms: None,
        max: 50,
        gap: None,
        before_id: Some("B9".into()),
        anchor_ord: None,
    };
    t.b.stored("bob@x.org", Direction::Incoming, "dup", "A1-o");
    t.sync.fetch_older(&mut t.b.cx(), request, tx);
    for _ in 0..MAX_DUPLICATE_PAGES + 3 {
        let Some((qid, _)) = t.queries().pop() else {
            break;
        };
        t.sync.on_result(ArchivedMessage {
            query_id: qid.clone(),
            archive_id: "A1".into(),
            stamp_ms: Some(5),
            message: message("<message from='bob@x.org/r' to='me@x.org' type='chat'><body>dup</body><origin-id xmlns='urn:xmpp:sid:0' id='A1-o'/></message>"),
        });
        t.fin(&qid, false, Some("A1"), Some("A1"));
    }
    assert!(t.queries().is_empty());
}

#[test]
fn a_search_page_is_handed_back_as_it_is_with_where_older_matches_start() {
    let mut t = T::new(1000);
    let (tx, mut rx) = tokio::sync::oneshot::channel();
    t.sync.search(
        &mut t.b.cx(),
        ArchiveQuery {
            max: 20,
            ..Default::default()
        },
        tx,
    );
    let (qid, _) = t.queries().remove(0);
    t.result(&qid, "S1", "bob@x.org/r", "budget", 5);
    t.fin(&qid, false, Some("S1"), Some("S1"));
    let page = rx.try_recv().unwrap().unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.older.as_deref(), Some("S1"));
    assert!(
        t.b.store
            .history(ME, "bob@x.org", None, 10)
            .unwrap()
            .is_empty(),
        "nothing stored"
    );
}

#[test]
fn doubtful_messages_found_in_our_archive_are_sent_and_the_rest_go_again() {
    let mut t = T::new(1000);
    let mut outbox = Outbox::default();
    for body in ["one", "two"] {
        let origin = format!("{body}-o");
        let new = row(
            "bob@x.org",
            Direction::Outgoing,
            body,
            &origin,
            1,
            DeliveryState::Pending,
        );
        insert(&t.b.store, &new);
    }
    let sent = outbox.pump(&t.b.store, ME, None, 5_000, &|_| false);
    assert_eq!(sent.len(), 1);
    let doubts = outbox.on_reset(&t.b.store, ME, &[sent[0].message.id].into());
    t.outbox = outbox;
    t.sync
        .verify(&mut t.b.cx(), doubts.into_iter().next().unwrap());
    let (qid, q) = t.queries().remove(0);
    assert_eq!(field(&q, "with").as_deref(), Some("bob@x.org"));
    assert!(field(&q, "start").is_some());
    // Page one has other traffic; page two has our "one".
    t.result(&qid, "X1", "bob@x.org/r", "unrelated", 10);
    assert_eq!(t.fin(&qid, false, Some("X1"), Some("X1")), Ended::Nothing);
    let (q2, page2) = t.queries().remove(0);
    assert_eq!(rsm(&page2, "after").as_deref(), Some("X1"));
    t.sync.on_result(ArchivedMessage {
        query_id: q2.clone(),
        archive_id: "X2".into(),
        stamp_ms: Some(11),
        message: message("<message from='me@x.org/desk' to='bob@x.org' type='chat'><body>one</body><origin-id xmlns='urn:xmpp:sid:0' id='one-o'/></message>"),
    });
    assert_eq!(
        t.fin(&q2, true, Some("X2"), Some("X2")),
        Ended::Verified("bob@x.org".into())
    );
    let states: Vec<DeliveryState> =
        t.b.store
            .history(ME, "bob@x.org", None, 10)
            .unwrap()
            .into_iter()
            .map(|m| m.state)
            .collect();
    assert_eq!(states, vec![DeliveryState::Sent, DeliveryState::Pending]);
}

#[test]
fn without_an_archive_the_doubt_ends_and_everything_goes_again() {
    let mut t = T::new(1000);
    let doubt = crate::outbox::Doubt {
        peer: "bob@x.org".into(),
        since_ms: 1,
        origin_ids: ["x".to_string()].into(),
    };
    t.sync.verify(&mut t.b.cx(), doubt);
    let (qid, _) = t.queries().remove(0);
    let ended = t.sync.on_error(
        &mut t.b.cx(),
        &mut t.chats,
        &mut t.people,
        &qid,
        "FeatureNotImplemented".into(),
    );
    assert_eq!(ended, Ended::Verified("bob@x.org".into()));
}

#[test]
fn a_reset_fails_what_waited_and_keeps_held_messages_held() {
    let mut t = T::new(1000);
    let (tx, mut rx) = tokio::sync::oneshot::channel();
    t.sync.search(&mut t.b.cx(), ArchiveQuery::default(), tx);
    t.sync.catch_up(&mut t.b.cx());
    t.sync.on_reset();
    assert!(rx.try_recv().unwrap().is_err());
    assert!(t.sync.holding());
    // The archive ids of the old stream are no longer routed.
    let qids: Vec<String> = t.queries().into_iter().map(|(q, _)| q).collect();
    for q in qids {
        assert_eq!(t.fin(&q, true, None, None), Ended::Nothing);
    }
    let _ = Answered::<()>::Unknown;
}

#[test]
fn a_failed_first_catch_up_lets_held_live_messages_through() {
    let mut t = T::new(1000);
    t.sync.catch_up(&mut t.b.cx());
    let (qid, q) = t.queries().remove(0);
    assert_eq!(rsm(&q, "after"), None, "nothing stored yet: newest pages");
    let live = t.live("<message from='bob@x.org/r' type='chat'><body>live</body></message>");
    t.sync.hold(live);
    // A second catch-up while one runs is not started.
    t.sync.catch_up(&mut t.b.cx());
    assert!(t.queries().is_empty());
    let mut cx = t.b.cx();
    let ended = t.sync.on_error(
        &mut cx,
        &mut t.chats,
        &mut t.people,
        &qid,
        "internal-server-error".into(),
    );
    assert_eq!(ended, Ended::Nothing);
    assert!(!t.sync.holding());
    let stored = t.b.store.history(ME, "bob@x.org", None, 10).unwrap();
    assert_eq!(stored.len(), 1, "the live message is not lost");
}

#[test]
fn paging_from_an_id_the_archive_forgot_falls_back_to_the_time_bounds() {
    let mut t = T::new(1000);
    let (tx, mut rx) = tokio::sync::oneshot::channel();
    let request = ArchiveRequest {
        peer: "bob@x.org".into(),
        start_ms: Some(1_000),
        end_ms: Some(9_000),
        max: 500,
        gap: None,
        before_id: Some("gone".into()),
        anchor_ord: None,
    };
    t.sync.fetch_older(&mut t.b.cx(), request, tx);
    let (qid, q) = t.queries().remove(0);
    assert_eq!(rsm(&q, "before").as_deref(), Some("gone"));
    let page = ARCHIVE_PAGE.to_string();
    assert_eq!(rsm(&q, "max"), Some(page), "one page at most");
    let mut cx = t.b.cx();
    t.sync.on_error(
        &mut cx,
        &mut t.chats,
        &mut t.people,
        &qid,
        "item-not-found".into(),
    );
    let (_, again) = t.queries().remove(0);
    assert_eq!(
        rsm(&again, "before").as_deref(),
        Some(""),
        "the newest page"
    );
    assert!(field(&again, "start").is_some() && field(&again, "end").is_some());
    assert!(rx.try_recv().is_err(), "no answer yet: the second try runs");
}

#[test]
fn a_failed_search_says_why_and_strangers_results_are_dropped() {
    let mut t = T::new(1000);
    let (tx, mut rx) = tokio::sync::oneshot::channel();
    t.sync.search(&mut t.b.cx(), ArchiveQuery::default(), tx);
    let (qid, _) = t.queries().remove(0);
    // Results naming a query we never sent are not ours to keep, and its fin ends nothing.
    t.result("forged", "F1", "eve@x.org/r", "spam", 5);
    assert_eq!(t.fin("forged", true, None, None), Ended::Nothing);
    let mut cx = t.b.cx();
    t.sync.on_error(
        &mut cx,
        &mut t.chats,
        &mut t.people,
        &qid,
        "feature-not-implemented".into(),
    );
    assert_eq!(
        rx.try_recv().unwrap().unwrap_err(),
        "feature-not-implemented"
    );
    assert!(t
        .b
        .store
        .history(ME, "eve@x.org", None, 10)
        .unwrap()
        .is_empty());
}

#[test]
fn an_unanswered_catch_up_lets_live_messages_through_but_keeps_the_pointer() {
    let mut t = T::new(1000);
    t.b.store.set_archive_newest(ME, "A0", 10).unwrap();
    t.sync.catch_up(&mut t.b.cx());
    let (qid, _) = t.queries().remove(0);
    let live = t.live("<message from='bob@x.org/r' type='chat'><body>live</body><stanza-id xmlns='urn:xmpp:sid:0' by='me@x.org' id='L1'/></message>");
    t.sync.hold(live);
    let mut cx = t.b.cx();
    let ended = t
        .sync
        .on_timeout(&mut cx, &mut t.chats, &mut t.people, &qid);
    assert_eq!(ended, Ended::Nothing);
    assert!(!t.sync.holding());
    assert_eq!(
        t.b.store.history(ME, "bob@x.org", None, 10).unwrap().len(),
        1
    );
    // Not retried, and the next catch-up starts where this one should have.
    assert!(t.queries().is_empty());
    assert!(!t.sync.pointer_free());
    assert_eq!(t.b.store.archive_newest(ME).unwrap().unwrap().0, "A0");
}

#[test]
fn unanswered_history_requests_and_searches_are_told_so_once() {
    let mut t = T::new(1000);
    let (tx, mut older) = tokio::sync::oneshot::channel();
    let request = ArchiveRequest {
        peer: "bob@x.org".into(),
        start_ms: None,
        end_ms: None,
        max: 50,
        gap: None,
        before_id: Some("B1".into()),
        anchor_ord: None,
    };
    t.sync.fetch_older(&mut t.b.cx(), request, tx);
    let (tx, mut search) = tokio::sync::oneshot::channel();
    t.sync.search(&mut t.b.cx(), ArchiveQuery::default(), tx);
    for (qid, _) in t.queries() {
        let mut cx = t.b.cx();
        t.sync
            .on_timeout(&mut cx, &mut t.chats, &mut t.people, &qid);
    }
    assert!(older
        .try_recv()
        .unwrap()
        .unwrap_err()
        .contains("did not answer"));
    assert!(search
        .try_recv()
        .unwrap()
        .unwrap_err()
        .contains("did not answer"));
    // Paging by id is not retried by time after the caller gave up.
    assert!(t.queries().is_empty());
}

#[test]
fn messages_held_when_the_session_ends_are_stored_without_moving_the_pointer() {
    let mut t = T::new(1000);
    t.b.store.set_archive_newest(ME, "A0", 10).unwrap();
    t.sync.catch_up(&mut t.b.cx());
    let live = t.live("<message from='bob@x.org/r' type='chat'><body>just before quit</body><stanza-id xmlns='urn:xmpp:sid:0' by='me@x.org' id='L2'/></message>");
    t.sync.hold(live);
    let mut cx = t.b.cx();
    t.sync
        .release_live_at_end(&mut cx, &mut t.chats, &mut t.people);
    let stored = t.b.store.history(ME, "bob@x.org", None, 10).unwrap();
    assert_eq!(stored[0].body, "just before quit");
    assert_eq!(t.b.store.archive_newest(ME).unwrap().unwrap().0, "A0");
}
