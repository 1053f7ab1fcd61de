// Tests of files in a conversation: the tray (Attach file, paste, drop; sizes, previews, the
// server's limit, Remove), sending (staging in slices, failures kept in the tray; directly to the
// contact's device when the server will not take a file) and the file card of a message in each
// status (progress, Cancel, Download, Open / Show in folder, previews, direct offers).
import { fireEvent, render, screen, waitFor, within } from "@solidjs/testing-library";
import { afterEach, describe, expect, it, vi } from "vitest";
import { App } from "../../App";
import type { Message, UploadLimit } from "../../ipc";
import { CHUNK_SIZE } from "../../state/files";
import { deviceOf } from "./AttachmentTray";
import {
  attachment,
  contact,
  emitEvent,
  fail,
  ipcError,
  message,
  mockBackend,
} from "../../test/backend";
import type { Handler } from "../../test/backend";

const BOB = "bob@example.com";
const roster = [contact(BOB, { displayName: "Bob Baker", presence: "available" })];
const PNG = "data:image/png;base64,iVBORw0KGgo=";

afterEach(() => {
  vi.restoreAllMocks();
});

async function openBob(history: Message[] = [], extra: Record<string, Handler> = {}) {
  const backend = mockBackend({
    list_contacts: () => roster,
    load_history: () => history,
    ...extra,
  });
  render(() => <App />);
  const list = await screen.findByRole("list", { name: "Contacts" });
  fireEvent.click(await within(list).findByRole("button", { name: /^Bob Baker/ }));
  const log = await screen.findByRole("log", { name: "Messages" });
  return { backend, log };
}

/** A file whose bytes follow a pattern (so the slices can be checked). */
function patterned(name: string, size: number, type = "application/pdf"): File {
  const bytes = new Uint8Array(size).map((_, i) => i % 251);
  return new File([bytes], name, { type });
}

/** A file that says it is `size` bytes without holding them (never read in these tests). */
function sized(name: string, size: number, type = "application/pdf"): File {
  const file = new File([new Uint8Array(1)], name, { type });
  Object.defineProperty(file, "size", { value: size });
  return file;
}

const picker = () => screen.getByLabelText("Files to attach") as HTMLInputElement;

function attach(...files: File[]) {
  fireEvent.change(picker(), { target: { files } });
}

const tray = () => screen.getByRole("region", { name: "Files to send" });

const decode = (b64: unknown) => Uint8Array.from(atob(String(b64)), (c) => c.charCodeAt(0));

/** The row of message `id`, once shown. */
async function cardOf(log: HTMLElement, id: number): Promise<HTMLElement> {
  return waitFor(() => {
    const el = log.querySelector<HTMLElement>(`[data-message-id="${id}"]`);
    if (!el) throw new Error(`message ${id} is not shown`);
    return el;
  });
}

/** Index of the first byte that differs (-1: the same). */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return -1;
}

