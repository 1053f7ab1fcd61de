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

/// Creates the data folder if needed and makes it private to the user (0700 on Unix): messages,
/// avatars and files waiting to be sent are nobody else's business on a shared machine.
pub fn prepare_data_dir(dir: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Writes a file only the user may read (0600 on Unix), replacing any old one.
pub fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)?.write_all(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn the_data_folder_and_its_files_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let dir = d.path().join("Hallway");
        std::fs::create_dir(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        prepare_data_dir(&dir).unwrap();
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        let f = dir.join("x");
        write_private(&f, b"abc").unwrap();
        assert_eq!(mode(&f), 0o600);
        assert_eq!(std::fs::read(&f).unwrap(), b"abc");
    }
}
