//! Receiving a file by its link: size and type asked once (HEAD), the download into the Downloads
//! folder under a new, safe name (written to `.part`, marked as downloaded), a picture's preview
//! (fetched by itself only from contacts, within the limit, decoded here), and Open / Show in
//! folder (Open only for documents, pictures, audio, video and archives).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use hallway_model::{Attachment, Direction, FileStatus, Message, TransferProgress};

use super::{http, io_err, names, preview, Files, MAX_LOCAL_PREVIEW};
use crate::events::CoreEvent;
use crate::CoreError;

impl Files {
    /// A contact we know (or ourselves): their links may be fetched without asking. Strangers'
    /// links are never fetched automatically (it would tell them our address and that we read).
    pub(super) async fn trusted_sender(&self, m: &Message) -> bool {
        m.direction == Direction::Outgoing
            || self
                .acc
                .session
                .contacts()
                .await
                .iter()
                .any(|c| c.jid == m.sender)
    }

    /// Downloads a message's file into the Downloads folder (a new name, never overwriting).
    pub async fn download_file(self: &Arc<Self>, id: i64) -> Result<(), CoreError> {
        let (m, a) = self.file_message(id)?;
        let url = a
            .url
            .clone()
            .ok_or_else(|| CoreError::InvalidInput("The file is not uploaded yet.".into()))?;
        if self.running(id) {
            return Ok(());
        }
        let client = self.http_client(&url)?;
        std::fs::create_dir_all(&self.downloads_dir)
            .map_err(|e| io_err("Could not create the Downloads folder", e))?;
        // Both the name and its `.part` are created new: nothing existing is ever truncated.
        let (path, part, out) = names::create_download(&self.downloads_dir, &a.name)
            .map_err(|e| io_err("Could not save the file", e))?;
        let out = tokio::fs::File::from_std(out);
        let downloading = Attachment {
            status: FileStatus::Downloading,
            error: None,
            local_path: Some(path.to_string_lossy().into_owned()),
            ..a.clone()
        };
        self.acc.store.set_attachment(id, &downloading)?;
        self.emit_updated(id);
        let me = self.clone();
        let task = tokio::spawn(async move {
            let emitter = me.acc.emitter.clone();
            let progress = Arc::new(move |bytes: u64, total: Option<u64>, speed: u64| {
                emitter.emit(CoreEvent::TransferProgressed(TransferProgress {
                    message_id: id,
                    bytes,
                    total,
                    bytes_per_second: speed,
                }))
            });
            let outcome = http::get_to_file(&client, &url, out, None, progress).await;
            me.untrack(id);
            let done = match outcome {
                Ok(bytes) => match std::fs::rename(&part, &path) {
                    Ok(()) => {
                        super::mark::downloaded(&path, &url);
                        Attachment {
                            status: FileStatus::Downloaded,
                            size: Some(bytes),
                            ..downloading
                        }
                    }
                    Err(e) => failed_download(
                        downloading,
                        &path,
                        &part,
                        format!("Could not save the file: {e}"),
                    ),
                },
                Err(why) => failed_download(downloading, &path, &part, why),
            };
            let _ = me.acc.store.set_attachment(id, &done);
            me.emit_updated(id);
            let _ = m;
        });
        self.track(id, task.abort_handle());
        Ok(())
    }

    /// Asks the server for the size and type of a received file (HEAD), once.
    pub async fn inspect_file(&self, id: i64) -> Result<(), CoreError> {
        let (m, a) = self.file_message(id)?;
        if a.size.is_some() || !self.trusted_sender(&m).await {
            return Ok(());
        }
        let Some(url) = a.url.as_deref() else {
            return Ok(());
        };
        let client = self.http_client(url)?;
        let (size, mime) = http::head(&client, url).await.map_err(CoreError::Refused)?;
        let a = Attachment {
            size,
            mime: a.mime.or(mime),
            ..a
        };
        self.acc.store.set_attachment(id, &a)?;
        self.emit_updated(id);
        Ok(())
    }

