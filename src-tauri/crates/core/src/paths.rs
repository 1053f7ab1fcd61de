//! Where Hallway keeps its files: `HALLWAY_DATA_DIR` when set (tests, demos, second profiles),
//! else the platform's app data dir. Everything the app stores lives below this one folder.

use std::path::PathBuf;

/// The environment variable that moves all stored data.
pub const DATA_DIR_ENV: &str = "HALLWAY_DATA_DIR";

/// The data folder (not created here).
pub fn data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|v| !v.is_empty()) {
        return PathBuf::from(dir);
    }
    directories::ProjectDirs::from("org", "Hallway", "Hallway")
        .map(|p| p.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from(".hallway"))
}

/// The database file inside a data folder.
pub fn database_path(data_dir: &std::path::Path) -> PathBuf {
    data_dir.join("hallway.sqlite3")
}
