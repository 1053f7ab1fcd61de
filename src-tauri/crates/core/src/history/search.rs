//! Words of a server search marked in a result's text, ignoring case and diacritics as the local
//! FTS5 search does (`U+0002` … `U+0003` around each; the window turns them into marks, as text).

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// `body` with every word that starts with one of the searched words wrapped in U+0002 … U+0003,
/// ignoring case and diacritics (as the local search does).
pub(crate) fn mark_words(body: &str, query: &str) -> String {
    // The markers themselves, sent in a body, would fake a highlight.
    let body: String = body
        .chars()
        .filter(|c| !matches!(c, '\u{2}' | '\u{3}'))
        .collect();
    let body = body.as_str();
    let wanted: Vec<String> = query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(fold)
        .collect();
    let mut out = String::with_capacity(body.len() + 8);
    let mut rest = body;
    while let Some(start) = rest.find(char::is_alphanumeric) {
        out.push_str(&rest[..start]);
        let word_len = rest[start..]
            .find(|c: char| !c.is_alphanumeric())
            .unwrap_or(rest.len() - start);
        let word = &rest[start..start + word_len];
        let folded = fold(word);
        if wanted.iter().any(|w| folded.starts_with(w.as_str())) {
            out.push('\u{2}');
            out.push_str(word);
            out.push('\u{3}');
        } else {
            out.push_str(word);
        }
        rest = &rest[start + word_len..];
    }
    out.push_str(rest);
    out
}

/// Lower case without diacritics ("Café" → "cafe").
fn fold(s: &str) -> String {
    s.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_words_by_prefix_ignoring_case_and_diacritics() {
        assert_eq!(
            mark_words("Le café du Budget, budgets!", "cafe budget"),
            "Le \u{2}café\u{3} du \u{2}Budget\u{3}, \u{2}budgets\u{3}!"
        );
        // Quotes and operators typed by the user are not words; markup stays text.
        assert_eq!(
            mark_words("<b>plan</b> B", "\"plan\" OR"),
            "<b>\u{2}plan\u{3}</b> B"
        );
        assert_eq!(mark_words("nothing here", "zebra"), "nothing here");
        // Markers sent by a stranger are dropped, not shown as highlights.
        assert_eq!(
            mark_words("\u{2}fake\u{3} real", "real"),
            "fake \u{2}real\u{3}"
        );
        assert_eq!(mark_words("", "a"), "");
        assert_eq!(mark_words("Ünïcödé ok", "UNICODE"), "\u{2}Ünïcödé\u{3} ok");
    }
}
