//! Rooms (issue 17) through the app's `Rooms` service against the real Prosody (its MUC component
//! with muc_mam) and ejabberd (mod_muc): a room created by joining it, a colleague joining,
//! occupants and roles, messages both ways with our reflection as the one stored row, a mention
//! notified, the room back by itself after a restart with what was said meanwhile (once), the
//! bookmark bringing the room to a second device, leaving there taking it off here too, rooms
//! created and configured from a name and found through Browse rooms, a members-only refusal,
//! moderation (subject, moderator rights, the owner form, kicked, banned, destroyed), and (on
//! Prosody) a nickname conflict in words.

use hallway_core::CoreEvent;
use hallway_model::{
    Affiliation, DeliveryState, Direction, OccupantAction, Role, Room, RoomPhase, RoomRefusal,
    RoomSettings,
};

use crate::support::client::Client;
use crate::support::ejabberd::Ejabberd;
use crate::support::prosody::{Prosody, PASSWORD};

async fn online_at(server_field: &str, address: &str) -> Client {
    let mut c = Client::new(address);
    c.sign_in_at(server_field, PASSWORD)
        .await
        .unwrap_or_else(|e| panic!("{address} could not sign in: {e}"));
    c
}

/// Waits until the room list shows `room` in a phase `pred` accepts.
async fn wait_phase(c: &mut Client, room: &str, what: &str, pred: impl Fn(&RoomPhase) -> bool) {
    let room = room.to_string();
    c.wait_for(what, 20, |e| {
        matches!(e, CoreEvent::RoomsChanged(rooms) if rooms.iter().any(|r| r.room == room && pred(&r.phase)))
    })
    .await;
}

async fn wait_joined(c: &mut Client, room: &str) {
    wait_phase(c, room, "the room joined", |p| *p == RoomPhase::Joined).await;
}

async fn wait_body(c: &mut Client, room: &str, body: &str) -> hallway_model::Message {
    let (room, body) = (room.to_string(), body.to_string());
    let ev = c
        .wait_for(&format!("'{body}' in {room}"), 20, |e| {
            matches!(e, CoreEvent::MessagesReceived(m) if m.iter().any(|m| m.peer == room && m.body == body))
        })
        .await;
    let CoreEvent::MessagesReceived(m) = ev else {
        unreachable!()
    };
    m.into_iter().find(|m| m.body == body).unwrap()
}

fn rows_with(c: &Client, account: &str, room: &str, body: &str) -> usize {
    c.messenger
        .store()
        .history(account, room, None, 1000)
        .unwrap()
        .iter()
        .filter(|m| m.body == body)
        .count()
}

/// The whole journey on one server. `(a, b)`: two accounts; `room`: a room address on its MUC
/// service that does not exist yet.
/// What differs between the servers' rooms.
struct Quirks {
    /// The server tells our other devices that a bookmark went (ejabberd 23.01 does not, even
    /// with the node set to `notify_retract`).
    retractions_notified: bool,
    /// A banned user is refused when they come back (ejabberd 23.01 lets them in).
    bans_kept_out: bool,
}

