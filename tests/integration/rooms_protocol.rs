//! The rooms' protocol layer (issue 17) against the real Prosody's and ejabberd's MUC with their
//! archives, before
//! any service uses it: what `hallway_protocol` builds is what Prosody accepts, and what Prosody
//! sends is what it reads. Another client (slixmpp, raw_send.py) carries the stanzas, since the
//! app has no rooms service yet: enter a room (created, locked, status 201), read and submit the
//! server's own configuration form, self-ping in and out of the room, bookmarks through XEP-0402
//! and XEP-0048, and destroy the room.

use hallway_model::{Affiliation, Role};
use hallway_protocol::xep0045_muc::{self, JoinHistory};
use hallway_protocol::xep0045_muc_owner::{self, RoomSettings};
use hallway_protocol::xep0410_self_ping::{self, SelfPing};
use hallway_protocol::{xep0048_bookmarks, xep0060_pubsub, xep0402_bookmarks};
use xmpp_parsers::iq::Iq;
use xmpp_parsers::jid::{BareJid, FullJid};
use xmpp_parsers::minidom::Element;
use xmpp_parsers::presence::Presence;

use crate::messaging::send_raw_with;
use crate::support::ejabberd::Ejabberd;
use crate::support::prosody::Prosody;

/// An element as raw_send.py printed it (slixmpp leaves out the stanza's own namespace).
fn stanza(line: &str, name: &str) -> Element {
    let xml = line.replacen(
        &format!("<{name} "),
        &format!("<{name} xmlns='jabber:client' "),
        1,
    );
    xml.parse().unwrap_or_else(|e| panic!("{e}: {xml}"))
}

fn lines<'a>(out: &'a str, tag: &str) -> impl Iterator<Item = &'a str> {
    let prefix = format!("{tag} ");
    out.lines()
        .filter_map(move |l| l.strip_prefix(prefix.as_str()))
        .map(str::trim)
}

fn presences(out: &str) -> Vec<Presence> {
    lines(out, "PRES")
        .map(|l| Presence::try_from(stanza(l, "presence")).unwrap())
        .collect()
}

/// The answer to the iq with this id.
fn answer(out: &str, id: &str) -> Iq {
    lines(out, "IQ")
        .map(|l| Iq::try_from(stanza(l, "iq")).unwrap())
        .find(|iq| match iq {
            Iq::Result { id: i, .. } | Iq::Error { id: i, .. } => i == id,
            _ => false,
        })
        .unwrap_or_else(|| panic!("no answer to {id}: {out}"))
}

fn result_payload(iq: Iq) -> Option<Element> {
    match iq {
        Iq::Result { payload, .. } => payload,
        other => panic!("not a result: {other:?}"),
    }
}

fn xml(e: impl Into<Element>) -> String {
    let mut out = Vec::new();
    e.into().write_to(&mut out).unwrap();
    String::from_utf8(out).unwrap()
}

