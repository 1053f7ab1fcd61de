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

/// The environment variable that moves where downloads are saved (tests, demos).
pub const DOWNLOADS_DIR_ENV: &str = "HALLWAY_DOWNLOADS_DIR";

/// The user's Downloads folder (`HALLWAY_DOWNLOADS_DIR` when set), else `~/Downloads`.
pub fn downloads_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(DOWNLOADS_DIR_ENV).filter(|v| !v.is_empty()) {
        return PathBuf::from(dir);
    }
    directories::UserDirs::new()
        .and_then(|u| {
            u.download_dir()
                .map(|d| d.to_path_buf())
                .or_else(|| Some(u.home_dir().join("Downloads")))
        })
        .unwrap_or_else(|| data_dir().join("Downloads"))
}

/// The database file inside a data folder.
pub fn database_path(data_dir: &std::path::Path) -> PathBuf {
    data_dir.join("hallway.sqlite3")
}