async fn journey(server_field: &str, a: &str, b: &str, room: &str, server: Quirks) {
    let mut alice = online_at(server_field, a).await;
    let mut bob = online_at(server_field, b).await;

    // Joining a room that does not exist creates it (an instant room, unlocked for others).
    alice
        .messenger
        .rooms()
        .join_room(room, "Alice")
        .await
        .unwrap();
    wait_joined(&mut alice, room).await;
    bob.messenger.rooms().join_room(room, "Bob").await.unwrap();
    wait_joined(&mut bob, room).await;
    let room_s = room.to_string();
    alice
        .wait_for("Bob among the occupants", 20, |e| {
            matches!(e, CoreEvent::OccupantsChanged { room: r, occupants } if *r == room_s && occupants.iter().any(|o| o.nick == "Bob"))
        })
        .await;
    let occupants = alice.messenger.rooms().occupants(room).await.unwrap();
    let me = occupants.iter().find(|o| o.nick == "Alice").expect("us");
    assert!(me.is_self);
    assert_eq!(
        me.role,
        Role::Moderator,
        "the creator moderates: {occupants:?}"
    );
    assert!(occupants.iter().any(|o| o.nick == "Bob" && !o.is_self));

    // Bob's status reaches the room (XEP-0045 §7.7).
    bob.messenger
        .profile()
        .set_my_presence(hallway_model::MyPresence {
            show: hallway_model::MyShow::Away,
            status: "At lunch".into(),
        })
        .await
        .unwrap();
    alice
        .wait_for("Bob away in the room", 20, |e| {
            matches!(e, CoreEvent::OccupantsChanged { room: r, occupants } if *r == room_s
                && occupants.iter().any(|o| o.nick == "Bob"
                    && o.show == hallway_model::PresenceShow::Away
                    && o.status.as_deref() == Some("At lunch")))
        })
        .await;

    // Messages both ways: ours is stored once and its reflection makes it sent.
    let sent = alice
        .messenger
        .chats()
        .send_message(room, "Morning @Bob, release notes?")
        .await
        .unwrap();
    let got = wait_body(&mut bob, room, "Morning @Bob, release notes?").await;
    // Found by search (local, FTS5), in the room: the window shows the room's name from it.
    let hits = bob
        .messenger
        .chats()
        .search_messages("release notes")
        .unwrap();
    assert!(
        hits.iter()
            .any(|h| h.message.peer == room && h.message.sender.ends_with("/Alice")),
        "{hits:?}"
    );
    assert_eq!(got.sender, format!("{room}/Alice"));
    assert_eq!(got.direction, Direction::Incoming);
    bob.wait_for(
        "the mention notified",
        10,
        |e| matches!(e, CoreEvent::NotificationRequested(n) if n.body.contains("release notes")),
    )
    .await;
    alice
        .eventually("our message sent", 10, |c| {
            c.messenger.store().message(sent.id).unwrap().unwrap().state != DeliveryState::Pending
        })
        .await;
    let _ = alice.drain_for(500).await;
    assert_eq!(
        rows_with(&alice, a, room, "Morning @Bob, release notes?"),
        1,
        "no second row"
    );
    bob.messenger
        .chats()
        .send_message(room, "Attached by noon")
        .await
        .unwrap();
    let got = wait_body(&mut alice, room, "Attached by noon").await;
    assert_eq!(got.sender, format!("{room}/Bob"));

    // Several in a row: each reflection or ack lets the next go (none stays pending).
    for n in 0..5 {
        alice
            .messenger
            .chats()
            .send_message(room, &format!("point {n}"))
            .await
            .unwrap();
    }
    alice
        .eventually("all five sent", 20, |c| {
            c.messenger.store().pending(a).unwrap().is_empty()
        })
        .await;
    wait_body(&mut bob, room, "point 4").await;

    // A restart: the room is joined again by itself, and what was said meanwhile arrives once.
    alice.messenger.shut_down().await;
    let dir = alice.data_dir;
    // More than the 20 messages a room replays on entry (both servers' default): all of them
    // come, from the room's own archive (XEP-0313), in order and once.
    let away: Vec<String> = (0..25)
        .map(|n| format!("While you were away {n}"))
        .collect();
    for body in &away {
        bob.messenger
            .chats()
            .send_message(room, body)
            .await
            .unwrap();
    }
    bob.eventually("sent", 20, |c| {
        c.messenger.store().pending(b).unwrap().is_empty()
    })
    .await;
    let mut alice = Client::open_in(a, dir);
    alice.sign_in_at(server_field, PASSWORD).await.unwrap();
    wait_joined(&mut alice, room).await;
    // (The room's archive is stored before it counts as joined.)
    alice
        .eventually("what was said meanwhile", 20, |c| {
            rows_with(c, a, room, "While you were away 24") == 1
        })
        .await;
    let _ = alice.drain_for(1000).await;
    for body in ["Morning @Bob, release notes?", "Attached by noon"]
        .into_iter()
        .chain(away.iter().map(String::as_str))
    {
        assert_eq!(rows_with(&alice, a, room, body), 1, "{body} once");
    }
    let page = alice
        .messenger
        .history()
        .load_history(room, None, 25)
        .await
        .unwrap();
    let bodies: Vec<&str> = page.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(
        bodies,
        away.iter().map(String::as_str).collect::<Vec<_>>(),
        "in order"
    );

    // The bookmarks (XEP-0402) bring the rooms to a second device, which joins them by itself
    // (two rooms: a server keeping one bookmark would lose the first).
    let second = room.replacen('@', "-2@", 1);
    alice
        .messenger
        .rooms()
        .join_room(&second, "Alice")
        .await
        .unwrap();
    wait_joined(&mut alice, &second).await;
    let mut laptop = online_at(server_field, a).await;
    wait_joined(&mut laptop, room).await;
    laptop
        .eventually("both rooms on the second device", 20, |c| {
            c.messenger.store().rooms(a).unwrap().len() == 2
        })
        .await;
    let rooms = laptop.messenger.rooms().list().await.unwrap();
    assert_eq!(rooms.iter().find(|r| r.room == room).unwrap().nick, "Alice");
    // Read state (XEP-0490 by the room's ids): read on the laptop, no longer unread here.
    bob.messenger
        .chats()
        .send_message(room, "Read it anywhere")
        .await
        .unwrap();
    wait_body(&mut alice, room, "Read it anywhere").await;
    wait_body(&mut laptop, room, "Read it anywhere").await;
    let unread_here = |c: &Client| {
        c.messenger
            .store()
            .unread_counts(a)
            .unwrap()
            .into_iter()
            .find(|(p, _)| p == room)
            .map_or(0, |(_, n)| n)
    };
    assert!(unread_here(&alice) > 0);
    laptop.messenger.chats().mark_read(room).await.unwrap();
    alice
        .eventually("read on the laptop, read here", 20, |c| unread_here(c) == 0)
        .await;
    // Leaving there takes the bookmark away: this device leaves too, and the next one never
    // joins it.
    laptop.messenger.rooms().leave_room(room).await.unwrap();
    assert_eq!(laptop.messenger.rooms().list().await.unwrap().len(), 1);
    if server.retractions_notified {
        alice
            .wait_for(
                "the room gone here too",
                20,
                |e| matches!(e, CoreEvent::RoomsChanged(r) if !r.iter().any(|r| r.room == room_s)),
            )
            .await;
        assert!(!alice
            .messenger
            .rooms()
            .list()
            .await
            .unwrap()
            .iter()
            .any(|r| r.room == room));
        assert_eq!(
            rows_with(&alice, a, room, "While you were away 24"),
            1,
            "its history stays"
        );
    }
    let mut desk = online_at(server_field, a).await;
    let _ = desk.drain_for(1500).await;
    let left: Vec<String> = desk
        .messenger
        .rooms()
        .list()
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.room)
        .collect();
    assert!(
        !left.contains(&room.to_string()),
        "no bookmark, no room: {left:?}"
    );
    let board = create_and_browse(&mut alice, &mut bob, a, b).await;
    moderation(&mut alice, &mut bob, &board, server.bans_kept_out).await;
    for c in [alice, bob, laptop, desk] {
        c.messenger.shut_down().await;
    }
}

