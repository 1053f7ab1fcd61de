// The modal dialog box all the app's dialogs share: a native <dialog> opened with showModal().
import { createUniqueId, onCleanup, onMount } from "solid-js";
import type { JSX } from "solid-js";
import { Portal } from "solid-js/web";

const FOCUSABLE = [
  "button:not([disabled])",
  "a[href]",
  'input:not([disabled]):not([type="hidden"]):not([hidden])',
  "select:not([disabled])",
  "textarea:not([disabled])",
  '[tabindex]:not([tabindex="-1"])',
].join(",");

export type ModalProps = {
  /** The heading at the top; it names the dialog (aria-labelledby). */
  title: string;
  /** Id of an element inside that describes it (a confirmation's question). */
  describedBy?: string;
  /** Extra class on the <dialog> (e.g. a wider box). */
  class?: string;
  /** Escape, the engine's own close or a Cancel button: the owner unmounts the modal. */
  onClose: () => void;
  /** What gets the focus first (default: the first control). */
  initialFocus?: () => HTMLElement | undefined;
  /**
   * Where the focus goes back to on close, asked then (default: what had it when the modal
   * opened). WebKit does not focus a clicked button, so openers should be given.
   */
  returnFocus?: () => HTMLElement | undefined;
  children: JSX.Element;
};

/**
 * A modal dialog, open while it is mounted. showModal() puts it in the top layer over a dimmed
 * backdrop and makes the rest of the window inert; engines without it get a fixed, centred box
 * over a dimmed page. It is rendered at the end of <body> (a portal), so it looks the same
 * wherever it is opened from. On mount it focuses `initialFocus` (else its first control);
 * Escape calls `onClose`; Tab and Shift+Tab stay inside; when it goes away, focus returns to
 * `returnFocus`, else to the element that had it when the dialog opened.
 */
export function Modal(props: ModalProps) {
  const titleId = createUniqueId();
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  let dialog!: HTMLDialogElement;
  let unmounting = false;

  const focusables = () =>
    Array.from(dialog.querySelectorAll<HTMLElement>(FOCUSABLE)).filter((e) => !e.hidden);

  onMount(() => {
    let modal = false;
    if (typeof dialog.showModal === "function") {
      try {
        dialog.showModal();
        modal = true;
      } catch {
        // Not connected yet or already open: fall back to the plain open attribute below.
      }
    }
    if (!modal) {
      dialog.setAttribute("open", "");
      dialog.classList.add("modal--fallback");
    }
    (props.initialFocus?.() ?? focusables()[0] ?? dialog).focus();
  });

  onCleanup(() => {
    unmounting = true;
    if (dialog.open && typeof dialog.close === "function") dialog.close();
    const target = props.returnFocus?.() ?? opener;
    if (target?.isConnected) target.focus();
  });

  function onKeyDown(e: KeyboardEvent) {
    if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      props.onClose();
    } else if (e.key === "Tab") {
      // showModal() keeps focus inside the window's content; this also covers the fallback.
      const all = focusables();
      const first = all[0];
      const last = all[all.length - 1];
      if (!first || !last) {
        e.preventDefault();
      } else if (e.shiftKey && document.activeElement === first) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault();
        first.focus();
      }
    }
  }

  return (
    <Portal>
      <dialog
        ref={dialog}
        class={props.class ? `modal ${props.class}` : "modal"}
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={props.describedBy}
        tabIndex={-1}
        onKeyDown={onKeyDown}
        onCancel={(e) => {
          // The engine's own Escape handling: let the owner close (and unmount) it.
          e.preventDefault();
          props.onClose();
        }}
        onClose={() => {
          // Closed by the engine anyway (a cancel it would not let us prevent): follow it.
          if (!unmounting) props.onClose();
        }}
      >
        <h2 id={titleId} class="modal-title">
          {props.title}
        </h2>
        {props.children}
      </dialog>
    </Portal>
  );
}
