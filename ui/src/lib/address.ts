/** Message shown next to the Address field when it does not look like an XMPP address. */
export const ADDRESS_HINT = "Enter an address like alice@example.com";

/**
 * Client-side check that an address looks like `local@domain`: no whitespace, exactly one `@`,
 * non-empty local and domain parts, and no slashes in the domain (no resource part). The backend
 * validates properly (stringprep etc.); this only catches typos early.
 */
export function isValidAddress(input: string): boolean {
  const address = input.trim();
  if (address === "" || /\s/.test(address)) return false;
  const parts = address.split("@");
  if (parts.length !== 2) return false;
  const [local, domain] = parts as [string, string];
  if (local === "" || domain === "") return false;
  if (domain.includes("/") || domain.includes("\\")) return false;
  if (domain.startsWith(".") || domain.endsWith(".") || domain.includes("..")) return false;
  return true;
}

/** Returns the inline error for an address, or null when it is acceptable. */
export function validateAddress(input: string): string | null {
  if (input.trim() === "") return "Enter your address, for example alice@example.com";
  return isValidAddress(input) ? null : ADDRESS_HINT;
}
