//! Unit tests of the iq router: matching answers by id and sender, timeouts, namespaces.

use super::*;

fn account() -> BareJid {
    BareJid::new("me@x.org").unwrap()
}

fn jid(s: &str) -> Jid {
    Jid::new(s).unwrap()
}

fn result(id: &str, from: Option<&str>) -> Iq {
    Iq::Result {
        from: from.map(jid),
        to: None,
        id: id.into(),
        payload: Some(Element::builder("query", "urn:test").build()),
    }
}

fn get(id: &str, to: Option<&str>) -> Iq {
    Iq::Get {
        from: None,
        to: to.map(jid),
        id: id.into(),
        payload: Element::builder("query", "urn:test").build(),
    }
}

fn router() -> IqRouter<&'static str> {
    IqRouter::new(Vec::new())
}

#[test]
fn own_iqs_are_answered_by_our_server_only() {
    let mut r = router();
    let id = r.next_id("roster");
    assert_eq!(id, "hw-roster-1");
    r.track_own(id.clone(), "roster", Instant::now());
    assert!(matches!(
        r.on_answer(result(&id, Some("mallory@x.org/a")), &account()),
        Answered::Spoofed
    ));
    // Still waiting: the real answer (no `from`: the server) is taken.
    assert!(matches!(
        r.on_answer(result(&id, None), &account()),
        Answered::Own("roster", Ok(Some(_)))
    ));
    assert!(matches!(
        r.on_answer(result(&id, None), &account()),
        Answered::Unknown
    ));
    // From our domain or our bare JID is the server too.
    r.track_own("a".into(), "x", Instant::now());
    assert!(matches!(
        r.on_answer(result("a", Some("x.org")), &account()),
        Answered::Own("x", _)
    ));
    r.track_own("b".into(), "y", Instant::now());
    assert!(matches!(
        r.on_answer(result("b", Some("me@x.org")), &account()),
        Answered::Own("y", _)
    ));
}

#[tokio::test]
async fn app_requests_are_answered_from_where_they_went() {
    let mut r = router();
    let (tx, rx) = oneshot::channel();
    r.track_app(&get("q1", Some("bob@x.org/phone")), tx, Instant::now());
    // The server answering for a contact's device is not the device.
    assert!(matches!(
        r.on_answer(result("q1", None), &account()),
        Answered::Spoofed
    ));
    assert!(matches!(
        r.on_answer(result("q1", Some("bob@x.org/phone")), &account()),
        Answered::App
    ));
    assert!(rx.await.unwrap().unwrap().is_some());
    // A refusal carries its condition and text.
    let (tx, rx) = oneshot::channel();
    r.track_app(&get("q2", None), tx, Instant::now());
    let error = Iq::Error {
        from: None,
        to: None,
        id: "q2".into(),
        error: StanzaError::new(
            tokio_xmpp::parsers::stanza_error::ErrorType::Cancel,
            tokio_xmpp::parsers::stanza_error::DefinedCondition::ItemNotFound,
            "en",
            "gone",
        ),
        payload: None,
    };
    assert!(matches!(r.on_answer(error, &account()), Answered::App));
    assert_eq!(
        rx.await.unwrap(),
        Err(RequestError::Refused(
            "ItemNotFound".into(),
            Some("gone".into())
        ))
    );
}

#[tokio::test]
async fn iqs_time_out_and_a_reset_fails_app_requests() {
    let mut r = router();
    let start = Instant::now();
    let (tx, rx) = oneshot::channel();
    r.track_app(&get("q1", None), tx, start);
    r.track_own("o1".into(), "carbons", start);
    r.track_own("o2".into(), "roster", start + Duration::from_secs(20));
    assert!(r.expire(start + Duration::from_secs(29)).is_empty());
    assert_eq!(r.expire(start + IQ_TIMEOUT), vec!["carbons"]);
    assert_eq!(rx.await.unwrap(), Err(RequestError::NoAnswer));
    r.forget_own(|k| *k == "roster");
    assert!(r.expire(start + IQ_TIMEOUT * 2).is_empty(), "forgotten");
    let (tx, rx) = oneshot::channel();
    r.track_app(&get("q2", None), tx, start);
    r.fail_app(RequestError::Offline);
    assert_eq!(rx.await.unwrap(), Err(RequestError::Offline));
}

