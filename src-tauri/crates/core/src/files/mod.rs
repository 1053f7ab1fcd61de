//! Files: sending (XEP-0363 HTTP upload, announced with XEP-0066), receiving (file cards,
//! downloads into the Downloads folder under a safe, never-overwriting name) and image previews.
//! A file's message is written before its upload starts and waits in the outbox until the file
//! has its URL, so a crash or a failure never sends a link to nothing; transfers report progress
//! as events and can be cancelled; where a transfer ended is stored with the message.

mod direct;
mod download;
mod http;
mod mark;
pub mod names;
mod offers;
mod preview;
mod s5b;
mod socks5;
mod staging;
mod uploads;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use hallway_model::{Attachment, Message};
use hallway_protocol::xep0363_http_upload::UploadService;
use hallway_protocol::Jid;

use crate::account::Account;
use crate::events::CoreEvent;
use crate::live::Command;
use crate::trust::Trust;
use crate::CoreError;

pub use direct::DirectRoute;
pub use http::human_size;
pub(crate) use preview::{shrink as shrink_picture, AVATAR_EDGE};

/// Largest local picture we read to make a preview.
const MAX_LOCAL_PREVIEW: u64 = 50 * 1000 * 1000;

/// One account's files: the upload service found, the HTTPS trust, running transfers, and
/// direct transfers with contacts' devices.
pub struct Files {
    acc: Arc<Account>,
    /// This service as an `Arc`, for work that outlives a call (transfers, background answers).
    me: std::sync::Weak<Files>,
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
    /// Jingle / IBB iqs from contacts' devices, forwarded unanswered by the session.
    direct_tx: tokio::sync::mpsc::Sender<direct::Incoming>,
    direct_rx: std::sync::Mutex<Option<tokio::sync::mpsc::Receiver<direct::Incoming>>>,
}

impl Files {
    pub(crate) fn new(
        acc: Arc<Account>,
        data_dir: PathBuf,
        downloads_dir: PathBuf,
        host_overrides: http::HostOverrides,
        allow_local_candidates: bool,
    ) -> Arc<Self> {
        let (direct_tx, direct_rx) = tokio::sync::mpsc::channel(direct::QUEUE);
        Arc::new_cyclic(|me| Self {
            acc,
            me: me.clone(),
            data_dir,
            downloads_dir,
            trust: std::sync::Mutex::new(None),
            host_overrides,
            service: tokio::sync::Mutex::new(None),
            transfers: std::sync::Mutex::new(HashMap::new()),
            direct: direct::Direct::new(allow_local_candidates),
            direct_tx,
            direct_rx: std::sync::Mutex::new(Some(direct_rx)),
        })
    }

    /// The namespaces this service takes from contacts' devices (XEP-0234 over XEP-0166,
    /// XEP-0047): the session forwards those iqs here, unanswered. Starts (once) the task that
    /// handles them and answers each once it is handled.
    pub(crate) fn registrations(&self) -> Vec<crate::live::Registration> {
        self.start_direct_listener();
        [
            (
                hallway_protocol::xep0234_jingle_ft::NS_JINGLE,
                &["jingle"][..],
            ),
            (
                hallway_protocol::xep0047_ibb::NS,
                &["open", "data", "close"][..],
            ),
        ]
        .into_iter()
        .map(|(ns, names)| crate::live::Registration {
            ns,
            names,
            senders: crate::live::iq::Senders::RosterDevices,
            to: self.direct_tx.clone(),
        })
        .collect()
    }

    fn start_direct_listener(&self) {
        let rx = self
            .direct_rx
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        let Some(mut rx) = rx else {
            return;
        };
        let weak = self.me.clone();
        tokio::spawn(async move {
            while let Some(incoming) = rx.recv().await {
                let Some(me) = weak.upgrade() else { break };
                let (to, id) = (incoming.from.clone(), incoming.id.clone());
                let answer = me.on_direct(incoming).await;
                let iq = answer_iq(&id, &to, answer);
                let _ = me.acc.session.send(Command::Answer(Box::new(iq)));
            }
        });
    }

    /// This service as an `Arc` (`None` while it is being dropped).
    fn me(&self) -> Option<Arc<Files>> {
        self.me.upgrade()
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

impl Files {
    /// An HTTPS client for one transfer of `url` (system roots; redirects only to HTTPS and
    /// never into the local network unless the link pointed there, see `http::client`).
    fn http_client(&self, url: &str) -> Result<reqwest::Client, CoreError> {
        let trust = {
            let mut slot = self.trust.lock().unwrap_or_else(|p| p.into_inner());
            match slot.as_ref() {
                Some(t) => t.clone(),
                None => {
                    let t = Arc::new(Trust::new(None).map_err(CoreError::Internal)?);
                    *slot = Some(t.clone());
                    t
                }
            }
        };
        http::client(&trust, url, &self.host_overrides).map_err(CoreError::InvalidInput)
    }

    /// Forgets what was learnt about the server (a new sign-in may be another server, or a
    /// changed certificate pin).
    pub(crate) fn reset_files(&self) {
        *self.trust.lock().unwrap_or_else(|p| p.into_inner()) = None;
        if let Ok(mut s) = self.service.try_lock() {
            *s = None;
        }
    }

    fn emit_updated(&self, id: i64) {
        if let Ok(Some(m)) = self.acc.store.message(id) {
            self.acc.emit(CoreEvent::MessageUpdated(m));
        }
    }

    fn file_message(&self, id: i64) -> Result<(Message, Attachment), CoreError> {
        let account = self.acc.require()?;
        let m = self
            .acc
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
}

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

/// The name a download is written under until it is complete.
fn part_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".part");
    PathBuf::from(s)
}