/// Create room and Browse rooms: the server's room service found by disco, a room created from
/// a name (configured through its owner form: named, kept when empty, listed), a second one of
/// the same name at another address, and a members-only room that refuses a non-member and is
/// not listed.
async fn create_and_browse(alice: &mut Client, bob: &mut Client, a: &str, b: &str) -> String {
    let plan = alice
        .messenger
        .rooms()
        .create_room("Quarterly plan", "Numbers for Q1", false, "Alice")
        .await
        .unwrap();
    assert!(plan.room.starts_with("quarterly-plan@"), "{}", plan.room);
    assert_eq!(plan.name, "Quarterly plan");
    wait_joined(alice, &plan.room).await;
    let again = alice
        .messenger
        .rooms()
        .create_room("Quarterly plan", "", false, "Alice")
        .await
        .unwrap();
    assert!(
        again.room.starts_with("quarterly-plan-2@"),
        "{}",
        again.room
    );
    wait_joined(alice, &again.room).await;
    let board = alice
        .messenger
        .rooms()
        .create_room("Board", "", true, "Alice")
        .await
        .unwrap();
    wait_joined(alice, &board.room).await;
    // Left by everyone, a persistent room stays (and stays listed, by its name).
    alice
        .messenger
        .rooms()
        .leave_room(&plan.room)
        .await
        .unwrap();
    let plan_room = plan.room.clone();
    let mut listed = Vec::new();
    for _ in 0..40 {
        listed = bob.messenger.rooms().browse_rooms().await.unwrap();
        if listed.iter().any(|r| r.room == plan_room) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    let found = listed
        .iter()
        .find(|r| r.room == plan_room)
        .unwrap_or_else(|| panic!("{plan_room} not listed: {listed:?}"));
    // (ejabberd adds how many are in it: "Quarterly plan (1)".)
    assert!(found.name.starts_with("Quarterly plan"), "{found:?}");
    assert!(!found.joined);
    assert!(
        !listed.iter().any(|r| r.room == board.room),
        "a members-only room is not listed"
    );
    // Anyone may enter the open room; the members-only one refuses a non-member in words.
    bob.messenger
        .rooms()
        .join_room(&plan.room, "Bob")
        .await
        .unwrap();
    wait_joined(bob, &plan.room).await;
    bob.messenger
        .rooms()
        .join_room(&board.room, "Bob")
        .await
        .unwrap();
    wait_phase(bob, &board.room, "members only", |p| {
        matches!(
            p,
            RoomPhase::Error {
                reason: RoomRefusal::MembersOnly,
                ..
            }
        )
    })
    .await;

    // Invite people: the owner makes Bob a member and invites him (XEP-0249); he joins from
    // the invitation. Another invitation he declines goes away.
    alice
        .messenger
        .rooms()
        .invite(&board.room, b, "Board minutes")
        .await
        .unwrap();
    let board_s = board.room.clone();
    let ev = bob
        .wait_for("the invitation", 20, |e| {
            matches!(e, CoreEvent::InvitationsChanged(l) if l.iter().any(|i| i.room == board_s))
        })
        .await;
    let CoreEvent::InvitationsChanged(list) = ev else {
        unreachable!()
    };
    let inv = list.iter().find(|i| i.room == board.room).unwrap();
    assert_eq!(inv.inviter, a);
    assert_eq!(inv.reason.as_deref(), Some("Board minutes"));
    assert!(!inv.mediated);
    bob.messenger
        .rooms()
        .accept_invitation(&board.room, "Bob")
        .await
        .unwrap();
    wait_joined(bob, &board.room).await;
    alice
        .messenger
        .rooms()
        .invite(&again.room, b, "")
        .await
        .unwrap();
    let again_s = again.room.clone();
    bob.wait_for(
        "the second invitation",
        20,
        |e| matches!(e, CoreEvent::InvitationsChanged(l) if l.iter().any(|i| i.room == again_s)),
    )
    .await;
    bob.messenger
        .rooms()
        .decline_invitation(&again.room)
        .await
        .unwrap();
    assert!(bob
        .messenger
        .rooms()
        .invitations()
        .await
        .unwrap()
        .is_empty());
    assert!(
        !bob.messenger
            .rooms()
            .list()
            .await
            .unwrap()
            .iter()
            .any(|r| r.room == again.room),
        "declining joins nothing"
    );
    board.room
}

/// Waits until the room list shows `room` as `pred` accepts.
async fn wait_room(c: &mut Client, room: &str, what: &str, pred: impl Fn(&Room) -> bool) -> Room {
    let room = room.to_string();
    let ev = c
        .wait_for(what, 20, |e| {
            matches!(e, CoreEvent::RoomsChanged(rooms) if rooms.iter().any(|r| r.room == room && pred(r)))
        })
        .await;
    let CoreEvent::RoomsChanged(rooms) = ev else {
        unreachable!()
    };
    rooms.into_iter().find(|r| r.room == room).unwrap()
}

fn rooms(c: &Client) -> &hallway_core::rooms::Rooms {
    c.messenger.rooms()
}

/// Bob, in `room`, as `c` moderates him.
async fn moderate(
    c: &Client,
    room: &str,
    action: OccupantAction,
    reason: &str,
) -> Result<(), hallway_core::CoreError> {
    c.messenger
        .rooms()
        .moderate(room, "Bob", action, reason)
        .await
}

/// Moderation (item 10) in `room`, which Alice owns and Bob is a member of and in: the subject,
/// moderator rights given and taken, the room renamed and made open through its owner form (Bob
/// sees the name), Bob kicked (he may come back) and banned (he may not), and the room destroyed.
/// `bans_kept_out`: the server refuses a banned user who comes back (ejabberd 23.01 lists them
/// as outcast, yet lets them in again).
async fn moderation(alice: &mut Client, bob: &mut Client, room: &str, bans_kept_out: bool) {
    let mine = rooms(alice).list().await.unwrap();
    let mine = mine.iter().find(|r| r.room == room).unwrap();
    assert_eq!(
        (mine.role, mine.affiliation),
        (Role::Moderator, Affiliation::Owner)
    );

    rooms(alice)
        .set_room_subject(room, "Minutes due Friday")
        .await
        .unwrap();
    wait_room(bob, room, "the new subject", |r| {
        r.subject.as_deref() == Some("Minutes due Friday")
    })
    .await;
    // Bob may not: a participant is told so, and nothing is sent.
    let refused = rooms(bob).set_room_subject(room, "mine now").await;
    assert!(refused.is_err(), "{refused:?}");

    // Alice sees who Bob is and what she may do to him.
    let bob_seat = rooms(alice)
        .occupants(room)
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.nick == "Bob")
        .expect("Bob in the room");
    assert!(bob_seat.real_jid.is_some(), "the owner sees real addresses");
    assert_eq!(
        bob_seat.actions,
        [
            OccupantAction::Kick,
            OccupantAction::Ban,
            OccupantAction::RemoveMember,
            OccupantAction::MakeModerator
        ]
    );
    moderate(alice, room, OccupantAction::MakeModerator, "")
        .await
        .unwrap();
    wait_room(bob, room, "Bob a moderator", |r| r.role == Role::Moderator).await;
    moderate(alice, room, OccupantAction::RemoveModerator, "")
        .await
        .unwrap();
    wait_room(bob, room, "Bob a participant again", |r| {
        r.role == Role::Participant
    })
    .await;

    // The owner form: renamed and opened; Bob's list shows the new name.
    let before = rooms(alice).room_settings(room).await.unwrap();
    assert!(before.members_only && before.persistent, "{before:?}");
    rooms(alice)
        .change_room_settings(
            room,
            RoomSettings {
                name: Some("Board room".into()),
                description: Some("Minutes and plans".into()),
                members_only: false,
                ..before.clone()
            },
        )
        .await
        .unwrap();
    let after = rooms(alice).room_settings(room).await.unwrap();
    assert_eq!(after.name.as_deref(), Some("Board room"));
    assert_eq!(after.description.as_deref(), Some("Minutes and plans"));
    assert!(!after.members_only && after.public && after.persistent);
    assert_eq!(
        after.archived, before.archived,
        "what the dialog does not show stays"
    );
    wait_room(alice, room, "the new name here", |r| r.name == "Board room").await;
    wait_room(bob, room, "the new name at Bob's", |r| {
        r.name == "Board room"
    })
    .await;

    // Kicked: out in words, and free to come back.
    moderate(alice, room, OccupantAction::Kick, "Take a break")
        .await
        .unwrap();
    wait_phase(bob, room, "kicked", |p| {
        matches!(
            p,
            RoomPhase::Error {
                reason: RoomRefusal::Kicked,
                ..
            }
        )
    })
    .await;
    rooms(bob).join_room(room, "Bob").await.unwrap();
    wait_joined(bob, room).await;
    // Banned: out, and (where the server keeps bans) refused at the door.
    let mut banned = false;
    for _ in 0..20 {
        match moderate(alice, room, OccupantAction::Ban, "Enough").await {
            Ok(()) => {
                banned = true;
                break;
            }
            // Alice's list may not show Bob back yet.
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(250)).await,
        }
    }
    assert!(banned, "Bob could not be banned");
    wait_phase(bob, room, "banned", |p| {
        matches!(
            p,
            RoomPhase::Error {
                reason: RoomRefusal::Banned,
                ..
            }
        )
    })
    .await;
    if bans_kept_out {
        rooms(bob).join_room(room, "Bob").await.unwrap();
        wait_phase(bob, room, "refused at the door", |p| {
            matches!(
                p,
                RoomPhase::Error {
                    reason: RoomRefusal::Banned,
                    ..
                }
            )
        })
        .await;
    }

    // Destroyed: gone from Alice's rooms and from the service's list (it was listed once open).
    assert!(rooms(bob)
        .browse_rooms()
        .await
        .unwrap()
        .iter()
        .any(|r| r.room == room));
    rooms(alice).destroy_room(room, "Moved on").await.unwrap();
    assert!(!rooms(alice)
        .list()
        .await
        .unwrap()
        .iter()
        .any(|r| r.room == room));
    let mut listed = true;
    for _ in 0..20 {
        listed = rooms(bob)
            .browse_rooms()
            .await
            .unwrap()
            .iter()
            .any(|r| r.room == room);
        if !listed {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    assert!(!listed, "a destroyed room is not listed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rooms_work_end_to_end_on_prosody() {
    let server = Prosody::shared();
    let room = "release17@rooms.localhost";
    journey(
        &server.server_field(),
        "carol17@localhost",
        "carol18@localhost",
        room,
        Quirks {
            retractions_notified: true,
            bans_kept_out: true,
        },
    )
    .await;

    // Someone else already uses the nickname: the room says so in words, nothing retries.
    let mut holder = Client::online(server, "carol19@localhost").await;
    holder
        .messenger
        .rooms()
        .join_room("standup17@rooms.localhost", "Sam")
        .await
        .unwrap();
    wait_joined(&mut holder, "standup17@rooms.localhost").await;
    let mut other = Client::online(server, "carol9@localhost").await;
    other
        .messenger
        .rooms()
        .join_room("standup17@rooms.localhost", "Sam")
        .await
        .unwrap();
    wait_phase(&mut other, "standup17@rooms.localhost", "nickname taken", |p| {
        matches!(p, RoomPhase::Error { reason: RoomRefusal::NicknameTaken, words } if words.contains("nickname"))
    })
    .await;
}

/// A mediated invitation (XEP-0045 §7.8.2): another client enters a room and asks the room to
/// invite Bob; Bob sees who invites him, through which room, and declines — the decline goes
/// back through the room to the inviter.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mediated_invitation_shows_and_its_decline_reaches_the_inviter_on_prosody() {
    let server = Prosody::shared();
    let mut bob = Client::online(server, "carol8@localhost").await;
    let room = "lobby8@rooms.localhost";
    let port = server.c2s_port;
    let raw = tokio::task::spawn_blocking(move || {
        crate::messaging::send_raw_with(
            port,
            "carol7@localhost",
            &[
                &format!("<presence to='{room}/Casey'><x xmlns='http://jabber.org/protocol/muc'/></presence>"),
                &format!(
                    "<message to='{room}'><x xmlns='http://jabber.org/protocol/muc#user'>\
                     <invite to='carol8@localhost'><reason>Numbers at 3</reason></invite></x></message>"
                ),
            ],
            &[("RAW_SEND_LINGER_MS", "6000")],
        )
    });
    let ev = bob
        .wait_for(
            "the mediated invitation",
            20,
            |e| matches!(e, CoreEvent::InvitationsChanged(l) if l.iter().any(|i| i.room == room)),
        )
        .await;
    let CoreEvent::InvitationsChanged(list) = ev else {
        unreachable!()
    };
    let inv = list.iter().find(|i| i.room == room).unwrap();
    // Prosody's rooms hide real addresses: the inviter is known by their seat there.
    assert_eq!(inv.inviter, format!("{room}/Casey"));
    assert_eq!(inv.inviter_name.as_deref(), Some("Casey"));
    assert!(inv.mediated);
    assert_eq!(inv.reason.as_deref(), Some("Numbers at 3"));
    assert!(!inv.from_contact, "a stranger's invitation is a request");
    bob.messenger
        .rooms()
        .decline_invitation(room)
        .await
        .unwrap();
    let out = raw.await.unwrap();
    assert!(
        out.contains("decline"),
        "the inviter hears of the decline: {out}"
    );
    bob.messenger.shut_down().await;
}

/// Never silently out (item 7) and nothing lost: the server restarts under two occupants; the
/// room shows "reconnecting", a message written meanwhile waits in the outbox, both rejoin by
/// themselves, and the message reaches the room once — after the rejoin, with its reflection as
/// the one row of ours. What was said while we were away arrives once (the room's archive).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rooms_come_back_after_a_server_restart_and_the_outbox_goes_once() {
    use crate::support::prosody::Cert;
    let server = Prosody::start(Cert::TrustedCa);
    let room = "restart@rooms.localhost";
    let mut alice = Client::online(&server, "alice6@localhost").await;
    let mut bob = Client::online(&server, "bob6@localhost").await;
    for (c, nick) in [(&mut alice, "Alice"), (&mut bob, "Bob")] {
        c.messenger.rooms().join_room(room, nick).await.unwrap();
        wait_joined(c, room).await;
    }
    server.kill();
    wait_phase(&mut alice, room, "reconnecting", |p| {
        matches!(p, RoomPhase::Reconnecting | RoomPhase::Left)
    })
    .await;
    let written = alice
        .messenger
        .chats()
        .send_message(room, "written while the server was down")
        .await
        .unwrap();
    assert_eq!(written.state, DeliveryState::Pending);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    server.launch();
    alice.wait_online(90).await;
    bob.wait_online(90).await;
    wait_joined(&mut alice, room).await;
    wait_body(&mut bob, room, "written while the server was down").await;
    alice
        .eventually("ours sent, once", 30, |c| {
            c.messenger
                .store()
                .message(written.id)
                .unwrap()
                .map(|m| m.state)
                == Some(DeliveryState::Sent)
        })
        .await;
    let _ = bob.drain_for(1500).await;
    assert_eq!(
        rows_with(
            &bob,
            "bob6@localhost",
            room,
            "written while the server was down"
        ),
        1
    );
    assert_eq!(
        rows_with(
            &alice,
            "alice6@localhost",
            room,
            "written while the server was down"
        ),
        1
    );
    assert!(alice
        .messenger
        .store()
        .pending("alice6@localhost")
        .unwrap()
        .is_empty());
    for c in [alice, bob] {
        c.messenger.shut_down().await;
    }
}

