// Turns a picture the user chose into our avatar: decoded by the web view, cropped to a centred
// square and drawn onto a 192×192 canvas, exported as a PNG `data:` URL. Tests mock this module
// (happy-dom has no real canvas); `centredSquare` is the pure part.

/** Width and height of the avatar we publish (px). */
export const AVATAR_SIZE = 192;

/** Larger files are refused before decoding (a phone photo is a few MB). */
export const MAX_PICTURE_BYTES = 20 * 1024 * 1024;

/** The picture types the file chooser offers. */
export const PICTURE_TYPES = "image/png,image/jpeg,image/webp,image/gif";

/** The largest centred square of a `width`×`height` image: its top-left corner and side. */
export function centredSquare(
  width: number,
  height: number,
): { x: number; y: number; side: number } {
  const side = Math.min(width, height);
  return { x: Math.floor((width - side) / 2), y: Math.floor((height - side) / 2), side };
}

type Decoded = { source: CanvasImageSource; width: number; height: number; release: () => void };

async function decodeWithImg(file: Blob): Promise<Decoded> {
  const url = URL.createObjectURL(file);
  const img = new Image();
  try {
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error("not an image"));
      img.src = url;
    });
  } catch (e) {
    URL.revokeObjectURL(url);
    throw e;
  }
  return {
    source: img,
    width: img.naturalWidth,
    height: img.naturalHeight,
    release: () => URL.revokeObjectURL(url),
  };
}

async function decode(file: Blob): Promise<Decoded> {
  if (typeof createImageBitmap === "function") {
    try {
      const bitmap = await createImageBitmap(file);
      return {
        source: bitmap,
        width: bitmap.width,
        height: bitmap.height,
        release: () => bitmap.close(),
      };
    } catch {
      // Some engines decode fewer formats this way (older WebKit and WebP); try an <img>.
    }
  }
  return decodeWithImg(file);
}

/**
 * Scales `file` to a square PNG avatar. Throws an Error with a sentence for the user when the
 * file is not a picture the web view can read, or is too large.
 */
export async function scaleAvatar(file: Blob, size: number = AVATAR_SIZE): Promise<string> {
  if (file.size > MAX_PICTURE_BYTES) {
    throw new Error("This picture is too large. Choose one under 20 MB.");
  }
  let decoded: Decoded;
  try {
    decoded = await decode(file);
  } catch {
    throw new Error("This file could not be read as a picture.");
  }
  try {
    if (decoded.width < 1 || decoded.height < 1) {
      throw new Error("This file could not be read as a picture.");
    }
    const canvas = document.createElement("canvas");
    canvas.width = size;
    canvas.height = size;
    const ctx = canvas.getContext("2d");
    if (!ctx) throw new Error("Pictures cannot be scaled here.");
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = "high";
    const { x, y, side } = centredSquare(decoded.width, decoded.height);
    ctx.drawImage(decoded.source, x, y, side, side, 0, 0, size, size);
    return canvas.toDataURL("image/png");
  } finally {
    decoded.release();
  }
}
