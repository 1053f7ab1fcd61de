// One contact row of the contact list: avatar, name, presence (or subscription state, idle time,
// last seen), unread badge, and the "More actions for NAME" menu button.
import { createMemo, Show } from "solid-js";
import type { Accessor } from "solid-js";
import type { ContactRow } from "../../lib/contactRows";
import { contactLineParts, contactLineText, contactRowLabel } from "../../lib/contactRows";
import { useHallway } from "../../state/context";
import type { MenuPlacement } from "../people/ContactMenu";
import { Avatar } from "../shared/Avatar";
import { PresenceDot } from "../shared/PresenceDot";

const sameStrings = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((s, i) => s === b[i]);

/**
 * One contact button plus its menu button. Reads its contact from the store, so a presence patch
 * only touches it; only rows with an idle or last-seen time follow the minute clock `now`.
 */
export function ContactRowItem(props: {
  row: ContactRow;
  index: number;
  now: Accessor<number>;
  /** This row's actions menu is open (its id is `menuId`). */
  menuOpen: boolean;
  menuId: string;
  /** Open (or, from the menu button while open, close) this row's actions menu. */
  onMenu: (opener: HTMLElement, placement: MenuPlacement, fromButton: boolean) => void;
}) {
  const { contacts, conversations, people } = useHallway();
  const contact = () => contacts.contact(props.row.jid);
  const name = () => contact()?.displayName ?? props.row.jid;
  const show = () => contact()?.presence ?? "offline";
  const unread = () => contacts.unreadOf(props.row.jid);
  const selected = () => conversations.selected() === props.row.jid;
  const parts = createMemo(
    () => {
      const c = contact();
      return c ? contactLineParts(c, props.now) : ["Offline"];
    },
    [],
    { equals: sameStrings },
  );

  return (
    <>
      <button
        type="button"
        class="contact"
        classList={{
          "contact--selected": selected(),
          "contact--unread": unread() > 0,
          "contact--blocked": !!contact()?.blocked,
        }}
        data-row={props.index}
        aria-label={contactRowLabel(name(), parts(), unread())}
        aria-current={selected() ? "true" : undefined}
        title={props.row.jid}
        onClick={() => conversations.open(props.row.jid)}
        onContextMenu={(e) => {
          e.preventDefault();
          const el = e.currentTarget;
          // The context-menu key reports no pointer position: open under the row instead.
          const fromKeyboard = e.clientX === 0 && e.clientY === 0;
          props.onMenu(
            el,
            fromKeyboard ? { anchor: el.getBoundingClientRect() } : { x: e.clientX, y: e.clientY },
            false,
          );
        }}
      >
        <span class="contact-avatar">
          <Avatar jid={props.row.jid} name={name()} src={people.avatarUrl(contact()?.avatar)} />
          <PresenceDot show={show()} />
        </span>
        <span class="contact-text">
          <span class="contact-name">{name()}</span>
          <span class="contact-status">{contactLineText(parts())}</span>
        </span>
        <Show when={unread() > 0}>
          <span class="badge">{unread() > 99 ? "99+" : unread()}</span>
        </Show>
      </button>
      <button
        type="button"
        class="contact-more"
        aria-label={`More actions for ${name()}`}
        title="More actions"
        aria-haspopup="menu"
        aria-expanded={props.menuOpen ? "true" : "false"}
        aria-controls={props.menuOpen ? props.menuId : undefined}
        onClick={(e) =>
          props.onMenu(e.currentTarget, { anchor: e.currentTarget.getBoundingClientRect() }, true)
        }
      >
        <svg viewBox="0 0 16 16" aria-hidden="true">
          <circle cx="3.5" cy="8" r="1.4" />
          <circle cx="8" cy="8" r="1.4" />
          <circle cx="12.5" cy="8" r="1.4" />
        </svg>
      </button>
    </>
  );
}
