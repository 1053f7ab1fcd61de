//! Receiving an offered file's bytes (in-band or over a direct connection) into `NAME.part`
//! beside a reserved `NAME` in the Downloads folder: hashed as they arrive, never more than
//! offered, kept only when size and SHA-256 match (then marked as downloaded), and nothing left
//! behind on a cancel, an abort or an error.

use std::path::PathBuf;

use hallway_model::{Attachment, FileStatus};
use hallway_protocol::xep0234_jingle_ft as jft;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use super::IncomingOffer;
use crate::files::direct::SessionKey;
use crate::files::http::Meter;
use crate::files::{names, Files};

/// A file being received: written to `NAME.part` beside the reserved `NAME`, both removed
/// unless the file is kept (so a cancel, an abort or an error leaves nothing behind).
pub(crate) struct Receiving {
    pub(super) file: tokio::io::BufWriter<tokio::fs::File>,
    pub(super) next_seq: u16,
    hasher: Sha256,
    pub(crate) meter: Meter,
    // Last, so the file above is closed before it is removed.
    partial: Partial,
}

struct Partial {
    part: PathBuf,
    path: PathBuf,
    keep: bool,
}

impl Drop for Partial {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_file(&self.part);
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

impl Files {
    /// The facts of an open offer: its message, safe file name and size.
    pub(crate) async fn offer_facts(&self, key: &SessionKey) -> Option<(i64, String, u64)> {
        let offers = self.direct.offers.lock().await;
        offers
            .get(key)
            .map(|o| (o.message_id, o.offer.name.clone(), o.offer.size))
    }

    /// Reserves a never-overwriting name in the Downloads folder and opens its `.part` file
    /// (both created new: nothing existing is ever truncated).
    pub(crate) async fn open_receiving(&self, name: &str) -> Result<Receiving, String> {
        let dir = self.downloads_dir.clone();
        let _ = std::fs::create_dir_all(&dir);
        let (path, part, f) = names::create_download(&dir, name)
            .map_err(|e| format!("Could not save the file: {e}"))?;
        let partial = Partial {
            part,
            path,
            keep: false,
        };
        Ok(Receiving {
            file: tokio::io::BufWriter::new(tokio::fs::File::from_std(f)),
            next_seq: 0,
            hasher: Sha256::new(),
            meter: Meter::new(),
            partial,
        })
    }

    /// Writes received bytes, hashing them and reporting progress; more than offered is
    /// an error.
    pub(crate) async fn take_bytes(
        &self,
        r: &mut Receiving,
        message_id: i64,
        size: u64,
        bytes: &[u8],
    ) -> Result<(), String> {
        if r.meter.bytes + bytes.len() as u64 > size {
            return Err("More data than offered.".into());
        }
        r.hasher.update(bytes);
        r.file
            .write_all(bytes)
            .await
            .map_err(|e| format!("Could not write the file: {e}"))?;
        if r.meter.add(bytes.len()) {
            self.acc.emit(r.meter.report(message_id, Some(size)));
        }
        Ok(())
    }

    /// Ends an open offer as failed and tells the sender (XEP-0166 `media-error`).
    pub(crate) async fn end_offer_failed(&self, key: &SessionKey, why: String) {
        let gone = self.direct.offers.lock().await.remove(key);
        if let Some(o) = gone {
            self.tell_later(
                "Stopping the transfer",
                jft::terminate(&hallway_protocol::new_id(), &o.from, &key.1, "media-error"),
            );
            self.fail_receiving(o, why).await;
        }
    }

    /// Checks a fully received file (size and XEP-0300 SHA-256) and keeps it (`true`), or
    /// fails the offer and tells the sender.
    pub(crate) async fn finish_receiving(&self, o: IncomingOffer) -> bool {
        let Some(mut r) = o.receiving else {
            self.fail_receiving_plain(o.message_id, "Nothing arrived.".into());
            return false;
        };
        let (id, from, sid) = (o.message_id, o.from, o.offer.sid);
        let why = if let Err(e) = r.file.flush().await {
            format!("Could not write the file: {e}")
        } else {
            let got = r.hasher.clone().finalize().to_vec();
            let complete = r.meter.bytes == o.offer.size;
            let intact = o.offer.sha256.as_ref().is_none_or(|h| *h == got);
            if !complete {
                "The file arrived incomplete.".into()
            } else if !intact {
                "The file arrived damaged (its SHA-256 does not match).".into()
            } else {
                match std::fs::rename(&r.partial.part, &r.partial.path) {
                    Ok(()) => {
                        r.partial.keep = true;
                        let path = r.partial.path.clone();
                        drop(r);
                        // Came from another device: the system's "downloaded" mark.
                        crate::files::mark::downloaded(&path, &format!("xmpp:{}", from.to_bare()));
                        if let Ok((_, a)) = self.file_message(id) {
                            let a = Attachment {
                                status: FileStatus::Downloaded,
                                local_path: Some(path.to_string_lossy().into_owned()),
                                error: None,
                                ..a
                            };
                            let _ = self.acc.store.set_attachment(id, &a);
                            self.emit_updated(id);
                        }
                        return true;
                    }
                    Err(e) => format!("Could not save the file: {e}"),
                }
            }
        };
        drop(r);
        self.tell_later(
            "Stopping the transfer",
            jft::terminate(&hallway_protocol::new_id(), &from, &sid, "media-error"),
        );
        self.fail_receiving_plain(id, why);
        false
    }

    pub(crate) async fn fail_receiving(&self, o: IncomingOffer, why: String) {
        // Dropping what was received removes the partial file.
        drop(o.receiving);
        self.fail_receiving_plain(o.message_id, why);
    }

    pub(crate) fn fail_receiving_plain(&self, id: i64, why: String) {
        if let Ok((_, a)) = self.file_message(id) {
            let a = Attachment {
                status: FileStatus::DownloadFailed,
                error: Some(why),
                local_path: None,
                ..a
            };
            let _ = self.acc.store.set_attachment(id, &a);
            self.emit_updated(id);
        }
    }
}
