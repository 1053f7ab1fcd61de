//! The platform's "downloaded from the internet" mark on every file we save for the user: the
//! Windows `Zone.Identifier` stream (zone 3, Internet: SmartScreen and Office's Protected View
//! look at it), macOS's `com.apple.quarantine` attribute (Gatekeeper asks before anything runs),
//! and on Linux the freedesktop `user.xdg.origin.url` attribute (file managers show where a file
//! came from). Best effort: a volume that cannot hold the mark still gets the file.

use std::path::Path;

/// Marks `path` as downloaded from `origin` (an `https:` link, or `xmpp:` for a file sent
/// straight from a contact's device).
pub(crate) fn downloaded(path: &Path, origin: &str) {
    if let Err(e) = write(path, origin) {
        tracing::debug!("no download mark on {}: {e}", path.display());
    }
}

#[cfg(windows)]
fn write(path: &Path, origin: &str) -> std::io::Result<()> {
    let mut stream = path.as_os_str().to_owned();
    stream.push(":Zone.Identifier");
    let host = if origin.starts_with("https:") {
        format!("HostUrl={origin}\r\n")
    } else {
        String::new()
    };
    std::fs::write(
        std::path::PathBuf::from(stream),
        format!("[ZoneTransfer]\r\nZoneId=3\r\n{host}"),
    )
}

#[cfg(target_os = "macos")]
fn write(path: &Path, _origin: &str) -> std::io::Result<()> {
    // flags;hex seconds;agent;(no event id). 0x0081: quarantined, downloaded by an app.
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let value = format!("0081;{secs:08x};Hallway;");
    xattr::set(path, "com.apple.quarantine", value.as_bytes())
}

#[cfg(all(unix, not(target_os = "macos")))]
fn write(path: &Path, origin: &str) -> std::io::Result<()> {
    xattr::set(path, ORIGIN_ATTR, origin.as_bytes())
}

/// The freedesktop attribute naming where a download came from.
#[cfg(all(unix, not(target_os = "macos")))]
pub(crate) const ORIGIN_ATTR: &str = "user.xdg.origin.url";

#[cfg(not(any(unix, windows)))]
fn write(_path: &Path, _origin: &str) -> std::io::Result<()> {
    Ok(())
}

#[cfg(all(test, unix, not(target_os = "macos")))]
mod tests {
    use super::*;

    #[test]
    fn a_saved_file_says_where_it_came_from() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("report.pdf");
        std::fs::write(&f, b"%PDF").unwrap();
        // The temp folder must be on a volume with user attributes (ext4, btrfs, xfs; tmpfs
        // since Linux 6.6), as Downloads folders are.
        downloaded(&f, "https://files.example.com/report.pdf");
        assert_eq!(
            xattr::get(&f, ORIGIN_ATTR).unwrap().as_deref(),
            Some(&b"https://files.example.com/report.pdf"[..])
        );
    }
}
