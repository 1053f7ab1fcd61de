//! The rooms part without a server: joining (history asked, occupants, the subject closing the
//! history), reflections matched to our row, mentions and notification settings, refusals and
//! removals, a fresh session's spaced-out rejoins, and self-ping.

use super::*;
use crate::events::CoreEvent;
use std::str::FromStr;

use crate::history::sync::ArchiveRequest;
use crate::live::testing::{insert, message, row, xml, Bench, ME};
use crate::outbox::Outbox;
use hallway_model::{DeliveryState, Direction, NewMessage, RoomRefusal};
use hallway_protocol::xep0313_mam::{ArchivedMessage, Fin};
use hallway_protocol::xep0410_self_ping::SelfPing;
use tokio_xmpp::minidom::Element;
use tokio_xmpp::parsers::presence::Presence;

const ROOM: &str = "office@rooms.x.org";

fn presence(xml: &str) -> Presence {
    let xml = xml.replacen("<presence ", "<presence xmlns='jabber:client' ", 1);
    Presence::try_from(xml.parse::<Element>().unwrap()).unwrap()
}

fn occupant(nick: &str, affiliation: &str, role: &str, codes: &[u32]) -> Presence {
    let status: String = codes
        .iter()
        .map(|c| format!("<status code='{c}'/>"))
        .collect();
    presence(&format!(
        "<presence from='{ROOM}/{nick}'><x xmlns='http://jabber.org/protocol/muc#user'>\
         <item affiliation='{affiliation}' role='{role}'/>{status}</x></presence>"
    ))
}

fn subject(text: &str) -> tokio_xmpp::parsers::message::Message {
    message(&format!(
        "<message type='groupchat' from='{ROOM}/ann'><subject>{text}</subject></message>"
    ))
}

fn said(nick: &str, body: &str, origin: &str) -> tokio_xmpp::parsers::message::Message {
    message(&format!(
        "<message type='groupchat' from='{ROOM}/{nick}' id='{origin}'><body>{body}</body>\
         <origin-id xmlns='urn:xmpp:sid:0' id='{origin}'/></message>"
    ))
}

/// A part with `ROOM` joined as `me` (the join sent and read back).
fn joined(b: &mut Bench) -> (JoinedRooms, Outbox) {
    b.store.join_room(ME, ROOM, "me", None, true).unwrap();
    let mut rooms = JoinedRooms::new(&b.store, ME);
    let mut outbox = Outbox::default();
    rooms.join(&mut b.cx(), true, ROOM, "me", None, None);
    rooms.on_info(&mut b.cx(), ROOM, None);
    rooms.on_presence(&mut b.cx(), &occupant("ann", "owner", "moderator", &[]));
    rooms.on_presence(
        &mut b.cx(),
        &occupant("me", "member", "participant", &[110]),
    );
    let ready = rooms.on_message(&mut b.cx(), &mut outbox, &subject("Release"));
    assert_eq!(ready, RoomArrived::Ready(ROOM.into()));
    b.sent();
    b.events();
    (rooms, outbox)
}

#[test]
fn joining_asks_history_reads_occupants_and_is_ready_at_the_subject() {
    let mut b = Bench::new();
    b.now_ms = 1_800_000_000_000;
    b.store.join_room(ME, ROOM, "me", None, true).unwrap();
    let mut rooms = JoinedRooms::new(&b.store, ME);
    let mut outbox = Outbox::default();
    assert_eq!(rooms.list()[0].phase, RoomPhase::Left);
    rooms.join(&mut b.cx(), true, ROOM, "me", None, None);
    let sent = b.sent();
    assert_eq!(sent.len(), 1, "disco#info first");
    assert!(xml(&sent[0]).contains("disco#info"));
    // No answer (a room that does not exist yet refuses it): the join follows anyway.
    rooms.on_info(&mut b.cx(), ROOM, None);
    let sent = b.sent();
    assert_eq!(sent.len(), 1, "then the join");
    let join = xml(&sent[0]);
    assert!(join.contains("office@rooms.x.org/me"), "{join}");
    assert!(
        !join.contains("<history"),
        "a first visit takes the room's default"
    );
    assert!(rooms.holds(ROOM), "nothing goes out before the room has us");

    rooms.on_presence(&mut b.cx(), &occupant("ann", "owner", "moderator", &[]));
    rooms.on_presence(&mut b.cx(), &occupant("me", "none", "participant", &[110]));
    // History the room replays on a first visit, then the subject.
    let old = message(&format!(
        "<message type='groupchat' from='{ROOM}/ann' id='h1'><body>before you came</body>\
         <delay xmlns='urn:xmpp:delay' from='{ROOM}' stamp='2025-12-01T10:00:00Z'/></message>"
    ));
    assert_eq!(
        rooms.on_message(&mut b.cx(), &mut outbox, &old),
        RoomArrived::Done
    );
    assert!(rooms.holds(ROOM));
    let ready = rooms.on_message(&mut b.cx(), &mut outbox, &subject("Ship &lt;it&gt;"));
    assert_eq!(ready, RoomArrived::Ready(ROOM.into()));
    assert!(!rooms.holds(ROOM));
    let room = &rooms.list()[0];
    assert_eq!(room.phase, RoomPhase::Joined);
    assert_eq!(room.subject.as_deref(), Some("Ship <it>"));
    assert_eq!(
        room.name, "office",
        "the localpart until the room names itself"
    );
    let occupants = rooms.occupants(ROOM);
    assert_eq!(
        occupants
            .iter()
            .map(|o| (o.nick.as_str(), o.role, o.is_self))
            .collect::<Vec<_>>(),
        [
            ("ann", hallway_model::Role::Moderator, false),
            ("me", hallway_model::Role::Participant, true)
        ]
    );
    let page = b.store.history(ME, ROOM, None, 10).unwrap();
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].sender, format!("{ROOM}/ann"));
    assert_eq!(page[0].timestamp, 1_764_583_200_000);
    assert!(
        b.store.unread_counts(ME).unwrap().is_empty(),
        "a first visit's history is the room's past, not unread news"
    );
    let events = b.events();
    let batched_occupants = events
        .iter()
        .filter(|e| matches!(e, CoreEvent::OccupantsChanged { .. }))
        .count();
    assert_eq!(
        batched_occupants, 1,
        "one occupant event per window: {events:?}"
    );
    // (The bench's flush reads no room list: that the list goes out is what counts here.)
    assert!(events
        .iter()
        .any(|e| matches!(e, CoreEvent::RoomsChanged(_))));

    // The room's disco#info: its name, and its stanza-ids are believed from now on.
    let info: Element = "<query xmlns='http://jabber.org/protocol/disco#info'>\
        <identity category='conference' type='text' name='The office'/>\
        <feature var='urn:xmpp:sid:0'/></query>"
        .parse()
        .unwrap();
    rooms.on_info(&mut b.cx(), ROOM, Some(&info));
    assert_eq!(rooms.list()[0].name, "The office");
    assert_eq!(rooms.name_of(ROOM).as_deref(), Some("The office"));
    assert_eq!(
        b.store.room(ME, ROOM).unwrap().unwrap().name.as_deref(),
        Some("The office")
    );
}

