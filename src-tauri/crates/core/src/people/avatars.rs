//! Avatars (XEP-0084, with XEP-0153 vCard photos as fallback): the on-disk cache keyed by SHA-1,
//! and the fetcher task that downloads announced avatars through the session, one at a time.
//! Bytes are strangers' data: only images whose hash matches and whose type sniffs as PNG,
//! JPEG, GIF or WebP are taken, never more than `xep0084_avatar::MAX_BYTES`, and what is stored
//! (and shown) is our own re-encoding: decoded under the same limits as picture previews and
//! written as a small PNG, so the web view never decodes a stranger's original bytes.

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Duration;

use hallway_protocol::{xep0054_vcard, xep0084_avatar, BareJid, Jid};
use tokio::sync::mpsc;

use crate::live::{Command, PeopleCommand, RequestError};

pub(crate) use crate::live::AvatarJob;

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
        xep0084_avatar::is_sha1_hex(hash)
            .then(|| self.dir.join(format!("{}.png", hash.to_ascii_lowercase())))
    }

    /// Removes what older versions cached: contacts' original bytes (named by the bare hash),
    /// which are never shown any more.
    pub fn remove_originals(&self) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        for e in entries.flatten() {
            let name = e.file_name();
            if xep0084_avatar::is_sha1_hex(&name.to_string_lossy()) {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }

    /// Whether the image is cached.
    pub fn has(&self, hash: &str) -> bool {
        self.path(hash).is_some_and(|p| p.is_file())
    }

    /// The stored image (our PNG re-encoding) and its type.
    pub fn read(&self, hash: &str) -> Option<(Vec<u8>, &'static str)> {
        let bytes = std::fs::read(self.path(hash)?).ok()?;
        (xep0084_avatar::sniff_type(&bytes)? == "image/png").then_some((bytes, "image/png"))
    }

    /// Verifies the bytes against their announced hash and type, re-encodes them as a small
    /// PNG under the decoding limits, and stores that (written to a temp file, then renamed:
    /// never half an image).
    pub async fn write(&self, hash: &str, bytes: &[u8]) -> Result<(), String> {
        xep0084_avatar::check_image(bytes, hash).map_err(|e| e.to_string())?;
        let path = self.path(hash).ok_or("bad avatar hash")?;
        let png = crate::files::shrink_picture(bytes.to_vec(), crate::files::AVATAR_EDGE)
            .await
            .map_err(|e| format!("not a picture we can show: {e}"))?;
        std::fs::create_dir_all(&self.dir).map_err(|e| e.to_string())?;
        let tmp = path.with_extension("part");
        crate::paths::write_private(&tmp, &png).map_err(|e| e.to_string())?;
        std::fs::rename(&tmp, &path).map_err(|e| e.to_string())
    }
}

const FETCH_WAIT: Duration = Duration::from_secs(30);

async fn ask(
    commands: &mpsc::UnboundedSender<Command>,
    iq: hallway_protocol::xmpp_parsers::iq::Iq,
) -> Result<Option<tokio_xmpp::minidom::Element>, RequestError> {
    match crate::live::client::request(commands, iq, FETCH_WAIT).await {
        Ok(answer) => answer,
        Err(_) => Err(RequestError::Offline),
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

/// The fetcher: takes the jobs the session sends (`rx`) until the session ends. It holds the
/// session's command channel only weakly, so it never keeps the session alive.
pub(crate) fn spawn_fetcher(
    cache: AvatarCache,
    mut rx: mpsc::UnboundedReceiver<AvatarJob>,
    session: mpsc::WeakUnboundedSender<Command>,
) {
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
                    Some(bytes) => match cache.write(&job.hash, &bytes).await {
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
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png1() -> Vec<u8> {
        let img = image::RgbaImage::from_pixel(1, 1, image::Rgba([1, 2, 3, 255]));
        let mut out = Vec::new();
        img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        out
    }

    fn jpeg(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_pixel(w, h, image::Rgb([10, 120, 60]));
        let mut out = Vec::new();
        img.write_to(
            &mut std::io::Cursor::new(&mut out),
            image::ImageFormat::Jpeg,
        )
        .unwrap();
        out
    }

    #[tokio::test]
    async fn caches_only_verified_images_under_their_hash() {
        let dir = tempfile::tempdir().unwrap();
        let cache = AvatarCache::new(dir.path().join("avatars"));
        let png = png1();
        let hash = xep0084_avatar::sha1_hex(&png);
        assert!(!cache.has(&hash));
        cache.write(&hash, &png).await.unwrap();
        assert!(cache.has(&hash));
        let (png, mime) = cache.read(&hash).unwrap();
        assert_eq!(mime, "image/png");
        assert_eq!(image::load_from_memory(&png).unwrap().width(), 1);
        assert!(cache.write(&"0".repeat(40), &png).await.is_err());
        assert!(cache.write("../../etc/passwd", &png).await.is_err());
        assert!(!cache.has("../../etc/passwd"));
        assert!(cache.read("..").is_none());
    }

    #[test]
    fn originals_cached_by_older_versions_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let avatars = dir.path().join("avatars");
        std::fs::create_dir_all(&avatars).unwrap();
        let old = avatars.join("a".repeat(40));
        let ours = avatars.join(format!("{}.png", "b".repeat(40)));
        std::fs::write(&old, b"stranger's bytes").unwrap();
        std::fs::write(&ours, b"png").unwrap();
        AvatarCache::new(avatars).remove_originals();
        assert!(!old.exists());
        assert!(ours.exists());
    }

    #[tokio::test]
    async fn the_window_gets_our_small_png_never_the_strangers_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let cache = AvatarCache::new(dir.path().join("avatars"));
        let original = jpeg(900, 600);
        let hash = xep0084_avatar::sha1_hex(&original);
        cache.write(&hash, &original).await.unwrap();
        let (stored, mime) = cache.read(&hash).unwrap();
        assert_eq!(mime, "image/png");
        assert_ne!(stored, original);
        let img = image::load_from_memory(&stored).unwrap();
        assert_eq!((img.width(), img.height()), (256, 171));
        // A picture that passes the type sniff but cannot be decoded is not stored at all.
        let mut broken = original[..64].to_vec();
        broken.extend_from_slice(&[0u8; 64]);
        let hash = xep0084_avatar::sha1_hex(&broken);
        assert!(cache.write(&hash, &broken).await.is_err());
        assert!(!cache.has(&hash));
    }
}
