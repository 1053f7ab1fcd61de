//! Hallway's local SQLite store: the one owner of the schema. Messages (history and outbox),
//! full-text search, settings and pinned certificates live in one WAL-mode database in the app
//! data dir. Migrations are numbered SQL files applied by `PRAGMA user_version` in a transaction.
// No unsafe code here, whatever an inner attribute says: the only `unsafe` of the workspace is
// the allocator tuning in src-tauri/src/main.rs (a crate of its own).
#![forbid(unsafe_code)]

mod archive;
mod attachments;
mod contacts;
mod error;
mod invitations;
mod messages;
mod migrations;
mod outbox;
mod read_state;
mod rooms;
mod search;
mod settings;

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

pub use archive::Gap;
pub use contacts::{ContactInfo, ConversationHead};
pub use error::StoreError;
pub use invitations::{StoredInvitation, MAX_INVITATIONS};
pub use messages::Inserted;
pub use rooms::StoredRoom;
pub use search::SearchHit;

/// A database that could not be used and was moved aside (`Store::open_or_set_aside`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetAside {
    /// Where the old file is now.
    pub moved_to: std::path::PathBuf,
    /// Why it could not be used.
    pub reason: String,
}

/// The database. Cheap to share behind an `Arc`; calls are short and serialised by a mutex.
pub struct Store {
    conn: Mutex<rusqlite::Connection>,
}

impl Store {
    /// Opens (or creates) the database file, switches to WAL and applies pending migrations.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Io(e.to_string()))?;
        }
        let conn = rusqlite::Connection::open(path)?;
        let store = Self::init(conn)?;
        // Messages are private: only the user may read the file (SQLite gives its -wal and -shm
        // the same mode).
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
                .map_err(|e| StoreError::Io(e.to_string()))?;
        }
        Ok(store)
    }

    /// Opens the database; one that is damaged (not a database, or corrupt) is moved aside as
    /// `NAME.broken-SECONDS` (with its `-wal` and `-shm`), never deleted, and a fresh one is
    /// started in its place. Anything else is an error and the file stays as it is: a database
    /// from a newer Hallway (update Hallway), or one that is busy, read-only or on a full disk
    /// (passing conditions that must not make history vanish).
    pub fn open_or_set_aside(path: &Path) -> Result<(Self, Option<SetAside>), StoreError> {
        let reason = match Self::open(path) {
            Ok(s) => return Ok((s, None)),
            Err(e) if e.is_damage() => e.to_string(),
            Err(e) => return Err(e),
        };
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let mut moved_to = path.as_os_str().to_owned();
        moved_to.push(format!(".broken-{secs}"));
        let moved_to = std::path::PathBuf::from(moved_to);
        std::fs::rename(path, &moved_to).map_err(|e| StoreError::Io(e.to_string()))?;
        for suffix in ["-wal", "-shm"] {
            let mut from = path.as_os_str().to_owned();
            from.push(suffix);
            let mut to = moved_to.as_os_str().to_owned();
            to.push(suffix);
            let _ = std::fs::rename(from, to);
        }
        let store = Self::open(path)?;
        Ok((store, Some(SetAside { moved_to, reason })))
    }

    /// An in-memory database (unit tests of the layers above).
    pub fn open_in_memory() -> Result<Self, StoreError> {
        Self::init(rusqlite::Connection::open_in_memory()?)
    }

    fn init(mut conn: rusqlite::Connection) -> Result<Self, StoreError> {
        // WAL: readers never block the writer; NORMAL sync is crash-safe in WAL mode (a power cut
        // may lose the last transactions, never corrupt), which kill -9 of the app cannot.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrations::apply(&mut conn)?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> MutexGuard<'_, rusqlite::Connection> {
        // A panic while holding the lock leaves the connection usable: SQLite rolled back.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `PRAGMA user_version`: the schema version applied.
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        Ok(self
            .conn()
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// `PRAGMA integrity_check` == "ok".
    pub fn integrity_ok(&self) -> Result<bool, StoreError> {
        let s: String = self
            .conn()
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        Ok(s == "ok")
    }
}

#[cfg(test)]
mod tests;
