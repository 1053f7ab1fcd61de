//! Small persisted settings (JSON values by key) and per-account pinned certificates.

use rusqlite::{params, OptionalExtension};

use crate::{Store, StoreError};

impl Store {
    /// Reads a setting; `None` when unset. A value that no longer decodes is treated as unset.
    pub fn setting<T: serde::de::DeserializeOwned>(
        &self,
        key: &str,
    ) -> Result<Option<T>, StoreError> {
        let conn = self.conn();
        let raw: Option<String> = conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?;
        Ok(raw.and_then(|s| serde_json::from_str(&s).ok()))
    }

    /// Writes a setting.
    pub fn set_setting<T: serde::Serialize>(&self, key: &str, value: &T) -> Result<(), StoreError> {
        let json = serde_json::to_string(value).map_err(|e| StoreError::Decode(e.to_string()))?;
        let conn = self.conn();
        conn.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) \
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![key, json],
        )?;
        Ok(())
    }

    /// Removes a setting.
    pub fn remove_setting(&self, key: &str) -> Result<(), StoreError> {
        self.conn()
            .execute("DELETE FROM settings WHERE key = ?1", [key])?;
        Ok(())
    }

    /// The certificate fingerprint the user trusted for this account, if any.
    pub fn pinned_certificate(&self, account: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT fingerprint FROM pinned_certificates WHERE account = ?1",
                [account],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Pins (or re-pins) a certificate for an account.
    pub fn pin_certificate(
        &self,
        account: &str,
        fingerprint: &str,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO pinned_certificates (account, fingerprint, pinned_at) VALUES (?1, ?2, ?3) \
             ON CONFLICT(account) DO UPDATE SET fingerprint = excluded.fingerprint, pinned_at = excluded.pinned_at",
            params![account, fingerprint, now_ms],
        )?;
        Ok(())
    }
}