/// Never silently out (item 7) with the stream up: the room forgets an occupant without a word
/// (`tests/support/mod_hallway_muc_forget.lua`, as a room does that restarted or lost its
/// state). Alice finds out when the room refuses her message (§7.4 "not-acceptable"): she
/// joins again and the message goes after, once, her row sent. Carol, silent, finds out by
/// self-ping (XEP-0410, shortened to 2 s here): she joins again and what was said while she was
/// out comes from the room's archive, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_room_that_drops_us_without_a_word_is_found_out_and_joined_again() {
    use crate::support::prosody::{Cert, Extras};
    let server = Prosody::start_with(
        Cert::TrustedCa,
        &Extras {
            modules: vec!["hallway_muc_forget".into()],
            plugin_paths: vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("support")],
            ..Extras::default()
        },
    );
    let room = "quiet@rooms.localhost";
    let mut alice = Client::online(&server, "alice8@localhost").await;
    let mut bob = Client::online(&server, "bob8@localhost").await;
    let mut carol =
        Client::with_room_self_ping_after("carol8@localhost", std::time::Duration::from_secs(2));
    carol.sign_in(&server).await.unwrap();
    for (c, nick) in [
        (&mut alice, "Alice"),
        (&mut bob, "Bob"),
        (&mut carol, "Carol"),
    ] {
        c.messenger.rooms().join_room(room, nick).await.unwrap();
        wait_joined(c, room).await;
    }
    let port = server.c2s_port;
    let forget = |nick: &'static str| async move {
        tokio::task::spawn_blocking(move || {
            crate::messaging::send_raw_with(
                port,
                "bob8@localhost",
                &[&format!(
                    "<message to='forget@localhost'><body>{room}/{nick}</body></message>"
                )],
                &[("RAW_SEND_LINGER_MS", "500")],
            )
        })
        .await
        .unwrap();
    };

    // Alice is dropped; Bob speaks meanwhile; Alice's message is refused, she rejoins, it goes.
    forget("Alice").await;
    bob.messenger
        .chats()
        .send_message(room, "said while Alice was out")
        .await
        .unwrap();
    wait_body(&mut carol, room, "said while Alice was out").await;
    let written = alice
        .messenger
        .chats()
        .send_message(room, "Alice, after the room forgot her")
        .await
        .unwrap();
    wait_body(&mut bob, room, "Alice, after the room forgot her").await;
    wait_body(&mut alice, room, "said while Alice was out").await;
    alice
        .eventually("ours sent, once", 30, |c| {
            c.messenger
                .store()
                .message(written.id)
                .unwrap()
                .map(|m| m.state)
                == Some(DeliveryState::Sent)
        })
        .await;

    // Carol is dropped and says nothing: her self-ping finds out.
    forget("Carol").await;
    bob.messenger
        .chats()
        .send_message(room, "said while Carol was out")
        .await
        .unwrap();
    wait_body(&mut carol, room, "said while Carol was out").await;
    let _ = bob.drain_for(1500).await;
    for (c, account, body) in [
        (
            &alice,
            "alice8@localhost",
            "Alice, after the room forgot her",
        ),
        (&bob, "bob8@localhost", "Alice, after the room forgot her"),
        (&alice, "alice8@localhost", "said while Alice was out"),
        (&carol, "carol8@localhost", "said while Carol was out"),
        (&carol, "carol8@localhost", "said while Alice was out"),
    ] {
        assert_eq!(rows_with(c, account, room, body), 1, "{account}: {body}");
    }
    assert!(alice
        .messenger
        .store()
        .pending("alice8@localhost")
        .unwrap()
        .is_empty());
    let occupants = bob.messenger.rooms().occupants(room).await.unwrap();
    assert_eq!(occupants.len(), 3, "everyone back: {occupants:?}");
    for c in [alice, bob, carol] {
        c.messenger.shut_down().await;
    }
}

