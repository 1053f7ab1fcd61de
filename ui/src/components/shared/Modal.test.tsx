// Tests of the shared modal dialog box: opening as a modal, its name, focus, Escape, the focus
// trap, engine-initiated close and the fallback without showModal().
import { fireEvent, render, screen } from "@solidjs/testing-library";
import { createSignal, Show } from "solid-js";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Modal } from "./Modal";

afterEach(() => {
  vi.restoreAllMocks();
});

function setup(options: { initial?: "Last"; returnFocus?: boolean } = {}) {
  const onClose = vi.fn();
  const [open, setOpen] = createSignal(false);
  let opener!: HTMLButtonElement;
  let last!: HTMLButtonElement;
  render(() => (
    <main>
      <button ref={opener} type="button" onClick={() => setOpen(true)}>
        Open
      </button>
      <Show when={open()}>
        <Modal
          title="Title"
          describedBy="q"
          onClose={() => {
            onClose();
            setOpen(false);
          }}
          initialFocus={options.initial ? () => last : undefined}
          returnFocus={options.returnFocus === false ? undefined : () => opener}
        >
          <p id="q">Question?</p>
          <input type="file" hidden aria-label="Hidden file" />
          <button type="button">First</button>
          <button ref={last} type="button">
            Last
          </button>
        </Modal>
      </Show>
    </main>
  ));
  return { opener, onClose, open: () => fireEvent.click(opener) };
}

describe("Modal", () => {
  it("opens as a modal named by its heading, focusing the first control", () => {
    const showModal = vi.spyOn(HTMLDialogElement.prototype, "showModal");
    const { open } = setup();
    open();
    const dialog = screen.getByRole("dialog", { name: "Title" });
    expect(showModal).toHaveBeenCalled();
    expect(dialog.classList.contains("modal--fallback")).toBe(false);
    expect(dialog.hasAttribute("open")).toBe(true);
    expect(dialog.getAttribute("aria-modal")).toBe("true");
    expect(dialog.getAttribute("aria-describedby")).toBe("q");
    expect(screen.getByRole("heading", { level: 2, name: "Title" }).closest("dialog")).toBe(dialog);
    // rendered at the end of the page, not inside the component that opened it
    expect(screen.getByRole("main").contains(dialog)).toBe(false);
    expect(document.activeElement).toBe(screen.getByRole("button", { name: "First" }));
  });

  it("focuses the chosen element first", () => {
    const { open } = setup({ initial: "Last" });
    open();
    expect(document.activeElement).toBe(screen.getByRole("button", { name: "Last" }));
  });

  it("Escape closes it and the focus goes back to the opener", () => {
    const { open, opener, onClose } = setup();
    open();
    fireEvent.keyDown(screen.getByRole("button", { name: "Last" }), { key: "Escape" });
    expect(onClose).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(document.activeElement).toBe(opener);
  });

  it("returns the focus to what had it when no opener is given", () => {
    const { open, opener } = setup({ returnFocus: false });
    opener.focus();
    open();
    fireEvent.keyDown(screen.getByRole("button", { name: "First" }), { key: "Escape" });
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(document.activeElement).toBe(opener);
  });

  it("keeps Tab and Shift+Tab inside, skipping hidden controls", () => {
    const { open } = setup();
    open();
    const first = screen.getByRole("button", { name: "First" });
    const last = screen.getByRole("button", { name: "Last" });
    fireEvent.keyDown(first, { key: "Tab", shiftKey: true });
    expect(document.activeElement).toBe(last);
    fireEvent.keyDown(last, { key: "Tab" });
    expect(document.activeElement).toBe(first);
  });

  it("follows a close or cancel the engine did itself", () => {
    const { open, onClose } = setup();
    open();
    fireEvent(screen.getByRole("dialog"), new Event("cancel", { cancelable: true }));
    expect(onClose).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole("dialog")).toBeNull();

    open();
    (screen.getByRole("dialog") as HTMLDialogElement).close();
    expect(onClose).toHaveBeenCalledTimes(2);
    expect(screen.queryByRole("dialog")).toBeNull();
  });

  it("falls back to an open, fixed box where showModal is missing", () => {
    vi.spyOn(HTMLDialogElement.prototype, "showModal").mockImplementation(() => {
      throw new DOMException("not supported", "NotSupportedError");
    });
    const { open } = setup();
    open();
    const dialog = screen.getByRole("dialog", { name: "Title" });
    expect(dialog.hasAttribute("open")).toBe(true);
    expect(dialog.classList.contains("modal--fallback")).toBe(true);
    expect(document.activeElement).toBe(screen.getByRole("button", { name: "First" }));
  });
});
