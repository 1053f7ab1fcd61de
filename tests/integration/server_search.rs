//! Searching the server archive (XEP-0431) against ejabberd with MariaDB, the setup that offers
//! it: matches older than the local copy are found, paged, and opened by fetching history back
//! to them; Prosody, which cannot search, is told apart.

use hallway_core::CoreEvent;
use hallway_model::Direction;

use crate::messaging::send_raw_at;
use crate::support::client::Client;
use crate::support::ejabberd::Ejabberd;
use crate::support::prosody::{Prosody, PASSWORD};

async fn online(server: &Ejabberd, address: &str) -> Client {
    let mut c = Client::new(address);
    c.sign_in_at(&server.server_field(), PASSWORD)
        .await
        .unwrap_or_else(|e| panic!("{address} could not sign in to ejabberd: {e}"));
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finds_old_messages_on_the_server_and_opens_them() {
    let server = Ejabberd::shared();
    let (ann, ben) = ("ann@localhost", "ben@localhost");
    const FILLERS: usize = 400;

    // Ben's other client writes and corrects itself (XEP-0308) while Ann is away, then Ben
    // writes from Hallway; then Ann's first device writes a long conversation.
    send_raw_at(
        server.c2s_port,
        ben,
        &[
            "<message xmlns='jabber:client' to='ann@localhost' type='chat' id='agenda-1'>\
             <body>draft agenda</body><origin-id xmlns='urn:xmpp:sid:0' id='agenda-1'/></message>",
            "<message xmlns='jabber:client' to='ann@localhost' type='chat' id='agenda-2'>\
             <body>final agenda for the budget</body><origin-id xmlns='urn:xmpp:sid:0' id='agenda-2'/>\
             <replace xmlns='urn:xmpp:message-correct:0' id='agenda-1'/></message>",
        ],
    );
    let mut colleague = online(server, ben).await;
    colleague
        .messenger
        .chats()
        .send_message(ann, "Bring the budget sheets, s'il vous plaît")
        .await
        .unwrap();
    colleague
        .eventually("sent", 10, |c| {
            c.messenger.store().pending(ben).unwrap().is_empty()
        })
        .await;
    colleague.messenger.shut_down().await;
    let mut writer = online(server, ann).await;
    writer
        .wait_for("Ben's message from the archive", 10, |e| {
            matches!(e, CoreEvent::MessagesReceived(m) if m.iter().any(|m| m.body.contains("sheets")))
        })
        .await;
    let budget = "The quarterly <b>budget</b> review is on Friday".to_string();
    writer
        .send_all(
            ben,
            std::iter::once(budget).chain((0..FILLERS).map(|i| format!("lunch note {i}"))),
        )
        .await;
    writer.messenger.shut_down().await;

    // A new device fetches only the recent pages: the budget messages are not local.
    let mut desk = online(server, ann).await;
    desk.wait_for("the newest message", 15, |e| {
        matches!(e, CoreEvent::MessagesReceived(m) if m.iter().any(|m| m.body == format!("lunch note {}", FILLERS - 1)))
    })
    .await;
    let _ = desk.drain_for(500).await;
    let local = desk.messenger.chats().search_messages("budget").unwrap();
    assert!(local.is_empty(), "not in the local copy: {local:?}");
    let stored_before = desk.messenger.store().count_messages(ann).unwrap();
    assert!(stored_before < 300, "only recent pages: {stored_before}");

    assert!(desk.messenger.history().can_search_server().await);
    let page = desk
        .messenger
        .history()
        .search_server("BUDGET", None)
        .await
        .unwrap();
    let found: Vec<(&str, Direction, &str)> = page
        .hits
        .iter()
        .map(|h| (h.peer.as_str(), h.direction, h.snippet.as_str()))
        .collect();
    assert_eq!(
        found,
        vec![
            (
                ben,
                Direction::Outgoing,
                "The quarterly <b>\u{2}budget\u{3}</b> review is on Friday"
            ),
            (
                ben,
                Direction::Incoming,
                "Bring the \u{2}budget\u{3} sheets, s'il vous plaît"
            ),
            (
                ben,
                Direction::Incoming,
                "final agenda for the \u{2}budget\u{3}"
            ),
        ],
        "newest first, words marked, markup left as text"
    );
    assert!(page.hits[0].timestamp >= page.hits[1].timestamp);
    assert_eq!(page.older, None, "three matches fit one page");
    println!(
        "server search: {} matches for \"budget\" among {} archived messages",
        page.hits.len(),
        FILLERS + 2
    );

    // Opening the older match walks the conversation back to it through the archive.
    let hit = &page.hits[1];
    let id = desk
        .messenger
        .history()
        .fetch_archived_message(&hit.peer, &hit.archive_id, hit.origin_id.as_deref())
        .await
        .unwrap();
    let around = desk.messenger.chats().load_history_around(id, 50).unwrap();
    assert!(around
        .iter()
        .any(|m| m.id == id && m.body.contains("sheets")));
    let stored_after = desk.messenger.store().count_messages(ann).unwrap();
    assert!(
        stored_after >= FILLERS as u64 + 2,
        "back to the match: {stored_after}"
    );
    // Opening again, or the other match (our own), adds nothing.
    let own = &page.hits[0];
    let own_id = desk
        .messenger
        .history()
        .fetch_archived_message(&own.peer, &own.archive_id, own.origin_id.as_deref())
        .await
        .unwrap();
    assert!(desk
        .messenger
        .store()
        .message(own_id)
        .unwrap()
        .unwrap()
        .body
        .contains("quarterly"));
    assert_eq!(
        desk.messenger
            .history()
            .fetch_archived_message(&hit.peer, &hit.archive_id, None)
            .await
            .unwrap(),
        id
    );
    assert_eq!(
        desk.messenger.store().count_messages(ann).unwrap(),
        stored_after
    );
    // The correction's hit opens the message it corrected, which now reads as corrected.
    let fix = &page.hits[2];
    assert_eq!(fix.origin_id.as_deref(), Some("agenda-1"));
    let fixed = desk
        .messenger
        .history()
        .fetch_archived_message(&fix.peer, &fix.archive_id, fix.origin_id.as_deref())
        .await
        .unwrap();
    let fixed = desk.messenger.store().message(fixed).unwrap().unwrap();
    assert_eq!(fixed.body, "final agenda for the budget");
    assert!(fixed.edited);
    assert_eq!(
        desk.messenger.store().count_messages(ann).unwrap(),
        FILLERS as u64 + 3,
        "the whole conversation is local, each message once (the correction is an edit)"
    );
    // Now the local search finds all three too.
    assert_eq!(
        desk.messenger
            .chats()
            .search_messages("budget")
            .unwrap()
            .len(),
        3
    );

    // Many matches come a page at a time, without overlap, oldest page last.
    let first = desk
        .messenger
        .history()
        .search_server("lunch", None)
        .await
        .unwrap();
    assert_eq!(first.hits.len(), 20);
    let second = desk
        .messenger
        .history()
        .search_server("lunch", first.older.clone())
        .await
        .unwrap();
    assert_eq!(second.hits.len(), 20);
    let ids: std::collections::HashSet<&str> = first
        .hits
        .iter()
        .chain(&second.hits)
        .map(|h| h.archive_id.as_str())
        .collect();
    assert_eq!(ids.len(), 40, "pages do not overlap");
    assert!(second.hits[0].timestamp <= first.hits[19].timestamp);

    // Nothing typed is an error the user can read, not a server query.
    assert!(desk
        .messenger
        .history()
        .search_server("  ", None)
        .await
        .is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prosody_offers_no_server_search() {
    let server = Prosody::shared();
    let c = Client::online(server, "alice13@localhost").await;
    assert!(!c.messenger.history().can_search_server().await);
}
