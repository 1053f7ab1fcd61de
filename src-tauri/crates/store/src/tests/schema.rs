//! The schema: numbered migrations, WAL, a damaged file set aside, private file modes.

use super::*;

#[test]
fn migrates_from_empty_to_latest_in_wal_mode() {
    let (dir, store) = temp_store();
    assert_eq!(store.schema_version().unwrap(), migrations::LATEST);
    let mode: String = store
        .conn()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    drop(store);
    // Re-opening applies nothing and keeps the version.
    let again = Store::open(&dir.path().join("nested/hallway.sqlite3")).unwrap();
    assert_eq!(again.schema_version().unwrap(), migrations::LATEST);
    assert!(again.integrity_ok().unwrap());
}

#[test]
fn refuses_a_newer_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.pragma_update(None, "user_version", 999).unwrap();
    }
    assert!(matches!(
        Store::open(&path),
        Err(StoreError::TooNew { found: 999, .. })
    ));
}

#[test]
fn a_damaged_database_is_moved_aside_and_a_fresh_one_started() {
    let dir = tempfile::tempdir().unwrap();
    // Garbage where the database should be, and one from a newer Hallway.
    let corrupt = dir.path().join("corrupt.sqlite3");
    std::fs::write(
        &corrupt,
        b"this is not a database at all, just bytes".repeat(200),
    )
    .unwrap();
    // One from a newer Hallway is not damaged: it stays where it is, and opening says why.
    let newer = dir.path().join("newer.sqlite3");
    {
        let c = rusqlite::Connection::open(&newer).unwrap();
        c.pragma_update(None, "user_version", 999).unwrap();
    }
    assert!(matches!(
        Store::open_or_set_aside(&newer),
        Err(StoreError::TooNew { found: 999, .. })
    ));
    assert!(newer.exists());
    let path = &corrupt;
    let (store, aside) = Store::open_or_set_aside(path).unwrap();
    let aside = aside.expect("moved aside");
    assert!(aside.moved_to.exists(), "the old file is kept");
    assert!(aside
        .moved_to
        .to_string_lossy()
        .contains(".sqlite3.broken-"));
    assert!(!aside.reason.is_empty());
    assert_eq!(store.schema_version().unwrap(), migrations::LATEST);
    assert!(store.integrity_ok().unwrap());
    // A good database is opened as it is.
    drop(store);
    let (_, again) = Store::open_or_set_aside(path).unwrap();
    assert!(again.is_none());
}

#[cfg(unix)]
#[test]
fn only_the_user_may_read_the_database() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, store) = temp_store();
    let path = dir.path().join("nested/hallway.sqlite3");
    store.set_setting("x", &1).unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}