/// A room with a password (item 5): refused in words without it, entered with it (kept for
/// this run only, never stored).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_room_with_a_password_asks_for_it_on_prosody() {
    use crate::support::prosody::Cert;
    let server = Prosody::start(Cert::TrustedCa);
    let room = "vault@rooms.localhost";
    let mut owner = Client::online(&server, "alice7@localhost").await;
    owner
        .messenger
        .rooms()
        .join_room(room, "Olga")
        .await
        .unwrap();
    wait_joined(&mut owner, room).await;
    // The owner sets a password through the room's own form (XEP-0045 §10.2).
    let port = server.c2s_port;
    let raw = tokio::task::spawn_blocking(move || {
        crate::messaging::send_raw_with(
            port,
            "alice7@localhost",
            &[&format!(
                "<iq type='set' to='{room}' id='pw'><query xmlns='http://jabber.org/protocol/muc#owner'>\
                 <x xmlns='jabber:x:data' type='submit'>\
                 <field var='FORM_TYPE'><value>http://jabber.org/protocol/muc#roomconfig</value></field>\
                 <field var='muc#roomconfig_passwordprotectedroom'><value>1</value></field>\
                 <field var='muc#roomconfig_roomsecret'><value>s3cret</value></field>\
                 </x></query></iq>"
            )],
            &[("RAW_SEND_LINGER_MS", "1500")],
        )
    })
    .await
    .unwrap();
    assert!(
        raw.contains("type=\"result\"") || raw.contains("type='result'"),
        "{raw}"
    );
    let mut guest = Client::online(&server, "bob7@localhost").await;
    guest
        .messenger
        .rooms()
        .join_room(room, "Gil")
        .await
        .unwrap();
    wait_phase(&mut guest, room, "password asked", |p| {
        matches!(p, RoomPhase::Error { reason: RoomRefusal::PasswordRequired, words } if words.contains("password"))
    })
    .await;
    guest
        .messenger
        .rooms()
        .join_room_with_password(room, "Gil", Some("wrong".into()))
        .await
        .unwrap();
    wait_phase(&mut guest, room, "a wrong password refused", |p| {
        matches!(
            p,
            RoomPhase::Error {
                reason: RoomRefusal::PasswordRequired,
                ..
            }
        )
    })
    .await;
    guest
        .messenger
        .rooms()
        .join_room_with_password(room, "Gil", Some("s3cret".into()))
        .await
        .unwrap();
    wait_joined(&mut guest, room).await;
    assert!(
        !guest
            .messenger
            .store()
            .rooms("bob7@localhost")
            .unwrap()
            .iter()
            .any(|r| format!("{r:?}").contains("s3cret")),
        "the password is not stored"
    );
    // Who entered with the password passes it on with an invitation (XEP-0249 §2): the
    // invitee who accepts is not asked for it.
    let mut invitee = Client::online(&server, "carol7@localhost").await;
    guest
        .messenger
        .rooms()
        .invite(room, "carol7@localhost", "the numbers")
        .await
        .unwrap();
    invitee
        .wait_for(
            "the invitation",
            20,
            |e| matches!(e, CoreEvent::InvitationsChanged(l) if l.iter().any(|i| i.room == room)),
        )
        .await;
    invitee
        .messenger
        .rooms()
        .accept_invitation(room, "Cy")
        .await
        .unwrap();
    wait_joined(&mut invitee, room).await;
    for c in [owner, guest, invitee] {
        c.messenger.shut_down().await;
    }
}

