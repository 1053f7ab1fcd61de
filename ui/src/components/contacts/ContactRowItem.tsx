// One contact row of the contact list: avatar, name, presence and unread badge.
import { Show } from "solid-js";
import type { ContactRow } from "../../lib/contactRows";
import { contactLabel, presenceText } from "../../lib/presence";
import { useHallway } from "../../state/context";
import { Avatar } from "../shared/Avatar";
import { PresenceDot } from "../shared/PresenceDot";

/** One contact button. Reads its contact from the store, so a presence patch only touches it. */
export function ContactRowItem(props: { row: ContactRow; index: number }) {
  const { contacts, conversations } = useHallway();
  const contact = () => contacts.contact(props.row.jid);
  const name = () => contact()?.displayName ?? props.row.jid;
  const show = () => contact()?.presence ?? "offline";
  const status = () => contact()?.status ?? null;
  const unread = () => contacts.unreadOf(props.row.jid);
  const selected = () => conversations.selected() === props.row.jid;

  return (
    <button
      type="button"
      class="contact"
      classList={{ "contact--selected": selected(), "contact--unread": unread() > 0 }}
      data-row={props.index}
      aria-label={contactLabel(name(), show(), status(), unread())}
      aria-current={selected() ? "true" : undefined}
      title={props.row.jid}
      onClick={() => conversations.open(props.row.jid)}
    >
      <span class="contact-avatar">
        <Avatar jid={props.row.jid} name={name()} />
        <PresenceDot show={show()} />
      </span>
      <span class="contact-text">
        <span class="contact-name">{name()}</span>
        <span class="contact-status">{presenceText(show(), status())}</span>
      </span>
      <Show when={unread() > 0}>
        <span class="badge">{unread() > 99 ? "99+" : unread()}</span>
      </Show>
    </button>
  );
}
