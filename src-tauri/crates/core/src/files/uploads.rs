//! Sending a file through the server (XEP-0363): the upload service (found by one disco walk,
//! remembered per account), the server's limit checked before any byte moves, the message stored
//! before the upload starts (it waits in the outbox until the file has its URL), the upload in
//! the background with progress, Cancel and Retry, and transfers a quit interrupted.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use hallway_model::{
    parse_bare_jid, Attachment, DeliveryState, FileStatus, Message, TransferProgress, UploadLimit,
};
use hallway_protocol::xep0363_http_upload::{self as upload, UploadService};

use super::http::human_size;
use super::{http, names, part_path, Files};
use crate::events::CoreEvent;
use crate::live::Command;
use crate::CoreError;

impl Files {
    /// The XEP-0363 service of our server (asked once per account, then remembered).
    pub(super) async fn upload_service(&self) -> Result<Option<UploadService>, CoreError> {
        let account = self.acc.require()?;
        let mut cached = self.service.lock().await;
        if let Some((a, s)) = cached.as_ref() {
            if *a == account {
                return Ok(s.clone());
            }
        }
        let found = self
            .acc
            .find_service("Looking for the upload service", |jid, info| {
                upload::parse_service(jid, info)
            })
            .await?;
        *cached = Some((account, found.clone()));
        Ok(found)
    }

    /// Whether the server takes uploads, and the largest file it takes.
    pub async fn upload_limit(&self) -> Result<UploadLimit, CoreError> {
        let s = self.upload_service().await?;
        Ok(UploadLimit {
            available: s.is_some(),
            max_size: s.and_then(|s| s.max_size),
        })
    }

    /// Sends the file at `path` to `peer`: checks the server's limit before any byte moves,
    /// stores the message (waiting for its upload), then uploads in the background. The file
    /// must stay where it is until the upload is done (it is our copy afterwards).
    pub async fn send_file(
        self: &Arc<Self>,
        peer: &str,
        path: &Path,
    ) -> Result<Message, CoreError> {
        self.acc.require()?;
        let peer = parse_bare_jid(peer).map_err(|e| CoreError::InvalidInput(e.to_string()))?;
        let meta = std::fs::metadata(path)
            .map_err(|e| CoreError::InvalidInput(format!("Could not read the file: {e}")))?;
        if !meta.is_file() {
            return Err(CoreError::InvalidInput("That is not a file.".into()));
        }
        let name = names::safe_file_name(
            &path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        );
        let size = meta.len();
        let service = self.upload_service().await?.ok_or_else(|| {
            CoreError::Refused(
                "Your server does not accept file uploads (XEP-0363), so files cannot be sent \
                 through it."
                    .into(),
            )
        })?;
        if let Some(max) = service.max_size {
            if size > max {
                return Err(CoreError::FileTooLarge(format!(
                    "“{name}” is {}; your server accepts files up to {}.",
                    human_size(size),
                    human_size(max)
                )));
            }
        }
        let message = self.store_outgoing_file(peer.as_str(), path, size, false)?;
        self.start_upload(message.clone(), service);
        Ok(message)
    }

    /// Stores an outgoing file's message before any byte moves (status `uploading`, state
    /// pending; the outbox skips it until it has a URL) and shows it.
    pub(crate) fn store_outgoing_file(
        &self,
        peer: &str,
        path: &Path,
        size: u64,
        direct: bool,
    ) -> Result<Message, CoreError> {
        let name = names::safe_file_name(
            &path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        );
        let attachment = Attachment {
            url: None,
            name: name.clone(),
            size: Some(size),
            mime: Some(names::mime_for(&name).to_string()),
            local_path: Some(path.to_string_lossy().into_owned()),
            status: FileStatus::Uploading,
            error: None,
            direct,
        };
        crate::outbox::writer::write(&self.acc, peer, &name, Some(attachment), false)
    }

    pub(super) fn start_upload(self: &Arc<Self>, m: Message, service: UploadService) {
        let me = self.clone();
        let id = m.id;
        let task = tokio::spawn(async move {
            let outcome = me.upload(&m, &service).await;
            me.untrack(id);
            me.finish_upload(m, outcome).await;
        });
        self.track(id, task.abort_handle());
    }

    pub(super) async fn upload(
        &self,
        m: &Message,
        service: &UploadService,
    ) -> Result<String, String> {
        let a = m.attachment.as_ref().ok_or("no file")?;
        let path = PathBuf::from(a.local_path.as_deref().ok_or("no file")?);
        let size = std::fs::metadata(&path)
            .map_err(|e| format!("The file is gone: {e}"))?
            .len();
        let mime = a
            .mime
            .clone()
            .unwrap_or_else(|| "application/octet-stream".into());
        let answer = self
            .acc
            .session
            .ask(
                "Asking for an upload slot",
                upload::slot_request(
                    &hallway_protocol::new_id(),
                    &service.jid,
                    &a.name,
                    size,
                    Some(&mime),
                ),
            )
            .await
            .map_err(|e| e.to_string())?;
        let slot = upload::parse_slot(answer.as_ref()).map_err(|e| e.to_string())?;
        let client = self.http_client(&slot.put_url).map_err(|e| e.to_string())?;
        let emitter = self.acc.emitter.clone();
        let id = m.id;
        let progress = Arc::new(move |bytes: u64, speed: u64| {
            emitter.emit(CoreEvent::TransferProgressed(TransferProgress {
                message_id: id,
                bytes,
                total: Some(size),
                bytes_per_second: speed,
            }))
        });
        http::put_file(
            &client,
            &slot.put_url,
            &slot.headers,
            &mime,
            &path,
            size,
            progress,
        )
        .await?;
        Ok(slot.get_url)
    }

