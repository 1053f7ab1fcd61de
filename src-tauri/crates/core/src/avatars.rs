//! Avatars (XEP-0084, with XEP-0153 vCard photos as fallback): the on-disk cache keyed by SHA-1,
//! and the fetcher task that downloads announced avatars through the session, one at a time.
//! Bytes are strangers' data: only images whose hash matches and whose type sniffs as PNG,
//! JPEG, GIF or WebP are stored, never more than `xep0084_avatar::MAX_BYTES`.

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Duration;

use hallway_protocol::{xep0054_vcard, xep0084_avatar, BareJid, Jid};
use tokio::sync::{mpsc, oneshot};

use crate::session::{Command, PeopleCommand, RequestError};

/// Settings key of our own avatar hash.
pub(crate) fn my_avatar_key(account: &str) -> String {
    format!("my_avatar:{account}")
}

/// Fetch this contact's avatar with this hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AvatarJob {
    pub jid: String,
    pub hash: String,
}

/// Avatar images on disk, one file per SHA-1.
#[derive(Debug, Clone)]
pub struct AvatarCache {
    dir: PathBuf,
}

impl AvatarCache {
    /// A cache in `dir` (created on first write).
    pub fn new(dir: PathBuf) -> Self {
        Self { dir }
    }

    fn path(&self, hash: &str) -> Option<PathBuf> {
        // Only 40 hex digits name a file: a hash from the network never becomes a path.
        xep0084_avatar::is_sha1_hex(hash).then(|| self.dir.join(hash.to_ascii_lowercase()))
    }

    /// Whether the image is cached.
    pub fn has(&self, hash: &str) -> bool {
        self.path(hash).is_some_and(|p| p.is_file())
    }

    /// The image bytes and their sniffed type.
    pub fn read(&self, hash: &str) -> Option<(Vec<u8>, &'static str)> {
        let bytes = std::fs::read(self.path(hash)?).ok()?;
        let mime = xep0084_avatar::sniff_type(&bytes)?;
        Some((bytes, mime))
    }

    /// Stores verified bytes (written to a temp file, then renamed: never half an image).
    pub fn write(&self, hash: &str, bytes: &[u8]) -> Result<(), String> {
        xep0084_avatar::check_image(bytes, hash).map_err(|e| e.to_string())?;
        let path = self.path(hash).ok_or("bad avatar hash")?;
        std::fs::create_dir_all(&self.dir).map_err(|e| e.to_string())?;
        let tmp = path.with_extension("part");
        std::fs::write(&tmp, bytes).map_err(|e| e.to_string())?;
        std::fs::rename(&tmp, &path).map_err(|e| e.to_string())
    }
}

const FETCH_WAIT: Duration = Duration::from_secs(30);

async fn ask(
    commands: &mpsc::UnboundedSender<Command>,
    iq: hallway_protocol::xmpp_parsers::iq::Iq,
) -> Result<Option<tokio_xmpp::minidom::Element>, RequestError> {
    let (tx, rx) = oneshot::channel();
    commands
        .send(Command::Request(Box::new(iq), tx))
        .map_err(|_| RequestError::Offline)?;
    match tokio::time::timeout(FETCH_WAIT, rx).await {
        Ok(Ok(r)) => r,
        _ => Err(RequestError::NoAnswer),
    }
}

/// Downloads one avatar: the XEP-0084 data item first, the vCard photo (XEP-0153) as fallback.
async fn fetch(commands: &mpsc::UnboundedSender<Command>, job: &AvatarJob) -> Option<Vec<u8>> {
    let to = Jid::from(BareJid::new(&job.jid).ok()?);
    let id = hallway_protocol::new_id();
    match ask(commands, xep0084_avatar::data_request(&id, &to, &job.hash)).await {
        Ok(payload) => match xep0084_avatar::parse_data(payload.as_ref(), &job.hash) {
            Ok(bytes) => return Some(bytes),
            Err(e) => tracing::debug!("no PEP avatar {} for {}: {e}", job.hash, job.jid),
        },
        Err(e) => tracing::debug!("PEP avatar of {} not available: {e:?}", job.jid),
    }
    let id = hallway_protocol::new_id();
    let payload = ask(commands, xep0054_vcard::request(&id, &to)).await.ok()?;
    let (_, photo) = xep0054_vcard::parse(payload.as_ref()).ok()?;
    let photo = photo?;
    xep0084_avatar::check_image(&photo, &job.hash).ok()?;
    Some(photo)
}

/// Failed (contact, hash) pairs remembered per session, at most.
const MAX_FAILED: usize = 1000;

/// The fetcher: runs until the session ends. It holds the session's command channel only weakly
/// (the session holds its job channel), so neither keeps the other alive.
pub(crate) fn spawn_fetcher(
    cache: AvatarCache,
    session: mpsc::WeakUnboundedSender<Command>,
) -> mpsc::UnboundedSender<AvatarJob> {
    let (tx, mut rx) = mpsc::unbounded_channel::<AvatarJob>();
    tokio::spawn(async move {
        // What failed this session is not asked for again and again; per contact, so one
        // contact announcing another's hash cannot block it.
        let mut failed: HashSet<(String, String)> = HashSet::new();
        while let Some(job) = rx.recv().await {
            let Some(commands) = session.upgrade() else {
                break;
            };
            let key = (job.jid.clone(), job.hash.clone());
            let stored = if cache.has(&job.hash) {
                true
            } else if failed.contains(&key) {
                false
            } else {
                match fetch(&commands, &job).await {
                    Some(bytes) => match cache.write(&job.hash, &bytes) {
                        Ok(()) => true,
                        Err(e) => {
                            tracing::warn!("avatar of {} not stored: {e}", job.jid);
                            false
                        }
                    },
                    None => {
                        if failed.len() >= MAX_FAILED {
                            failed.clear();
                        }
                        failed.insert(key);
                        false
                    }
                }
            };
            if stored {
                let cmd = Command::People(PeopleCommand::AvatarStored(job.jid, Some(job.hash)));
                if commands.send(cmd).is_err() {
                    break;
                }
            }
        }
    });
    tx
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = &[
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0,
        0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89,
    ];

    #[test]
    fn caches_only_verified_images_under_their_hash() {
        let dir = tempfile::tempdir().unwrap();
        let cache = AvatarCache::new(dir.path().join("avatars"));
        let hash = xep0084_avatar::sha1_hex(PNG);
        assert!(!cache.has(&hash));
        cache.write(&hash, PNG).unwrap();
        assert!(cache.has(&hash));
        assert_eq!(cache.read(&hash).unwrap(), (PNG.to_vec(), "image/png"));
        assert!(cache.write(&"0".repeat(40), PNG).is_err());
        assert!(cache.write("../../etc/passwd", PNG).is_err());
        assert!(!cache.has("../../etc/passwd"));
        assert!(cache.read("..").is_none());
    }
}
