// Completing an occupant's nickname in a room's composer (Tab): the word before the caret, with
// or without a leading "@", becomes the first nickname (alphabetically, case-insensitive) that
// starts with it. At the start of the message it is followed by ": ", elsewhere by a space.

export type Completed = { text: string; caret: number };

export function completeNick(
  text: string,
  caret: number,
  nicks: readonly string[],
): Completed | null {
  const before = text.slice(0, caret);
  const match = /(^|\s)(@?)([^\s@]+)$/.exec(before);
  if (!match) return null;
  const [, , at = "", prefix = ""] = match;
  const lower = prefix.toLowerCase();
  const candidates = nicks
    .filter((n) => n.toLowerCase().startsWith(lower) && n !== prefix)
    .sort((a, b) => a.localeCompare(b, undefined, { sensitivity: "base" }));
  const nick = candidates[0];
  if (nick === undefined) return null;
  const start = caret - prefix.length - at.length;
  const next = text.charAt(caret);
  const spaced = next !== "" && /\s/.test(next);
  const suffix = (start === 0 && at === "" ? ":" : "") + (spaced ? "" : " ");
  const inserted = `${at}${nick}${suffix}`;
  return {
    text: text.slice(0, start) + inserted + text.slice(caret),
    caret: start + inserted.length,
  };
}
