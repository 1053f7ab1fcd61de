// The per-contact actions menu of the contact list ("More actions for NAME" or a right-click):
// Rename…, Move to group…, Block / Unblock, Remove….
import { createEffect, For, on, onCleanup, onMount } from "solid-js";

export type ContactAction = "rename" | "move" | "block" | "unblock" | "remove";

/** Where the menu opens: under its button (`anchor`) or at the pointer (`x`, `y`). */
export type MenuPlacement = { anchor: DOMRect } | { x: number; y: number };

/** An open menu: for which row, its placement, and the element focus returns to. */
export type MenuRequest = {
  /** The row's key (a contact in two groups has two rows, each with its own button). */
  key: string;
  jid: string;
  opener: HTMLElement;
  /** Opened by the "More actions" button (rather than a right-click or the context-menu key). */
  fromButton: boolean;
  /** Follows the row when the list scrolls. */
  placement: MenuPlacement;
  /** The list's scroll position that `placement` belongs to. */
  scrollTop: number;
};

/** Keeps a box of `w`×`h` at (`x`, `y`) inside the window, with a small margin. */
function clamp(x: number, y: number, w: number, h: number) {
  const margin = 4;
  const maxX = Math.max(margin, window.innerWidth - w - margin);
  const maxY = Math.max(margin, window.innerHeight - h - margin);
  return { left: Math.min(Math.max(margin, x), maxX), top: Math.min(Math.max(margin, y), maxY) };
}

/**
 * A menu (role menu) of menuitem buttons, positioned fixed in the window. Focus moves to the first
 * item; ↑/↓/Home/End move between items; Escape and Tab close it and return focus to the opener;
 * clicking elsewhere closes it.
 */
export function ContactMenu(props: {
  id: string;
  name: string;
  blocked: boolean;
  placement: MenuPlacement;
  /** The menu button that opened it: pressing it again closes the menu (not close-and-reopen). */
  toggle?: HTMLElement;
  onChoose: (action: ContactAction) => void;
  onClose: (refocus: boolean) => void;
}) {
  let menu!: HTMLDivElement;

  const items = (): { action: ContactAction; label: string; danger?: boolean }[] => [
    { action: "rename", label: "Rename…" },
    { action: "move", label: "Move to group…" },
    props.blocked
      ? { action: "unblock", label: "Unblock" }
      : { action: "block", label: "Block", danger: true },
    { action: "remove", label: "Remove…", danger: true },
  ];

  const menuItems = () => [...menu.querySelectorAll<HTMLElement>('[role="menuitem"]')];

  function place(p: MenuPlacement) {
    const w = menu.offsetWidth;
    const h = menu.offsetHeight;
    let pos: { left: number; top: number };
    if ("anchor" in p) {
      // Right-aligned under the button; above it when there is no room below.
      const below = p.anchor.bottom + 2;
      const top = below + h > window.innerHeight - 4 ? p.anchor.top - h - 2 : below;
      pos = clamp(p.anchor.right - w, top, w, h);
    } else {
      pos = clamp(p.x, p.y, w, h);
    }
    menu.style.left = `${pos.left}px`;
    menu.style.top = `${pos.top}px`;
  }

  createEffect(on(() => props.placement, place, { defer: true }));

  onMount(() => {
    // Placed before the first paint and before focusing.
    place(props.placement);
    menuItems()[0]?.focus();

    const toggle = props.toggle;
    const onPointerDown = (e: PointerEvent) => {
      const target = e.target as Node;
      if (!menu.contains(target) && !toggle?.contains(target)) props.onClose(false);
    };
    const onBlur = () => props.onClose(false);
    document.addEventListener("pointerdown", onPointerDown, true);
    window.addEventListener("blur", onBlur);
    window.addEventListener("resize", onBlur);
    onCleanup(() => {
      document.removeEventListener("pointerdown", onPointerDown, true);
      window.removeEventListener("blur", onBlur);
      window.removeEventListener("resize", onBlur);
    });
  });

  function onKeyDown(e: KeyboardEvent) {
    const list = menuItems();
    const current = list.indexOf(document.activeElement as HTMLElement);
    let next: number;
    if (e.key === "ArrowDown") next = (current + 1) % list.length;
    else if (e.key === "ArrowUp") next = (current - 1 + list.length) % list.length;
    else if (e.key === "Home") next = 0;
    else if (e.key === "End") next = list.length - 1;
    else if (e.key === "Escape" || e.key === "Tab") {
      e.preventDefault();
      e.stopPropagation();
      props.onClose(true);
      return;
    } else return;
    e.preventDefault();
    list[next]?.focus();
  }

  return (
    <div
      ref={menu}
      id={props.id}
      class="contact-menu"
      role="menu"
      aria-label={`Actions for ${props.name}`}
      onKeyDown={onKeyDown}
      onContextMenu={(e) => e.preventDefault()}
    >
      <For each={items()}>
        {(item) => (
          <button
            type="button"
            role="menuitem"
            tabindex="-1"
            class="contact-menu-item"
            classList={{ "contact-menu-item--danger": !!item.danger }}
            onClick={() => props.onChoose(item.action)}
          >
            {item.label}
          </button>
        )}
      </For>
    </div>
  );
}
