// The sidebar's contact list: the "Filter contacts" field, the "Show offline contacts" toggle,
// "Add contact", the subscription prompts and "Requests" above the windowed list of collapsible
// group headings and contacts, each contact's actions menu, and the people dialogs.
import {
  createEffect,
  createMemo,
  createSelector,
  createSignal,
  createUniqueId,
  For,
  Match,
  onCleanup,
  onMount,
  Show,
  Switch,
} from "solid-js";
import { errorMessage } from "../../ipc";
import { visibleRows } from "../../lib/contactFilter";
import type { ContactRow, Row } from "../../lib/contactRows";
import {
  loadCollapsedGroups,
  loadShowOffline,
  saveCollapsedGroups,
  saveShowOffline,
} from "../../lib/prefs";
import { rowOffsets, visibleRange } from "../../lib/windowing";
import { useHallway } from "../../state/context";
import { createCoarseClock } from "../people/clock";
import { ContactMenu } from "../people/ContactMenu";
import type { ContactAction, MenuPlacement, MenuRequest } from "../people/ContactMenu";
import { MessageRequests } from "../people/MessageRequests";
import { Invitations } from "../rooms/Invitations";
import { PeopleDialogHost } from "../people/PeopleDialogs";
import type { PeopleDialog } from "../people/PeopleDialogs";
import { SubscriptionPrompts } from "../people/SubscriptionPrompts";
import { ContactRowItem } from "./ContactRowItem";
import { GroupHeading } from "./GroupHeading";

/** Row heights in px; the CSS classes use the same values. */
export const ROW_HEIGHT: Record<Row["kind"], number> = { heading: 34, contact: 52 };
/** Rows rendered above and below the viewport. */
export const OVERSCAN = 6;
/** Viewport height assumed before layout (and in DOMs without layout, such as tests). */
export const FALLBACK_VIEWPORT = 800;

/**
 * The roster as one windowed list of [heading | contact] rows: only the rows in view (plus
 * overscan) exist in the DOM, so thousands of contacts stay cheap.
 */