    pub(super) async fn finish_upload(&self, m: Message, outcome: Result<String, String>) {
        let Some(mut a) = m.attachment.clone() else {
            return;
        };
        match outcome {
            Ok(url) => {
                a.url = Some(url.clone());
                a.status = FileStatus::Uploaded;
                a.error = None;
                if let Err(e) = self.acc.store.set_uploaded(m.id, &url, &a) {
                    tracing::error!("could not record upload of message {}: {e}", m.id);
                    return;
                }
                self.emit_updated(m.id);
                let _ = self
                    .acc
                    .session
                    .send(Command::OutboxChanged(m.peer.clone()));
            }
            Err(why) => self.fail_upload(m.id, a, why),
        }
    }

    pub(super) fn fail_upload(&self, id: i64, mut a: Attachment, why: String) {
        tracing::info!("upload of message {id} failed: {why}");
        a.status = FileStatus::UploadFailed;
        a.error = Some(why);
        self.end_outgoing(id, &a, DeliveryState::Failed);
    }

    /// Records where an outgoing file ended (its record and its message's state) and shows it.
    pub(crate) fn end_outgoing(&self, id: i64, a: &Attachment, state: DeliveryState) {
        let _ = self.acc.store.set_attachment(id, a);
        if let Ok(true) = self.acc.store.set_state(id, state) {
            self.acc.emit(CoreEvent::MessageStateChanged { id, state });
        }
        self.emit_updated(id);
    }

    /// Retry of a file whose transfer failed: sends it again (`retry_message` calls this); `true`
    /// when a transfer started (its message then waits for it).
    pub(crate) async fn retry_transfer(self: &Arc<Self>, m: Message) -> Result<bool, CoreError> {
        let Some(mut a) = m.attachment.clone() else {
            return Ok(false);
        };
        if a.url.is_some() || self.running(m.id) {
            return Ok(false);
        }
        // Where it goes again: the same contact's device (direct) or the upload service.
        let route = if a.direct {
            let peer = hallway_protocol::BareJid::new(&m.peer)
                .map_err(|e| CoreError::Internal(e.to_string()))?;
            Err(self.direct_target(&peer).await?.ok_or_else(|| {
                CoreError::Refused(format!(
                    "{} has no device online that can receive files directly.",
                    m.peer
                ))
            })?)
        } else {
            Ok(self.upload_service().await?.ok_or_else(|| {
                CoreError::Refused("Your server does not accept file uploads.".into())
            })?)
        };
        a.status = FileStatus::Uploading;
        a.error = None;
        self.acc.store.set_attachment(m.id, &a)?;
        let m = Message {
            attachment: Some(a),
            ..m
        };
        self.emit_updated(m.id);
        match route {
            Ok(service) => self.start_upload(m, service),
            Err(device) => self.start_direct(m, device),
        }
        Ok(true)
    }

    /// Stops a running upload or download. A cancelled upload stays in the conversation as
    /// failed (Retry sends it); a cancelled download leaves nothing behind.
    pub async fn cancel_transfer(&self, id: i64) -> Result<(), CoreError> {
        let handle = self.untrack(id);
        if let Some(h) = &handle {
            h.abort();
        }
        // A direct transfer (XEP-0234) also tells the contact's device; an incoming one has no
        // task of ours and ends here.
        if self.cancel_direct(id).await && handle.is_none() {
            return Ok(());
        }
        if handle.is_none() {
            return Ok(());
        }
        let Some(m) = self.acc.store.message(id)? else {
            return Ok(());
        };
        let Some(a) = m.attachment else {
            return Ok(());
        };
        match a.status {
            FileStatus::Uploading => self.fail_upload(id, a, "Cancelled.".into()),
            FileStatus::Downloading => {
                if let Some(p) = a.local_path.as_deref() {
                    let _ = std::fs::remove_file(p);
                    let _ = std::fs::remove_file(part_path(Path::new(p)));
                }
                let a = Attachment {
                    status: FileStatus::DownloadFailed,
                    error: Some("Cancelled.".into()),
                    local_path: None,
                    ..a
                };
                self.acc.store.set_attachment(id, &a)?;
                self.emit_updated(id);
            }
            _ => {}
        }
        Ok(())
    }

    /// Transfers a quit or crash interrupted are failures now (the user retries them).
    pub(crate) fn recover_transfers(&self, account: &str) {
        let Ok(list) = self.acc.store.interrupted_transfers(account) else {
            return;
        };
        for m in list {
            let Some(a) = m.attachment else { continue };
            if self.running(m.id) {
                continue;
            }
            match a.status {
                FileStatus::Uploading => {
                    self.fail_upload(m.id, a, "Interrupted when Hallway closed.".into())
                }
                FileStatus::Downloading | FileStatus::Offered => {
                    if let Some(p) = a.local_path.as_deref() {
                        let _ = std::fs::remove_file(part_path(Path::new(p)));
                        let _ = std::fs::remove_file(p);
                    }
                    let why = if a.status == FileStatus::Offered {
                        "The offer ended when Hallway closed; ask for the file again."
                    } else {
                        "Interrupted when Hallway closed."
                    };
                    let a = Attachment {
                        status: FileStatus::DownloadFailed,
                        error: Some(why.into()),
                        local_path: None,
                        ..a
                    };
                    let _ = self.acc.store.set_attachment(m.id, &a);
                }
                _ => {}
            }
        }
    }
}
