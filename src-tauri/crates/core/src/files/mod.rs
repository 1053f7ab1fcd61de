//! Files: sending (XEP-0363 HTTP upload, announced with XEP-0066), receiving (file cards,
//! downloads into the Downloads folder under a safe, never-overwriting name) and image previews.
//! A file's message is written before its upload starts and waits in the outbox until the file
//! has its URL, so a crash or a failure never sends a link to nothing; transfers report progress
//! as events and can be cancelled; where a transfer ended is stored with the message.

mod direct;
mod http;
mod mark;
pub mod names;
mod offers;
mod preview;
mod s5b;
mod socks5;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use hallway_model::{
    parse_bare_jid, Attachment, DeliveryState, Direction, FileStatus, Message, NewMessage,
    TransferProgress, UploadLimit,
};
use hallway_protocol::xep0363_http_upload::{self as upload, UploadService};
use hallway_protocol::Jid;
use hallway_store::Inserted;

use crate::events::CoreEvent;
use crate::messenger::Messenger;
use crate::session::{self, Command};
use crate::trust::Trust;
use crate::CoreError;

pub use direct::DirectRoute;
pub use http::human_size;
pub use offers::DEFAULT_MAX_INCOMING;
pub(crate) use preview::{shrink as shrink_picture, AVATAR_EDGE};

/// Pictures up to this size are fetched for a preview without asking (default of the setting).
pub const DEFAULT_PREVIEW_LIMIT: u64 = 5 * 1000 * 1000;
/// Largest local picture we read to make a preview.
const MAX_LOCAL_PREVIEW: u64 = 50 * 1000 * 1000;
const PREVIEW_LIMIT: &str = "preview_limit";

/// The messenger's file state: HTTP client, the upload service found, running transfers.
pub(crate) struct Files {
    data_dir: PathBuf,
    downloads_dir: PathBuf,
    /// TLS trust for file hosts: the system's roots only (a certificate pinned for the XMPP
    /// domain is never used for them).
    trust: std::sync::Mutex<Option<Arc<Trust>>>,
    /// Host names pinned to addresses for every transfer (tests and demos).
    host_overrides: http::HostOverrides,
    service: tokio::sync::Mutex<Option<(String, Option<UploadService>)>>,
    transfers: std::sync::Mutex<HashMap<i64, tokio::task::AbortHandle>>,
    direct: direct::Direct,
}

impl Files {
    pub(crate) fn new(
        data_dir: PathBuf,
        downloads_dir: PathBuf,
        host_overrides: http::HostOverrides,
        allow_local_candidates: bool,
    ) -> Self {
        Self {
            data_dir,
            downloads_dir,
            trust: std::sync::Mutex::new(None),
            host_overrides,
            service: tokio::sync::Mutex::new(None),
            transfers: std::sync::Mutex::new(HashMap::new()),
            direct: direct::Direct::new(allow_local_candidates),
        }
    }

    fn staging(&self) -> PathBuf {
        self.data_dir.join("outgoing")
    }

    fn previews(&self) -> PathBuf {
        self.data_dir.join("previews")
    }

    fn track(&self, id: i64, h: tokio::task::AbortHandle) {
        self.transfers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, h);
    }

    fn untrack(&self, id: i64) -> Option<tokio::task::AbortHandle> {
        self.transfers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&id)
    }

    fn running(&self, id: i64) -> bool {
        self.transfers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains_key(&id)
    }
}

fn staging_id_ok(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
}

fn io_err(what: &str, e: std::io::Error) -> CoreError {
    CoreError::Storage(format!("{what}: {e}"))
}

impl Messenger {
    /// An HTTPS client for one transfer of `url` (system roots; redirects only to HTTPS and
    /// never into the local network unless the link pointed there, see `http::client`).
    fn http_client(&self, url: &str) -> Result<reqwest::Client, CoreError> {
        let trust = {
            let mut slot = self.files.trust.lock().unwrap_or_else(|p| p.into_inner());
            match slot.as_ref() {
                Some(t) => t.clone(),
                None => {
                    let t = Arc::new(Trust::new(None).map_err(CoreError::Internal)?);
                    *slot = Some(t.clone());
                    t
                }
            }
        };
        http::client(&trust, url, &self.files.host_overrides).map_err(CoreError::InvalidInput)
    }

    /// Forgets what was learnt about the server (a new sign-in may be another server, or a
    /// changed certificate pin).
    pub(crate) fn reset_files(&self) {
        *self.files.trust.lock().unwrap_or_else(|p| p.into_inner()) = None;
        if let Ok(mut s) = self.files.service.try_lock() {
            *s = None;
        }
    }

