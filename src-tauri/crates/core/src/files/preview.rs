//! Pictures from strangers decoded here, never by the web view: previews of shared pictures and
//! contacts' avatars alike. Each picture is decoded under limits (a tiny file claiming
//! 60000×60000 pixels is refused, not allocated; at most 64 MiB per decode, at most two decodes
//! at a time), scaled down, turned upright by its EXIF orientation (phones store photos sideways
//! and say so; the small copy is turned, not the full one) and re-encoded as PNG, so the window
//! only ever sees our own PNG. Previews are cached by a hash of where they came from, and so is
//! a picture that could not be shown (a file card then, asked for once, not again and again).

use std::io::Cursor;
use std::path::{Path, PathBuf};

use base64::Engine;
use image::ImageDecoder;
use sha2::{Digest, Sha256};

/// Longest edge of a preview in pixels.
pub const PREVIEW_EDGE: u32 = 320;
/// Longest edge of an avatar as the window gets it.
pub const AVATAR_EDGE: u32 = 256;
/// Largest picture we decode (pixels per edge).
const MAX_EDGE: u32 = 12_000;
/// Most memory one decode may allocate.
pub(crate) const MAX_ALLOC: u64 = 64 * 1024 * 1024;
/// Decodes running at once (each may use `MAX_ALLOC`).
const MAX_DECODES: usize = 2;

static DECODES: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(MAX_DECODES);

/// Decodes and re-encodes `bytes` as a PNG of at most `edge` pixels per side, in a blocking
/// thread, waiting for one of the `MAX_DECODES` slots first.
pub(crate) async fn shrink(bytes: Vec<u8>, edge: u32) -> Result<Vec<u8>, String> {
    let _slot = DECODES.acquire().await.map_err(|e| e.to_string())?;
    tokio::task::spawn_blocking(move || make_sized(&bytes, edge))
        .await
        .map_err(|e| e.to_string())?
}

/// Where the preview of `source` (a URL or a local path) is cached.
pub(crate) fn cache_path(dir: &Path, source: &str) -> PathBuf {
    dir.join(format!("{}.png", source_hash(source)))
}

/// Where "no preview" for `source` is remembered.
pub(crate) fn refused_path(dir: &Path, source: &str) -> PathBuf {
    dir.join(format!("{}.none", source_hash(source)))
}

fn source_hash(source: &str) -> String {
    let hash = Sha256::digest(source.as_bytes());
    hash.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// A PNG preview of the image in `bytes`, or why not.
#[cfg(test)]
pub(crate) fn make(bytes: &[u8]) -> Result<Vec<u8>, String> {
    make_sized(bytes, PREVIEW_EDGE)
}

/// A PNG of the image in `bytes`, at most `edge` pixels per side, or why not.
pub(crate) fn make_sized(bytes: &[u8], edge: u32) -> Result<Vec<u8>, String> {
    let mut reader = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| e.to_string())?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_EDGE);
    limits.max_image_height = Some(MAX_EDGE);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    let unreadable = |e: image::ImageError| format!("not a picture we can show: {e}");
    let mut decoder = reader.into_decoder().map_err(unreadable)?;
    // The decoders do not all hold to `max_alloc` for the picture itself: ask first.
    if decoder.total_bytes() > MAX_ALLOC {
        return Err(format!(
            "too large to show ({} MB decoded)",
            decoder.total_bytes() / 1_000_000
        ));
    }
    // Broken EXIF is no reason to refuse the picture: it is just shown as stored.
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let img = image::DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    // `thumbnail` would also enlarge a small picture: only ever scale down. Scaled first, then
    // turned: a full-size turned copy would double the memory of a big photo.
    let mut thumb = if img.width() > edge || img.height() > edge {
        img.thumbnail(edge, edge)
    } else {
        img
    };
    thumb.apply_orientation(orientation);
    let mut out = Vec::new();
    thumb
        .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
        .map_err(|e| e.to_string())?;
    Ok(out)
}

