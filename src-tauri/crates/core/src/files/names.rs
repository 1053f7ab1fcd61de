//! File names from strangers made safe to save and show: no path parts, no control or
//! bidirectional-override characters (an RTL override turns `annexe` + U+202E + `fdp.exe` into what reads as
//! a PDF), no names Windows reserves, bounded length; and saving never overwrites ("name (1).ext").

use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

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

/// Opening this kind of file would run a program: Hallway offers "Show in folder" only.
pub fn runs_when_opened(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let ext = lower.rsplit('.').next().unwrap_or("");
    lower.contains('.')
        && matches!(
            ext,
            "exe"
                | "com"
                | "bat"
                | "cmd"
                | "scr"
                | "pif"
                | "msi"
                | "msp"
                | "cpl"
                | "hta"
                | "jar"
                | "js"
                | "jse"
                | "vbs"
                | "vbe"
                | "wsf"
                | "wsh"
                | "ps1"
                | "psm1"
                | "lnk"
                | "reg"
                | "sh"
                | "bash"
                | "run"
                | "bin"
                | "desktop"
                | "appimage"
                | "app"
                | "command"
                | "pkg"
                | "dmg"
                | "deb"
                | "rpm"
                | "py"
                | "pl"
                | "rb"
                | "url"
                | "iso"
                | "img"
        )
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
        assert!(runs_when_opened(&safe));
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
    fn knows_what_runs_and_what_it_is() {
        assert!(!runs_when_opened("report.pdf"));
        assert!(runs_when_opened("setup.EXE"));
        assert!(!runs_when_opened("exe"));
        assert_eq!(mime_for("Photo.JPG"), "image/jpeg");
        assert_eq!(mime_for("noext"), "application/octet-stream");
    }
}
