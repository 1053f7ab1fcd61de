// Tests of "Edit my profile": our picture in the account header and the My profile dialog
// (business card load / edit / save, picture change with the canvas scaler mocked).
import { fireEvent, render, screen, waitFor, within } from "@solidjs/testing-library";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { App } from "../../App";
import type { VCardFields } from "../../ipc";
import { scaleAvatar } from "../../lib/scaleAvatar";
import type * as Scaler from "../../lib/scaleAvatar";
import { emitEvent, fail, ipcError, ME, mockBackend, snapshot, vcard } from "../../test/backend";
import type { Handler } from "../../test/backend";

vi.mock("../../lib/scaleAvatar", async (importOriginal) => ({
  ...(await importOriginal<typeof Scaler>()),
  scaleAvatar: vi.fn(),
}));

const SCALED = "data:image/png;base64,c2NhbGVk";
const NEW_HASH = "1111111111111111111111111111111111111111";
const scale = vi.mocked(scaleAvatar);

beforeEach(() => {
  scale.mockReset();
  scale.mockResolvedValue(SCALED);
});

afterEach(() => {
  vi.restoreAllMocks();
});

const LABELS = ["Full name", "Title", "Organisation", "Department", "Email", "Phone"];

async function openProfile(handlers: Record<string, Handler> = {}) {
  const backend = mockBackend(handlers);
  render(() => <App />);
  const opener = await screen.findByRole("button", { name: "Edit my profile" });
  fireEvent.click(opener);
  const dialog = screen.getByRole("dialog", { name: "My profile" });
  return { backend, opener, dialog };
}

const field = (dialog: HTMLElement, label: string) =>
  within(dialog).getByLabelText(label) as HTMLInputElement;

/** A profile answer the test releases when it wants. */
function deferredProfile() {
  let release: (v: VCardFields) => void = () => {};
  const handler: Handler = () => new Promise<VCardFields>((r) => (release = r));
  return { handler, release: (v: VCardFields) => release(v) };
}

describe("my picture in the account header", () => {
  it("shows initials of our address, or our picture once we have one", async () => {
    const url = "data:image/png;base64,bWluZQ==";
    mockBackend({ get_avatar: (args) => (args.hash === "mine" ? url : null) });
    render(() => <App />);
    const button = await screen.findByRole("button", { name: "Edit my profile" });
    expect(button.querySelector(".avatar")?.textContent).toBe("M");
    expect(button.querySelector("img")).toBeNull();

    await emitEvent("avatar-changed", { jid: ME, avatar: "mine" });
    await waitFor(() => expect(button.querySelector("img")?.getAttribute("src")).toBe(url));
  });

  it("starts from the snapshot's avatar", async () => {
    const url = "data:image/png;base64,c25hcA==";
    mockBackend({
      get_app_state: () => snapshot({ myAvatar: "snap" }),
      get_avatar: () => url,
    });
    render(() => <App />);
    const button = await screen.findByRole("button", { name: "Edit my profile" });
    await waitFor(() => expect(button.querySelector("img")?.getAttribute("src")).toBe(url));
  });
});