describe("the tray", () => {
  it("Attach file opens the file picker, which stays in the page", async () => {
    await openBob();
    const button = screen.getByRole("button", { name: "Attach file" });
    const input = picker();
    expect(input.type).toBe("file");
    expect(input.multiple).toBe(true);
    const click = vi.spyOn(input, "click").mockImplementation(() => {});
    fireEvent.click(button);
    expect(click).toHaveBeenCalledOnce();
    expect(screen.queryByRole("region", { name: "Files to send" })).toBeNull();
  });

  it("lists chosen files with size, picture preview and Remove; asks the limit once", async () => {
    const created = vi.spyOn(URL, "createObjectURL").mockReturnValue("blob:photo");
    const revoked = vi.spyOn(URL, "revokeObjectURL").mockImplementation(() => {});
    const { backend } = await openBob();
    attach(patterned("Q3 report.pdf", 512_000), patterned("photo.png", 2_000, "image/png"));
    const region = tray();
    expect(within(region).getByText("Q3 report.pdf")).toBeTruthy();
    expect(within(region).getByText("512 kB")).toBeTruthy();
    expect(within(region).getByText("2 kB")).toBeTruthy();
    expect(within(region).getByText("Q3 report.pdf").getAttribute("title")).toBe("Q3 report.pdf");
    // Only the picture gets a preview; the other shows its type.
    expect(created).toHaveBeenCalledOnce();
    const images = region.querySelectorAll("img");
    expect(images).toHaveLength(1);
    expect(images[0]?.getAttribute("src")).toBe("blob:photo");
    expect(region.textContent).toContain("PDF");

    attach(patterned("notes.txt", 10, "text/plain"));
    await within(region).findByText("notes.txt");
    await waitFor(() => expect(backend.callsTo("get_upload_limit")).toHaveLength(1));

    fireEvent.click(within(region).getByRole("button", { name: "Remove photo.png" }));
    expect(within(region).queryByText("photo.png")).toBeNull();
    expect(revoked).toHaveBeenCalledWith("blob:photo");
    fireEvent.click(within(region).getByRole("button", { name: "Remove Q3 report.pdf" }));
    fireEvent.click(within(region).getByRole("button", { name: "Remove notes.txt" }));
    expect(screen.queryByRole("region", { name: "Files to send" })).toBeNull();
    expect(backend.callsTo("stage_file")).toHaveLength(0);
  });

  it("marks a file over the server's limit at once, and does not send it", async () => {
    const { backend } = await openBob();
    const send = screen.getByRole("button", { name: "Send" }) as HTMLButtonElement;
    expect(send.disabled).toBe(true);
    attach(sized("video.mp4", 11 * 1000 * 1000, "video/mp4"));
    await within(tray()).findByText("Too large: your server accepts files up to 10.5 MB");
    expect(send.disabled).toBe(true);
    fireEvent.keyDown(screen.getByRole("textbox", { name: "Message" }), { key: "Enter" });
    await new Promise((r) => setTimeout(r, 0));
    expect(backend.callsTo("stage_file")).toHaveLength(0);
    expect(within(tray()).getByText("video.mp4")).toBeTruthy();
  });

  it("says so when the server takes no files", async () => {
    const none: UploadLimit = { available: false, maxSize: null };
    await openBob([], { get_upload_limit: () => none });
    attach(patterned("a.pdf", 10));
    await within(tray()).findByText("Your server does not accept files.");
    expect((screen.getByRole("button", { name: "Send" }) as HTMLButtonElement).disabled).toBe(true);
  });

  it("sends files in 512 KiB slices, with the text, and shows them in the conversation", async () => {
    const { backend, log } = await openBob();
    const file = patterned("big deck.pdf", CHUNK_SIZE * 2 + 1000);
    attach(file, patterned("empty.txt", 0, "text/plain"));
    const send = screen.getByRole("button", { name: "Send" }) as HTMLButtonElement;
    await waitFor(() => expect(send.disabled).toBe(false));
    fireEvent.input(screen.getByRole("textbox", { name: "Message" }), {
      target: { value: "the deck" },
    });
    fireEvent.click(send);

    await waitFor(() => expect(backend.callsTo("send_staged_file")).toHaveLength(2));
    expect(backend.callsTo("send_message")).toEqual([{ peer: BOB, body: "the deck" }]);
    expect(backend.callsTo("stage_file")).toEqual([
      { name: "big deck.pdf" },
      { name: "empty.txt" },
    ]);
    const appends = backend.callsTo("append_staged_file");
    expect(appends.map((a) => a.stagingId)).toEqual(["staging-1", "staging-1", "staging-1"]);
    const sizes = appends.map((a) => decode(a.chunkBase64).length);
    expect(sizes).toEqual([CHUNK_SIZE, CHUNK_SIZE, 1000]);
    const joined = new Uint8Array(file.size);
    let at = 0;
    for (const a of appends) {
      const chunk = decode(a.chunkBase64);
      joined.set(chunk, at);
      at += chunk.length;
    }
    expect(firstDifference(joined, new Uint8Array(await file.arrayBuffer()))).toBe(-1);
    expect(backend.callsTo("send_staged_file")).toEqual([
      { peer: BOB, stagingId: "staging-1" },
      { peer: BOB, stagingId: "staging-2" },
    ]);
    expect(backend.callsTo("discard_staged_file")).toHaveLength(0);

    // Sent files leave the tray and show as uploading messages.
    await waitFor(() => expect(screen.queryByRole("region", { name: "Files to send" })).toBeNull());
    await within(log).findByRole("progressbar", { name: "Uploading big deck.pdf" });
    expect(within(log).getByRole("button", { name: "Cancel upload of big deck.pdf" })).toBeTruthy();
    expect(within(log).getByText("the deck")).toBeTruthy();
    // The body (the file's name while it uploads) is not printed twice.
    expect(log.querySelectorAll(".msg-body")).toHaveLength(1);
  });

  it("shows Preparing while the file is copied", async () => {
    let release: () => void = () => {};
    const { backend } = await openBob([], {
      append_staged_file: () => new Promise((r) => (release = () => r(null))),
    });
    attach(patterned("slides.pdf", 100));
    await waitFor(() => expect(backend.callsTo("get_upload_limit")).toHaveLength(1));
    fireEvent.keyDown(screen.getByRole("textbox", { name: "Message" }), { key: "Enter" });
    await within(tray()).findByText("Preparing slides.pdf…");
    await waitFor(() => expect(backend.callsTo("append_staged_file")).toHaveLength(1));
    release();
    await waitFor(() => expect(backend.callsTo("send_staged_file")).toHaveLength(1));
    await waitFor(() => expect(screen.queryByText("Preparing slides.pdf…")).toBeNull());
  });

  it("keeps a refused file in the tray with the reason, and throws its copy away", async () => {
    const { backend, log } = await openBob([], {
      send_staged_file: fail(
        ipcError("fileTooLarge", "“huge.iso” is 12 MB; your server accepts files up to 10.5 MB."),
      ),
    });
    attach(patterned("huge.iso", 50));
    fireEvent.click(await screen.findByRole("button", { name: "Send" }));
    const alert = await within(tray()).findByRole("alert");
    expect(alert.textContent).toBe("“huge.iso” is 12 MB; your server accepts files up to 10.5 MB.");
    expect(backend.callsTo("discard_staged_file")).toEqual([{ stagingId: "staging-1" }]);
    expect(within(tray()).getByText("huge.iso")).toBeTruthy();
    expect(log.querySelector(".file-card")).toBeNull();

    // Send again tries again.
    fireEvent.click(screen.getByRole("button", { name: "Send" }));
    await waitFor(() => expect(backend.callsTo("stage_file")).toHaveLength(2));
  });

  it("adds a pasted picture, named after the moment it was pasted", async () => {
    vi.spyOn(URL, "createObjectURL").mockReturnValue("blob:pasted");
    await openBob();
    const box = screen.getByRole("textbox", { name: "Message" });
    const shot = new File([new Uint8Array(300)], "image.png", { type: "image/png" });
    fireEvent.paste(box, { clipboardData: { files: [shot], types: ["Files"] } });
    const region = tray();
    const name = region.querySelector(".tray-item-name")?.textContent ?? "";
    expect(name).toMatch(/^Pasted image \d{4}-\d{2}-\d{2} \d{2}\.\d{2}\.png$/);
    expect(region.querySelector("img")?.getAttribute("src")).toBe("blob:pasted");
    expect(within(region).getByRole("button", { name: `Remove ${name}` })).toBeTruthy();

    // Pasting text is left to the text box.
    fireEvent.paste(box, { clipboardData: { files: [], types: ["text/plain"] } });
    expect(region.querySelectorAll(".tray-item")).toHaveLength(1);
  });

  it("takes files dropped on the conversation, with a hint while dragging", async () => {
    await openBob();
    const pane = screen.getByRole("region", { name: "Bob Baker" });
    const log = screen.getByRole("log", { name: "Messages" });
    fireEvent.dragEnter(pane, { dataTransfer: { types: ["Files"], files: [] } });
    fireEvent.dragEnter(log, { dataTransfer: { types: ["Files"], files: [] } });
    fireEvent.dragLeave(pane, { dataTransfer: { types: ["Files"], files: [] } });
    expect(screen.getByText("Drop files to send to Bob Baker")).toBeTruthy();
    const file = patterned("minutes.docx", 1200, "application/msword");
    fireEvent.drop(log, { dataTransfer: { types: ["Files"], files: [file] } });
    expect(screen.queryByText("Drop files to send to Bob Baker")).toBeNull();
    expect(within(tray()).getByText("minutes.docx")).toBeTruthy();

    // Text dragged around the page is not a file drop.
    fireEvent.dragEnter(pane, { dataTransfer: { types: ["text/plain"], files: [] } });
    expect(screen.queryByText("Drop files to send to Bob Baker")).toBeNull();
  });
});