#[test]
fn our_reflection_is_the_stored_row_sent_not_a_second_row() {
    let mut b = Bench::new();
    let (mut rooms, mut outbox) = joined(&mut b);
    let mut pending = row(
        ROOM,
        Direction::Outgoing,
        "hello all",
        "o-1",
        1,
        DeliveryState::Pending,
    );
    pending.sender = ME.into();
    let mine = insert(&b.store, &pending);
    rooms.on_message(&mut b.cx(), &mut outbox, &said("me", "hello all", "o-1"));
    let page = b.store.history(ME, ROOM, None, 10).unwrap();
    assert_eq!(page.len(), 1, "no second row");
    assert_eq!(page[0].state, DeliveryState::Sent);
    let events = b.events();
    assert!(events.contains(&CoreEvent::MessageStateChanged {
        id: mine.id,
        state: DeliveryState::Sent
    }));
    assert!(!events
        .iter()
        .any(|e| matches!(e, CoreEvent::MessagesReceived(_))));
    // The same message from our other device under our nickname is ours, sent.
    rooms.on_message(
        &mut b.cx(),
        &mut outbox,
        &said("me", "from the phone", "o-2"),
    );
    let page = b.store.history(ME, ROOM, None, 10).unwrap();
    assert_eq!(
        (page[1].direction, page[1].sender.as_str()),
        (Direction::Outgoing, ME)
    );
}

#[test]
fn mentions_notify_by_the_rooms_setting_and_everything_counts_unread() {
    let mut b = Bench::new();
    let (mut rooms, mut outbox) = joined(&mut b);
    rooms.on_message(&mut b.cx(), &mut outbox, &said("ann", "lunch?", "a1"));
    rooms.on_message(
        &mut b.cx(),
        &mut outbox,
        &said("ann", "@me can you check?", "a2"),
    );
    let events = b.events();
    let notified: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            CoreEvent::NotificationRequested(n) => Some(n.body.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        notified,
        ["@me can you check?"],
        "rooms notify on mentions by default"
    );
    assert!(
        events.contains(&CoreEvent::UnreadChanged(vec![
            hallway_model::UnreadCount {
                peer: ROOM.into(),
                unread: 2,
                mentions: 1
            }
        ])),
        "counted, the mention apart: {events:?}"
    );
    let page = b.store.history(ME, ROOM, None, 10).unwrap();
    assert_eq!(
        page.iter().map(|m| m.mention).collect::<Vec<_>>(),
        [false, true],
        "the mention is marked for the window"
    );
    rooms.set_notify(&mut b.cx(), ROOM, RoomNotify::All);
    rooms.on_message(
        &mut b.cx(),
        &mut outbox,
        &said("ann", "cake in the kitchen", "a3"),
    );
    assert!(b
        .events()
        .iter()
        .any(|e| matches!(e, CoreEvent::NotificationRequested(_))));
    rooms.set_notify(&mut b.cx(), ROOM, RoomNotify::Nothing);
    rooms.on_message(&mut b.cx(), &mut outbox, &said("ann", "me: urgent", "a4"));
    assert!(!b
        .events()
        .iter()
        .any(|e| matches!(e, CoreEvent::NotificationRequested(_))));
    // The same message again (history after a rejoin): dropped.
    rooms.on_message(&mut b.cx(), &mut outbox, &said("ann", "lunch?", "a1"));
    assert_eq!(b.store.history(ME, ROOM, None, 10).unwrap().len(), 4);
}

#[test]
fn a_mention_is_the_nickname_as_a_word() {
    assert!(mentions_word("@Ann can you look?", "ann"));
    assert!(mentions_word("ann: hi", "Ann"));
    assert!(mentions_word("thanks, Ann!", "ann"));
    assert!(mentions_word("ping Jean-Luc", "jean-luc"));
    assert!(!mentions_word("the annual report", "ann"));
    assert!(!mentions_word("joanna", "ann"));
    assert!(!mentions_word("anything", ""));
}

fn mentions_word(body: &str, nick: &str) -> bool {
    traffic::mentions(body, nick)
}

#[test]
fn refusals_and_removals_are_words_and_stop_the_room() {
    let mut b = Bench::new();
    b.store.join_room(ME, ROOM, "me", None, true).unwrap();
    let mut rooms = JoinedRooms::new(&b.store, ME);
    rooms.join(&mut b.cx(), true, ROOM, "me", None, None);
    rooms.on_presence(
        &mut b.cx(),
        &presence(&format!(
            "<presence from='{ROOM}/me' type='error'><x xmlns='http://jabber.org/protocol/muc'/>\
             <error type='cancel'><conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>\
             </presence>"
        )),
    );
    assert_eq!(
        rooms.list()[0].phase,
        RoomPhase::Error {
            reason: RoomRefusal::NicknameTaken,
            words: RoomRefusal::NicknameTaken.words().into()
        }
    );
    assert!(rooms.holds(ROOM));

    let (mut rooms, _) = joined(&mut Bench::new());
    let mut b = Bench::new();
    let kicked = presence(&format!(
        "<presence from='{ROOM}/me' type='unavailable'>\
         <x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='none' role='none'/>\
         <status code='307'/><status code='110'/></x></presence>"
    ));
    rooms.on_presence(&mut b.cx(), &kicked);
    assert!(matches!(
        rooms.list()[0].phase,
        RoomPhase::Error {
            reason: RoomRefusal::Kicked,
            ..
        }
    ));
    assert!(rooms.occupants(ROOM).is_empty());
}