export function ContactList() {
  const { contacts, people, rooms } = useHallway();
  const [query, setQuery] = createSignal("");
  const [showOffline, setShowOffline] = createSignal(loadShowOffline());
  const [collapsed, setCollapsed] = createSignal<ReadonlySet<string>>(loadCollapsedGroups());
  const [scrollTop, setScrollTop] = createSignal(0);
  const [viewport, setViewport] = createSignal(FALLBACK_VIEWPORT);
  let scroller!: HTMLDivElement;
  let list!: HTMLUListElement;
  let filterInput!: HTMLInputElement;

  const filtering = () => query().trim() !== "";
  const rows = createMemo(() =>
    visibleRows(
      contacts.rows(),
      { query: query(), showOffline: showOffline(), collapsed: collapsed() },
      // Untracked: rows() changes whenever these fields may change the list (shapeVersion).
      (jid) => {
        const c = contacts.peek(jid);
        return (
          c && {
            displayName: c.displayName,
            presence: c.presence,
            unread: contacts.peekUnread(jid),
            pendingOut: c.pendingOut,
          }
        );
      },
    ),
  );
  const offsets = createMemo(() => rowOffsets(rows(), (r) => ROW_HEIGHT[r.kind]));
  const range = createMemo(() => visibleRange(offsets(), scrollTop(), viewport(), OVERSCAN));
  const visible = createMemo(() => rows().slice(range().start, range().end));
  const total = () => offsets()[offsets().length - 1] ?? 0;

  const measure = () => setViewport(scroller.clientHeight || FALLBACK_VIEWPORT);
  onMount(() => {
    measure();
    if (typeof ResizeObserver !== "undefined") {
      const ro = new ResizeObserver(measure);
      ro.observe(scroller);
      onCleanup(() => ro.disconnect());
    }
  });

  // "idle 20 min" / "last seen 2 h ago": one clock for the list, read only by rows that say so.
  const now = createCoarseClock();

  // The actions menu of one contact row, and the people dialog that is open.
  const menuId = createUniqueId();
  const [menu, setMenu] = createSignal<MenuRequest | null>(null);
  const isMenuRow = createSelector(() => menu()?.key);
  const [dialog, setDialog] = createSignal<PeopleDialog | null>(null);
  const [actionError, setActionError] = createSignal<string | null>(null);

  function openMenu(
    row: ContactRow,
    opener: HTMLElement,
    placement: MenuPlacement,
    fromButton: boolean,
  ) {
    const open = menu();
    if (fromButton && open?.key === row.key) {
      closeMenu(true);
      return;
    }
    // Another row's menu goes first, so the new one starts afresh (focus on its first item).
    if (open) setMenu(null);
    setMenu({
      key: row.key,
      jid: row.jid,
      opener,
      fromButton,
      placement,
      scrollTop: scroller.scrollTop,
    });
  }

  function closeMenu(refocus: boolean) {
    const m = menu();
    setMenu(null);
    if (refocus && m?.opener.isConnected) m.opener.focus();
  }

  // A contact removed meanwhile (e.g. from another device) takes its menu with it.
  createEffect(() => {
    const m = menu();
    if (m && !contacts.contact(m.jid)) setMenu(null);
  });

  /**
   * The list scrolled (by the user, or to show a row that got the focus): an open menu moves with
   * its row, and closes when the row leaves the view (or the DOM).
   */
  function followMenu() {
    const m = menu();
    if (!m) return;
    const row = m.opener.getBoundingClientRect();
    const view = scroller.getBoundingClientRect();
    if (!m.opener.isConnected || row.bottom <= view.top || row.top >= view.bottom) {
      closeMenu(false);
      return;
    }
    const p = m.placement;
    const top = scroller.scrollTop;
    setMenu({
      ...m,
      placement: "anchor" in p ? { anchor: row } : { x: p.x, y: p.y - (top - m.scrollTop) },
      scrollTop: top,
    });
  }

  const nameOf = (jid: string) => contacts.contact(jid)?.displayName ?? jid;

  async function unblock(jid: string) {
    setActionError(null);
    try {
      await people.unblock(jid);
    } catch (e) {
      setActionError(`Could not unblock ${nameOf(jid)}: ${errorMessage(e)}`);
    }
  }

  /** A menu item: focus goes back to the menu's opener, then the dialog opens from there. */
  function choose(action: ContactAction) {
    const m = menu();
    if (!m) return;
    closeMenu(true);
    if (action === "unblock") void unblock(m.jid);
    else setDialog({ kind: action, jid: m.jid, opener: m.opener });
  }

  function scrollToTop() {
    scroller.scrollTop = 0;
    setScrollTop(0);
  }

  function changeQuery(value: string) {
    setQuery(value);
    scrollToTop();
  }

  function toggleOffline(show: boolean) {
    setShowOffline(show);
    saveShowOffline(show);
  }

  function toggleGroup(group: string) {
    const next = new Set(collapsed());
    if (!next.delete(group)) next.add(group);
    setCollapsed(next);
    saveCollapsedGroups(next);
  }

  /** What the list area says when it has no rows to show (plain text lines). */
  const emptyNote = createMemo((): string[] => {
    if (contacts.state.status !== "ready" || rows().length > 0) return [];
    const hidden = showOffline() ? [] : ["Offline contacts are hidden."];
    if (filtering()) return [`No contacts match “${query().trim()}”`, ...hidden];
    if (contacts.rows().length > 0) return ["No contacts are online.", ...hidden];
    return ["No contacts yet."];
  });

  /** Scroll row `index` into view and focus its button (arrow-key navigation). */
  function focusRow(index: number) {
    const top = offsets()[index] ?? 0;
    const bottom = offsets()[index + 1] ?? top;
    if (top < scroller.scrollTop) scroller.scrollTop = top;
    else if (bottom > scroller.scrollTop + viewport()) scroller.scrollTop = bottom - viewport();
    setScrollTop(scroller.scrollTop);
    list.querySelector<HTMLElement>(`[data-row="${index}"]`)?.focus();
  }

  /**
   * ↑/↓ move between headings and contacts, Home/End to the ends; ↑ on the first row goes back to
   * the filter field.
   */
  function onKeyDown(e: KeyboardEvent) {
    const target = e.target as HTMLElement;
    const current = Number(target.dataset.row);
    if (Number.isNaN(current)) return;
    const last = rows().length - 1;
    let next: number;
    if (e.key === "ArrowDown") next = Math.min(current + 1, last);
    else if (e.key === "ArrowUp") next = current - 1;
    else if (e.key === "Home") next = 0;
    else if (e.key === "End") next = last;
    else return;
    e.preventDefault();
    if (next < 0) filterInput.focus();
    else focusRow(next);
  }

  return (
    <div class="contacts">
      <div class="contacts-filter">
        <svg class="search-icon" viewBox="0 0 16 16" aria-hidden="true">
          <path d="M2 3.5h12L9.5 8.5v4l-3 1.5v-5.5z" />
        </svg>
        <input
          ref={filterInput}
          type="search"
          class="search-input"
          aria-label="Filter contacts"
          placeholder="Filter contacts"
          autocomplete="off"
          spellcheck={false}
          value={query()}
          onInput={(e) => changeQuery(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === "Escape") {
              if (query() !== "") {
                e.preventDefault();
                changeQuery("");
              }
            } else if (e.key === "ArrowDown" && rows().length > 0) {
              e.preventDefault();
              focusRow(0);
            }
          }}
        />
        <div class="contacts-tools">
          <label class="contacts-offline">
            <input
              type="checkbox"
              checked={showOffline()}
              onChange={(e) => toggleOffline(e.currentTarget.checked)}
            />
            Show offline contacts
          </label>
          <button
            type="button"
            class="button button--quiet button--small contacts-add"
            onClick={(e) => setDialog({ kind: "add", opener: e.currentTarget })}
          >
            <svg class="contacts-add-icon" viewBox="0 0 12 12" aria-hidden="true">
              <path d="M6 1.5v9M1.5 6h9" />
            </svg>
            Add contact
          </button>
        </div>
      </div>
      <SubscriptionPrompts />
      <MessageRequests onDialog={setDialog} />
      <Show when={rooms.invitations(false).length > 0}>
        <section class="requests" aria-label="Invitations from strangers">
          <p class="requests-hint">People who are not in your contacts invite you to rooms.</p>
          <Invitations strangers label="Invitation requests" />
        </section>
      </Show>
      <Show when={actionError()}>
        {(message) => (
          <div class="contacts-note" role="alert">
            <p>{message()}</p>
            <button
              type="button"
              class="button button--secondary button--small"
              onClick={() => setActionError(null)}
            >
              Dismiss
            </button>
          </div>
        )}
      </Show>
      <Switch>
        <Match when={contacts.state.status === "loading" && contacts.rows().length === 0}>
          <p class="contacts-note">Loading contacts…</p>
        </Match>
        <Match when={contacts.state.status === "error"}>
          <div class="contacts-note" role="alert">
            <p>Could not load contacts: {contacts.state.error}</p>
            <button
              type="button"
              class="button button--secondary"
              onClick={() => void contacts.load()}
            >
              Try again
            </button>
          </div>
        </Match>
      </Switch>
      {/* Always present, so screen readers announce "No contacts match …" while typing. */}
      <div
        class="contacts-empty"
        classList={{ "contacts-note": emptyNote().length > 0 }}
        aria-live="polite"
      >
        <For each={emptyNote()}>{(line) => <p>{line}</p>}</For>
      </div>
      <div
        ref={scroller}
        class="contacts-scroller"
        onScroll={() => {
          setScrollTop(scroller.scrollTop);
          followMenu();
        }}
      >
        <ul
          ref={list}
          role="list"
          aria-label="Contacts"
          class="contacts-list"
          style={{ height: `${total()}px` }}
          onKeyDown={onKeyDown}
        >
          <For each={visible()}>
            {(row, i) => {
              const index = () => range().start + i();
              return (
                <li
                  class={`contacts-row contacts-row--${row.kind}`}
                  style={{
                    height: `${ROW_HEIGHT[row.kind]}px`,
                    transform: `translateY(${offsets()[index()] ?? 0}px)`,
                  }}
                >
                  {row.kind === "heading" ? (
                    <GroupHeading
                      row={row}
                      index={index()}
                      expanded={filtering() || !collapsed().has(row.group)}
                      locked={filtering()}
                      onToggle={toggleGroup}
                    />
                  ) : (
                    <ContactRowItem
                      row={row}
                      index={index()}
                      now={now}
                      menuOpen={isMenuRow(row.key)}
                      menuId={menuId}
                      onMenu={(opener, placement, fromButton) =>
                        openMenu(row, opener, placement, fromButton)
                      }
                    />
                  )}
                </li>
              );
            }}
          </For>
        </ul>
      </div>
      <Show when={menu()}>
        {(m) => (
          <ContactMenu
            id={menuId}
            name={nameOf(m().jid)}
            blocked={!!contacts.contact(m().jid)?.blocked}
            placement={m().placement}
            toggle={m().fromButton ? m().opener : undefined}
            onChoose={choose}
            onClose={closeMenu}
          />
        )}
      </Show>
      <PeopleDialogHost
        dialog={dialog()}
        fallbackFocus={() => filterInput}
        onClose={() => setDialog(null)}
      />
    </div>
  );
}