    /// A small PNG preview of a message's picture as a `data:` URL, or `None` when it is not a
    /// picture, too big to fetch by itself, from a stranger, or not decodable.
    pub async fn file_preview(&self, id: i64) -> Result<Option<String>, CoreError> {
        let (m, a) = self.file_message(id)?;
        if !a.is_image() {
            return Ok(None);
        }
        let dir = self.previews();
        let local = a.local_path.clone().filter(|p| {
            matches!(
                a.status,
                FileStatus::Uploaded
                    | FileStatus::Uploading
                    | FileStatus::UploadFailed
                    | FileStatus::Downloaded
            ) && Path::new(p).is_file()
        });
        let Some(source) = local.clone().or_else(|| a.url.clone()) else {
            return Ok(None);
        };
        let cached = preview::cache_path(&dir, &source);
        if let Ok(png) = std::fs::read(&cached) {
            return Ok(Some(preview::data_url(&png)));
        }
        // Once found not to be a picture we can show, it stays a file card (the card is drawn
        // again on every scroll; the picture is not fetched and decoded again each time).
        let refused = preview::refused_path(&dir, &source);
        if refused.exists() {
            return Ok(None);
        }
        let bytes = if let Some(p) = local {
            let len = std::fs::metadata(&p).map(|m| m.len()).unwrap_or(u64::MAX);
            if len > MAX_LOCAL_PREVIEW {
                return Ok(None);
            }
            std::fs::read(&p).map_err(|e| io_err("Could not read the picture", e))?
        } else {
            let limit = crate::settings::preview_limit(&self.acc.store);
            if limit == 0 || !self.trusted_sender(&m).await || a.size.is_some_and(|s| s > limit) {
                return Ok(None);
            }
            let url = source.clone();
            let client = self.http_client(&url)?;
            let tmp = tempfile_in(&dir)?;
            let out = tokio::fs::File::create(&tmp)
                .await
                .map_err(|e| io_err("Could not fetch the picture", e))?;
            let got =
                http::get_to_file(&client, &url, out, Some(limit), Arc::new(|_, _, _| {})).await;
            let bytes = std::fs::read(&tmp);
            let _ = std::fs::remove_file(&tmp);
            if got.is_err() {
                return Ok(None);
            }
            bytes.map_err(|e| io_err("Could not fetch the picture", e))?
        };
        std::fs::create_dir_all(&dir).map_err(|e| io_err("Could not store the preview", e))?;
        let png = match preview::shrink(bytes, preview::PREVIEW_EDGE).await {
            Ok(png) => png,
            Err(why) => {
                tracing::debug!("no preview for message {id}: {why}");
                let _ = crate::paths::write_private(&refused, why.as_bytes());
                return Ok(None);
            }
        };
        let _ = crate::paths::write_private(&cached, &png);
        Ok(Some(preview::data_url(&png)))
    }

    /// Where a message's file is on this machine, for Open / Show in folder.
    pub fn local_file(&self, id: i64) -> Result<PathBuf, CoreError> {
        let (_, a) = self.file_message(id)?;
        let p = a
            .local_path
            .filter(|_| matches!(a.status, FileStatus::Downloaded | FileStatus::Uploaded))
            .map(PathBuf::from)
            .ok_or_else(|| CoreError::InvalidInput("The file is not on this computer.".into()))?;
        if !p.is_file() {
            return Err(CoreError::InvalidInput(
                "The file was moved or deleted from this computer.".into(),
            ));
        }
        Ok(p)
    }

    /// Like `local_file`, but only for documents, pictures, audio, video and archives
    /// (`names::opens_safely`): anything else might run a program or open in a browser with
    /// access to local files, so it gets "Show in folder" only.
    pub fn file_to_open(&self, id: i64) -> Result<PathBuf, CoreError> {
        let p = self.local_file(id)?;
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if !names::opens_safely(&name) {
            return Err(CoreError::InvalidInput(format!(
                "Hallway does not open “{name}” itself: files of this type can run programs. \
                 Use Show in folder."
            )));
        }
        Ok(p)
    }
}

pub(super) fn failed_download(a: Attachment, path: &Path, part: &Path, why: String) -> Attachment {
    let _ = std::fs::remove_file(part);
    let _ = std::fs::remove_file(path);
    Attachment {
        status: FileStatus::DownloadFailed,
        error: Some(why),
        local_path: None,
        ..a
    }
}

pub(super) fn tempfile_in(dir: &Path) -> Result<PathBuf, CoreError> {
    std::fs::create_dir_all(dir).map_err(|e| io_err("Could not prepare a preview", e))?;
    Ok(dir.join(format!("fetch-{}.tmp", hallway_protocol::new_id())))
}
