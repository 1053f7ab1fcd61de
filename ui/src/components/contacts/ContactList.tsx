import { createMemo, createSignal, For, Match, onCleanup, onMount, Switch } from "solid-js";
import { filterRows } from "../../lib/contactRows";
import type { Row } from "../../lib/contactRows";
import { rowOffsets, visibleRange } from "../../lib/windowing";
import { useHallway } from "../../state/context";
import { ContactRowItem } from "./ContactRowItem";

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
  const [scrollTop, setScrollTop] = createSignal(0);
  const [viewport, setViewport] = createSignal(FALLBACK_VIEWPORT);
  let scroller!: HTMLDivElement;
  let list!: HTMLUListElement;

  const rows = createMemo(() => filterRows(contacts.rows(), query(), contacts.contact));
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

  /** Scroll row `index` into view and focus its button (arrow-key navigation). */
  function focusRow(index: number) {
    const top = offsets()[index] ?? 0;
    const bottom = offsets()[index + 1] ?? top;
    if (top < scroller.scrollTop) scroller.scrollTop = top;
    else if (bottom > scroller.scrollTop + viewport()) scroller.scrollTop = bottom - viewport();
    setScrollTop(scroller.scrollTop);
    list.querySelector<HTMLElement>(`[data-row="${index}"]`)?.focus();
  }

  function onKeyDown(e: KeyboardEvent) {
    const target = e.target as HTMLElement;
    const current = Number(target.dataset.row);
    if (Number.isNaN(current)) return;
    const all = rows();
    const isContact = (i: number) => all[i]?.kind === "contact";
    let next = -1;
    if (e.key === "ArrowDown") {
      for (let i = current + 1; i < all.length; i++)
        if (isContact(i)) {
          next = i;
          break;
        }
    } else if (e.key === "ArrowUp") {
      for (let i = current - 1; i >= 0; i--)
        if (isContact(i)) {
          next = i;
          break;
        }
    } else if (e.key === "Home") {
      next = all.findIndex((r) => r.kind === "contact");
    } else if (e.key === "End") {
      for (let i = all.length - 1; i >= 0; i--)
        if (isContact(i)) {
          next = i;
          break;
        }
    } else {
      return;
    }
    e.preventDefault();
    if (next >= 0) focusRow(next);
  }

  return (
    <div class="contacts">
      <div class="contacts-search">
        <input
          type="search"
          aria-label="Filter contacts"
          placeholder="Filter contacts"
          value={query()}
          onInput={(e) => {
            setQuery(e.currentTarget.value);
            scroller.scrollTop = 0;
            setScrollTop(0);
          }}
        />
      </div>
      <Switch>
        <Match when={contacts.state.status === "loading" && rows().length === 0}>
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
        <Match when={contacts.state.status === "ready" && rows().length === 0}>
          <p class="contacts-note">
            {query() ? "No contacts match your filter." : "No contacts yet."}
          </p>
        </Match>
      </Switch>
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
                    <h3 class="contacts-heading">{row.group}</h3>
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
