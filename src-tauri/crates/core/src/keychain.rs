//! Passwords live in the OS keychain (Secret Service on Linux, Keychain on macOS, Credential
//! Manager on Windows) through the `keyring` crate — never in a file. When no keychain is
//! available the app says so and asks for the password at the next start.

/// Where passwords are kept. A trait so unit tests can use an in-memory fake.
pub trait Keychain: Send + Sync {
    /// Stores the password for an account.
    fn save(&self, account: &str, password: &str) -> Result<(), String>;
    /// The stored password, `Ok(None)` when there is none.
    fn load(&self, account: &str) -> Result<Option<String>, String>;
    /// Forgets the password.
    fn delete(&self, account: &str) -> Result<(), String>;
}

const SERVICE: &str = "org.hallway.Hallway";

/// The real OS keychain.
#[derive(Debug, Default)]
pub struct OsKeychain;

impl Keychain for OsKeychain {
    fn save(&self, account: &str, password: &str) -> Result<(), String> {
        let entry = keyring::Entry::new(SERVICE, account).map_err(|e| e.to_string())?;
        entry.set_password(password).map_err(|e| e.to_string())
    }

    fn load(&self, account: &str) -> Result<Option<String>, String> {
        let entry = keyring::Entry::new(SERVICE, account).map_err(|e| e.to_string())?;
        match entry.get_password() {
            Ok(p) => Ok(Some(p)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(e.to_string()),
        }
    }

    fn delete(&self, account: &str) -> Result<(), String> {
        let entry = keyring::Entry::new(SERVICE, account).map_err(|e| e.to_string())?;
        match entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(e.to_string()),
        }
    }
}

/// A keychain that is never available (tests of the "no keychain" path; `HALLWAY_NO_KEYCHAIN`).
#[derive(Debug, Default)]
pub struct NoKeychain;

impl Keychain for NoKeychain {
    fn save(&self, _: &str, _: &str) -> Result<(), String> {
        Err("no keychain is available on this system".into())
    }
    fn load(&self, _: &str) -> Result<Option<String>, String> {
        Err("no keychain is available on this system".into())
    }
    fn delete(&self, _: &str) -> Result<(), String> {
        Ok(())
    }
}

/// An in-memory keychain for tests.
#[derive(Debug, Default)]
pub struct MemoryKeychain(std::sync::Mutex<std::collections::HashMap<String, String>>);

impl Keychain for MemoryKeychain {
    fn save(&self, account: &str, password: &str) -> Result<(), String> {
        self.0
            .lock()
            .map_err(|e| e.to_string())?
            .insert(account.into(), password.into());
        Ok(())
    }
    fn load(&self, account: &str) -> Result<Option<String>, String> {
        Ok(self
            .0
            .lock()
            .map_err(|e| e.to_string())?
            .get(account)
            .cloned())
    }
    fn delete(&self, account: &str) -> Result<(), String> {
        self.0.lock().map_err(|e| e.to_string())?.remove(account);
        Ok(())
    }
}
