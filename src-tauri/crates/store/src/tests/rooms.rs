//! Rooms: joined, listed, left (history kept, no message request), and stanza-ids per archive.

use super::*;
use hallway_model::RoomNotify;

const ROOM: &str = "office@rooms.x.org";

fn room_msg(body: &str, nick: &str, origin: &str, stanza_id: Option<&str>) -> NewMessage {
    NewMessage {
        sender: format!("{ROOM}/{nick}"),
        stanza_id: stanza_id.map(Into::into),
        ..msg(ROOM, Direction::Incoming, body, origin)
    }
}

#[test]
fn a_room_is_joined_listed_updated_and_left_with_its_history_kept() {
    let store = Store::open_in_memory().unwrap();
    store
        .join_room(ACC, ROOM, "alice", Some("The office"), true)
        .unwrap();
    store
        .join_room(ACC, "a@rooms.x.org", "al", None, false)
        .unwrap();
    let rooms = store.rooms(ACC).unwrap();
    assert_eq!(
        rooms.iter().map(|r| r.room.as_str()).collect::<Vec<_>>(),
        ["a@rooms.x.org", ROOM],
        "by name, the address when it has none"
    );
    assert_eq!(
        rooms[1].notify,
        RoomNotify::Mentions,
        "rooms notify on mentions by default"
    );
    assert!(rooms[1].autojoin && !rooms[0].autojoin);
    store
        .update_room(
            ACC,
            ROOM,
            None,
            Some(Some("Release on Friday")),
            Some("alice2"),
        )
        .unwrap();
    assert!(store.set_room_notify(ACC, ROOM, RoomNotify::All).unwrap());
    let r = store.room(ACC, ROOM).unwrap().unwrap();
    assert_eq!(r.subject.as_deref(), Some("Release on Friday"));
    assert_eq!(
        (r.nick.as_str(), r.name.as_deref()),
        ("alice2", Some("The office"))
    );
    assert_eq!(r.notify, RoomNotify::All);

    store
        .insert_message(ACC, &room_msg("hello", "bob", "o1", Some("r1")))
        .unwrap();
    assert_eq!(
        store.newest_time(ACC, ROOM).unwrap(),
        Some(1_700_000_000_000)
    );
    assert!(
        store.incoming_peers(ACC).unwrap().is_empty(),
        "a room is nobody's message request"
    );

    assert!(store.leave_room(ACC, ROOM).unwrap());
    assert!(!store.leave_room(ACC, ROOM).unwrap(), "only once");
    assert!(store.room(ACC, ROOM).unwrap().is_none());
    assert_eq!(store.rooms(ACC).unwrap().len(), 1);
    assert!(
        store.is_room(ACC, ROOM).unwrap(),
        "its history is still a room's"
    );
    assert!(store.incoming_peers(ACC).unwrap().is_empty());
    assert_eq!(store.history(ACC, ROOM, None, 10).unwrap().len(), 1);

    // Joining again brings it back with its setting; a name given replaces the old one.
    store.join_room(ACC, ROOM, "alice", None, true).unwrap();
    let r = store.room(ACC, ROOM).unwrap().unwrap();
    assert_eq!(
        (r.name.as_deref(), r.notify),
        (Some("The office"), RoomNotify::All)
    );
    assert!(store.rooms("other@x.org").unwrap().is_empty());
}

#[test]
fn stanza_ids_are_unique_per_archive_not_across_rooms_and_chats() {
    let store = Store::open_in_memory().unwrap();
    let first = store
        .insert_message(ACC, &room_msg("a", "bob", "o1", Some("same")))
        .unwrap();
    assert!(matches!(first, Inserted::New(_)));
    // The same room sending it again (history after a rejoin): a duplicate.
    let again = store
        .insert_message(ACC, &room_msg("a", "bob", "o9", Some("same")))
        .unwrap();
    assert!(matches!(again, Inserted::Duplicate(_)));
    // Another archive (our server's, a chat) may use the same id for another message.
    let chat = NewMessage {
        stanza_id: Some("same".into()),
        ..msg("bob@x.org", Direction::Incoming, "b", "o2")
    };
    assert!(matches!(
        store.insert_message(ACC, &chat).unwrap(),
        Inserted::New(_)
    ));
    // Two occupants may pick the same origin-id: the author tells them apart.
    let other = room_msg("c", "carol", "o1", None);
    assert!(matches!(
        store.insert_message(ACC, &other).unwrap(),
        Inserted::New(_)
    ));
}