async fn raw(port: u16, jid: &str, stanzas: Vec<String>, iqs: &str) -> String {
    let jid = jid.to_string();
    let iqs = iqs.to_string();
    tokio::task::spawn_blocking(move || {
        let refs: Vec<&str> = stanzas.iter().map(String::as_str).collect();
        send_raw_with(
            port,
            &jid,
            &refs,
            &[("RAW_SEND_PRESENCES", "1"), ("RAW_SEND_WAIT_IQS", &iqs)],
        )
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prosody_takes_and_gives_what_the_rooms_protocol_layer_builds_and_reads() {
    let server = Prosody::shared();
    check(
        server.c2s_port,
        "rooms.localhost",
        ["carol26@localhost", "carol24@localhost"],
        "muc#roomconfig_enablearchiving",
        true,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ejabberd_takes_and_gives_what_the_rooms_protocol_layer_builds_and_reads() {
    let server = Ejabberd::shared();
    check(
        server.c2s_port,
        "conference.localhost",
        ["ann@localhost", "ben@localhost"],
        "mam",
        false,
    )
    .await;
}

/// The whole check on one server: `accounts` are the owner's and a colleague's, `archive_field`
/// the server's name for the room archive's field in its form, `full_options` whether it takes
/// every publish option XEP-0402 asks for.
async fn check(
    port: u16,
    service: &str,
    accounts: [&str; 2],
    archive_field: &str,
    full_options: bool,
) {
    let [owner_account, other_account] = accounts;
    let room = BareJid::new(&format!("proto-check@{service}")).unwrap();
    let owner = FullJid::new(&format!("proto-check@{service}/Carol")).unwrap();

    // Entering a room that does not exist creates it, locked until configured (§10.1).
    let first = raw(
        port,
        owner_account,
        vec![
            xml(xep0045_muc::join(&owner, &JoinHistory::Default, None, None)),
            xml(xep0045_muc_owner::config_request("cfg-1", &room)),
        ],
        "1",
    )
    .await;
    let me = presences(&first)
        .iter()
        .filter_map(|p| xep0045_muc::occupant(p).and_then(Result::ok))
        .find(|o| o.is_self)
        .unwrap_or_else(|| panic!("no self-presence: {first}"));
    assert!(me.created, "status 201: {first}");
    assert_eq!(
        (me.affiliation, me.role),
        (Affiliation::Owner, Role::Moderator)
    );
    assert_eq!(me.nick, "Carol");
    let form =
        xep0045_muc_owner::config_form(result_payload(answer(&first, "cfg-1")).as_ref()).unwrap();
    // The archive's field (muc_mam's on Prosody, ejabberd's own): the one we fill for "archived".
    assert!(
        xml(form.clone()).contains(&format!("var='{archive_field}'"))
            || xml(form.clone()).contains(&format!("var=\"{archive_field}\"")),
        "{first}"
    );

    // Created again (the unconfigured room went when its owner left) and configured with the
    // form Prosody gave: accepted, the room persists; bookmarks both ways.
    let wanted = RoomSettings {
        name: Some("Protocol check".into()),
        description: Some("rooms protocol layer".into()),
        members_only: false,
        public: true,
        persistent: true,
        archived: true,
    };
    let bookmark = xep0402_bookmarks::Bookmark {
        room: room.clone(),
        name: Some("Protocol check".into()),
        autojoin: true,
        nick: Some("Carol".into()),
        password: None,
        extensions: None,
    };
    let own = BareJid::new(owner_account).unwrap();
    let empty: Element = "<storage xmlns='storage:bookmarks'/>".parse().unwrap();
    let second = raw(
        port,
        owner_account,
        vec![
            xml(xep0045_muc::join(&owner, &JoinHistory::Default, None, None)),
            xml(xep0045_muc_owner::config_submit(
                "cfg-2", &room, &form, &wanted,
            )),
            xml(xep0045_muc_owner::config_request("cfg-3", &room)),
            xml(xep0402_bookmarks::publish("bm-1", &bookmark)),
            xml(xep0402_bookmarks::publish_compatible("bm-1b", &bookmark)),
            xml(xep0402_bookmarks::request("bm-2", &own)),
            xml(xep0048_bookmarks::store(
                "pv-1",
                xep0048_bookmarks::with(&empty, Ok(&bookmark)),
            )),
            xml(xep0048_bookmarks::request("pv-2")),
        ],
        "8",
    )
    .await;
    result_payload(answer(&second, "cfg-2"));
    let now = xep0045_muc_owner::settings(
        &xep0045_muc_owner::config_form(result_payload(answer(&second, "cfg-3")).as_ref()).unwrap(),
    );
    assert_eq!(now, wanted, "{second}");
    // XEP-0402's full publish options where the server takes them (Prosody); ejabberd 23.01
    // refuses them and takes the compatible ones.
    if full_options {
        result_payload(answer(&second, "bm-1"));
    } else {
        assert!(
            matches!(answer(&second, "bm-1"), Iq::Error { .. }),
            "{second}"
        );
    }
    result_payload(answer(&second, "bm-1b"));
    let items = xep0060_pubsub::parse_items(
        result_payload(answer(&second, "bm-2")).as_ref(),
        xep0402_bookmarks::NODE,
    )
    .unwrap();
    assert_eq!(xep0402_bookmarks::parse(&items), vec![bookmark.clone()]);
    result_payload(answer(&second, "pv-1"));
    let stored =
        xep0048_bookmarks::storage(result_payload(answer(&second, "pv-2")).as_ref()).unwrap();
    assert_eq!(xep0048_bookmarks::parse(&stored), vec![bookmark.clone()]);

    // A colleague enters the configured room: a participant; the room answers a self-ping while
    // we are in it, and refuses it once we are out (XEP-0410 §3.2: not-acceptable).
    let ben = FullJid::new(&format!("proto-check@{service}/Ben")).unwrap();
    let third = raw(
        port,
        other_account,
        vec![
            xml(xep0045_muc::join(&ben, &JoinHistory::Nothing, None, None)),
            xml(xep0410_self_ping::ping("sp-1", &ben)),
            xml(xep0045_muc::leave(&ben)),
            xml(xep0410_self_ping::ping("sp-2", &ben)),
        ],
        "2",
    )
    .await;
    let them = presences(&third)
        .iter()
        .filter_map(|p| xep0045_muc::occupant(p).and_then(Result::ok))
        .find(|o| o.is_self)
        .unwrap_or_else(|| panic!("no self-presence: {third}"));
    assert_eq!(
        (them.affiliation, them.role),
        (Affiliation::None, Role::Participant)
    );
    assert!(!them.created);
    assert_eq!(
        xep0410_self_ping::classify(&answer(&third, "sp-1")),
        Some(SelfPing::Joined),
        "{third}"
    );
    assert_eq!(
        xep0410_self_ping::classify(&answer(&third, "sp-2")),
        Some(SelfPing::NotJoined),
        "{third}"
    );

    // The owner destroys the room; entering it afterwards creates a new, locked one.
    let last = raw(
        port,
        owner_account,
        vec![
            xml(xep0045_muc::join(&owner, &JoinHistory::Nothing, None, None)),
            xml(xep0045_muc_owner::destroy("ds-1", &room, Some("done"))),
        ],
        "1",
    )
    .await;
    result_payload(answer(&last, "ds-1"));
    let gone = presences(&last)
        .iter()
        .filter_map(|p| xep0045_muc::occupant(p).and_then(Result::ok))
        // By our nickname: ejabberd leaves status 110 out of the destroy presence.
        .find(|o| o.nick == "Carol" && !o.present)
        .unwrap_or_else(|| panic!("no presence for the end of the room: {last}"));
    assert_eq!(gone.removal, Some(hallway_model::RoomRefusal::NotFound));
}