#[tokio::test]
async fn registered_namespaces_reach_their_service_from_roster_devices_only() {
    let (tx, mut rx) = mpsc::channel(1);
    let r: IqRouter<()> = IqRouter::new(vec![Registration {
        ns: "urn:xmpp:jingle:1",
        names: &["jingle"],
        senders: Senders::RosterDevices,
        to: tx,
    }]);
    let jingle = || Element::builder("jingle", "urn:xmpp:jingle:1").build();
    let contact = |b: &str| b == "bob@x.org";
    let bob = jid("bob@x.org/phone");
    // Not registered: the session's own; nor another element of the registered namespace.
    let other = Element::builder("ping", "urn:xmpp:ping").build();
    assert!(r.route(Some(&bob), "1", other, contact).is_err());
    let stray = Element::builder("description", "urn:xmpp:jingle:1").build();
    assert!(r.route(Some(&bob), "1", stray, contact).is_err());
    // A stranger, or a contact's bare JID: refused.
    let stranger = jid("eve@y.org/pc");
    assert!(matches!(
        r.route(Some(&stranger), "2", jingle(), contact),
        Ok(Route::Refuse(
            hallway_protocol::Refusal::ServiceUnavailable,
            _
        ))
    ));
    let bare = jid("bob@x.org");
    assert!(matches!(
        r.route(Some(&bare), "3", jingle(), contact),
        Ok(Route::Refuse(..))
    ));
    // A contact's device: forwarded, unanswered; when the queue is full, told to wait.
    assert!(matches!(
        r.route(Some(&bob), "4", jingle(), contact),
        Ok(Route::Forwarded)
    ));
    assert!(matches!(
        r.route(Some(&bob), "5", jingle(), contact),
        Ok(Route::Refuse(
            hallway_protocol::Refusal::ResourceConstraint,
            _
        ))
    ));
    let got = rx.recv().await.unwrap();
    assert_eq!((got.from, got.id.as_str()), (bob, "4"));
}

#[test]
fn our_servers_refusal_of_an_own_iq_is_handed_back_with_its_kind() {
    let mut r = router();
    r.track_own("c".into(), "carbons", Instant::now());
    let error = Iq::Error {
        from: None,
        to: None,
        id: "c".into(),
        error: StanzaError::new(
            tokio_xmpp::parsers::stanza_error::ErrorType::Cancel,
            tokio_xmpp::parsers::stanza_error::DefinedCondition::FeatureNotImplemented,
            "en",
            "no",
        ),
        payload: None,
    };
    assert!(matches!(
        r.on_answer(error, &account()),
        Answered::Own("carbons", Err(_))
    ));
}

#[tokio::test]
async fn a_request_to_our_own_account_may_be_answered_by_our_server() {
    // PEP and vCard requests go to our bare JID; Prosody answers them without a `from`.
    let mut r = router();
    let (tx, rx) = oneshot::channel();
    r.track_app(&get("v", Some("me@x.org")), tx, Instant::now());
    assert!(matches!(
        r.on_answer(result("v", Some("eve@x.org")), &account()),
        Answered::Spoofed
    ));
    assert!(matches!(
        r.on_answer(result("v", None), &account()),
        Answered::App
    ));
    assert!(rx.await.unwrap().is_ok());
}

#[test]
fn a_get_or_set_is_never_taken_for_an_answer() {
    let mut r = router();
    r.track_own("x".into(), "roster", Instant::now());
    assert!(matches!(
        r.on_answer(get("x", None), &account()),
        Answered::Unknown
    ));
    // Still waiting for the real answer.
    assert!(matches!(
        r.on_answer(result("x", None), &account()),
        Answered::Own("roster", _)
    ));
}

#[test]
fn ids_never_repeat() {
    // An answer is matched by id: two iqs of one kind in flight must not share one.
    let mut r = router();
    let ids: std::collections::HashSet<String> = (0..100).map(|_| r.next_id("q")).collect();
    assert_eq!(ids.len(), 100);
    assert!(ids.iter().all(|id| id.starts_with("hw-q-")));
}

#[test]
fn a_service_that_is_gone_is_service_unavailable_and_none_from_nobody() {
    let (tx, rx) = mpsc::channel(4);
    drop(rx);
    let r: IqRouter<()> = IqRouter::new(vec![Registration {
        ns: "http://jabber.org/protocol/ibb",
        names: &["open", "data", "close"],
        senders: Senders::RosterDevices,
        to: tx,
    }]);
    let open = || Element::builder("open", "http://jabber.org/protocol/ibb").build();
    let bob = jid("bob@x.org/pc");
    assert!(matches!(
        r.route(Some(&bob), "1", open(), |_| true),
        Ok(Route::Refuse(
            hallway_protocol::Refusal::ServiceUnavailable,
            _
        ))
    ));
    // No sender at all (from our server) is not a contact's device either.
    assert!(matches!(
        r.route(None, "2", open(), |_| true),
        Ok(Route::Refuse(
            hallway_protocol::Refusal::ServiceUnavailable,
            _
        ))
    ));
}