#[test]
fn a_room_archive_has_its_own_newest_id_and_gaps() {
    let store = Store::open_in_memory().unwrap();
    store.join_room(ACC, ROOM, "alice", None, true).unwrap();
    assert_eq!(store.room_archive_newest(ACC, ROOM).unwrap(), None);
    store
        .insert_message(ACC, &room_msg("a", "bob", "o1", Some("R1")))
        .unwrap();
    store
        .insert_message(ACC, &room_msg("b", "bob", "o2", None))
        .unwrap();
    // The newest message that carries the room's archive id, not the newest message.
    assert_eq!(
        store.room_archive_newest(ACC, ROOM).unwrap(),
        Some(("R1".into(), 1_700_000_000_000))
    );
    // Our own archive's gap belongs to chats, never to a room; the room's to the room only.
    let own = store.add_archive_gap(ACC, 1_000, 2_000, 1).unwrap();
    let room = store
        .add_room_archive_gap(ACC, ROOM, 3_000, 4_000, 1)
        .unwrap();
    let ids = |peer: &str| -> Vec<i64> {
        store
            .archive_gaps(ACC, peer, 0, 9_000)
            .unwrap()
            .iter()
            .map(|g| g.id)
            .collect()
    };
    assert_eq!(ids(ROOM), vec![room]);
    assert_eq!(ids("bob@x.org"), vec![own]);
}

#[test]
fn invitations_are_one_per_room_newest_first_and_bounded() {
    let store = Store::open_in_memory().unwrap();
    let inv = |room: &str, at: i64| StoredInvitation {
        room: room.into(),
        inviter: "bob@x.org".into(),
        reason: Some("standup".into()),
        mediated: false,
        received_at: at,
    };
    store.add_invitation(ACC, &inv(ROOM, 1)).unwrap();
    store.add_invitation(ACC, &inv("b@rooms.x.org", 2)).unwrap();
    // Again to the same room: replaced, not doubled.
    store.add_invitation(ACC, &inv(ROOM, 3)).unwrap();
    let rooms: Vec<String> = store
        .invitations(ACC)
        .unwrap()
        .into_iter()
        .map(|i| i.room)
        .collect();
    assert_eq!(rooms, [ROOM, "b@rooms.x.org"]);
    assert_eq!(
        store
            .take_invitation(ACC, ROOM)
            .unwrap()
            .unwrap()
            .received_at,
        3
    );
    assert_eq!(store.take_invitation(ACC, ROOM).unwrap(), None);
    for i in 0..(MAX_INVITATIONS as i64 + 10) {
        store
            .add_invitation(ACC, &inv(&format!("r{i}@rooms.x.org"), 100 + i))
            .unwrap();
    }
    let kept = store.invitations(ACC).unwrap();
    assert_eq!(kept.len(), MAX_INVITATIONS);
    assert_eq!(
        kept[0].room,
        format!("r{}@rooms.x.org", MAX_INVITATIONS + 9)
    );
}

#[test]
fn mentions_are_kept_on_the_message_and_counted_apart_while_unread() {
    let store = Store::open_in_memory().unwrap();
    store.join_room(ACC, ROOM, "alice", None, true).unwrap();
    let Inserted::New(plain) = store
        .insert_message(ACC, &room_msg("lunch?", "bob", "o-1", Some("s-1")))
        .unwrap()
    else {
        panic!()
    };
    let Inserted::New(named) = store
        .insert_message(ACC, &room_msg("alice: look", "bob", "o-2", Some("s-2")))
        .unwrap()
    else {
        panic!()
    };
    store.set_mention(named.id).unwrap();
    assert_eq!(
        store.unread(ACC).unwrap(),
        [hallway_model::UnreadCount {
            peer: ROOM.into(),
            unread: 2,
            mentions: 1
        }]
    );
    let page = store.history(ACC, ROOM, None, 10).unwrap();
    assert_eq!(
        page.iter().map(|m| (m.id, m.mention)).collect::<Vec<_>>(),
        [(plain.id, false), (named.id, true)]
    );
    store.mark_read_up_to(ACC, ROOM, "s-2").unwrap();
    assert!(store.unread(ACC).unwrap().is_empty());
    assert!(store.unread_counts(ACC).unwrap().is_empty());
}

#[test]
fn a_read_position_names_the_rooms_stanza_id_not_a_senders_origin_id() {
    let store = Store::open_in_memory().unwrap();
    store.join_room(ACC, ROOM, "alice", None, true).unwrap();
    // Eve picks the room's id of a later message as her own origin-id.
    store
        .insert_message(ACC, &room_msg("first", "eve", "s-3", Some("s-1")))
        .unwrap();
    store
        .insert_message(ACC, &room_msg("second", "bob", "o-2", Some("s-2")))
        .unwrap();
    store
        .insert_message(ACC, &room_msg("third", "bob", "o-3", Some("s-3")))
        .unwrap();
    assert_eq!(
        store.mark_read_up_to_stanza_id(ACC, ROOM, "s-2").unwrap(),
        2
    );
    assert_eq!(store.unread_counts(ACC).unwrap(), [(ROOM.to_string(), 1)]);
}