/// Attach file in a room (item 12): the file goes through the upload service (XEP-0363) and
/// reaches the room as a link everyone can open; ours is one row (the reflection is its sent
/// state); a direct transfer (XEP-0234) is for chats only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_goes_to_a_room_through_the_upload_service_on_prosody() {
    use hallway_model::FileStatus;
    let server = Prosody::shared();
    let room = "files20@rooms.localhost";
    let mut sender = Client::online(server, "carol20@localhost").await;
    let mut reader = Client::online(server, "carol16@localhost").await;
    for (c, nick) in [(&mut sender, "Sam"), (&mut reader, "Rita")] {
        c.messenger.rooms().join_room(room, nick).await.unwrap();
        wait_joined(c, room).await;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = crate::files::make_file(dir.path(), "plan <v2>.pdf", 20_000);
    assert!(!sender
        .messenger
        .files()
        .can_send_directly(room)
        .await
        .unwrap());
    assert!(sender
        .messenger
        .files()
        .send_file_direct(room, &path)
        .await
        .is_err());
    let sent = sender
        .messenger
        .files()
        .send_file(room, &path)
        .await
        .unwrap();
    assert_eq!(sent.peer, room);
    let done = crate::files::wait_status(&mut sender, sent.id, FileStatus::Uploaded, 60).await;
    let url = done.url.expect("uploaded");
    let ev = reader
        .wait_for("the file in the room", 30, |e| {
            matches!(e, CoreEvent::MessagesReceived(m) if m.iter().any(|m| m.peer == room && m.attachment.is_some()))
        })
        .await;
    let CoreEvent::MessagesReceived(got) = ev else {
        unreachable!()
    };
    let got = got.into_iter().find(|m| m.peer == room).unwrap();
    let a = got.attachment.unwrap();
    assert_eq!(a.url.as_deref(), Some(url.as_str()));
    assert_eq!(a.status, FileStatus::Available, "nothing fetched by itself");
    assert_eq!(got.sender, format!("{room}/Sam"));
    sender
        .eventually("our file sent, once", 20, |c| {
            let rows = c
                .messenger
                .store()
                .history("carol20@localhost", room, None, 50)
                .unwrap();
            rows.len() == 1 && rows[0].state == DeliveryState::Sent
        })
        .await;
    for c in [sender, reader] {
        c.messenger.shut_down().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rooms_work_end_to_end_on_ejabberd() {
    let server = Ejabberd::shared();
    journey(
        &server.server_field(),
        "cat@localhost",
        "dan@localhost",
        "release@conference.localhost",
        Quirks {
            retractions_notified: false,
            bans_kept_out: false,
        },
    )
    .await;
}