#[test]
fn a_fresh_session_rejoins_every_room_a_few_at_a_time_from_the_newest_message() {
    let mut b = Bench::new();
    for i in 0..7 {
        b.store
            .join_room(ME, &format!("r{i}@rooms.x.org"), "me", None, true)
            .unwrap();
    }
    let mut old = row(
        "r0@rooms.x.org",
        Direction::Incoming,
        "x",
        "o",
        1_764_583_200_000,
        DeliveryState::Received,
    );
    old.sender = "r0@rooms.x.org/ann".into();
    insert(&b.store, &old);
    let mut rooms = JoinedRooms::new(&b.store, ME);
    rooms.on_reset(&mut b.cx());
    let infos = b.sent();
    assert_eq!(infos.len(), 5, "a burst, not a storm");
    for i in 0..5 {
        rooms.on_info(&mut b.cx(), &format!("r{i}@rooms.x.org"), None);
    }
    let joins: Vec<String> = b
        .sent()
        .iter()
        .filter(|e| e.name() == "presence")
        .map(xml)
        .collect();
    assert_eq!(joins.len(), 5);
    assert!(
        joins[0].contains("since='2025-12-01T09:58:00Z'"),
        "{}",
        joins[0]
    );
    let due = rooms.due().expect("the rest are spaced out");
    let mut cx = b.cx();
    cx.now = due;
    rooms.on_timer(&mut cx);
    assert_eq!(b.sent().len(), 2);
    for i in 5..7 {
        rooms.on_info(&mut b.cx(), &format!("r{i}@rooms.x.org"), None);
    }
    assert_eq!(
        b.sent().iter().filter(|e| e.name() == "presence").count(),
        2
    );
    assert_eq!(rooms.due(), None);
    assert!(rooms.list().iter().all(|r| r.phase == RoomPhase::Joining));
}

#[test]
fn our_presence_goes_to_the_rooms_we_are_in() {
    let mut b = Bench::new();
    let (mut rooms, _) = joined(&mut b);
    b.store
        .join_room(ME, "later@rooms.x.org", "me", None, true)
        .unwrap();
    rooms.join(&mut b.cx(), true, "later@rooms.x.org", "me", None, None);
    let mut own = Presence::available();
    own.show = Some(tokio_xmpp::parsers::presence::Show::Away);
    let out = rooms.presence_for_rooms(&own);
    assert_eq!(out.len(), 1, "only where the room has us");
    let e: Element = out[0].clone().into();
    assert_eq!(e.attr("to"), Some("office@rooms.x.org/me"));
    assert!(xml(&e).contains("<show>away</show>"));
}

#[test]
fn a_suspended_link_shows_reconnecting_and_resumption_restores_joined() {
    let mut b = Bench::new();
    let (mut rooms, _) = joined(&mut b);
    rooms.on_suspended(&mut b.cx());
    assert_eq!(rooms.list()[0].phase, RoomPhase::Reconnecting);
    assert!(rooms.holds(ROOM));
    rooms.on_resumed(&mut b.cx());
    assert_eq!(rooms.list()[0].phase, RoomPhase::Joined);
    rooms.on_suspended(&mut b.cx());
    rooms.on_reset(&mut b.cx());
    assert_eq!(
        rooms.list()[0].phase,
        RoomPhase::Reconnecting,
        "until the room has us again"
    );
    assert!(xml(&b.sent()[0]).contains("disco#info"));
    rooms.on_info(&mut b.cx(), ROOM, None);
    assert!(b.sent().iter().any(|e| e.name() == "presence"));
}

#[test]
fn an_invitations_password_is_kept_in_memory_once_and_bounded() {
    let b = Bench::new();
    let mut rooms = JoinedRooms::new(&b.store, ME);
    rooms.remember_invited_password("vault@rooms.x.org", "s3cret".into());
    for i in 0..100 {
        rooms.remember_invited_password(&format!("r{i}@rooms.x.org"), "x".into());
    }
    assert_eq!(
        rooms.invited_passwords.len(),
        64,
        "a stranger cannot fill memory"
    );
    let pw = rooms.take_invited_password("vault@rooms.x.org");
    assert_eq!(pw.as_ref().map(|p| p.expose()), Some("s3cret"));
    assert!(
        rooms.take_invited_password("vault@rooms.x.org").is_none(),
        "once"
    );
    // The password we entered with is what an invitation of ours passes on.
    assert_eq!(rooms.password_of("vault@rooms.x.org"), None);
    rooms.set_password("vault@rooms.x.org", "me", pw, tokio::time::Instant::now());
    assert_eq!(
        rooms.password_of("vault@rooms.x.org").as_deref(),
        Some("s3cret")
    );
}

#[test]
fn a_silent_room_is_self_pinged_and_rejoined_when_it_lost_us() {
    let mut b = Bench::new();
    let (mut rooms, _) = joined(&mut b);
    assert!(rooms.housekeeping(&mut b.cx()).is_empty());
    assert!(b.sent().is_empty(), "not while it talks");
    let mut cx = b.cx();
    cx.now += SELF_PING_AFTER;
    rooms.housekeeping(&mut cx);
    let sent = b.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].attr("to"), Some("office@rooms.x.org/me"));
    assert!(xml(&sent[0]).contains("urn:xmpp:ping"));
    rooms.on_self_ping(&mut b.cx(), ROOM, Some(SelfPing::Joined));
    assert_eq!(rooms.list()[0].phase, RoomPhase::Joined);
    assert!(b.sent().is_empty());
    rooms.on_self_ping(&mut b.cx(), ROOM, Some(SelfPing::NotJoined));
    assert_eq!(rooms.list()[0].phase, RoomPhase::Reconnecting);
    b.sent();
    rooms.on_info(&mut b.cx(), ROOM, None);
    let sent = b.sent();
    assert!(sent.iter().any(|e| e.name() == "presence"), "joined again");
}

