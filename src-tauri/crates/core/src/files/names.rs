//! File names from strangers made safe to save and show: no path parts, no control or
//! bidirectional-override characters (an RTL override turns `annexe` + U+202E + `fdp.exe` into what reads as
//! a PDF), no names Windows reserves, bounded length; and saving never overwrites ("name (1).ext").

use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use hallway_model::{Attachment, FileStatus};

/// Longest name we produce, in characters (the extension is kept).
pub const MAX_NAME_CHARS: usize = 120;

const RESERVED: &[&str] = &[
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

fn invisible_or_reordering(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}'
            | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

/// A name safe to create in a folder and to display: the last path part of `raw`, cleaned.
pub fn safe_file_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .filter(|c| !invisible_or_reordering(*c))
        .map(|c| match c {
            '<' | '>' | ':' | '"' | '|' | '?' | '*' => '_',
            c => c,
        })
        .collect();
    let trimmed = cleaned.trim_matches(|c: char| c == '.' || c.is_whitespace());
    let mut name = if trimmed.is_empty() {
        "file".to_string()
    } else {
        trimmed.to_string()
    };
    let stem_upper = name
        .split('.')
        .next()
        .unwrap_or("")
        .trim_end()
        .to_ascii_uppercase();
    if RESERVED.contains(&stem_upper.as_str()) {
        name = format!("_{name}");
    }
    shorten(&name)
}

fn split_ext(name: &str) -> (&str, &str) {
    match name.rfind('.') {
        Some(i) if i > 0 && name.len() - i <= 17 => (&name[..i], &name[i..]),
        _ => (name, ""),
    }
}

fn shorten(name: &str) -> String {
    if name.chars().count() <= MAX_NAME_CHARS {
        return name.to_string();
    }
    let (stem, ext) = split_ext(name);
    let keep = MAX_NAME_CHARS - ext.chars().count() - 1;
    let stem: String = stem.chars().take(keep).collect();
    format!("{}…{ext}", stem.trim_end())
}

