//! Files from the window (picked, dropped or pasted) arrive in slices into the app's own folder
//! (`outgoing/<id>/<safe name>`), then go out like any file: uploaded, or straight to a device.

use std::path::PathBuf;
use std::sync::Arc;

use hallway_model::Message;

use super::{io_err, names, staging_id_ok, Files};
use crate::CoreError;

impl Files {
    /// Starts receiving a file from the window (picked, dropped or pasted): returns an id for
    /// `stage_file_append` / `send_staged_file`. The bytes go to the app's own folder.
    pub fn stage_file_begin(&self, name: &str) -> Result<String, CoreError> {
        let id = hallway_protocol::new_id();
        let dir = self.staging().join(&id);
        std::fs::create_dir_all(&dir).map_err(|e| io_err("Could not prepare the file", e))?;
        let path = dir.join(names::safe_file_name(name));
        std::fs::File::create(&path).map_err(|e| io_err("Could not prepare the file", e))?;
        Ok(id)
    }

    pub(super) fn staged_path(&self, id: &str) -> Result<PathBuf, CoreError> {
        if !staging_id_ok(id) {
            return Err(CoreError::InvalidInput("No such file.".into()));
        }
        let dir = self.staging().join(id);
        let entry = std::fs::read_dir(&dir)
            .ok()
            .and_then(|mut d| d.next())
            .and_then(Result::ok)
            .ok_or_else(|| CoreError::InvalidInput("No such file.".into()))?;
        Ok(entry.path())
    }

    /// Appends bytes to a staged file.
    pub fn stage_file_append(&self, id: &str, bytes: &[u8]) -> Result<(), CoreError> {
        use std::io::Write;
        let path = self.staged_path(id)?;
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .map_err(|e| io_err("Could not prepare the file", e))?;
        f.write_all(bytes)
            .map_err(|e| io_err("Could not prepare the file", e))
    }

    /// Throws a staged file away (removed from the tray before sending).
    pub fn discard_staged_file(&self, id: &str) -> Result<(), CoreError> {
        let path = self.staged_path(id)?;
        if let Some(dir) = path.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
        Ok(())
    }

    /// Sends a staged file to `peer`.
    pub async fn send_staged_file(
        self: &Arc<Self>,
        peer: &str,
        id: &str,
    ) -> Result<Message, CoreError> {
        let path = self.staged_path(id)?;
        self.send_file(peer, &path).await
    }

    pub async fn send_staged_file_directly(
        self: &Arc<Self>,
        peer: &str,
        id: &str,
    ) -> Result<Message, CoreError> {
        let path = self.staged_path(id)?;
        self.send_file_direct(peer, &path).await
    }
}