#[test]
fn a_room_that_refuses_our_message_as_an_outsiders_is_joined_again_once() {
    let mut b = Bench::new();
    let (mut rooms, _) = joined(&mut b);
    b.sent();
    assert!(rooms.refused_as_outsider(&mut b.cx(), ROOM));
    assert_eq!(rooms.list()[0].phase, RoomPhase::Reconnecting);
    assert!(rooms.holds(ROOM), "the outbox waits for the rejoin");
    assert!(!b.sent().is_empty(), "on its way in again");
    // More refusals of what was already on its way: one rejoin, not one per message.
    assert!(!rooms.refused_as_outsider(&mut b.cx(), ROOM));
    assert!(b.sent().is_empty());
    rooms.on_info(&mut b.cx(), ROOM, None);
    assert!(b.sent().iter().any(|e| e.name() == "presence"));
    // A room we are not in at all: nothing.
    assert!(!rooms.refused_as_outsider(&mut b.cx(), "other@rooms.x.org"));
}

#[test]
fn bookmarks_with_autojoin_add_rooms_and_leaving_sends_unavailable() {
    let mut b = Bench::new();
    let mut rooms = JoinedRooms::new(&b.store, ME);
    let bookmarks = vec![
        Bookmark {
            room: BareJid::new("sales@rooms.x.org").unwrap(),
            name: Some("Sales".into()),
            autojoin: true,
            nick: None,
            password: None,
            extensions: None,
        },
        Bookmark {
            room: BareJid::new("old@rooms.x.org").unwrap(),
            name: None,
            autojoin: false,
            nick: None,
            password: None,
            extensions: None,
        },
    ];
    let added = rooms.on_bookmarks(&mut b.cx(), true, bookmarks, "me");
    assert_eq!(added, ["sales@rooms.x.org"]);
    assert_eq!(rooms.list()[0].name, "Sales");
    assert_eq!(b.store.rooms(ME).unwrap().len(), 1);
    rooms.on_info(&mut b.cx(), "sales@rooms.x.org", None);
    assert!(b
        .sent()
        .iter()
        .any(|e| e.attr("to") == Some("sales@rooms.x.org/me")));
    rooms.leave(&mut b.cx(), true, "sales@rooms.x.org");
    let sent = b.sent();
    assert_eq!(sent[0].attr("type"), Some("unavailable"));
    assert!(rooms.list().is_empty());
    assert!(!rooms.owns(Some(&Jid::new("sales@rooms.x.org/ann").unwrap())));
}

/// A bench where `ROOM` is ours with one message from its archive ("known", id A0).
fn known_room() -> Bench {
    let mut b = Bench::new();
    b.now_ms = 1_800_000_000_000;
    b.store.join_room(ME, ROOM, "me", None, true).unwrap();
    let mut known = row(
        ROOM,
        Direction::Incoming,
        "known",
        "k-1",
        1_764_583_000_000,
        DeliveryState::Received,
    );
    known.sender = format!("{ROOM}/ann");
    known.stanza_id = Some("A0".into());
    insert(&b.store, &known);
    b
}

/// The disco#info of a room that stamps stanza-ids and keeps an archive (XEP-0313 §6.1.2).
fn archive_info() -> Element {
    "<query xmlns='http://jabber.org/protocol/disco#info'>\
     <identity category='conference' type='text' name='The office'/>\
     <feature var='urn:xmpp:sid:0'/><feature var='urn:xmpp:mam:2'/></query>"
        .parse()
        .unwrap()
}

/// A message of `ROOM`'s archive, answering query `qid`.
fn archived(
    qid: &str,
    id: &str,
    nick: &str,
    body: &str,
    origin: &str,
    stamp: &str,
) -> ArchivedMessage {
    ArchivedMessage {
        query_id: qid.into(),
        archive_id: id.into(),
        stamp_ms: Some(
            xmpp_parsers::date::DateTime::from_str(stamp)
                .unwrap()
                .0
                .timestamp_millis(),
        ),
        message: message(&format!(
            "<message type='groupchat' from='{ROOM}/{nick}'><body>{body}</body>\
             <origin-id xmlns='urn:xmpp:sid:0' id='{origin}'/></message>"
        )),
    }
}

/// The archive query just sent to `ROOM`: its query id and XML.
fn archive_query(b: &mut Bench) -> (String, String) {
    let sent = b.sent();
    let q = sent
        .iter()
        .find(|e| xml(e).contains("urn:xmpp:mam:2"))
        .expect("an archive query");
    assert_eq!(q.attr("to"), Some(ROOM), "asked at the room");
    let qid = q
        .children()
        .next()
        .unwrap()
        .attr("queryid")
        .unwrap()
        .to_string();
    (qid, xml(q))
}

fn unread(b: &Bench) -> Option<u32> {
    b.store
        .unread_counts(ME)
        .unwrap()
        .into_iter()
        .find(|(peer, _)| peer == ROOM)
        .map(|(_, n)| n)
}

fn fin(complete: bool, first: Option<&str>) -> Fin {
    Fin {
        complete,
        first: first.map(Into::into),
        last: None,
    }
}

/// Entered `ROOM` (which has an archive) up to its subject: the catch-up query is out.
fn entered_with_archive(b: &mut Bench, rooms: &mut JoinedRooms, outbox: &mut Outbox) -> String {
    rooms.join(&mut b.cx(), true, ROOM, "me", None, None);
    rooms.on_info(&mut b.cx(), ROOM, Some(&archive_info()));
    let join = b.sent().iter().map(xml).collect::<String>();
    assert!(join.contains("maxstanzas='0'"), "nothing replayed: {join}");
    rooms.on_presence(
        &mut b.cx(),
        &occupant("me", "member", "participant", &[110]),
    );
    assert_eq!(
        rooms.on_message(&mut b.cx(), outbox, &subject("Release")),
        RoomArrived::Done,
        "not joined before its history is in"
    );
    assert!(rooms.holds(ROOM));
    let (qid, query) = archive_query(b);
    b.out
        .events
        .push(crate::events::CoreEvent::RoomsChanged(Vec::new()));
    LAST_QUERY.with(|q| *q.borrow_mut() = query);
    qid
}

