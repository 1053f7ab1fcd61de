//! XEP-0066: Out of Band Data — the `<x xmlns='jabber:x:oob'><url/></x>` that XEP-0363 clients
//! attach to a message whose body is an uploaded file's URL (XEP-0363 §4 "Sharing the file").
//! Also recognises the older habit of a body that is nothing but an upload URL.

use xmpp_parsers::minidom::Element;

/// Namespace.
pub const NS: &str = "jabber:x:oob";

/// Longest URL we accept as a file link; longer ones stay plain text.
pub const MAX_URL: usize = 2048;

/// `<x xmlns='jabber:x:oob'><url>…</url></x>`.
pub fn element(url: &str) -> Element {
    Element::builder("x", NS)
        .append(Element::builder("url", NS).append(url.to_string()).build())
        .build()
}

/// The OOB URL of a message, when it is a usable HTTPS link.
pub fn url(payloads: &[Element]) -> Option<String> {
    payloads
        .iter()
        .filter(|p| p.is("x", NS))
        .filter_map(|x| x.get_child("url", NS))
        .map(|u| u.text().trim().to_string())
        .find(|u| is_https_url(u))
}

/// The file a message carries: its OOB URL, or a body that is just one HTTPS URL whose path ends
/// in a file name with an extension (`https://host/…/name.ext`). Anything else is text.
pub fn file_url(oob: Option<&str>, body: &str) -> Option<String> {
    if let Some(u) = oob {
        return Some(u.to_string());
    }
    let b = body.trim();
    if !is_https_url(b) {
        return None;
    }
    let name = last_segment(b);
    let has_ext = name
        .rsplit_once('.')
        .is_some_and(|(stem, ext)| !stem.is_empty() && (1..=8).contains(&ext.len()));
    (has_ext && path_of(b).matches('/').count() >= 2).then(|| b.to_string())
}

/// `https://` followed by a host, no whitespace or control characters, not absurdly long.
pub fn is_https_url(u: &str) -> bool {
    let Some(rest) = u
        .get(..8)
        .filter(|p| p.eq_ignore_ascii_case("https://"))
        .map(|_| &u[8..])
    else {
        return false;
    };
    u.len() <= MAX_URL
        && !rest.is_empty()
        && !rest.starts_with('/')
        && !u.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn path_of(u: &str) -> &str {
    let rest = &u[8.min(u.len())..];
    let no_query = rest.split(['?', '#']).next().unwrap_or("");
    match no_query.find('/') {
        Some(i) => &no_query[i..],
        None => "",
    }
}

fn last_segment(u: &str) -> &str {
    path_of(u).rsplit('/').next().unwrap_or("")
}

/// The file name a URL suggests: its last path segment, percent-decoded (invalid UTF-8 replaced).
/// Not yet safe for a file system or a screen: the core makes it so.
pub fn name_from_url(u: &str) -> String {
    let seg = last_segment(u).as_bytes();
    let mut out = Vec::with_capacity(seg.len());
    let mut i = 0;
    while i < seg.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if seg[i] == b'%' && i + 2 < seg.len() {
            if let (Some(h), Some(l)) = (hex(seg[i + 1]), hex(seg[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(seg[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_oob_url() {
        let x: Element =
            "<x xmlns='jabber:x:oob'><url> https://up.example/a/b/r%C3%A9sum%C3%A9.pdf </url></x>"
                .parse()
                .unwrap();
        let u = url(&[x]).unwrap();
        assert_eq!(u, "https://up.example/a/b/r%C3%A9sum%C3%A9.pdf");
        assert_eq!(name_from_url(&u), "résumé.pdf");
    }

    #[test]
    fn rejects_non_https_and_odd_urls() {
        for bad in [
            "<x xmlns='jabber:x:oob'><url>http://up.example/a/f.pdf</url></x>",
            "<x xmlns='jabber:x:oob'><url>javascript:alert(1)</url></x>",
            "<x xmlns='jabber:x:oob'><url>https:///etc/passwd</url></x>",
            "<x xmlns='jabber:x:oob'><url>https://a b/c.pdf</url></x>",
            "<x xmlns='jabber:x:oob'/>",
        ] {
            let x: Element = bad.parse().unwrap();
            assert_eq!(url(&[x]), None, "{bad}");
        }
    }

    #[test]
    fn a_bare_upload_url_body_is_a_file_but_a_web_link_is_text() {
        assert!(file_url(None, " https://up.example/share/abc/report.xlsx ").is_some());
        assert_eq!(file_url(None, "https://example.com/"), None);
        assert_eq!(file_url(None, "https://example.com/about"), None);
        assert_eq!(file_url(None, "see https://up.example/a/b.pdf"), None);
        assert_eq!(file_url(None, "https://up.example/.htaccess"), None);
        assert_eq!(
            file_url(Some("https://up.example/x/y.png"), "whatever").as_deref(),
            Some("https://up.example/x/y.png")
        );
    }

    #[test]
    fn names_cope_with_bad_escapes() {
        assert_eq!(
            name_from_url("https://h/a/100%25%zz%.txt?q=1#f"),
            "100%%zz%.txt"
        );
        assert_eq!(name_from_url("https://h/a/%FF.txt"), "\u{FFFD}.txt");
        assert_eq!(name_from_url("https://h"), "");
    }

    #[test]
    fn serialises_element() {
        let x = element("https://up.example/a/f.pdf");
        assert_eq!(
            crate::test_xml(&x),
            "<x xmlns='jabber:x:oob'><url>https://up.example/a/f.pdf</url></x>"
        );
    }
}
