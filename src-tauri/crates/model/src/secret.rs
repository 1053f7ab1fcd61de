//! A password on its way from the sign-in form to the server and the keychain: never printed
//! (`Debug` shows `***`, so a log line or a panic message cannot leak it) and wiped from memory
//! when dropped (`zeroize`), in every copy.

use zeroize::Zeroize;

/// A password. Serialises as a plain string (the form sends one); shows as `***`.
#[derive(Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(transparent)]
pub struct Password(String);

impl Password {
    /// Wraps a password.
    pub fn new(p: impl Into<String>) -> Self {
        Self(p.into())
    }

    /// The characters, for the SASL exchange and the keychain only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// No characters at all.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<&str> for Password {
    fn from(s: &str) -> Self {
        Self(s.to_string())
    }
}

impl From<String> for Password {
    fn from(s: String) -> Self {
        Self(s)
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

impl Drop for Password {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints_the_password() {
        let p = Password::new("correct horse battery");
        assert_eq!(format!("{p:?}"), "***");
        assert_eq!(format!("{:#?}", Some(p.clone())), "Some(\n    ***,\n)");
        assert_eq!(p.expose(), "correct horse battery");
    }

    #[test]
    fn serialises_as_a_plain_string() {
        let p: Password = serde_json::from_str("\"s3cret\"").unwrap();
        assert_eq!(p.expose(), "s3cret");
        assert_eq!(serde_json::to_string(&p).unwrap(), "\"s3cret\"");
    }
}
