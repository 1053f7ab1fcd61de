//! Bare JIDs as the app uses them (account and contact addresses), with the user-facing validation
//! of the sign-in form. Full RFC 7622 parsing happens in the protocol layer (xmpp-parsers' `jid`);
//! here we only need a normalised `local@domain` string and a clear error for bad input.

use std::fmt;

/// A normalised bare JID (`local@domain`, domain lower-cased), as stored and shown.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(transparent)]
pub struct BareJid(String);

impl BareJid {
    /// The JID as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The part before `@` (empty for a server JID).
    pub fn local(&self) -> &str {
        self.0.split_once('@').map(|(l, _)| l).unwrap_or("")
    }
    /// The part after `@`.
    pub fn domain(&self) -> &str {
        self.0.split_once('@').map(|(_, d)| d).unwrap_or(&self.0)
    }
    /// Wraps an already-normalised JID coming from a trusted place (the parser, our database).
    pub fn from_trusted(s: impl Into<String>) -> Self {
        Self(s.into())
    }
}

impl fmt::Display for BareJid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why an address typed by the user is not a usable account address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JidError {
    /// Nothing was typed.
    #[error("Enter your address, like alice@example.com")]
    Empty,
    /// No `@`, or more than one.
    #[error("An address looks like alice@example.com")]
    Shape,
    /// Characters RFC 7622 forbids in a localpart or domain (spaces, quotes, slashes…).
    #[error("The address contains characters that are not allowed: {0}")]
    BadCharacter(char),
    /// Longer than the 1023 bytes RFC 7622 allows per part.
    #[error("The address is too long")]
    TooLong,
}

/// Validates and normalises an account address typed by the user (`local@domain`, no resource).
pub fn parse_bare_jid(input: &str) -> Result<BareJid, JidError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(JidError::Empty);
    }
    let (local, domain) = s.split_once('@').ok_or(JidError::Shape)?;
    if local.is_empty() || domain.is_empty() || domain.contains('@') {
        return Err(JidError::Shape);
    }
    if local.len() > 1023 || domain.len() > 1023 {
        return Err(JidError::TooLong);
    }
    // RFC 7622 §3.3.1: these are excluded from localparts; whitespace and controls from both.
    for c in local.chars() {
        if c.is_whitespace() || c.is_control() || "\"&'/:<>".contains(c) {
            return Err(JidError::BadCharacter(c));
        }
    }
    for c in domain.chars() {
        if c.is_whitespace() || c.is_control() || "\"&'/:<>@\\".contains(c) {
            return Err(JidError::BadCharacter(c));
        }
    }
    if domain.starts_with('.') || domain.ends_with('.') || domain.contains("..") {
        return Err(JidError::Shape);
    }
    Ok(BareJid(format!("{}@{}", local, domain.to_lowercase())))
}

/// The name shown for a contact: the roster name when set, else the JID's local part (RFC 6121
/// leaves naming to the client; the local part is what office users recognise).
pub fn display_name_for(jid: &str, roster_name: Option<&str>) -> String {
    match roster_name.map(str::trim) {
        Some(n) if !n.is_empty() => n.to_string(),
        _ => match jid.split_once('@') {
            Some((local, _)) if !local.is_empty() => local.to_string(),
            _ => jid.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_normalises() {
        let j = parse_bare_jid("  alice@Example.COM ").unwrap();
        assert_eq!(j.as_str(), "alice@example.com");
        assert_eq!(j.local(), "alice");
        assert_eq!(j.domain(), "example.com");
    }

    #[test]
    fn rejects_bad_addresses() {
        assert_eq!(parse_bare_jid(""), Err(JidError::Empty));
        assert_eq!(parse_bare_jid("alice"), Err(JidError::Shape));
        assert_eq!(parse_bare_jid("@example.com"), Err(JidError::Shape));
        assert_eq!(parse_bare_jid("alice@"), Err(JidError::Shape));
        assert_eq!(parse_bare_jid("a@b@c"), Err(JidError::Shape));
        assert_eq!(
            parse_bare_jid("al ice@x.org"),
            Err(JidError::BadCharacter(' '))
        );
        assert_eq!(
            parse_bare_jid("alice@x.org/res"),
            Err(JidError::BadCharacter('/'))
        );
        assert_eq!(parse_bare_jid("alice@x..org"), Err(JidError::Shape));
        assert!(parse_bare_jid("a@x.org").is_ok());
    }

    #[test]
    fn display_names() {
        assert_eq!(
            display_name_for("bob@x.org", Some("Bob Baker")),
            "Bob Baker"
        );
        assert_eq!(display_name_for("bob@x.org", Some("  ")), "bob");
        assert_eq!(display_name_for("bob@x.org", None), "bob");
        assert_eq!(display_name_for("x.org", None), "x.org");
    }
}