/// A `data:` URL for a PNG.
pub(crate) fn data_url(png: &[u8]) -> String {
    format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_pixel(w, h, image::Rgb([200, 30, 30]));
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn scales_down_to_fit() {
        let p = make(&png(1280, 640)).unwrap();
        let back = image::load_from_memory(&p).unwrap();
        assert_eq!(
            (back.width(), back.height()),
            (PREVIEW_EDGE, PREVIEW_EDGE / 2)
        );
    }

    #[test]
    fn never_enlarges_small_pictures() {
        let p = make(&png(140, 90)).unwrap();
        let back = image::load_from_memory(&p).unwrap();
        assert_eq!((back.width(), back.height()), (140, 90));
    }

    /// A JPEG `w`×`h` whose EXIF says "rotate 90° clockwise to show" (orientation 6).
    fn sideways_jpeg(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_pixel(w, h, image::Rgb([30, 90, 200]));
        let mut jpeg = Vec::new();
        img.write_to(&mut Cursor::new(&mut jpeg), image::ImageFormat::Jpeg)
            .unwrap();
        // APP1 "Exif": a big-endian TIFF header and one IFD entry, Orientation (0x0112),
        // SHORT, count 1, value 6.
        let mut tiff = b"MM\0\x2a\0\0\0\x08\0\x01".to_vec();
        tiff.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0]);
        tiff.extend_from_slice(&[0, 0, 0, 0]);
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend_from_slice(&tiff);
        let len = u16::try_from(app1.len() + 2).unwrap().to_be_bytes();
        let mut out = jpeg[..2].to_vec(); // SOI
        out.extend_from_slice(&[0xff, 0xe1, len[0], len[1]]);
        out.extend_from_slice(&app1);
        out.extend_from_slice(&jpeg[2..]);
        out
    }

    #[test]
    fn turns_photos_upright_by_their_exif_orientation() {
        let p = make(&sideways_jpeg(200, 100)).unwrap();
        let back = image::load_from_memory(&p).unwrap();
        assert_eq!((back.width(), back.height()), (100, 200));
    }

    #[test]
    fn refuses_junk_and_bombs() {
        assert!(make(b"not an image at all").is_err());
        // A PNG header claiming 60000x60000 pixels: refused by the limits, not allocated.
        let mut bomb = png(1, 1);
        bomb[16..20].copy_from_slice(&60_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&60_000u32.to_be_bytes());
        assert!(make(&bomb).is_err());
    }

    #[test]
    fn refuses_what_would_need_more_than_the_memory_limit() {
        // 5000×5000 RGB is 75 MB decoded: over the 64 MiB a decode may take.
        let big = png(5000, 5000);
        assert!(make(&big).is_err());
        // 4000×4000 RGB (48 MB) fits.
        assert!(make(&png(4000, 4000)).is_ok());
    }

    #[tokio::test]
    async fn a_decode_waits_while_two_others_run() {
        // Both slots taken (two decodes running): a third waits for one to end.
        let both = DECODES.acquire_many(MAX_DECODES as u32).await.unwrap();
        let third = tokio::spawn(shrink(png(600, 300), AVATAR_EDGE));
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        assert!(!third.is_finished(), "a third decode ran beside two others");
        drop(both);
        let out = third.await.unwrap().unwrap();
        let back = image::load_from_memory(&out).unwrap();
        assert_eq!(
            (back.width(), back.height()),
            (AVATAR_EDGE, AVATAR_EDGE / 2)
        );
    }

    #[test]
    fn caches_by_source() {
        let d = Path::new("/tmp/x");
        assert_ne!(
            cache_path(d, "https://a/1.png"),
            cache_path(d, "https://a/2.png")
        );
        assert!(data_url(&[1, 2, 3]).starts_with("data:image/png;base64,"));
    }
}
