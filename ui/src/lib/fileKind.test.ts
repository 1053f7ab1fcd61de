// Tests of file kinds, labels and the names of pasted pictures.
import { describe, expect, it } from "vitest";
import { bytesToBase64 } from "./base64";
import {
  fileExtension,
  fileKind,
  fileLabel,
  hasGenericName,
  isImageFile,
  opensSafely,
  pastedImageName,
} from "./fileKind";

describe("file kinds", () => {
  it("takes the extension and labels the icon with it", () => {
    expect(fileExtension("Q3 report.PDF")).toBe("pdf");
    expect(fileLabel("budget.xlsx")).toBe("XLSX");
    expect(fileLabel("README")).toBe("FILE");
    expect(fileLabel(".bashrc")).toBe("FILE");
    expect(fileLabel("trailing.")).toBe("FILE");
    expect(fileLabel("weird.<b>x</b>")).toBe("FILE");
    expect(fileLabel("archive.verylongext")).toBe("FILE");
  });

  it("knows the pictures the backend previews, by type or by name", () => {
    expect(isImageFile("photo.JPG", null)).toBe(true);
    expect(isImageFile("download", "image/webp")).toBe(true);
    expect(isImageFile("drawing.svg", "image/svg+xml")).toBe(false);
    expect(isImageFile("notes.txt", "text/plain")).toBe(false);
  });

  it("offers Open by the backend's allowlist only", () => {
    for (const ok of ["plan.PDF", "photo.jpg", "talk.mp4", "all.zip", "backup.tar.gz"]) {
      expect(opensSafely(ok)).toBe(true);
    }
    for (const no of [
      "setup.exe",
      "page.html",
      "image.svg",
      "macro.docm",
      "run.sh",
      "x.",
      ".pdf",
    ]) {
      expect(opensSafely(no)).toBe(false);
    }
  });

  it("sorts files into families for the icon colour", () => {
    expect(fileKind("a.pdf", null)).toBe("pdf");
    expect(fileKind("a.docx", null)).toBe("document");
    expect(fileKind("a.xlsx", null)).toBe("spreadsheet");
    expect(fileKind("a.pptx", null)).toBe("presentation");
    expect(fileKind("a.zip", null)).toBe("archive");
    expect(fileKind("noext", "video/mp4")).toBe("video");
    expect(fileKind("noext", null)).toBe("other");
  });

  it("names a pasted picture after the moment it was pasted", () => {
    const when = new Date(2026, 10, 25, 10, 42);
    expect(pastedImageName(when, "image/png")).toBe("Pasted image 2026-11-25 10.42.png");
    expect(pastedImageName(when, "image/jpeg")).toBe("Pasted image 2026-11-25 10.42.jpg");
    expect(pastedImageName(new Date(2027, 0, 3, 9, 5), "")).toBe(
      "Pasted image 2027-01-03 09.05.png",
    );
  });

  it("tells generic pasted names from real ones", () => {
    expect(hasGenericName(new File([], "image.png"))).toBe(true);
    expect(hasGenericName(new File([], ""))).toBe(true);
    expect(hasGenericName(new File([], "holiday.png"))).toBe(false);
  });
});

describe("bytesToBase64", () => {
  it("encodes like btoa, also past one slice", () => {
    expect(bytesToBase64(new Uint8Array([]))).toBe("");
    expect(bytesToBase64(new TextEncoder().encode("Hallway"))).toBe("SGFsbHdheQ==");
    const big = new Uint8Array(0x8000 * 2 + 3).map((_, i) => i % 251);
    const decoded = Uint8Array.from(atob(bytesToBase64(big)), (c) => c.charCodeAt(0));
    expect(decoded).toEqual(big);
  });
});
