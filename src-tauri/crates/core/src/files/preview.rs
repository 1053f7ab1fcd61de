//! Image previews made here, not by the web view: the picture is decoded under size limits (a
//! tiny file claiming 60000×60000 pixels is refused, not allocated), turned upright by its EXIF
//! orientation (phones store photos sideways and say so), scaled to fit a card and re-encoded as
//! PNG, then cached by a hash of where it came from.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use base64::Engine;
use image::ImageDecoder;
use sha2::{Digest, Sha256};

/// Longest edge of a preview in pixels.
pub const PREVIEW_EDGE: u32 = 320;
/// Largest picture we decode (pixels per edge).
const MAX_EDGE: u32 = 12_000;
/// Most memory the decoder may allocate.
const MAX_ALLOC: u64 = 256 * 1024 * 1024;

/// Where the preview of `source` (a URL or a local path) is cached.
pub(crate) fn cache_path(dir: &Path, source: &str) -> PathBuf {
    let hash = Sha256::digest(source.as_bytes());
    let hex: String = hash.iter().take(16).map(|b| format!("{b:02x}")).collect();
    dir.join(format!("{hex}.png"))
}

/// A PNG preview of the image in `bytes`, or why not.
pub(crate) fn make(bytes: &[u8]) -> Result<Vec<u8>, String> {
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
    // Broken EXIF is no reason to refuse the picture: it is just shown as stored.
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = image::DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    img.apply_orientation(orientation);
    // `thumbnail` would also enlarge a small picture: only ever scale down.
    let thumb = if img.width() > PREVIEW_EDGE || img.height() > PREVIEW_EDGE {
        img.thumbnail(PREVIEW_EDGE, PREVIEW_EDGE)
    } else {
        img
    };
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
    fn caches_by_source() {
        let d = Path::new("/tmp/x");
        assert_ne!(
            cache_path(d, "https://a/1.png"),
            cache_path(d, "https://a/2.png")
        );
        assert!(data_url(&[1, 2, 3]).starts_with("data:image/png;base64,"));
    }
}
