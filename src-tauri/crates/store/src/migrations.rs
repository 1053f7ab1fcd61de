//! Numbered migrations, applied in order under `PRAGMA user_version`, each in its own transaction
//! so a crash mid-migration leaves the previous version intact.

use crate::StoreError;

/// Migration N is `MIGRATIONS[N-1]`; never edit a shipped one, add a new file.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_initial.sql"),
    include_str!("../migrations/0002_archive_markers.sql"),
    include_str!("../migrations/0003_corrections.sql"),
    include_str!("../migrations/0004_contacts.sql"),
    include_str!("../migrations/0005_files.sql"),
    include_str!("../migrations/0006_outbox_transmitted.sql"),
    include_str!("../migrations/0007_rooms.sql"),
    include_str!("../migrations/0008_room_archives.sql"),
    include_str!("../migrations/0009_room_invitations.sql"),
    include_str!("../migrations/0010_mentions.sql"),
];

/// The schema version this build writes.
pub const LATEST: u32 = MIGRATIONS.len() as u32;

pub(crate) fn apply(conn: &mut rusqlite::Connection) -> Result<(), StoreError> {
    let current: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > LATEST {
        return Err(StoreError::TooNew {
            found: current,
            known: LATEST,
        });
    }
    for (idx, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let version = idx as u32 + 1;
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
    }
    Ok(())
}