    /// The XEP-0363 service of our server (asked once per account, then remembered).
    async fn upload_service(&self) -> Result<Option<UploadService>, CoreError> {
        let account = self.require_account()?;
        let mut cached = self.files.service.lock().await;
        if let Some((a, s)) = cached.as_ref() {
            if *a == account {
                return Ok(s.clone());
            }
        }
        let found = self
            .find_service("Looking for the upload service", |jid, info| {
                upload::parse_service(jid, info)
            })
            .await?;
        *cached = Some((account, found.clone()));
        Ok(found)
    }

    /// The first of our server and its components (disco#items) whose disco#info `pick`
    /// takes.
    pub(crate) async fn find_service<T>(
        &self,
        what: &str,
        pick: impl Fn(&Jid, Option<&xmpp_parsers::minidom::Element>) -> Option<T>,
    ) -> Result<Option<T>, CoreError> {
        let account = self.require_account()?;
        let bare = parse_bare_jid(&account).map_err(|e| CoreError::Internal(e.to_string()))?;
        let server = Jid::new(bare.domain()).map_err(|e| CoreError::Internal(e.to_string()))?;
        let items = self
            .ask(
                what,
                upload::items_request(&hallway_protocol::new_id(), &server),
            )
            .await?;
        let mut candidates = upload::parse_items(items.as_ref()).unwrap_or_default();
        candidates.insert(0, server);
        for jid in candidates.into_iter().take(32) {
            let info = self
                .ask(
                    what,
                    upload::info_request(&hallway_protocol::new_id(), &jid),
                )
                .await;
            if let Ok(info) = info {
                if let Some(found) = pick(&jid, info.as_ref()) {
                    return Ok(Some(found));
                }
            }
        }
        Ok(None)
    }

    /// Whether the server takes uploads, and the largest file it takes.
    pub async fn upload_limit(&self) -> Result<UploadLimit, CoreError> {
        let s = self.upload_service().await?;
        Ok(UploadLimit {
            available: s.is_some(),
            max_size: s.and_then(|s| s.max_size),
        })
    }

    /// Starts receiving a file from the window (picked, dropped or pasted): returns an id for
    /// `stage_file_append` / `send_staged_file`. The bytes go to the app's own folder.
    pub fn stage_file_begin(&self, name: &str) -> Result<String, CoreError> {
        let id = hallway_protocol::new_id();
        let dir = self.files.staging().join(&id);
        std::fs::create_dir_all(&dir).map_err(|e| io_err("Could not prepare the file", e))?;
        let path = dir.join(names::safe_file_name(name));
        std::fs::File::create(&path).map_err(|e| io_err("Could not prepare the file", e))?;
        Ok(id)
    }

