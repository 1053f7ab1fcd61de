//! End-to-end journey in the real app window: tauri-driver → WebKitWebDriver → Hallway under
//! Xvfb, against a real Prosody. Controls are found by role and accessible name (label text or
//! aria-label), as a screen reader user would. Each step saves a screenshot under
//! `$HALLWAY_TEST_OUTPUT/e2e/`. Run with `make test-e2e` (builds the app first).

// Test code: a panic is a failed test with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../integration/support/mod.rs"]
#[allow(dead_code)]
mod support;

mod driver;

use std::process::Command;
use std::time::{Duration, Instant};

use driver::*;
use fantoccini::Locator;
use hallway_core::CoreEvent;
use support::client::Client;
use support::ejabberd::Ejabberd;
use support::prosody::{Prosody, PASSWORD};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_chat_and_keep_history_across_a_restart() {
    let server = Prosody::shared();
    let data = tempfile::tempdir().unwrap();
    let driver = Driver::start(data.path());

    // A colleague is online with a status text.
    let mut bob = Client::online(server, "bob13@localhost").await;
    bob.messenger
        .profile()
        .set_my_presence(hallway_model::MyPresence {
            show: hallway_model::MyShow::Available,
            status: "At my desk".into(),
        })
        .await
        .unwrap();

    let b = driver.session().await;
    wait_el(&b, &button("Sign in"), 30).await;
    // WebKitWebDriver's screenshot stalls when taken before the window's first paint.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    shot(&b, "01-sign-in").await;

    // The renderer the app chose (src-tauri/src/renderer.rs): the DMA-BUF renderer off on a
    // machine without a GPU render node or with NVIDIA's driver, unless the variable was set
    // (`make test-e2e` runs the journeys with the app's choice, then with `=0`; a value given
    // is kept).
    let given = std::env::var("WEBKIT_DISABLE_DMABUF_RENDERER").ok();
    let gpu = std::fs::read_dir("/dev/dri").is_ok_and(|d| {
        d.flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
    });
    let nvidia = std::path::Path::new("/proc/driver/nvidia/version").exists();
    let expected = given.or_else(|| (!gpu || nvidia).then(|| "1".to_string()));
    assert_eq!(web_process_env("WEBKIT_DISABLE_DMABUF_RENDERER"), expected);

    // Bad input: an invalid address gives an inline error, and nothing is sent.
    type_into(&b, &field("Address"), "not an address").await;
    type_into(&b, &field("Password"), PASSWORD).await;
    wait_el(&b, &button("Sign in"), 5)
        .await
        .click()
        .await
        .unwrap();
    let address = wait_el(
        &b,
        &format!("{}[@aria-invalid='true']", field("Address")),
        5,
    )
    .await;
    let described = address
        .attr("aria-describedby")
        .await
        .unwrap()
        .expect("error linked to the field");
    let err = wait_el(&b, &format!("//*[@id={}]", xpath_literal(&described)), 5)
        .await
        .text()
        .await
        .unwrap();
    assert!(err.contains("alice@example.com"), "inline error: {err}");
    shot(&b, "02-invalid-address").await;

    // Sign in through the form.
    sign_in_through_the_form(&b, server, "alice13@localhost").await;
    let contacts = wait_el(&b, &role("list", "Contacts"), 10).await;
    let bob_item =
        "//ul[@aria-label='Contacts']//button[starts-with(@aria-label, 'Bob Baker 13, Available')]";
    let label = wait_el(&b, bob_item, 15)
        .await
        .attr("aria-label")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(label, "Bob Baker 13, Available: At my desk");
    let _ = contacts;
    shot(&b, "03-contacts").await;

    // Open the conversation and send with Enter; Bob's client receives it.
    wait_el(&b, bob_item, 5).await.click().await.unwrap();
    wait_el(&b, &role("log", "Messages"), 10).await;
    let composer = wait_el(&b, &field("Message"), 5).await;
    composer
        .send_keys("Hello Bob, from the real window")
        .await
        .unwrap();
    composer.send_keys(ENTER).await.unwrap();
    bob.wait_for("alice's message", 15, |e| {
        matches!(e, CoreEvent::MessagesReceived(m) if m.iter().any(|m| m.body == "Hello Bob, from the real window"))
    })
    .await;
    wait_text(
        &b,
        &role("log", "Messages"),
        15,
        "own message delivered",
        |t| t.contains("Hello Bob, from the real window") && t.contains("Delivered"),
    )
    .await;
    shot(&b, "04-sent").await;
    // Bob reads it: his client sends a XEP-0333 displayed marker and the window says "Read".
    bob.messenger
        .chats()
        .mark_read("alice13@localhost")
        .await
        .unwrap();
    wait_text(&b, &role("log", "Messages"), 15, "own message read", |t| {
        t.contains("Read")
    })
    .await;

    // Bob replies; hostile and huge bodies are shown as text.
    bob.messenger
        .chats()
        .send_message("alice13@localhost", "Hi Alice! Coffee at 3?")
        .await
        .unwrap();
    bob.messenger
        .chats()
        .send_message("alice13@localhost", "<img src=x onerror=alert(1)>")
        .await
        .unwrap();
    let big = format!(
        "BIG-START {} BIG-END",
        "lorem ipsum ".repeat(100 * 1024 / 12)
    );
    bob.messenger
        .chats()
        .send_message("alice13@localhost", &big)
        .await
        .unwrap();
    let log_text = wait_text(&b, &role("log", "Messages"), 20, "replies shown", |t| {
        t.contains("Hi Alice! Coffee at 3?")
            && t.contains("<img src=x onerror=alert(1)>")
            && t.contains("BIG-END")
    })
    .await;
    assert!(log_text.contains("BIG-START"));
    let log = wait_el(&b, &role("log", "Messages"), 5).await;
    assert!(
        log.find_all(Locator::Css("img")).await.unwrap().is_empty(),
        "a message body became HTML"
    );
    let alerted = b
        .execute(
            "return typeof window.__xss === 'undefined' ? 'no' : 'yes';",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(alerted, serde_json::json!("no"));
    shot(&b, "05-replies").await;

    // A message from a colleague whose conversation is not open: unread in the list and in the
    // window title, the native one included (what the taskbar shows), and a desktop notification.
    driver.desktop.close_notifications();
    let carol = Client::online(server, "carol13@localhost").await;
    carol
        .messenger
        .chats()
        .send_message("alice13@localhost", "Are you joining the 2pm?")
        .await
        .unwrap();
    let carol_item =
        "//ul[@aria-label='Contacts']//button[starts-with(@aria-label, 'Carol Chen 13, ')]";
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let label = wait_el(&b, carol_item, 5)
            .await
            .attr("aria-label")
            .await
            .unwrap()
            .unwrap_or_default();
        let title = b.title().await.unwrap();
        if label.ends_with(", 1 unread") && title == "(1) Hallway" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "unread not shown: label {label:?}, title {title:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let tree = Command::new("xwininfo")
        .args(["-root", "-tree"])
        .output()
        .unwrap();
    let tree = String::from_utf8_lossy(&tree.stdout);
    assert!(
        tree.contains("\"(1) Hallway\""),
        "native window title does not show the unread count"
    );
    shot(&b, "05b-unread").await;
    // Clicking the notification (its default action, through the real notification service)
    // opens Carol's conversation.
    let deadline = Instant::now() + Duration::from_secs(10);
    while driver.desktop.notifications_shown() == 0 {
        assert!(
            Instant::now() < deadline,
            "no desktop notification for Carol's message"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    driver.desktop.click_notification();
    wait_text(&b, &role("log", "Messages"), 10, "carol's message", |t| {
        t.contains("Are you joining the 2pm?")
    })
    .await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while b.title().await.unwrap() != "Hallway" {
        assert!(
            Instant::now() < deadline,
            "title still shows unread after reading"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // A team room (XEP-0045): Bob made it; Alice joins it through the dialog, sees who is in
    // it, and talks there.
    const TEAM: &str = "team13@rooms.localhost";
    bob.messenger.rooms().join_room(TEAM, "Bob").await.unwrap();
    bob.wait_for("bob in the room", 15, |e| {
        matches!(e, CoreEvent::RoomsChanged(r) if r.iter().any(|r| r.room == TEAM && r.phase == hallway_model::RoomPhase::Joined))
    })
    .await;
    wait_el(&b, &button("Join room"), 5)
        .await
        .click()
        .await
        .unwrap();
    wait_el(&b, "//dialog[.//h2[normalize-space(.)='Join room']]", 5).await;
    type_into(&b, &field("Room address"), TEAM).await;
    type_into(&b, &field("Nickname"), "Alice").await;
    shot(&b, "05c-join-room").await;
    wait_el(&b, &button("Join"), 5).await.click().await.unwrap();
    let room_item = "//ul[@aria-label='Rooms']//button[starts-with(@aria-label, 'team13, Joined')]";
    wait_el(&b, room_item, 20).await;
    dialog_closed(&b).await;
    // (Absolutely placed rows of a windowed list have no text for WebDriver: their names.)
    wait_el(
        &b,
        "//ul[@aria-label='Occupants']/li[@aria-label='Bob, Available, Owner · Moderator']",
        15,
    )
    .await;
    wait_el(
        &b,
        "//ul[@aria-label='Occupants']/li[starts-with(@aria-label, 'Alice (you), Available')]",
        5,
    )
    .await;
    let composer = wait_el(&b, &field("Message"), 5).await;
    composer.send_keys("Hello team").await.unwrap();
    composer.send_keys(ENTER).await.unwrap();
    let heard = bob
        .wait_for("alice in the room", 15, |e| {
            matches!(e, CoreEvent::MessagesReceived(m) if m.iter().any(|m| m.body == "Hello team"))
        })
        .await;
    let CoreEvent::MessagesReceived(heard) = heard else {
        unreachable!()
    };
    assert!(heard.iter().any(|m| m.sender == format!("{TEAM}/Alice")));
    wait_text(
        &b,
        &role("log", "Messages"),
        15,
        "own room message sent",
        |t| t.contains("Hello team") && t.contains("Sent"),
    )
    .await;
    shot(&b, "05d-room").await;
    // A mention while another conversation is open: counted on the room and notified.
    wait_el(&b, bob_item, 5).await.click().await.unwrap();
    driver.desktop.close_notifications();
    bob.messenger
        .chats()
        .send_message(TEAM, "@Alice can you check the release notes?")
        .await
        .unwrap();
    wait_el(
        &b,
        "//ul[@aria-label='Rooms']//button[@aria-label='team13, Joined, 1 unread, 1 mention']",
        15,
    )
    .await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while driver.desktop.notifications_shown() == 0 {
        assert!(Instant::now() < deadline, "no notification for the mention");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    shot(&b, "05e-room-mention").await;
    wait_el(&b, room_item, 5).await.click().await.unwrap();
    wait_text(
        &b,
        &role("log", "Messages"),
        10,
        "the mention with its author",
        |t| t.contains("@Alice can you check the release notes?") && t.contains("Bob"),
    )
    .await;
    // The mention is marked in the room, in words too.
    wait_text(
        &b,
        "//div[contains(@class, 'msg--mention')]",
        5,
        "the mention marked",
        |t| t.contains("mentions you") && t.contains("release notes"),
    )
    .await;
    shot(&b, "05e2-mention-in-room").await;
    // Alice creates a room of her own from a name, then finds both rooms through Browse rooms.
    wait_el(&b, &button("Create room"), 5)
        .await
        .click()
        .await
        .unwrap();
    wait_el(&b, "//dialog[.//h2[normalize-space(.)='Create room']]", 5).await;
    type_into(&b, &field("Room name"), "Design review").await;
    type_into(&b, &field("Description"), "Mockups before Friday").await;
    shot(&b, "05f-create-room").await;
    wait_el(&b, &button("Create"), 5)
        .await
        .click()
        .await
        .unwrap();
    wait_el(
        &b,
        "//ul[@aria-label='Rooms']//button[starts-with(@aria-label, 'Design review, Joined')]",
        20,
    )
    .await;
    dialog_closed(&b).await;
    wait_el(&b, &button("Browse rooms"), 5)
        .await
        .click()
        .await
        .unwrap();
    wait_el(
        &b,
        "//ul[@aria-label='Public rooms']//button[@aria-label='Open Design review']",
        15,
    )
    .await;
    shot(&b, "05g-browse-rooms").await;
    wait_el(&b, &button("Close"), 5)
        .await
        .click()
        .await
        .unwrap();
    // Moderation in her room: Bob comes in; Alice sets the subject, makes Bob a moderator,
    // renames the room through Room settings, and kicks Bob with a reason.
    let review = bob
        .messenger
        .rooms()
        .browse_rooms()
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.name == "Design review")
        .expect("Design review listed")
        .room;
    bob.messenger
        .rooms()
        .join_room(&review, "Bob")
        .await
        .unwrap();
    let review_item =
        "//ul[@aria-label='Rooms']//button[starts-with(@aria-label, 'Design review, Joined')]";
    wait_el(&b, review_item, 5).await.click().await.unwrap();
    wait_el(&b, &button("Moderate Bob"), 20).await;
    wait_el(&b, &button("Change subject"), 5)
        .await
        .click()
        .await
        .unwrap();
    type_into(&b, &field("Subject"), "Mockups due Friday").await;
    wait_el(&b, &button("Save"), 5).await.click().await.unwrap();
    wait_el(
        &b,
        "//span[contains(@class, 'room-subject') and normalize-space(.)='Mockups due Friday']",
        15,
    )
    .await;
    wait_el(&b, &button("Moderate Bob"), 5)
        .await
        .click()
        .await
        .unwrap();
    wait_el(&b, "//dialog[.//h2[normalize-space(.)='Moderate Bob']]", 5).await;
    shot(&b, "05g2-moderate").await;
    wait_el(&b, &button("Make moderator"), 5)
        .await
        .click()
        .await
        .unwrap();
    let review_s = review.clone();
    bob.wait_for("bob a moderator", 15, |e| {
        matches!(e, CoreEvent::RoomsChanged(r) if r.iter().any(|r| r.room == review_s && r.role == hallway_model::Role::Moderator))
    })
    .await;
    dialog_closed(&b).await;
    wait_el(&b, &button("Room settings"), 5)
        .await
        .click()
        .await
        .unwrap();
    wait_el(&b, "//dialog[.//h2[normalize-space(.)='Room settings']]", 5).await;
    let description = wait_el(&b, &field("Description"), 5).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while description.prop("value").await.unwrap().as_deref() != Some("Mockups before Friday") {
        assert!(Instant::now() < deadline, "the settings never loaded");
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    type_into(&b, &field("Room name"), "Design crit").await;
    shot(&b, "05g3-room-settings").await;
    wait_el(&b, &button("Save"), 5).await.click().await.unwrap();
    let crit_item =
        "//ul[@aria-label='Rooms']//button[starts-with(@aria-label, 'Design crit, Joined')]";
    wait_el(&b, crit_item, 15).await;
    dialog_closed(&b).await;
    wait_el(&b, &button("Moderate Bob"), 5)
        .await
        .click()
        .await
        .unwrap();
    type_into(&b, &field("Reason"), "Review is over").await;
    wait_el(&b, &button("Kick"), 5).await.click().await.unwrap();
    bob.wait_for("bob kicked", 15, |e| {
        matches!(e, CoreEvent::RoomsChanged(r) if r.iter().any(|r| r.room == review && matches!(r.phase, hallway_model::RoomPhase::Error { reason: hallway_model::RoomRefusal::Kicked, .. })))
    })
    .await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while b
        .find(Locator::XPath(
            "//ul[@aria-label='Occupants']/li[starts-with(@aria-label, 'Bob,')]",
        ))
        .await
        .is_ok()
    {
        assert!(Instant::now() < deadline, "Bob still listed after the kick");
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    shot(&b, "05g4-kicked").await;
    // Bob invites Alice into a room of his (XEP-0249); she joins from the invitation.
    let launch = bob
        .messenger
        .rooms()
        .create_room("Launch", "", false, "Bob")
        .await
        .unwrap();
    bob.messenger
        .rooms()
        .invite(&launch.room, "alice13@localhost", "Launch checklist")
        .await
        .unwrap();
    let join_launch = format!(
        "//ul[@aria-label='Invitations']//button[@aria-label='Join {}']",
        launch.room
    );
    wait_el(&b, &join_launch, 15).await;
    wait_text(
        &b,
        "//ul[@aria-label='Invitations']",
        5,
        "who invites, why",
        |t| t.contains("Bob Baker 13") && t.contains("Launch checklist"),
    )
    .await;
    shot(&b, "05h-invitation").await;
    wait_el(&b, &join_launch, 5).await.click().await.unwrap();
    wait_el(
        &b,
        "//ul[@aria-label='Rooms']//button[starts-with(@aria-label, 'Launch, Joined')]",
        20,
    )
    .await;

    // Quit and start the app again: the history is still there, from the local database.
    b.close().await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let b = driver.session().await;
    wait_el(&b, &button("Sign in"), 30).await;
    // The address is remembered for the form (not the password: no keychain under test).
    let prefilled = wait_el(&b, &field("Address"), 5)
        .await
        .prop("value")
        .await
        .unwrap();
    assert_eq!(prefilled.as_deref(), Some("alice13@localhost"));
    type_into(&b, &field("Password"), PASSWORD).await;
    wait_el(&b, &button("Sign in"), 5)
        .await
        .click()
        .await
        .unwrap();
    wait_text(&b, "//*[@role='status']", 30, "online again", |t| {
        t == "Online"
    })
    .await;
    wait_el(&b, bob_item, 15).await.click().await.unwrap();
    wait_text(
        &b,
        &role("log", "Messages"),
        10,
        "history after restart",
        |t| t.contains("Hello Bob, from the real window") && t.contains("Hi Alice! Coffee at 3?"),
    )
    .await;
    shot(&b, "06-history-after-restart").await;
    // The room is back by itself (joined again from its bookmark, no dialog).
    wait_el(
        &b,
        "//ul[@aria-label='Rooms']//button[starts-with(@aria-label, 'team13, Joined')]",
        20,
    )
    .await;

    // Search finds a message across conversations (diacritics and case ignored, prefix) and
    // opens its conversation there.
    wait_el(&b, carol_item, 10).await.click().await.unwrap();
    type_into(&b, &field("Search messages"), "COFFÉE").await;
    let hit = format!(
        "{}//button[contains(@aria-label, 'Hi Alice! Coffee at 3?')]",
        role("list", "Search results")
    );
    wait_el(&b, &hit, 10).await;
    let marks = wait_el(&b, &role("list", "Search results"), 5)
        .await
        .find_all(Locator::Css("mark"))
        .await
        .unwrap();
    assert!(!marks.is_empty(), "matches are highlighted");
    shot(&b, "07-search").await;
    wait_el(&b, &hit, 5).await.click().await.unwrap();
    wait_text(
        &b,
        &role("log", "Messages"),
        10,
        "conversation opened at the hit",
        |t| t.contains("Hi Alice! Coffee at 3?") && t.contains("Hello Bob, from the real window"),
    )
    .await;
    shot(&b, "08-search-opened").await;
    b.close().await.unwrap();
    drop(driver);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contacts_add_accept_filter_and_details() {
    let server = Prosody::shared();
    let data = tempfile::tempdir().unwrap();
    let driver = Driver::start(data.path());

    // Bob (a colleague in alice12's team) has a picture, a business card and a status text.
    let bob = Client::online(server, "bob12@localhost").await;
    bob.messenger
        .profile()
        .set_my_presence(hallway_model::MyPresence {
            show: hallway_model::MyShow::Available,
            status: "At my desk".into(),
        })
        .await
        .unwrap();
    bob.messenger
        .profile()
        .set_my_avatar(support::png::solid(64, [0x2a, 0x6f, 0xdb]))
        .await
        .unwrap();
    bob.messenger
        .profile()
        .set_my_profile(hallway_model::VCardFields {
            full_name: Some("Bob Baker".into()),
            title: Some("Sales lead".into()),
            organization: Some("ACME".into()),
            department: Some("Sales".into()),
            email: Some("bob@acme.example".into()),
            phone: Some("+49 30 555 0112".into()),
        })
        .await
        .unwrap();
    let mut dave = Client::online(server, "dave10@localhost").await;
    let mut erin = Client::online(server, "erin10@localhost").await;

    let b = driver.session().await;
    wait_el(&b, &button("Sign in"), 30).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    sign_in_through_the_form(&b, server, "alice12@localhost").await;
    wait_el(&b, &contact_row("Bob Baker 12, Available: At my desk"), 15).await;
    wait_el(&b, &contact_row("Carol Chen 12, "), 5).await;
    shot(&b, "p01-contacts").await;

    // Filter the list as you type.
    type_into(&b, &field("Filter contacts"), "carol").await;
    wait_gone(&b, &contact_row("Bob Baker 12"), 5, "filter hides Bob").await;
    wait_el(&b, &contact_row("Carol Chen 12, "), 5).await;
    shot(&b, "p02-filtered").await;
    wait_el(&b, &field("Filter contacts"), 5)
        .await
        .send_keys("\u{E00C}")
        .await
        .unwrap();
    wait_el(&b, &contact_row("Bob Baker 12, "), 5).await;

    // Add a contact through the dialog: the request goes out, the row waits for approval.
    wait_el(&b, &button("Add contact"), 5)
        .await
        .click()
        .await
        .unwrap();
    wait_el(&b, "//dialog[@open] | //*[@role='dialog']", 5).await;
    type_into(&b, &field("Address"), "dave10@localhost").await;
    type_into(&b, &field("Name"), "Dave Dawson").await;
    type_into(&b, &field("Group"), "Suppliers").await;
    shot(&b, "p03-add-contact").await;
    wait_el(&b, &button("Add"), 5).await.click().await.unwrap();
    wait_el(&b, &contact_row("Dave Dawson, "), 15).await;
    let label = wait_el(&b, &contact_row("Dave Dawson, "), 5)
        .await
        .attr("aria-label")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(label.contains("Waiting for approval"), "row: {label}");
    dave.wait_for("alice's request", 15, |e| {
        matches!(e, CoreEvent::SubscriptionRequestsChanged(r) if r.iter().any(|r| r.jid == "alice12@localhost"))
    })
    .await;
    dave.messenger
        .contacts()
        .accept_subscription("alice12@localhost")
        .await
        .unwrap();
    wait_el(&b, &contact_row("Dave Dawson, Available"), 15).await;

    // An incoming request: Erin wants to see our status; Accept.
    erin.messenger
        .contacts()
        .add_contact("alice12@localhost", "Alice", "")
        .await
        .unwrap();
    let prompt = "//*[contains(normalize-space(.), 'wants to see your status')]";
    wait_el(&b, prompt, 15).await;
    shot(&b, "p04-request").await;
    wait_el(
        &b,
        "//button[starts-with(@aria-label, 'Accept') or normalize-space(.)='Accept']",
        5,
    )
    .await
    .click()
    .await
    .unwrap();
    wait_gone(&b, prompt, 15, "request answered").await;
    erin.wait_for("alice visible to erin", 15, |e| {
        matches!(e, CoreEvent::PresencesChanged(u) if u.iter().any(|p| p.jid == "alice12@localhost"
            && p.presence == hallway_model::PresenceShow::Available))
    })
    .await;

    // A colleague's status text changes live.
    bob.messenger
        .profile()
        .set_my_presence(hallway_model::MyPresence {
            show: hallway_model::MyShow::Away,
            status: "In a meeting until 3".into(),
        })
        .await
        .unwrap();
    wait_el(
        &b,
        &contact_row("Bob Baker 12, Away: In a meeting until 3"),
        15,
    )
    .await;
    shot(&b, "p05-status-changed").await;

    // A contact's details: business card, devices.
    wait_el(&b, &contact_row("Bob Baker 12, "), 5)
        .await
        .click()
        .await
        .unwrap();
    wait_el(&b, &button("Contact details"), 10)
        .await
        .click()
        .await
        .unwrap();
    let panel = role("complementary", "Contact details");
    wait_text(&b, &panel, 15, "details loaded", |t| {
        t.contains("Sales lead")
            && t.contains("bob@acme.example")
            && t.to_lowercase().contains("devices")
    })
    .await;
    // Bob's picture reached this client (the XEP-0084 avatar, as a data: URL image).
    let imgs = b
        .execute(
            "return Array.from(document.querySelectorAll('img')).filter(i => i.src.startsWith('data:image/png') && i.naturalWidth === 64).length;",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        imgs.as_u64().unwrap_or(0) >= 1,
        "bob's avatar shown: {imgs}"
    );
    shot(&b, "p06-details").await;

    // A stranger writes: the message waits under "Requests" with Add and Block.
    let stranger = Client::online(server, "erin11@localhost").await;
    stranger
        .messenger
        .chats()
        .send_message("alice12@localhost", "Hello, is the meeting room free at 4?")
        .await
        .unwrap();
    wait_el(
        &b,
        "//button[starts-with(@aria-label, 'Block erin11@localhost')]",
        15,
    )
    .await;
    wait_el(
        &b,
        "//button[starts-with(@aria-label, 'Add erin11@localhost')]",
        5,
    )
    .await;
    shot(&b, "p07-requests").await;

    // Block the stranger; Settings lists them under "Blocked people", where Unblock undoes it.
    wait_el(
        &b,
        "//button[starts-with(@aria-label, 'Block erin11@localhost')]",
        5,
    )
    .await
    .click()
    .await
    .unwrap();
    wait_el(&b, "//dialog[@open]", 5).await;
    wait_el(&b, &format!("//dialog[@open]{}", button("Block")), 5)
        .await
        .click()
        .await
        .unwrap();
    wait_gone(
        &b,
        "//button[starts-with(@aria-label, 'Add erin11@localhost')]",
        15,
        "request after blocking",
    )
    .await;
    wait_el(&b, &button("Settings"), 5)
        .await
        .click()
        .await
        .unwrap();
    let unblock = button("Unblock erin11@localhost");
    wait_el(&b, &unblock, 15).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    shot(&b, "p07b-blocked-people").await;
    wait_el(&b, &unblock, 5).await.click().await.unwrap();
    wait_gone(&b, &unblock, 15, "blocked row after Unblock").await;
    wait_el(&b, &button("Settings"), 5)
        .await
        .click()
        .await
        .unwrap();

    // The row menu, and our own profile.
    wait_el(&b, &button("More actions for Carol Chen 12"), 5)
        .await
        .click()
        .await
        .unwrap();
    wait_el(&b, "//*[@role='menu']", 5).await;
    shot(&b, "p08-row-menu").await;
    b.execute(
        "document.activeElement && document.activeElement.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape', bubbles: true}));",
        vec![],
    )
    .await
    .unwrap();
    wait_el(&b, &button("Edit my profile"), 5)
        .await
        .click()
        .await
        .unwrap();
    wait_el(&b, "//dialog[@open]", 5).await;
    wait_el(&b, &field("Full name"), 10).await;
    shot(&b, "p09-my-profile").await;
    b.close().await.unwrap();
    drop(driver);
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    format!("{:x}", sha2::Sha256::digest(bytes))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_a_file_and_receive_a_picture() {
    let server = Prosody::shared();
    let data = tempfile::tempdir().unwrap();
    let driver = Driver::start(data.path());
    let mut bob = Client::online(server, "bob15@localhost").await;

    let b = driver.session().await;
    wait_el(&b, &button("Sign in"), 30).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    sign_in_through_the_form(&b, server, "alice15@localhost").await;
    wait_el(&b, &contact_row("Bob Baker 15, "), 15)
        .await
        .click()
        .await
        .unwrap();
    wait_el(&b, &role("log", "Messages"), 10).await;

    // A file over the server's limit is refused in the tray, before anything is uploaded.
    let files = tempfile::tempdir().unwrap();
    let huge = files.path().join("Backup.zip");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(support::prosody::UPLOAD_LIMIT + 1)
        .unwrap();
    let input = wait_el(&b, &field("Files to attach"), 5).await;
    input.send_keys(&huge.to_string_lossy()).await.unwrap();
    wait_text(
        &b,
        &format!(
            "{}//*[contains(@class, 'tray-item-problem')]",
            role("region", "Files to send")
        ),
        15,
        "limit in the tray",
        |t| t.contains("10.5 MB"),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    shot(&b, "f00-over-limit").await;
    wait_el(&b, &button("Remove Backup.zip"), 5)
        .await
        .click()
        .await
        .unwrap();
    wait_gone(&b, &role("region", "Files to send"), 5, "tray after Remove").await;

    // Attach a file through the file input (what the native picker fills in): the tray shows it.
    // 8 MB, so the upload lasts long enough to see its progress.
    let name = "Budget 2027.xlsx";
    let path = files.path().join(name);
    let content: Vec<u8> = (0..8_000_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    std::fs::write(&path, &content).unwrap();
    let input = wait_el(&b, &field("Files to attach"), 5).await;
    input.send_keys(&path.to_string_lossy()).await.unwrap();
    let tray = role("region", "Files to send");
    wait_el(&b, &tray, 10).await;
    wait_el(
        &b,
        &format!("{tray}{}", button(&format!("Remove {name}"))),
        5,
    )
    .await;
    wait_text(
        &b,
        &format!("{tray}//*[contains(@class, 'tray-item-meta')]"),
        5,
        "size",
        |t| t == "8 MB",
    )
    .await;
    shot(&b, "f01-tray").await;
    wait_el(&b, &button("Send"), 5).await.click().await.unwrap();

    // Progress while it uploads, then the card with Open / Show in folder.
    let uploading = role("progressbar", &format!("Uploading {name}"));
    wait_el(&b, &uploading, 15).await;
    // The screenshot shows the last painted frame: give the progress one to appear in.
    tokio::time::sleep(Duration::from_millis(300)).await;
    shot(&b, "f02-uploading").await;
    wait_el(&b, &button(&format!("Open {name}")), 120).await;
    wait_el(&b, &button(&format!("Show {name} in folder")), 5).await;
    wait_gone(&b, &uploading, 5, "progress after the upload").await;
    shot(&b, "f03-sent").await;

    // Bob's client gets the URL; what it downloads is what was attached.
    let ev = bob
        .wait_for("the file message", 30, |e| {
            matches!(e, CoreEvent::MessagesReceived(m) if m.iter().any(|m| m.attachment.is_some()))
        })
        .await;
    let CoreEvent::MessagesReceived(ms) = ev else {
        unreachable!()
    };
    let got = ms.into_iter().find(|m| m.attachment.is_some()).unwrap();
    assert_eq!(got.attachment.as_ref().unwrap().name, name);
    bob.messenger.files().download_file(got.id).await.unwrap();
    let saved = loop {
        let ev = bob
            .wait_for(
                "download",
                60,
                |e| matches!(e, CoreEvent::MessageUpdated(m) if m.id == got.id),
            )
            .await;
        if let CoreEvent::MessageUpdated(m) = ev {
            let a = m.attachment.unwrap();
            assert!(a.error.is_none(), "download failed: {:?}", a.error);
            if let Some(p) = a
                .local_path
                .filter(|_| a.status == hallway_model::FileStatus::Downloaded)
            {
                break std::path::PathBuf::from(p);
            }
        }
    };
    assert_eq!(
        sha256_hex(&std::fs::read(&saved).unwrap()),
        sha256_hex(&content)
    );

    // Bob sends a picture: the window shows its preview, and Download saves it.
    let picture = files.path().join("Whiteboard.png");
    let png = support::png::solid(140, [0x2a, 0x9d, 0x6f]);
    std::fs::write(&picture, &png).unwrap();
    bob.messenger
        .files()
        .send_file("alice15@localhost", &picture)
        .await
        .unwrap();
    let preview = format!("//img[@alt={}]", xpath_literal("Preview of Whiteboard.png"));
    wait_el(&b, &preview, 60).await;
    wait_el(&b, &button("Download Whiteboard.png"), 5)
        .await
        .click()
        .await
        .unwrap();
    wait_el(&b, &button("Open Whiteboard.png"), 60).await;
    shot(&b, "f04-received-picture").await;
    let downloaded = data.path().join("Downloads/Whiteboard.png");
    assert_eq!(std::fs::read(&downloaded).unwrap(), png);

    // Bob offers a file straight from his device (XEP-0234): Accept saves it, hash checked.
    let notes = files.path().join("Meeting notes.txt");
    std::fs::write(&notes, "Agenda\n1. Budget\n2. Hiring\n".repeat(2000)).unwrap();
    bob.messenger
        .files()
        .send_file_direct("alice15@localhost", &notes)
        .await
        .unwrap();
    wait_el(&b, &button("Accept Meeting notes.txt"), 30).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    shot(&b, "f05-direct-offer").await;
    wait_el(&b, &button("Accept Meeting notes.txt"), 5)
        .await
        .click()
        .await
        .unwrap();
    wait_el(&b, &button("Open Meeting notes.txt"), 60).await;
    assert_eq!(
        std::fs::read(data.path().join("Downloads/Meeting notes.txt")).unwrap(),
        std::fs::read(&notes).unwrap()
    );

    // A file over the server's limit goes straight to Bob's device instead.
    let input = wait_el(&b, &field("Files to attach"), 5).await;
    input.send_keys(&huge.to_string_lossy()).await.unwrap();
    let direct = button("Send Backup.zip directly");
    wait_el(&b, &direct, 20).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    shot(&b, "f06-send-directly").await;
    wait_el(&b, &direct, 5).await.click().await.unwrap();
    let ev = bob
        .wait_for("the direct offer", 60, |e| {
            matches!(e, CoreEvent::MessagesReceived(m) if m.iter().any(|m|
                m.attachment.as_ref().is_some_and(|a| a.status == hallway_model::FileStatus::Offered)))
        })
        .await;
    let CoreEvent::MessagesReceived(ms) = ev else {
        unreachable!()
    };
    let offer = ms.into_iter().find(|m| m.attachment.is_some()).unwrap();
    // Sending shows from the offer on (over a direct connection the bytes themselves take
    // milliseconds on loopback, so this is looked at before Bob accepts).
    wait_el(&b, &role("progressbar", "Sending Backup.zip"), 30).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    shot(&b, "f07-sending-directly").await;
    bob.messenger.files().accept_file(offer.id).await.unwrap();
    wait_el(&b, &button("Open Backup.zip"), 240).await;
    let got = loop {
        let ev = bob
            .wait_for(
                "direct download",
                60,
                |e| matches!(e, CoreEvent::MessageUpdated(m) if m.id == offer.id),
            )
            .await;
        if let CoreEvent::MessageUpdated(m) = ev {
            let a = m.attachment.unwrap();
            assert!(a.error.is_none(), "direct transfer failed: {:?}", a.error);
            if let Some(p) = a
                .local_path
                .filter(|_| a.status == hallway_model::FileStatus::Downloaded)
            {
                break std::path::PathBuf::from(p);
            }
        }
    };
    assert_eq!(
        std::fs::metadata(&got).unwrap().len(),
        support::prosody::UPLOAD_LIMIT + 1
    );
    b.close().await.unwrap();
    drop(driver);
}

/// History older than the local copy is found on the server (ejabberd can search its archive,
/// XEP-0431) and opened in its conversation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_on_server_finds_and_opens_old_history() {
    let server = Ejabberd::shared();
    let (ann, ben) = ("ann@localhost", "ben@localhost");
    // Ann's phone wrote a long conversation with Ben: the budget is 300 messages back.
    let mut phone = Client::new(ann);
    phone
        .sign_in_at(&server.server_field(), PASSWORD)
        .await
        .unwrap();
    let budget = "The quarterly budget review moved to Friday 10:00".to_string();
    phone
        .send_all(
            ben,
            std::iter::once(budget).chain((0..300).map(|i| format!("lunch note {i}"))),
        )
        .await;
    phone.messenger.shut_down().await;

    let data = tempfile::tempdir().unwrap();
    let driver = Driver::start(data.path());
    let b = driver.session().await;
    wait_el(&b, &button("Sign in"), 30).await;
    sign_in_at(&b, &server.server_field(), ann).await;
    type_into(&b, &field("Search messages"), "budget").await;
    wait_text(
        &b,
        "//p[contains(@class, 'search-summary')]",
        10,
        "local search",
        |t| t.contains("No messages found"),
    )
    .await;
    wait_el(&b, &button("Search on server"), 10)
        .await
        .click()
        .await
        .unwrap();
    let hit = format!(
        "{}//button[contains(@aria-label, 'The quarterly budget review moved to Friday 10:00')]",
        role("list", "Server results")
    );
    wait_el(&b, &hit, 15).await;
    let marks = wait_el(&b, &role("list", "Server results"), 5)
        .await
        .find_all(Locator::Css("mark"))
        .await
        .unwrap();
    assert_eq!(marks.len(), 1, "the word is highlighted");
    assert_eq!(marks[0].text().await.unwrap(), "budget");
    shot(&b, "09-search-on-server").await;
    wait_el(&b, &hit, 5).await.click().await.unwrap();
    wait_text(
        &b,
        &role("log", "Messages"),
        30,
        "conversation opened at the old message",
        |t| {
            t.contains("The quarterly budget review moved to Friday 10:00")
                && t.contains("lunch note 0")
        },
    )
    .await;
    shot(&b, "10-server-hit-opened").await;
    b.close().await.unwrap();
    drop(driver);
}

/// `hallway --version` prints the version and exits at once: no window, no display needed, no
/// data folder written (package checks and bug reports run it).
#[test]
fn the_app_answers_version_and_exits() {
    let app = std::env::var("HALLWAY_APP")
        .expect("HALLWAY_APP: path of the built app (make test-e2e sets it)");
    let data = tempfile::tempdir().unwrap();
    let out = Command::new(&app)
        .arg("--version")
        .env_remove("DISPLAY")
        .env("HALLWAY_DATA_DIR", data.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("Hallway {}", env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(std::fs::read_dir(data.path()).unwrap().count(), 0);
}