thread_local! {
    /// The catch-up query `entered_with_archive` saw.
    static LAST_QUERY: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

#[test]
fn a_room_with_an_archive_catches_up_from_it_and_live_messages_land_after() {
    let mut b = Bench::new();
    b.now_ms = 1_800_000_000_000;
    b.store.join_room(ME, ROOM, "me", None, true).unwrap();
    let mut rooms = JoinedRooms::new(&b.store, ME);
    let mut outbox = Outbox::default();
    let qid = entered_with_archive(&mut b, &mut rooms, &mut outbox);
    // Said while the catch-up runs: it waits.
    rooms.on_message(&mut b.cx(), &mut outbox, &said("bob", "live now", "l-1"));
    assert!(b.store.history(ME, ROOM, None, 10).unwrap().is_empty());
    // A result from the wrong room for our query is not believed.
    rooms.on_archive_result(
        "other@rooms.x.org",
        archived(&qid, "X", "eve", "forged", "f", "2025-12-01T09:00:00Z"),
    );
    rooms.on_archive_result(
        ROOM,
        archived(&qid, "A1", "ann", "first", "a-1", "2025-12-01T10:00:00Z"),
    );
    rooms.on_archive_result(
        ROOM,
        archived(&qid, "A2", "bob", "second", "b-1", "2025-12-01T10:01:00Z"),
    );
    let arrived = rooms.on_archive_end(&mut b.cx(), &mut outbox, &qid, Ok(fin(true, Some("A1"))));
    assert_eq!(arrived, RoomArrived::Ready(ROOM.into()));
    assert!(!rooms.holds(ROOM));
    let page = b.store.history(ME, ROOM, None, 10).unwrap();
    assert_eq!(
        page.iter().map(|m| m.body.as_str()).collect::<Vec<_>>(),
        ["first", "second", "live now"]
    );
    assert_eq!(page[0].timestamp, 1_764_583_200_000, "the archive's stamp");
    assert_eq!(
        unread(&b),
        Some(1),
        "a first visit's archive is the past; what was said since we came is news"
    );
}

#[test]
fn a_rejoin_catches_up_after_the_newest_room_id_and_our_message_is_one_row() {
    let mut b = known_room();
    b.store.mark_read(ME, ROOM).unwrap();
    // Ours, sent just before the link died: the room has it, we never saw the reflection.
    insert(
        &b.store,
        &row(
            ROOM,
            Direction::Outgoing,
            "mine",
            "m-1",
            1_764_583_100_000,
            DeliveryState::Pending,
        ),
    );
    let mut rooms = JoinedRooms::new(&b.store, ME);
    let mut outbox = Outbox::default();
    rooms.join(&mut b.cx(), true, ROOM, "me", None, None);
    rooms.on_info(&mut b.cx(), ROOM, Some(&archive_info()));
    b.sent();
    rooms.on_presence(
        &mut b.cx(),
        &occupant("me", "member", "participant", &[110]),
    );
    rooms.on_message(&mut b.cx(), &mut outbox, &subject("Release"));
    let (qid, query) = archive_query(&mut b);
    assert!(query.contains("<after>A0</after>"), "{query}");
    for a in [
        archived(&qid, "A0", "ann", "known", "k-1", "2025-12-01T09:56:40Z"),
        archived(&qid, "A1", "me", "mine", "m-1", "2025-12-01T09:58:20Z"),
        archived(&qid, "A2", "ann", "new", "n-1", "2025-12-01T10:00:00Z"),
    ] {
        rooms.on_archive_result(ROOM, a);
    }
    let arrived = rooms.on_archive_end(&mut b.cx(), &mut outbox, &qid, Ok(fin(true, Some("A0"))));
    assert_eq!(arrived, RoomArrived::Ready(ROOM.into()));
    let page = b.store.history(ME, ROOM, None, 10).unwrap();
    assert_eq!(
        page.iter()
            .map(|m| (m.body.as_str(), m.state))
            .collect::<Vec<_>>(),
        [
            ("known", DeliveryState::Received),
            ("mine", DeliveryState::Sent),
            ("new", DeliveryState::Received)
        ],
        "no second row of ours, nothing twice"
    );
    assert_eq!(unread(&b), Some(1));
}

#[test]
fn older_room_history_pages_the_rooms_archive_and_a_failed_catch_up_still_joins() {
    let mut b = Bench::new();
    b.now_ms = 1_800_000_000_000;
    b.store.join_room(ME, ROOM, "me", None, true).unwrap();
    let mut rooms = JoinedRooms::new(&b.store, ME);
    let mut outbox = Outbox::default();
    let qid = entered_with_archive(&mut b, &mut rooms, &mut outbox);
    rooms.on_archive_result(
        ROOM,
        archived(&qid, "A5", "ann", "newest", "a-5", "2025-12-01T10:05:00Z"),
    );
    // The archive fails the query: the room is joined all the same, with what it did give.
    let arrived = rooms.on_archive_end(
        &mut b.cx(),
        &mut outbox,
        &qid,
        Err("ServiceUnavailable".into()),
    );
    assert_eq!(arrived, RoomArrived::Ready(ROOM.into()));
    assert!(b.store.history(ME, ROOM, None, 10).unwrap().is_empty());

    let (tx, mut rx) = tokio::sync::oneshot::channel();
    let request = ArchiveRequest {
        peer: ROOM.into(),
        start_ms: None,
        end_ms: None,
        max: 50,
        gap: None,
        before_id: Some("A5".into()),
        anchor_ord: None,
    };
    insert(
        &b.store,
        &NewMessage {
            sender: format!("{ROOM}/ann"),
            stanza_id: Some("A5".into()),
            ..row(
                ROOM,
                Direction::Incoming,
                "newest",
                "a-5",
                1_764_583_500_000,
                DeliveryState::Received,
            )
        },
    );
    rooms.fetch_older(&mut b.cx(), request, tx);
    let (qid, query) = archive_query(&mut b);
    assert!(
        query.contains("<before>A5</before>") && !query.contains("var='with'"),
        "{query}"
    );
    rooms.on_archive_result(
        ROOM,
        archived(&qid, "A3", "bob", "older", "b-3", "2025-12-01T10:03:00Z"),
    );
    rooms.on_archive_result(
        ROOM,
        archived(&qid, "A4", "ann", "old", "a-4", "2025-12-01T10:04:00Z"),
    );
    rooms.on_archive_end(&mut b.cx(), &mut outbox, &qid, Ok(fin(true, Some("A3"))));
    let page = b.store.history(ME, ROOM, None, 10).unwrap();
    assert_eq!(
        page.iter().map(|m| m.body.as_str()).collect::<Vec<_>>(),
        ["older", "old", "newest"]
    );
    assert!(b.store.archive_complete(ME, ROOM).unwrap());
    assert_eq!(
        b.out.history_done.len(),
        1,
        "the history request is answered"
    );
    assert!(
        rx.try_recv().is_err(),
        "answered by the session once the page is out"
    );
    assert_eq!(unread(&b), Some(1), "older pages are not news");
}

#[test]
fn a_room_we_create_gets_our_settings_through_its_form_or_is_unlocked_as_it_is() {
    let mut b = Bench::new();
    let mut rooms = JoinedRooms::new(&b.store, ME);
    let settings = hallway_protocol::xep0045_muc_owner::RoomSettings {
        name: Some("Release".into()),
        members_only: true,
        persistent: true,
        ..Default::default()
    };
    rooms.join(
        &mut b.cx(),
        true,
        ROOM,
        "me",
        Some("Release".into()),
        Some(settings),
    );
    rooms.on_info(&mut b.cx(), ROOM, None);
    b.sent();
    rooms.on_presence(
        &mut b.cx(),
        &occupant("me", "owner", "moderator", &[110, 201]),
    );
    let sent = b.sent();
    assert_eq!(sent.len(), 1);
    assert!(
        xml(&sent[0]).contains("muc#owner") && sent[0].attr("type") == Some("get"),
        "the form asked"
    );
    let form: Element = "<query xmlns='http://jabber.org/protocol/muc#owner'>\
        <x xmlns='jabber:x:data' type='form'>\
        <field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/muc#roomconfig</value></field>\
        <field var='muc#roomconfig_roomname' type='text-single'/>\
        <field var='muc#roomconfig_membersonly' type='boolean'><value>0</value></field>\
        <field var='muc#roomconfig_persistentroom' type='boolean'><value>0</value></field>\
        </x></query>"
        .parse()
        .unwrap();
    rooms.on_config_form(&mut b.cx(), ROOM, Some(&form));
    let submit = xml(&b.sent()[0]);
    assert!(
        submit.contains("type=\"submit\"") || submit.contains("type='submit'"),
        "{submit}"
    );
    assert!(submit.contains("<value>Release</value>"), "{submit}");
    // A room joined by address and created by it: the service's defaults, unlocked at once.
    let mut b = Bench::new();
    let mut rooms = JoinedRooms::new(&b.store, ME);
    rooms.join(&mut b.cx(), true, ROOM, "me", None, None);
    rooms.on_info(&mut b.cx(), ROOM, None);
    b.sent();
    rooms.on_presence(
        &mut b.cx(),
        &occupant("me", "owner", "moderator", &[110, 201]),
    );
    let sent = b.sent();
    assert!(
        xml(&sent[0]).contains("muc#owner") && sent[0].attr("type") == Some("set"),
        "instant"
    );
}

#[test]
fn a_room_that_says_not_found_is_tried_again_a_few_times_then_refused() {
    let mut b = Bench::new();
    b.store.join_room(ME, ROOM, "me", None, true).unwrap();
    let mut rooms = JoinedRooms::new(&b.store, ME);
    rooms.join(&mut b.cx(), true, ROOM, "me", None, None);
    let not_found = presence(&format!(
        "<presence from='{ROOM}/me' type='error'><x xmlns='http://jabber.org/protocol/muc'/>\
         <error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>\
         </presence>"
    ));
    for _ in 0..3 {
        b.sent();
        rooms.on_presence(&mut b.cx(), &not_found);
        // Locked while its creator configures it (§10.1): still joining, again shortly.
        assert_eq!(rooms.list()[0].phase, RoomPhase::Joining);
        let due = rooms.due().expect("a retry");
        let mut cx = b.cx();
        cx.now = due;
        rooms.on_timer(&mut cx);
        assert!(xml(&b.sent()[0]).contains("disco#info"), "entering again");
    }
    rooms.on_presence(&mut b.cx(), &not_found);
    assert!(matches!(
        rooms.list()[0].phase,
        RoomPhase::Error {
            reason: RoomRefusal::NotFound,
            ..
        }
    ));
}

#[test]
fn a_join_without_any_answer_is_sent_again() {
    let mut b = Bench::new();
    b.store.join_room(ME, ROOM, "me", None, true).unwrap();
    let mut rooms = JoinedRooms::new(&b.store, ME);
    rooms.join(&mut b.cx(), true, ROOM, "me", None, None);
    rooms.on_info(&mut b.cx(), ROOM, None);
    b.sent();
    assert!(rooms.housekeeping(&mut b.cx()).is_empty());
    assert!(b.sent().is_empty(), "not at once");
    let mut cx = b.cx();
    cx.now += Duration::from_secs(11);
    rooms.housekeeping(&mut cx);
    assert!(xml(&b.sent()[0]).contains("disco#info"), "entering again");
    assert_eq!(rooms.list()[0].phase, RoomPhase::Joining);
}

#[test]
fn a_room_that_said_nothing_since_is_caught_up_from_when_we_last_were_there() {
    let mut b = Bench::new();
    b.now_ms = 1_800_000_000_000;
    b.store.join_room(ME, ROOM, "me", None, true).unwrap();
    b.store
        .set_room_caught_up(ME, ROOM, 1_764_583_200_000)
        .unwrap();
    let mut rooms = JoinedRooms::new(&b.store, ME);
    let mut outbox = Outbox::default();
    let qid = entered_with_archive(&mut b, &mut rooms, &mut outbox);
    let query = LAST_QUERY.with(|q| q.borrow().clone());
    assert!(
        query.contains("var='start'") && query.contains("2025-12-01T09:58:00"),
        "from when we were last there, less a margin: {query}"
    );
    assert!(!query.contains("<after>"), "{query}");
    rooms.on_archive_result(
        ROOM,
        archived(
            &qid,
            "A1",
            "ann",
            "while away",
            "a-1",
            "2025-12-01T10:05:00Z",
        ),
    );
    let arrived = rooms.on_archive_end(&mut b.cx(), &mut outbox, &qid, Ok(fin(true, Some("A1"))));
    assert_eq!(arrived, RoomArrived::Ready(ROOM.into()));
    assert_eq!(
        unread(&b),
        Some(1),
        "not a first visit: what was said is news"
    );
    assert_eq!(
        b.store.room_caught_up(ME, ROOM).unwrap(),
        Some(1_800_000_000_000),
        "caught up now"
    );
}

#[test]
fn a_catch_up_that_fails_leaves_a_gap_and_one_that_ends_after_a_kick_changes_nothing() {
    let mut b = known_room();
    let mut rooms = JoinedRooms::new(&b.store, ME);
    let mut outbox = Outbox::default();
    let qid = entered_with_archive(&mut b, &mut rooms, &mut outbox);
    // Refused after our id (expired?): asked again without it; that fails too.
    let arrived = rooms.on_archive_end(&mut b.cx(), &mut outbox, &qid, Err("ItemNotFound".into()));
    assert_eq!(arrived, RoomArrived::Done);
    let (qid, query) = archive_query(&mut b);
    assert!(!query.contains("<after>"), "{query}");
    let arrived = rooms.on_archive_end(&mut b.cx(), &mut outbox, &qid, Err("timeout".into()));
    assert_eq!(
        arrived,
        RoomArrived::Ready(ROOM.into()),
        "joined all the same"
    );
    let gaps = b.store.archive_gaps(ME, ROOM, 0, i64::MAX).unwrap();
    assert_eq!(gaps.len(), 1, "what was said while away is a gap to fill");
    assert_eq!(gaps[0].start_ts, 1_764_583_000_000);
    assert_eq!(
        b.store.room_caught_up(ME, ROOM).unwrap(),
        None,
        "not caught up"
    );

    // Entering again; the room puts us out while the catch-up runs: its end changes nothing.
    let mut b = Bench::new();
    b.store.join_room(ME, ROOM, "me", None, true).unwrap();
    let mut rooms = JoinedRooms::new(&b.store, ME);
    let qid = entered_with_archive(&mut b, &mut rooms, &mut outbox);
    rooms.on_presence(
        &mut b.cx(),
        &presence(&format!(
            "<presence from='{ROOM}/me' type='unavailable'>\
             <x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='none' role='none'/>\
             <status code='307'/><status code='110'/></x></presence>"
        )),
    );
    let arrived = rooms.on_archive_end(&mut b.cx(), &mut outbox, &qid, Ok(fin(true, None)));
    assert_eq!(arrived, RoomArrived::Done);
    assert!(matches!(
        rooms.list()[0].phase,
        RoomPhase::Error {
            reason: RoomRefusal::Kicked,
            ..
        }
    ));
}

#[test]
fn an_archived_message_under_our_nickname_is_ours_only_when_we_have_its_row() {
    let mut b = Bench::new();
    b.now_ms = 1_800_000_000_000;
    b.store.join_room(ME, ROOM, "me", None, true).unwrap();
    let mut rooms = JoinedRooms::new(&b.store, ME);
    let mut outbox = Outbox::default();
    let qid = entered_with_archive(&mut b, &mut rooms, &mut outbox);
    // Someone who had the nickname "me" before us.
    rooms.on_archive_result(
        ROOM,
        archived(&qid, "A1", "me", "not us", "x-1", "2025-12-01T10:00:00Z"),
    );
    rooms.on_archive_end(&mut b.cx(), &mut outbox, &qid, Ok(fin(true, Some("A1"))));
    let page = b.store.history(ME, ROOM, None, 10).unwrap();
    assert_eq!(page[0].direction, Direction::Incoming);
    assert_eq!(page[0].sender, format!("{ROOM}/me"));
}

#[test]
fn our_standing_decides_what_we_may_do_and_a_settings_change_rereads_the_name() {
    use hallway_model::{Affiliation, OccupantAction, Role};
    let mut b = Bench::new();
    let (mut rooms, mut outbox) = joined(&mut b);
    let with_real = |nick: &str, affiliation: &str, role: &str| {
        presence(&format!(
            "<presence from='{ROOM}/{nick}'><x xmlns='http://jabber.org/protocol/muc#user'>\
             <item affiliation='{affiliation}' role='{role}' jid='{nick}@x.org/pc'/></x></presence>"
        ))
    };
    rooms.on_presence(&mut b.cx(), &with_real("gus", "none", "participant"));
    // A member participant may do nothing to anyone.
    assert!(rooms.occupants(ROOM).iter().all(|o| o.actions.is_empty()));
    assert_eq!(
        (rooms.list()[0].role, rooms.list()[0].affiliation),
        (Role::Participant, Affiliation::Member)
    );
    b.events();
    // The owner makes us an admin (and so a moderator): the header and the list follow.
    rooms.on_presence(&mut b.cx(), &occupant("me", "admin", "moderator", &[110]));
    assert!(b
        .events()
        .iter()
        .any(|e| matches!(e, CoreEvent::RoomsChanged(_))));
    assert_eq!(
        (rooms.list()[0].role, rooms.list()[0].affiliation),
        (Role::Moderator, Affiliation::Admin)
    );
    let actions = |rooms: &JoinedRooms, nick: &str| {
        rooms
            .occupants(ROOM)
            .into_iter()
            .find(|o| o.nick == nick)
            .unwrap()
            .actions
    };
    assert_eq!(
        actions(&rooms, "gus"),
        [
            OccupantAction::Kick,
            OccupantAction::Ban,
            OccupantAction::MakeMember,
            OccupantAction::MakeModerator
        ]
    );
    assert!(actions(&rooms, "ann").is_empty(), "the owner is above us");
    assert!(actions(&rooms, "me").is_empty());
    // Out of the room our role is gone; our standing is remembered.
    rooms.on_presence(
        &mut b.cx(),
        &presence(&format!(
            "<presence from='{ROOM}/me' type='unavailable'>\
             <x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='admin' role='none'/>\
             <status code='110'/></x></presence>"
        )),
    );
    assert_eq!(
        (rooms.list()[0].role, rooms.list()[0].affiliation),
        (Role::None, Affiliation::Admin)
    );

    // The room says its settings changed (status 104): its disco#info is read again, and
    // nothing is stored; an occupant saying so is nobody.
    rooms.on_info(&mut b.cx(), ROOM, Some(&archive_info()));
    b.sent();
    let changed = message(&format!(
        "<message type='groupchat' from='{ROOM}'><x xmlns='http://jabber.org/protocol/muc#user'>\
         <status code='104'/></x></message>"
    ));
    rooms.on_message(&mut b.cx(), &mut outbox, &changed);
    let sent = b.sent();
    assert_eq!(sent.len(), 1);
    assert!(xml(&sent[0]).contains("disco#info"), "{}", xml(&sent[0]));
    // One request at a time, however many notices.
    rooms.on_message(&mut b.cx(), &mut outbox, &changed);
    assert!(b.sent().is_empty());
    // A lost answer changes nothing (what the room stamps was learned on entry).
    rooms.on_refreshed(&mut b.cx(), ROOM, None);
    assert!(rooms.visits[ROOM].stanza_ids && rooms.visits[ROOM].archive);
    rooms.on_message(&mut b.cx(), &mut outbox, &changed);
    assert_eq!(b.sent().len(), 1, "asked again after the answer");
    let info: Element = "<query xmlns='http://jabber.org/protocol/disco#info'>\
        <identity category='conference' type='text' name='Renamed'/></query>"
        .parse()
        .unwrap();
    rooms.on_refreshed(&mut b.cx(), ROOM, Some(&info));
    assert_eq!(rooms.list()[0].name, "Renamed");
    assert!(b.sent().is_empty(), "a refresh joins nothing");
    assert!(b.store.history(ME, ROOM, None, 10).unwrap().is_empty());
}

#[test]
fn read_elsewhere_stays_read_after_a_catch_up_and_reading_here_marks_the_room() {
    let mut b = known_room();
    b.store.mark_read(ME, ROOM).unwrap();
    let mut rooms = JoinedRooms::new(&b.store, ME);
    let mut outbox = Outbox::default();
    // Our phone read the room up to A2 while this device was away (XEP-0490, by the room).
    rooms.note_read_positions(&[(ROOM.to_string(), "A2".to_string())]);
    rooms.note_read_positions(&[("other@rooms.x.org".to_string(), "Z".to_string())]);
    rooms.join(&mut b.cx(), true, ROOM, "me", None, None);
    rooms.on_info(&mut b.cx(), ROOM, Some(&archive_info()));
    b.sent();
    rooms.on_presence(
        &mut b.cx(),
        &occupant("me", "member", "participant", &[110]),
    );
    // Reading before the room has us sends nothing yet.
    rooms.mark_displayed(&mut b.cx(), ROOM, "A0");
    assert!(!b.sent().iter().any(|e| xml(e).contains("chat-markers")));
    rooms.on_message(&mut b.cx(), &mut outbox, &subject("Release"));
    let (qid, _) = archive_query(&mut b);
    for a in [
        archived(
            &qid,
            "A1",
            "ann",
            "read on the phone",
            "p-1",
            "2025-12-01T09:58:20Z",
        ),
        archived(
            &qid,
            "A2",
            "bob",
            "also read",
            "p-2",
            "2025-12-01T09:59:00Z",
        ),
        archived(
            &qid,
            "A3",
            "ann",
            "new to everyone",
            "p-3",
            "2025-12-01T10:00:00Z",
        ),
    ] {
        rooms.on_archive_result(ROOM, a);
    }
    // (The phone's position came before the catch-up; the user's reading here came later.)
    rooms.note_read_positions(&[(ROOM.to_string(), "A2".to_string())]);
    let arrived = rooms.on_archive_end(&mut b.cx(), &mut outbox, &qid, Ok(fin(true, Some("A1"))));
    assert_eq!(arrived, RoomArrived::Ready(ROOM.into()));
    assert_eq!(unread(&b), Some(1), "only what nobody of ours read");
    b.sent();
    // Read here: a marker by the room's own id, to the room.
    rooms.mark_displayed(&mut b.cx(), ROOM, "A3");
    let sent = b.sent();
    assert_eq!(sent.len(), 1);
    let marker = xml(&sent[0]);
    assert!(
        marker.contains("type='groupchat'") && marker.contains("id='A3'"),
        "{marker}"
    );
    assert_eq!(sent[0].attr("to"), Some(ROOM));
}

#[test]
fn a_join_carries_our_availability() {
    let mut b = Bench::new();
    b.store.join_room(ME, ROOM, "me", None, true).unwrap();
    let mut rooms = JoinedRooms::new(&b.store, ME);
    rooms.own_show = Some(tokio_xmpp::parsers::presence::Show::Dnd);
    rooms.join(&mut b.cx(), true, ROOM, "me", None, None);
    rooms.on_info(&mut b.cx(), ROOM, None);
    let join = b.sent().iter().map(xml).collect::<String>();
    assert!(join.contains("<show>dnd</show>"), "{join}");
}