    fn staged_path(&self, id: &str) -> Result<PathBuf, CoreError> {
        if !staging_id_ok(id) {
            return Err(CoreError::InvalidInput("No such file.".into()));
        }
        let dir = self.files.staging().join(id);
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

    /// Sends the file at `path` to `peer`: checks the server's limit before any byte moves,
    /// stores the message (waiting for its upload), then uploads in the background. The file
    /// must stay where it is until the upload is done (it is our copy afterwards).
    pub async fn send_file(
        self: &Arc<Self>,
        peer: &str,
        path: &Path,
    ) -> Result<Message, CoreError> {
        let account = self.require_account()?;
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
        let message = self.store_outgoing_file(&account, peer.as_str(), path, size, false)?;
        self.start_upload(message.clone(), service);
        Ok(message)
    }

    /// Stores an outgoing file's message before any byte moves (status `uploading`, state
    /// pending; the outbox skips it until it has a URL) and shows it.
    pub(crate) fn store_outgoing_file(
        &self,
        account: &str,
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
        let new = NewMessage {
            peer: peer.to_string(),
            direction: Direction::Outgoing,
            sender: account.to_string(),
            body: name,
            timestamp: session::now_ms(),
            state: DeliveryState::Pending,
            origin_id: hallway_protocol::new_id(),
            stanza_id: None,
            stanza_xml_id: None,
            markable: false,
            wants_receipt: false,
            placement: hallway_model::Placement::Append,
            attachment: Some(attachment),
        };
        let Inserted::New(message) = self.store.insert_message(account, &new)? else {
            return Err(CoreError::Internal("fresh origin-id collided".into()));
        };
        self.emitter
            .emit(CoreEvent::MessagesReceived(vec![message.clone()]));
        Ok(message)
    }

    fn start_upload(self: &Arc<Self>, m: Message, service: UploadService) {
        let me = self.clone();
        let id = m.id;
        let task = tokio::spawn(async move {
            let outcome = me.upload(&m, &service).await;
            me.files.untrack(id);
            me.finish_upload(m, outcome).await;
        });
        self.files.track(id, task.abort_handle());
    }

    async fn upload(&self, m: &Message, service: &UploadService) -> Result<String, String> {
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
        let emitter = self.emitter.clone();
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

    async fn finish_upload(&self, m: Message, outcome: Result<String, String>) {
        let Some(mut a) = m.attachment.clone() else {
            return;
        };
        match outcome {
            Ok(url) => {
                a.url = Some(url.clone());
                a.status = FileStatus::Uploaded;
                a.error = None;
                if let Err(e) = self.store.set_uploaded(m.id, &url, &a) {
                    tracing::error!("could not record upload of message {}: {e}", m.id);
                    return;
                }
                self.emit_updated(m.id);
                if let Some(act) = self.active.lock().await.as_ref() {
                    let _ = act
                        .handle
                        .commands
                        .send(Command::OutboxChanged(m.peer.clone()));
                }
            }
            Err(why) => self.fail_upload(m.id, a, why),
        }
    }

    fn fail_upload(&self, id: i64, mut a: Attachment, why: String) {
        tracing::info!("upload of message {id} failed: {why}");
        a.status = FileStatus::UploadFailed;
        a.error = Some(why);
        self.end_outgoing(id, &a, DeliveryState::Failed);
    }

    /// Records where an outgoing file ended (its record and its message's state) and shows it.
    pub(crate) fn end_outgoing(&self, id: i64, a: &Attachment, state: DeliveryState) {
        let _ = self.store.set_attachment(id, a);
        if let Ok(true) = self.store.set_state(id, state) {
            self.emitter
                .emit(CoreEvent::MessageStateChanged { id, state });
        }
        self.emit_updated(id);
    }

    fn emit_updated(&self, id: i64) {
        if let Ok(Some(m)) = self.store.message(id) {
            self.emitter.emit(CoreEvent::MessageUpdated(m));
        }
    }

    /// Retry of a file whose upload failed: uploads it again (`retry_message` calls this).
    pub(crate) async fn retry_upload(self: &Arc<Self>, m: Message) -> Result<bool, CoreError> {
        let Some(mut a) = m.attachment.clone() else {
            return Ok(false);
        };
        if a.url.is_some() || self.files.running(m.id) {
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
        self.store.set_attachment(m.id, &a)?;
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
        let handle = self.files.untrack(id);
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
        let Some(m) = self.store.message(id)? else {
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
                self.store.set_attachment(id, &a)?;
                self.emit_updated(id);
            }
            _ => {}
        }
        Ok(())
    }

    /// Transfers a quit or crash interrupted are failures now (the user retries them).
    pub(crate) fn recover_transfers(&self, account: &str) {
        let Ok(list) = self.store.interrupted_transfers(account) else {
            return;
        };
        for m in list {
            let Some(a) = m.attachment else { continue };
            if self.files.running(m.id) {
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
                    let _ = self.store.set_attachment(m.id, &a);
                }
                _ => {}
            }
        }
    }

    fn file_message(&self, id: i64) -> Result<(Message, Attachment), CoreError> {
        let account = self.require_account()?;
        let m = self
            .store
            .message(id)?
            .ok_or_else(|| CoreError::InvalidInput("No such message.".into()))?;
        let a = m
            .attachment
            .clone()
            .ok_or_else(|| CoreError::InvalidInput("That message has no file.".into()))?;
        let _ = account;
        Ok((m, a))
    }

    /// A contact we know (or ourselves): their links may be fetched without asking. Strangers'
    /// links are never fetched automatically (it would tell them our address and that we read).
    async fn trusted_sender(&self, m: &Message) -> bool {
        m.direction == Direction::Outgoing
            || self.contacts().await.iter().any(|c| c.jid == m.sender)
    }

    /// Downloads a message's file into the Downloads folder (a new name, never overwriting).
    pub async fn download_file(self: &Arc<Self>, id: i64) -> Result<(), CoreError> {
        let (m, a) = self.file_message(id)?;
        let url = a
            .url
            .clone()
            .ok_or_else(|| CoreError::InvalidInput("The file is not uploaded yet.".into()))?;
        if self.files.running(id) {
            return Ok(());
        }
        let client = self.http_client(&url)?;
        std::fs::create_dir_all(&self.files.downloads_dir)
            .map_err(|e| io_err("Could not create the Downloads folder", e))?;
        // Both the name and its `.part` are created new: nothing existing is ever truncated.
        let (path, part, out) = names::create_download(&self.files.downloads_dir, &a.name)
            .map_err(|e| io_err("Could not save the file", e))?;
        let out = tokio::fs::File::from_std(out);
        let downloading = Attachment {
            status: FileStatus::Downloading,
            error: None,
            local_path: Some(path.to_string_lossy().into_owned()),
            ..a.clone()
        };
        self.store.set_attachment(id, &downloading)?;
        self.emit_updated(id);
        let me = self.clone();
        let task = tokio::spawn(async move {
            let emitter = me.emitter.clone();
            let progress = Arc::new(move |bytes: u64, total: Option<u64>, speed: u64| {
                emitter.emit(CoreEvent::TransferProgressed(TransferProgress {
                    message_id: id,
                    bytes,
                    total,
                    bytes_per_second: speed,
                }))
            });
            let outcome = http::get_to_file(&client, &url, out, None, progress).await;
            me.files.untrack(id);
            let done = match outcome {
                Ok(bytes) => match std::fs::rename(&part, &path) {
                    Ok(()) => {
                        mark::downloaded(&path, &url);
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
            let _ = me.store.set_attachment(id, &done);
            me.emit_updated(id);
            let _ = m;
        });
        self.files.track(id, task.abort_handle());
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
        self.store.set_attachment(id, &a)?;
        self.emit_updated(id);
        Ok(())
    }

    /// The largest picture fetched for a preview without asking.
    pub fn preview_limit(&self) -> u64 {
        self.store
            .setting::<u64>(PREVIEW_LIMIT)
            .ok()
            .flatten()
            .unwrap_or(DEFAULT_PREVIEW_LIMIT)
    }

    /// Changes the automatic preview limit (0: never fetch pictures by themselves).
    pub fn set_preview_limit(&self, bytes: u64) -> Result<(), CoreError> {
        Ok(self.store.set_setting(PREVIEW_LIMIT, &bytes)?)
    }

    /// A small PNG preview of a message's picture as a `data:` URL, or `None` when it is not a
    /// picture, too big to fetch by itself, from a stranger, or not decodable.
    pub async fn file_preview(&self, id: i64) -> Result<Option<String>, CoreError> {
        let (m, a) = self.file_message(id)?;
        if !a.is_image() {
            return Ok(None);
        }
        let dir = self.files.previews();
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
            let limit = self.preview_limit();
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

pub(crate) use direct::Incoming as DirectIncoming;
pub(crate) use direct::QUEUE as DIRECT_QUEUE;

/// The iq answering a contact's Jingle / IBB iq `id` from `to`.
pub(crate) fn answer_iq(id: &str, to: &Jid, answer: direct::Answer) -> xmpp_parsers::iq::Iq {
    match answer {
        direct::Answer::Done => hallway_protocol::iq_result(id, Some(to)),
        direct::Answer::UnknownSession => {
            hallway_protocol::xep0234_jingle_ft::unknown_session(id, to)
        }
        direct::Answer::Refused(condition, text) => {
            hallway_protocol::iq_error(id, Some(to), condition, text, None)
        }
    }
}

/// Sends a staged file straight to the contact's device (when the server will not take it).
impl Messenger {
    pub async fn send_staged_file_directly(
        self: &Arc<Self>,
        peer: &str,
        id: &str,
    ) -> Result<Message, CoreError> {
        let path = self.staged_path(id)?;
        self.send_file_direct(peer, &path).await
    }
}

pub(crate) fn received_attachment(url: &str) -> Attachment {
    let name = names::safe_file_name(&hallway_protocol::xep0066_oob::name_from_url(url));
    let mime = names::mime_for(&name);
    Attachment {
        url: Some(url.to_string()),
        mime: (mime != "application/octet-stream").then(|| mime.to_string()),
        name,
        size: None,
        local_path: None,
        status: FileStatus::Available,
        error: None,
        direct: false,
    }
}

fn failed_download(a: Attachment, path: &Path, part: &Path, why: String) -> Attachment {
    let _ = std::fs::remove_file(part);
    let _ = std::fs::remove_file(path);
    Attachment {
        status: FileStatus::DownloadFailed,
        error: Some(why),
        local_path: None,
        ..a
    }
}

/// The name a download is written under until it is complete.
fn part_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".part");
    PathBuf::from(s)
}

fn tempfile_in(dir: &Path) -> Result<PathBuf, CoreError> {
    std::fs::create_dir_all(dir).map_err(|e| io_err("Could not prepare a preview", e))?;
    Ok(dir.join(format!("fetch-{}.tmp", hallway_protocol::new_id())))
}
