// A group heading of the contact list: a button that collapses and expands the group, with its
// online count.
import type { HeadingRow } from "../../lib/contactRows";
import { groupHeadingLabel } from "../../lib/contactRows";
import { useHallway } from "../../state/context";

/**
 * `locked`: filter text is typed, so every group shows expanded and the button does nothing (it
 * says so in its tooltip); the stored collapsed state returns when the filter is cleared.
 */
export function GroupHeading(props: {
  row: HeadingRow;
  index: number;
  expanded: boolean;
  locked: boolean;
  onToggle: (group: string) => void;
}) {
  const { contacts } = useHallway();
  const stats = () => contacts.groupStats(props.row.group);

  return (
    <h3 class="contacts-heading">
      <button
        type="button"
        class="contacts-group"
        data-row={props.index}
        aria-expanded={props.expanded ? "true" : "false"}
        aria-disabled={props.locked ? "true" : undefined}
        aria-label={groupHeadingLabel(props.row.group, stats())}
        title={props.locked ? "Clear the filter to collapse groups" : undefined}
        onClick={() => {
          if (!props.locked) props.onToggle(props.row.group);
        }}
      >
        <svg class="contacts-group-chevron" viewBox="0 0 12 12" aria-hidden="true">
          <path d="M4.5 2.5 8 6l-3.5 3.5" />
        </svg>
        <span class="contacts-group-name">{props.row.group}</span>
        <span class="contacts-group-count">
          {stats().online}/{stats().total}
        </span>
      </button>
    </h3>
  );
}
