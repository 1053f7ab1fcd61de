//! Remembered contact facts and who wrote to us.

use super::*;

#[test]
fn remembers_avatars_and_last_seen_without_going_back_in_time() {
    let store = Store::open_in_memory().unwrap();
    store
        .set_contact_avatar(ACC, "bob@x.org", Some("abc"))
        .unwrap();
    store
        .set_contact_last_seen(ACC, "bob@x.org", 2_000)
        .unwrap();
    store
        .set_contact_last_seen(ACC, "bob@x.org", 1_000)
        .unwrap();
    store.set_contact_last_seen(ACC, "carol@x.org", 5).unwrap();
    let infos = store.contact_infos(ACC).unwrap();
    assert_eq!(infos["bob@x.org"].avatar.as_deref(), Some("abc"));
    assert_eq!(infos["bob@x.org"].last_seen, Some(2_000));
    assert_eq!(infos["carol@x.org"].avatar, None);
    store.set_contact_avatar(ACC, "bob@x.org", None).unwrap();
    let infos = store.contact_infos(ACC).unwrap();
    assert_eq!(infos["bob@x.org"].avatar, None);
    assert_eq!(infos["bob@x.org"].last_seen, Some(2_000));
    assert!(store.contact_infos("other@x.org").unwrap().is_empty());
}

#[test]
fn lists_who_wrote_and_their_newest_message() {
    let store = Store::open_in_memory().unwrap();
    let mut m1 = msg("spam@x.org", Direction::Incoming, "buy now", "o1");
    m1.timestamp = 10;
    let mut m2 = msg("spam@x.org", Direction::Incoming, "really", "o2");
    m2.timestamp = 20;
    let m3 = msg("bob@x.org", Direction::Incoming, "hi", "o3");
    let m4 = msg("carol@x.org", Direction::Outgoing, "only mine", "o4");
    for m in [&m1, &m2, &m3, &m4] {
        store.insert_message(ACC, m).unwrap();
    }
    let mut peers = store.incoming_peers(ACC).unwrap();
    peers.sort();
    assert_eq!(peers, vec!["bob@x.org", "spam@x.org"]);
    let head = store.conversation_head(ACC, "spam@x.org").unwrap().unwrap();
    assert_eq!(head.last_body, "really");
    assert_eq!(head.last_ts, 20);
    assert_eq!(head.unread, 2);
    assert!(store
        .conversation_head(ACC, "carol@x.org")
        .unwrap()
        .is_none());
}