describe("sending directly", () => {
  it("sends a file the server refuses straight to the contact's device", async () => {
    const small: UploadLimit = { available: true, maxSize: 1_000 };
    const { backend, log } = await openBob([], {
      get_upload_limit: () => small,
      can_send_directly: () => true,
    });
    const file = patterned("video.mp4", CHUNK_SIZE + 10, "video/mp4");
    attach(file, patterned("notes.txt", 10, "text/plain"));
    const region = tray();
    await within(region).findByText("Too large: your server accepts files up to 1 kB");
    const button = await within(region).findByRole("button", { name: "Send video.mp4 directly" });
    expect(button.textContent).toBe("Send directly");
    expect(
      within(region).getByText(
        "Bob Baker's device is online: it can receive the file straight from you.",
      ),
    ).toBeTruthy();
    expect(within(region).queryByRole("button", { name: "Send notes.txt directly" })).toBeNull();
    expect(backend.callsTo("can_send_directly")).toEqual([{ peer: BOB }]);

    fireEvent.click(button);
    await waitFor(() => expect(backend.callsTo("send_staged_file_directly")).toHaveLength(1));
    expect(backend.callsTo("stage_file")).toEqual([{ name: "video.mp4" }]);
    const appends = backend.callsTo("append_staged_file");
    expect(appends.map((a) => decode(a.chunkBase64).length)).toEqual([CHUNK_SIZE, 10]);
    expect(backend.callsTo("send_staged_file_directly")).toEqual([
      { peer: BOB, stagingId: "staging-1" },
    ]);
    expect(backend.callsTo("send_staged_file")).toHaveLength(0);

    // It leaves the tray (notes.txt stays for Send) and shows in the conversation.
    await waitFor(() => expect(within(region).queryByText("video.mp4")).toBeNull());
    expect(within(region).getByText("notes.txt")).toBeTruthy();
    const bar = await within(log).findByRole("progressbar", { name: "Sending video.mp4" });
    expect(bar).toBeTruthy();
    expect(within(log).getByText("Sent directly")).toBeTruthy();

    // Send still sends only what the server takes; the answer was asked once.
    fireEvent.click(screen.getByRole("button", { name: "Send" }));
    await waitFor(() => expect(backend.callsTo("send_staged_file")).toHaveLength(1));
    expect(backend.callsTo("send_staged_file_directly")).toHaveLength(1);
    attach(patterned("more.mp4", 2_000, "video/mp4"));
    await within(tray()).findByRole("button", { name: "Send more.mp4 directly" });
    expect(backend.callsTo("can_send_directly")).toHaveLength(1);
  });

  it("offers it when the server takes no files at all", async () => {
    const none: UploadLimit = { available: false, maxSize: null };
    await openBob([], { get_upload_limit: () => none, can_send_directly: () => true });
    attach(patterned("a.pdf", 10));
    await within(tray()).findByText("Your server does not accept files.");
    expect(await within(tray()).findByRole("button", { name: "Send a.pdf directly" })).toBeTruthy();
    expect((screen.getByRole("button", { name: "Send" }) as HTMLButtonElement).disabled).toBe(true);
  });

  it("keeps the file in the tray with the reason when the direct send is refused", async () => {
    const none: UploadLimit = { available: false, maxSize: null };
    const { backend, log } = await openBob([], {
      get_upload_limit: () => none,
      can_send_directly: () => true,
      send_staged_file_directly: fail(ipcError("network", "Bob's device went offline.")),
    });
    attach(patterned("a.pdf", 10));
    fireEvent.click(await within(tray()).findByRole("button", { name: "Send a.pdf directly" }));
    const alert = await within(tray()).findByRole("alert");
    expect(alert.textContent).toBe("Bob's device went offline.");
    expect(backend.callsTo("discard_staged_file")).toEqual([{ stagingId: "staging-1" }]);
    expect(within(tray()).getByText("a.pdf")).toBeTruthy();
    expect(within(tray()).getByRole("button", { name: "Send a.pdf directly" })).toBeTruthy();
    expect(log.querySelector(".file-card")).toBeNull();
  });

  it("names whose device it is, or the contact's", () => {
    expect(deviceOf("Bob")).toBe("Bob's device");
    expect(deviceOf("  ")).toBe("The contact's device");
    expect(deviceOf(undefined)).toBe("The contact's device");
  });

  it("adds nothing when no device of the contact's can take the file", async () => {
    const { backend } = await openBob();
    attach(sized("video.mp4", 11 * 1000 * 1000, "video/mp4"));
    await within(tray()).findByText("Too large: your server accepts files up to 10.5 MB");
    await waitFor(() => expect(backend.callsTo("can_send_directly")).toEqual([{ peer: BOB }]));
    await new Promise((r) => setTimeout(r, 0));
    expect(within(tray()).queryByRole("button", { name: /directly/ })).toBeNull();
    expect(within(tray()).queryByText(/device is online/)).toBeNull();
  });

  it("does not ask while every file fits", async () => {
    const { backend } = await openBob([], { can_send_directly: () => true });
    attach(patterned("a.pdf", 10));
    await waitFor(() => expect(backend.callsTo("get_upload_limit")).toHaveLength(1));
    await new Promise((r) => setTimeout(r, 0));
    expect(backend.callsTo("can_send_directly")).toHaveLength(0);
    expect(within(tray()).queryByRole("button", { name: /directly/ })).toBeNull();
  });
});

