// What a file is, from its name and MIME type (both may come from strangers: used only to pick
// an icon and a label; whether Open is offered follows the backend's own list), plus the name a
// pasted picture gets.
import { OPENABLE_EXTENSIONS } from "../ipc";

const OPENABLE = new Set<string>(OPENABLE_EXTENSIONS);

/**
 * Whether Open is offered: documents, pictures, audio, video and archives only (the backend's
 * list, which it enforces too). Anything else might run a program: Show in folder only.
 */
export function opensSafely(name: string): boolean {
  const dot = name.lastIndexOf(".");
  if (dot <= 0 || dot === name.length - 1) return false;
  return OPENABLE.has(name.slice(dot + 1).toLowerCase());
}

const IMAGE_MIMES = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);
const IMAGE_EXTENSIONS = new Set(["png", "jpg", "jpeg", "gif", "webp"]);

/** The extension in lower case ("report.PDF" → "pdf"), or "" when there is none worth showing. */
export function fileExtension(name: string): string {
  const dot = name.lastIndexOf(".");
  if (dot <= 0 || dot === name.length - 1) return "";
  const ext = name.slice(dot + 1).toLowerCase();
  return /^[a-z0-9]{1,5}$/.test(ext) ? ext : "";
}

/** The short label on a file's icon: "PDF", "XLSX", "PNG"; "FILE" without an extension. */
export function fileLabel(name: string): string {
  return fileExtension(name).toUpperCase() || "FILE";
}

/** A picture the backend can preview (PNG, JPEG, GIF, WebP), by MIME type or extension. */
export function isImageFile(name: string, mime: string | null | undefined): boolean {
  return (
    (!!mime && IMAGE_MIMES.has(mime.toLowerCase())) || IMAGE_EXTENSIONS.has(fileExtension(name))
  );
}

export type FileKind =
  | "pdf"
  | "document"
  | "spreadsheet"
  | "presentation"
  | "image"
  | "audio"
  | "video"
  | "archive"
  | "text"
  | "other";

const KINDS: Record<string, FileKind> = {
  pdf: "pdf",
  doc: "document",
  docx: "document",
  odt: "document",
  rtf: "document",
  pages: "document",
  xls: "spreadsheet",
  xlsx: "spreadsheet",
  xlsm: "spreadsheet",
  ods: "spreadsheet",
  csv: "spreadsheet",
  numbers: "spreadsheet",
  ppt: "presentation",
  pptx: "presentation",
  odp: "presentation",
  key: "presentation",
  png: "image",
  jpg: "image",
  jpeg: "image",
  gif: "image",
  webp: "image",
  svg: "image",
  bmp: "image",
  tif: "image",
  tiff: "image",
  heic: "image",
  mp3: "audio",
  wav: "audio",
  ogg: "audio",
  m4a: "audio",
  flac: "audio",
  mp4: "video",
  mov: "video",
  mkv: "video",
  webm: "video",
  avi: "video",
  zip: "archive",
  "7z": "archive",
  rar: "archive",
  gz: "archive",
  tgz: "archive",
  tar: "archive",
  xz: "archive",
  txt: "text",
  md: "text",
  log: "text",
  json: "text",
  xml: "text",
};

/** A family of files, for the icon's colour. */
export function fileKind(name: string, mime: string | null | undefined): FileKind {
  const byName = KINDS[fileExtension(name)];
  if (byName) return byName;
  const m = (mime ?? "").toLowerCase();
  if (m === "application/pdf") return "pdf";
  if (m.startsWith("image/")) return "image";
  if (m.startsWith("audio/")) return "audio";
  if (m.startsWith("video/")) return "video";
  if (m.startsWith("text/")) return "text";
  return "other";
}

const PICTURE_EXTENSIONS: Record<string, string> = {
  "image/png": "png",
  "image/jpeg": "jpg",
  "image/gif": "gif",
  "image/webp": "webp",
  "image/bmp": "bmp",
  "image/tiff": "tiff",
  "image/svg+xml": "svg",
};

const two = (n: number) => String(n).padStart(2, "0");

/** "Pasted image 2026-11-25 10.42.png": the name a pasted picture gets (local time). */
export function pastedImageName(when: Date, mime: string): string {
  const ext = PICTURE_EXTENSIONS[mime.toLowerCase()] ?? "png";
  const date = `${when.getFullYear()}-${two(when.getMonth() + 1)}-${two(when.getDate())}`;
  return `Pasted image ${date} ${two(when.getHours())}.${two(when.getMinutes())}.${ext}`;
}

/**
 * Whether a pasted file carries no name of its own: web views call a pasted bitmap "image.png"
 * (or leave the name empty), which says nothing about it.
 */
export function hasGenericName(file: File): boolean {
  const name = file.name.trim();
  return name === "" || /^image\.(png|jpe?g|gif|webp|bmp|tiff?)$/i.test(name);
}
