// The business-card (vCard) fields in the order and with the words the UI shows them.
import type { VCardFields } from "../../ipc";

export type ProfileField = {
  key: keyof VCardFields;
  label: string;
  /** Input type in the My profile form (keyboard hints only; nothing is validated here). */
  type: "text" | "email" | "tel";
  autocomplete: string;
};

export const PROFILE_FIELDS: readonly ProfileField[] = [
  { key: "fullName", label: "Full name", type: "text", autocomplete: "name" },
  { key: "title", label: "Title", type: "text", autocomplete: "organization-title" },
  { key: "organization", label: "Organisation", type: "text", autocomplete: "organization" },
  { key: "department", label: "Department", type: "text", autocomplete: "off" },
  { key: "email", label: "Email", type: "email", autocomplete: "email" },
  { key: "phone", label: "Phone", type: "tel", autocomplete: "tel" },
];

/** Trimmed text, or null when blank. */
export function fieldValue(value: string | null | undefined): string | null {
  const text = value?.trim() ?? "";
  return text === "" ? null : text;
}

/** True when the card has no field worth showing. */
export function isEmptyCard(card: VCardFields): boolean {
  return PROFILE_FIELDS.every((f) => fieldValue(card[f.key]) === null);
}