/// Creates a new, empty file for `name` in `dir` without overwriting anything: `name`, else
/// `stem (1).ext`, `stem (2).ext`… Returns the path and the open file.
pub fn create_unique(dir: &Path, name: &str) -> io::Result<(PathBuf, File)> {
    let name = safe_file_name(name);
    let (stem, ext) = split_ext(&name);
    for n in 0..10_000u32 {
        let candidate = if n == 0 {
            name.clone()
        } else {
            format!("{stem} ({n}){ext}")
        };
        let path = dir.join(&candidate);
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(f) => return Ok((path, f)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other("too many files with this name"))
}

/// Reserves a never-overwriting `name` in `dir` for a download and opens `NAME.part` to write
/// it to: both are created new (`create_new`), so neither an existing file nor a `.part` left
/// by an earlier crash is ever truncated or written into. Returns (final path, part path, the
/// open part file); the empty file at the final path is the reservation until the part is
/// renamed over it.
pub fn create_download(dir: &Path, name: &str) -> io::Result<(PathBuf, PathBuf, File)> {
    let name = safe_file_name(name);
    let (stem, ext) = split_ext(&name);
    let new_file = |p: &Path| OpenOptions::new().write(true).create_new(true).open(p);
    for n in 0..10_000u32 {
        let candidate = if n == 0 {
            name.clone()
        } else {
            format!("{stem} ({n}){ext}")
        };
        let path = dir.join(&candidate);
        let part = dir.join(format!("{candidate}.part"));
        match new_file(&path) {
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
        match new_file(&part) {
            Ok(f) => return Ok((path, part, f)),
            Err(e) => {
                let _ = std::fs::remove_file(&path);
                if e.kind() != io::ErrorKind::AlreadyExists {
                    return Err(e);
                }
            }
        }
    }
    Err(io::Error::other("too many files with this name"))
}

/// The file types "Open" hands to the system: documents, pictures, audio, video and
/// archives. An allowlist, not a blocklist of what runs: every platform has types that run
/// code or open in a browser with access to local files (Windows `.msix .appx .vhd .chm .scf
/// .library-ms .jnlp .xll`, macro documents `.docm .xlsm`, macOS `.terminal .fileloc .webloc
/// .scpt .workflow`, `.html` and `.svg` everywhere), and new ones appear. Everything else gets
/// "Show in folder" only. The window gets this list through the generated bindings.
pub const OPENABLE: &[&str] = &[
    // documents
    "pdf", "txt", "md", "csv", "tsv", "rtf", "odt", "ods", "odp", "odg", "doc", "docx", "xls",
    "xlsx", "ppt", "pptx", "pages", "numbers", "key", "epub", "log", // pictures
    "png", "jpg", "jpeg", "gif", "webp", "bmp", "tif", "tiff", "heic", "heif", "avif",
    // audio
    "mp3", "wav", "ogg", "oga", "opus", "flac", "m4a", "aac", // video
    "mp4", "m4v", "mov", "mkv", "webm", "avi", "mpg", "mpeg", "3gp", // archives
    "zip", "7z", "tar", "gz", "tgz", "bz2", "xz", "rar", "zst",
];

/// Whether "Open" may hand this file to the system (its extension is in [`OPENABLE`]).
pub fn opens_safely(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    match lower.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => OPENABLE.contains(&ext),
        _ => false,
    }
}

/// The file record of a received link (XEP-0066 / upload URL): its name from the URL, made safe,
/// and its type from the name.
pub(crate) fn received_attachment(url: &str) -> Attachment {
    let name = safe_file_name(&hallway_protocol::xep0066_oob::name_from_url(url));
    let mime = mime_for(&name);
    Attachment {
        url: Some(url.to_string()),
        mime: (mime != "application/octet-stream").then(|| mime.to_string()),
        name,
        size: None,
        local_path: None,
        status: FileStatus::Available,
        error: None,
        direct: false,
    }
}

/// A MIME type from the name's extension (what we tell the upload service).
pub fn mime_for(name: &str) -> &'static str {
    let lower = name.to_ascii_lowercase();
    match lower.rsplit('.').next().unwrap_or("") {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "pdf" => "application/pdf",
        "txt" | "log" => "text/plain",
        "csv" => "text/csv",
        "zip" => "application/zip",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "ppt" => "application/vnd.ms-powerpoint",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "odt" => "application/vnd.oasis.opendocument.text",
        "ods" => "application/vnd.oasis.opendocument.spreadsheet",
        "mp3" => "audio/mpeg",
        "mp4" => "video/mp4",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_paths_and_traversal() {
        assert_eq!(safe_file_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_file_name("..\\..\\Windows\\win.ini"), "win.ini");
        assert_eq!(safe_file_name(".."), "file");
        assert_eq!(safe_file_name(".bashrc"), "bashrc");
        assert_eq!(safe_file_name("/"), "file");
        assert_eq!(safe_file_name(""), "file");
    }

    #[test]
    fn renames_windows_reserved_names() {
        assert_eq!(safe_file_name("con.txt"), "_con.txt");
        assert_eq!(safe_file_name("LPT1"), "_LPT1");
        assert_eq!(safe_file_name("console.txt"), "console.txt");
        assert_eq!(safe_file_name("a:b*c?.txt"), "a_b_c_.txt");
    }

    #[test]
    fn removes_bidi_overrides_and_controls() {
        let evil = "invoice\u{202E}fdp.exe";
        let safe = safe_file_name(evil);
        assert_eq!(safe, "invoicefdp.exe");
        assert!(!opens_safely(&safe));
        assert_eq!(safe_file_name("a\u{0}b\nc\u{2066}.pdf"), "abc.pdf");
    }

    #[test]
    fn shortens_long_names_keeping_the_extension() {
        let long = format!("{}.pdf", "x".repeat(300));
        let safe = safe_file_name(&long);
        assert_eq!(safe.chars().count(), MAX_NAME_CHARS);
        assert!(safe.ends_with("….pdf"));
        let no_ext = "y".repeat(300);
        assert_eq!(safe_file_name(&no_ext).chars().count(), MAX_NAME_CHARS);
    }

    #[test]
    fn never_overwrites() {
        let d = tempfile::tempdir().unwrap();
        let (a, _) = create_unique(d.path(), "report.pdf").unwrap();
        let (b, _) = create_unique(d.path(), "report.pdf").unwrap();
        let (c, _) = create_unique(d.path(), "../report.pdf").unwrap();
        assert_eq!(a.file_name().unwrap(), "report.pdf");
        assert_eq!(b.file_name().unwrap(), "report (1).pdf");
        assert_eq!(c.file_name().unwrap(), "report (2).pdf");
        assert!(c.starts_with(d.path()));
    }

    #[test]
    fn a_download_never_writes_into_an_existing_file_or_part() {
        let d = tempfile::tempdir().unwrap();
        // A `.part` left by a crash, and a finished file of the same name.
        std::fs::write(d.path().join("notes.txt.part"), b"old partial").unwrap();
        let (path, part, _) = create_download(d.path(), "notes.txt").unwrap();
        assert_eq!(path.file_name().unwrap(), "notes (1).txt");
        assert_eq!(part.file_name().unwrap(), "notes (1).txt.part");
        assert_eq!(
            std::fs::read(d.path().join("notes.txt.part")).unwrap(),
            b"old partial"
        );
        assert!(!d.path().join("notes.txt").exists());
        let (again, _, _) = create_download(d.path(), "notes.txt").unwrap();
        assert_eq!(again.file_name().unwrap(), "notes (2).txt");
    }

    #[test]
    fn opens_only_documents_pictures_media_and_archives() {
        for ok in [
            "report.pdf",
            "Photo.JPG",
            "notes.txt",
            "talk.mp4",
            "song.flac",
            "all.zip",
            "sheet.xlsx",
            "deck.pptx",
            "backup.tar.gz",
        ] {
            assert!(opens_safely(ok), "{ok}");
        }
        // What the old blocklist missed, and what it had.
        for no in [
            "setup.EXE",
            "app.msix",
            "pkg.appx",
            "disk.vhdx",
            "help.chm",
            "x.scf",
            "s.settingcontent-ms",
            "l.library-ms",
            "a.jnlp",
            "addin.xll",
            "macro.docm",
            "macro.xlsm",
            "page.mht",
            "run.terminal",
            "f.fileloc",
            "w.webloc",
            "i.inetloc",
            "s.scpt",
            "w.workflow",
            "page.html",
            "page.htm",
            "image.svg",
            "script.js",
            "run.sh",
            "noext",
            "exe",
            ".pdf",
            "trailing.",
        ] {
            assert!(!opens_safely(no), "{no}");
        }
    }

    #[test]
    fn knows_what_it_is() {
        assert_eq!(mime_for("Photo.JPG"), "image/jpeg");
        assert_eq!(mime_for("noext"), "application/octet-stream");
    }
}
