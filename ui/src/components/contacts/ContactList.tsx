// The sidebar's contact list: the "Filter contacts" field, the "Show offline contacts" toggle and
// the windowed list of collapsible group headings and contacts.
import { createMemo, createSignal, For, Match, onCleanup, onMount, Switch } from "solid-js";
import { visibleRows } from "../../lib/contactFilter";
import type { Row } from "../../lib/contactRows";
import {
  loadCollapsedGroups,
  loadShowOffline,
  saveCollapsedGroups,
  saveShowOffline,
} from "../../lib/prefs";
import { rowOffsets, visibleRange } from "../../lib/windowing";
import { useHallway } from "../../state/context";
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
  const { contacts } = useHallway();
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
      (jid) => {
        const c = contacts.contact(jid);
        return (
          c && { displayName: c.displayName, presence: c.presence, unread: contacts.unreadOf(jid) }
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
        <label class="contacts-offline">
          <input
            type="checkbox"
            checked={showOffline()}
            onChange={(e) => toggleOffline(e.currentTarget.checked)}
          />
          Show offline contacts
        </label>
      </div>
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
        onScroll={() => setScrollTop(scroller.scrollTop)}
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
                    <ContactRowItem row={row} index={index()} />
                  )}
                </li>
              );
            }}
          </For>
        </ul>
      </div>
    </div>
  );
}
