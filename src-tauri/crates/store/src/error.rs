//! The store's error type.

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite reported an error.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The database directory could not be created.
    #[error("could not create the data folder: {0}")]
    Io(String),
    /// A stored value could not be decoded (corrupt or from a newer version).
    #[error("unreadable stored value: {0}")]
    Decode(String),
    /// The database is newer than this build understands.
    #[error(
        "the database was written by a newer Hallway (schema {found}, this build knows {known})"
    )]
    TooNew {
        /// Version found on disk.
        found: u32,
        /// Latest version this build has.
        known: u32,
    },
}

impl StoreError {
    /// The file is not a database, or a damaged one: nothing to do but start afresh.
    pub fn is_damage(&self) -> bool {
        use rusqlite::ErrorCode;
        matches!(
            self,
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _))
                if matches!(e.code, ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt)
        )
    }
}