describe("My profile dialog", () => {
  it("loads the card, edits it and saves blank fields as null", async () => {
    const profile = deferredProfile();
    const { backend, opener, dialog } = await openProfile({ get_my_profile: profile.handler });
    expect(within(dialog).getByText("Loading…")).toBeTruthy();
    for (const label of LABELS) expect(field(dialog, label).disabled).toBe(true);
    expect(
      (within(dialog).getByRole("button", { name: "Save" }) as HTMLButtonElement).disabled,
    ).toBe(true);

    profile.release(
      vcard({ fullName: "Mia Example", title: "Office manager", email: "mia@example.com" }),
    );
    await waitFor(() => expect(field(dialog, "Full name").value).toBe("Mia Example"));
    expect(within(dialog).queryByText("Loading…")).toBeNull();
    expect(field(dialog, "Title").value).toBe("Office manager");
    expect(field(dialog, "Email").value).toBe("mia@example.com");
    expect(field(dialog, "Phone").value).toBe("");
    for (const label of LABELS) expect(field(dialog, label).disabled).toBe(false);

    fireEvent.input(field(dialog, "Title"), { target: { value: "   " } });
    fireEvent.input(field(dialog, "Organisation"), { target: { value: "  Acme Ltd " } });
    fireEvent.input(field(dialog, "Phone"), { target: { value: "+44 20 7946 0000" } });
    fireEvent.click(within(dialog).getByRole("button", { name: "Save" }));

    await waitFor(() =>
      expect(backend.callsTo("set_my_profile")).toEqual([
        {
          profile: {
            fullName: "Mia Example",
            title: null,
            organization: "Acme Ltd",
            department: null,
            email: "mia@example.com",
            phone: "+44 20 7946 0000",
          },
        },
      ]),
    );
    await waitFor(() => expect(screen.queryByRole("dialog", { name: "My profile" })).toBeNull());
    expect(document.activeElement).toBe(opener);
  });

  it("still allows filling in the card when it cannot be loaded", async () => {
    const { backend, dialog } = await openProfile({
      get_my_profile: fail(ipcError("offline", "Not connected to the server.")),
    });
    const alert = await within(dialog).findByRole("alert");
    expect(alert.textContent).toContain("Not connected to the server.");
    expect(within(dialog).queryByText("Loading…")).toBeNull();
    for (const label of LABELS) {
      expect(field(dialog, label).disabled).toBe(false);
      expect(field(dialog, label).value).toBe("");
    }
    fireEvent.input(field(dialog, "Full name"), { target: { value: "Mia" } });
    fireEvent.click(within(dialog).getByRole("button", { name: "Save" }));
    await waitFor(() =>
      expect(backend.callsTo("set_my_profile")).toEqual([
        { profile: { ...vcard(), fullName: "Mia" } },
      ]),
    );
  });

  it("keeps the dialog open and says why when saving fails", async () => {
    const { dialog } = await openProfile({
      set_my_profile: fail(ipcError("invalidInput", "The phone number is too long.")),
    });
    await waitFor(() => expect(field(dialog, "Phone").disabled).toBe(false));
    fireEvent.click(within(dialog).getByRole("button", { name: "Save" }));
    const alert = await within(dialog).findByRole("alert");
    expect(alert.textContent).toContain("The phone number is too long.");
    expect(screen.getByRole("dialog", { name: "My profile" })).toBe(dialog);
  });

  it("Cancel and Escape close without saving, and focus returns to the opener", async () => {
    const { backend, opener, dialog } = await openProfile();
    await waitFor(() => expect(field(dialog, "Full name").disabled).toBe(false));
    fireEvent.input(field(dialog, "Full name"), { target: { value: "Changed" } });
    fireEvent.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("dialog", { name: "My profile" })).toBeNull();
    expect(document.activeElement).toBe(opener);

    fireEvent.click(opener);
    const again = screen.getByRole("dialog", { name: "My profile" });
    expect(again.contains(document.activeElement)).toBe(true);
    fireEvent.keyDown(document.activeElement as Element, { key: "Escape" });
    expect(screen.queryByRole("dialog", { name: "My profile" })).toBeNull();
    expect(document.activeElement).toBe(opener);
    expect(backend.callsTo("set_my_profile")).toEqual([]);
  });

  it("keeps Tab inside the dialog", async () => {
    const { dialog } = await openProfile();
    await waitFor(() => expect(field(dialog, "Full name").disabled).toBe(false));
    const save = within(dialog).getByRole("button", { name: "Save" });
    const first = within(dialog).getByRole("button", { name: "Change picture…" });
    save.focus();
    fireEvent.keyDown(save, { key: "Tab" });
    expect(document.activeElement).toBe(first);
    fireEvent.keyDown(first, { key: "Tab", shiftKey: true });
    expect(document.activeElement).toBe(save);
  });

  it("scales a chosen picture and publishes it", async () => {
    const { backend, dialog } = await openProfile({
      set_my_avatar: () => NEW_HASH,
      get_avatar: () => SCALED,
    });
    const input = dialog.querySelector('input[type="file"]') as HTMLInputElement;
    expect(input.getAttribute("accept")).toBe("image/png,image/jpeg,image/webp,image/gif");
    const click = vi.spyOn(input, "click").mockImplementation(() => {});
    fireEvent.click(within(dialog).getByRole("button", { name: "Change picture…" }));
    expect(click).toHaveBeenCalled();

    const file = new File(["fake image bytes"], "me.jpg", { type: "image/jpeg" });
    fireEvent.change(input, { target: { files: [file] } });
    await waitFor(() =>
      expect(backend.callsTo("set_my_avatar")).toEqual([{ imageBase64: SCALED }]),
    );
    expect(scale).toHaveBeenCalledWith(file);
    await waitFor(() =>
      expect(dialog.querySelector(".profile-picture img")?.getAttribute("src")).toBe(SCALED),
    );
    // the header follows (our avatar's hash is now the new one)
    const header = screen.getByRole("button", { name: "Edit my profile" });
    await waitFor(() => expect(header.querySelector("img")?.getAttribute("src")).toBe(SCALED));
    expect(within(dialog).queryByRole("alert")).toBeNull();
  });

  it("says so when the picture cannot be read or is refused", async () => {
    const { backend, dialog } = await openProfile({
      set_my_avatar: fail(ipcError("invalidInput", "This picture is too large.")),
    });
    const input = dialog.querySelector('input[type="file"]') as HTMLInputElement;

    scale.mockRejectedValueOnce(new Error("This file could not be read as a picture."));
    fireEvent.change(input, { target: { files: [new File(["x"], "notes.txt")] } });
    const alert = await within(dialog).findByRole("alert");
    expect(alert.textContent).toContain("This file could not be read as a picture.");
    expect(backend.callsTo("set_my_avatar")).toEqual([]);

    fireEvent.change(input, { target: { files: [new File(["y"], "huge.png")] } });
    await waitFor(() =>
      expect(within(dialog).getByRole("alert").textContent).toContain("This picture is too large."),
    );
    expect(backend.callsTo("set_my_avatar")).toEqual([{ imageBase64: SCALED }]);
    expect(dialog.querySelector(".profile-picture img")).toBeNull();
  });
});
