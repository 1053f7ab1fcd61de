//! Settings and pinned certificates.

use super::*;

#[test]
fn settings_and_pins_round_trip_and_persist() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    {
        let store = Store::open(&path).unwrap();
        store
            .set_setting("presence", &serde_json::json!({"show": "away"}))
            .unwrap();
        store.pin_certificate(ACC, "AA:BB", 1).unwrap();
        store.pin_certificate(ACC, "CC:DD", 2).unwrap();
        store
            .insert_message(
                ACC,
                &msg("bob@localhost", Direction::Incoming, "persist me", "p"),
            )
            .unwrap();
    }
    let store = Store::open(&path).unwrap();
    let v: Option<serde_json::Value> = store.setting("presence").unwrap();
    assert_eq!(v.unwrap()["show"], "away");
    assert_eq!(
        store.pinned_certificate(ACC).unwrap().as_deref(),
        Some("CC:DD")
    );
    assert_eq!(
        store.history(ACC, "bob@localhost", None, 10).unwrap()[0].body,
        "persist me"
    );
    store.remove_setting("presence").unwrap();
    assert!(store
        .setting::<serde_json::Value>("presence")
        .unwrap()
        .is_none());
}