describe("the file card", () => {
  const out = (id: number, a: Parameters<typeof attachment>[0], extra: Partial<Message> = {}) =>
    message(BOB, {
      id,
      direction: "outgoing",
      body: a?.url ?? a?.name ?? "report.pdf",
      state: "pending",
      attachment: attachment(a),
      ...extra,
    });
  const inc = (id: number, a: Parameters<typeof attachment>[0], extra: Partial<Message> = {}) =>
    message(BOB, {
      id,
      body: attachment(a).url ?? "",
      attachment: attachment(a),
      ...extra,
    });

  it("offers Download for a received file, as text only, without a link", async () => {
    const evil = "<img src=x onerror=alert(1)>.pdf";
    const { backend, log } = await openBob([
      inc(1, { name: evil, url: "https://up.example.com/x/evil.pdf" }),
    ]);
    const card = await cardOf(log, 1);
    const name = await within(card).findByText(evil);
    expect(name.getAttribute("title")).toBe(evil);
    expect(within(card).getByText("3.1 MB")).toBeTruthy();
    expect(card.querySelector(".file-icon")?.textContent).toBe("PDF");
    expect(card.querySelector("a")).toBeNull();
    expect(card.textContent).not.toContain("https://up.example.com");
    expect(log.querySelector("img")).toBeNull();
    expect(card.querySelector(".msg-body")).toBeNull();

    const download = within(card).getByRole("button", { name: `Download ${evil}` });
    expect(download.textContent).toBe("Download");
    fireEvent.click(download);
    await waitFor(() => expect(backend.callsTo("download_file")).toEqual([{ id: 1 }]));
  });

  it("prints the text when it says more than the file's URL", async () => {
    const { log } = await openBob([
      inc(2, {}, { body: "Here it is: https://upload.example.com/abc123/report.pdf" }),
    ]);
    await within(log).findByText("Here it is: https://upload.example.com/abc123/report.pdf");
    expect(
      within(await cardOf(log, 2)).getByRole("button", { name: "Download report.pdf" }),
    ).toBeTruthy();
  });

  it("asks the size of a received file once, and shows it when known", async () => {
    const { backend, log } = await openBob([inc(3, { size: null, mime: null })]);
    const card = await cardOf(log, 3);
    await waitFor(() => expect(backend.callsTo("inspect_file")).toEqual([{ id: 3 }]));
    expect(card.querySelector(".file-card-size")).toBeNull();
    await emitEvent("message-updated", { message: inc(3, { size: 512_000 }) });
    await within(card).findByText("512 kB");
    expect(backend.callsTo("inspect_file")).toHaveLength(1);
  });

  it("shows upload progress in words, with Cancel", async () => {
    const { backend, log } = await openBob([
      out(4, { status: "uploading", url: null, size: 3_100_000, localPath: "/tmp/r.pdf" }),
    ]);
    const card = await cardOf(log, 4);
    const bar = await within(card).findByRole("progressbar", { name: "Uploading report.pdf" });
    expect(card.textContent).toContain("Starting upload…");
    expect(bar.getAttribute("aria-valuenow")).toBeNull();

    await emitEvent("transfer-progressed", {
      progress: { messageId: 4, bytes: 1_240_000, total: 3_100_000, bytesPerSecond: 850_000 },
    });
    await within(card).findByText("1.2 MB of 3.1 MB · 40% · 850 kB/s");
    expect(bar.getAttribute("aria-valuenow")).toBe("40");

    const cancel = within(card).getByRole("button", { name: "Cancel upload of report.pdf" });
    expect(cancel.textContent).toBe("Cancel");
    fireEvent.click(cancel);
    await waitFor(() => expect(backend.callsTo("cancel_transfer")).toEqual([{ id: 4 }]));
  });

  it("shows why an upload failed, and Retry sends it again", async () => {
    const { backend, log } = await openBob([
      out(5, { status: "uploadFailed", url: null, error: "Cancelled." }, { state: "failed" }),
    ]);
    const card = await cardOf(log, 5);
    await within(card).findByText("Upload failed: Cancelled.");
    expect(within(card).queryByRole("progressbar")).toBeNull();
    fireEvent.click(within(card).getByRole("button", { name: "Retry sending" }));
    await waitFor(() => expect(backend.callsTo("retry_message")).toEqual([{ id: 5 }]));
  });

  it("shows download progress with Cancel, then Open and Show in folder", async () => {
    const { backend, log } = await openBob([inc(6, { status: "downloading" })]);
    const card = await cardOf(log, 6);
    await within(card).findByRole("progressbar", { name: "Downloading report.pdf" });
    fireEvent.click(within(card).getByRole("button", { name: "Cancel download of report.pdf" }));
    await waitFor(() => expect(backend.callsTo("cancel_transfer")).toEqual([{ id: 6 }]));

    await emitEvent("transfer-progressed", {
      progress: { messageId: 6, bytes: 2_000_000, total: null, bytesPerSecond: 1_000_000 },
    });
    await within(card).findByText("2 MB of 3.1 MB · 64% · 1 MB/s");

    await emitEvent("message-updated", {
      message: inc(6, { status: "downloaded", localPath: "/home/me/Downloads/report.pdf" }),
    });
    const open = await within(card).findByRole("button", { name: "Open report.pdf" });
    expect(open.textContent).toBe("Open");
    const show = within(card).getByRole("button", { name: "Show report.pdf in folder" });
    expect(show.textContent).toBe("Show in folder");
    expect(within(card).queryByRole("progressbar")).toBeNull();
    fireEvent.click(open);
    fireEvent.click(show);
    await waitFor(() => expect(backend.callsTo("open_file")).toEqual([{ id: 6 }]));
    await waitFor(() => expect(backend.callsTo("show_file_in_folder")).toEqual([{ id: 6 }]));

    // A later transfer starts from nothing: the last one's progress is gone.
    await emitEvent("message-updated", { message: inc(6, { status: "downloading" }) });
    await within(card).findByText("Starting download…");
  });

  it("shows a failed download's reason with Download again", async () => {
    const { log } = await openBob([
      inc(7, { status: "downloadFailed", error: "The server answered 404." }),
    ]);
    const card = await cardOf(log, 7);
    await within(card).findByText("Download failed: The server answered 404.");
    expect(within(card).getByRole("button", { name: "Download report.pdf" })).toBeTruthy();
  });

  it("offers Open only for documents, pictures, media and archives", async () => {
    const { log } = await openBob([
      inc(8, { name: "setup.exe", mime: null, status: "downloaded", localPath: "/d/setup.exe" }),
      inc(11, { name: "page.html", mime: null, status: "downloaded", localPath: "/d/page.html" }),
      inc(12, { name: "plan.pdf", status: "downloaded", localPath: "/d/plan.pdf" }),
    ]);
    for (const [id, name] of [
      [8, "setup.exe"],
      [11, "page.html"],
    ] as const) {
      const card = await cardOf(log, id);
      expect(within(card).queryByRole("button", { name: `Open ${name}` })).toBeNull();
      expect(within(card).getByRole("button", { name: `Show ${name} in folder` })).toBeTruthy();
    }
    const pdf = await cardOf(log, 12);
    expect(within(pdf).getByRole("button", { name: "Open plan.pdf" })).toBeTruthy();
  });

  it("shows under the card why a file was not opened", async () => {
    const { log } = await openBob(
      [inc(8, { name: "plan.pdf", status: "downloaded", localPath: "/d/plan.pdf" })],
      {
        open_file: fail(
          ipcError("invalidInput", "The file was moved or deleted from this computer."),
        ),
      },
    );
    const card = await cardOf(log, 8);
    expect(card.querySelector(".file-icon")?.textContent).toBe("PDF");
    fireEvent.click(await within(card).findByRole("button", { name: "Open plan.pdf" }));
    const alert = await within(card).findByRole("alert");
    expect(alert.textContent).toBe("The file was moved or deleted from this computer.");
  });

  it("shows a picture's preview when there is one, and asks again once it is downloaded", async () => {
    let answer: string | null = null;
    const { backend, log } = await openBob(
      [
        inc(9, { name: "photo.jpg", mime: "image/jpeg" }),
        inc(10, { name: "chart.pdf", mime: "application/pdf" }),
      ],
      { get_file_preview: () => answer },
    );
    const card = await cardOf(log, 9);
    await waitFor(() => expect(backend.callsTo("get_file_preview")).toEqual([{ id: 9 }]));
    expect(card.querySelector("img")).toBeNull();
    expect(within(card).getByRole("button", { name: "Download photo.jpg" })).toBeTruthy();

    answer = PNG;
    await emitEvent("message-updated", {
      message: inc(9, { name: "photo.jpg", mime: "image/jpeg", status: "downloading" }),
    });
    await emitEvent("message-updated", {
      message: inc(9, { name: "photo.jpg", mime: "image/jpeg", status: "downloaded" }),
    });
    const img = await within(card).findByRole("img", { name: "Preview of photo.jpg" });
    expect(img.getAttribute("src")).toBe(PNG);
    expect(backend.callsTo("get_file_preview")).toEqual([{ id: 9 }, { id: 9 }]);
  });

  it("offers a direct file with Accept and Decline", async () => {
    const offer = (id: number) =>
      inc(id, { url: null, status: "offered", direct: true, size: 512_000 }, { body: "" });
    const { backend, log } = await openBob([offer(20), offer(21)]);
    const card = await cardOf(log, 20);
    expect(await within(card).findByText("512 kB")).toBeTruthy();
    expect(within(card).getByText("Offered directly")).toBeTruthy();
    expect(within(card).queryByRole("button", { name: "Download report.pdf" })).toBeNull();
    const accept = within(card).getByRole("button", { name: "Accept report.pdf" });
    expect(accept.textContent).toBe("Accept");
    fireEvent.click(accept);
    await waitFor(() => expect(backend.callsTo("accept_file")).toEqual([{ id: 20 }]));

    const other = await cardOf(log, 21);
    const decline = within(other).getByRole("button", { name: "Decline report.pdf" });
    expect(decline.textContent).toBe("Decline");
    fireEvent.click(decline);
    await waitFor(() => expect(backend.callsTo("decline_file")).toEqual([{ id: 21 }]));
    expect(backend.callsTo("accept_file")).toHaveLength(1);

    // Accepted, it downloads; declined, only the reason is left.
    await emitEvent("message-updated", {
      message: inc(20, { url: null, status: "downloading", direct: true }, { body: "" }),
    });
    await within(card).findByRole("progressbar", { name: "Downloading report.pdf" });
    expect(within(card).queryByRole("button", { name: "Accept report.pdf" })).toBeNull();
  });

  it("shows under the card why an offer was not accepted", async () => {
    const { log } = await openBob(
      [inc(22, { url: null, status: "offered", direct: true }, { body: "" })],
      { accept_file: fail(ipcError("network", "The offer was withdrawn.")) },
    );
    const card = await cardOf(log, 22);
    fireEvent.click(await within(card).findByRole("button", { name: "Accept report.pdf" }));
    const alert = await within(card).findByRole("alert");
    expect(alert.textContent).toBe("The offer was withdrawn.");
  });

  it("shows a direct send's progress as Sending, with Cancel sending", async () => {
    const { backend, log } = await openBob([
      out(23, { status: "uploading", url: null, direct: true, localPath: "/tmp/r.pdf" }),
    ]);
    const card = await cardOf(log, 23);
    const bar = await within(card).findByRole("progressbar", { name: "Sending report.pdf" });
    expect(within(card).getByText("Sent directly")).toBeTruthy();
    expect(within(card).queryByRole("progressbar", { name: "Uploading report.pdf" })).toBeNull();
    await emitEvent("transfer-progressed", {
      progress: { messageId: 23, bytes: 1_240_000, total: 3_100_000, bytesPerSecond: 850_000 },
    });
    await within(card).findByText("1.2 MB of 3.1 MB · 40% · 850 kB/s");
    expect(bar.getAttribute("aria-valuenow")).toBe("40");
    const cancel = within(card).getByRole("button", { name: "Cancel sending report.pdf" });
    expect(cancel.textContent).toBe("Cancel");
    fireEvent.click(cancel);
    await waitFor(() => expect(backend.callsTo("cancel_transfer")).toEqual([{ id: 23 }]));
  });

  it("shows why a direct send failed, with Retry", async () => {
    const { backend, log } = await openBob([
      out(
        24,
        { status: "uploadFailed", url: null, direct: true, error: "bob@x declined the file." },
        { state: "failed" },
      ),
    ]);
    const card = await cardOf(log, 24);
    await within(card).findByText("Not sent: bob@x declined the file.");
    fireEvent.click(within(card).getByRole("button", { name: "Retry sending" }));
    await waitFor(() => expect(backend.callsTo("retry_message")).toEqual([{ id: 24 }]));
  });

  it("never offers Download for a direct file that did not arrive", async () => {
    const { log } = await openBob([
      inc(
        25,
        { url: null, status: "downloadFailed", direct: true, error: "You declined it." },
        {
          body: "",
        },
      ),
    ]);
    const card = await cardOf(log, 25);
    await within(card).findByText("You declined it.");
    expect(within(card).queryByRole("button", { name: "Download report.pdf" })).toBeNull();
    expect(within(card).queryByRole("button")).toBeNull();
    expect(within(card).getByText("Offered directly")).toBeTruthy();
  });

  it("replaces a message from messageUpdated: the upload is done", async () => {
    const { log } = await openBob([
      out(11, { status: "uploading", url: null, localPath: "/data/out/report.pdf" }),
    ]);
    const card = await cardOf(log, 11);
    await within(card).findByRole("progressbar", { name: "Uploading report.pdf" });
    const url = "https://upload.example.com/abc123/report.pdf";
    await emitEvent("message-updated", {
      message: out(
        11,
        { status: "uploaded", url, localPath: "/data/out/report.pdf" },
        { state: "sent", body: url },
      ),
    });
    await within(card).findByRole("button", { name: "Open report.pdf" });
    expect(within(card).queryByRole("progressbar")).toBeNull();
    expect(card.querySelector(".msg-body")).toBeNull();
    expect(card.textContent).not.toContain(url);
    expect(card.querySelector(".msg-state")?.textContent).toBe("Sent");
    // The same row was patched, not rebuilt.
    expect(await cardOf(log, 11)).toBe(card);
  });
});
