// Initials for an avatar: "Anna Berg" → "AB", "bob@example.com" → "B", by whole graphemes so
// emoji, combining accents and right-to-left scripts stay intact.

const segmenter = typeof Intl.Segmenter === "function" ? new Intl.Segmenter() : null;

/** User-perceived characters (falls back to code points where Intl.Segmenter is missing). */
function graphemes(text: string): string[] {
  if (!segmenter) return Array.from(text);
  return Array.from(segmenter.segment(text), (s) => s.segment);
}

const LETTER_OR_DIGIT = /^[\p{L}\p{N}]/u;
const LETTER = /^\p{L}/u;

/** Upper-cases a grapheme unless that would turn it into several (ß → SS). */
function upper(grapheme: string): string {
  const up = grapheme.toLocaleUpperCase();
  return graphemes(up).length === 1 ? up : grapheme;
}

/** The part of an address that reads as a name: its local part, else the domain's first label. */
function addressName(jid: string): string {
  const bare = jid.split("/")[0] ?? jid;
  const at = bare.indexOf("@");
  return at > 0 ? bare.slice(0, at) : (bare.split(".")[0] ?? bare);
}

/**
 * One or two initials: the first characters of the first and last words that start with a letter
 * or digit. A name that looks like an address counts by its local part. Names with no such word
 * (only emoji, say) give their first grapheme; a blank name falls back to the JID.
 */
export function initials(name: string, jid = ""): string {
  let text = name.trim();
  if (text === "") text = addressName(jid.trim());
  else if (!/\s/.test(text) && text.includes("@")) text = addressName(text);

  const all = text
    .split(/[\s._]+/u)
    .map(graphemes)
    .filter((g) => g.length > 0 && LETTER_OR_DIGIT.test(g[0] as string));
  // Words starting with a letter win: "Carol Chen 12" is "CC", not "C1"; "42" stays "4".
  const letters = all.filter((g) => LETTER.test(g[0] as string));
  const words = letters.length > 0 ? letters : all;
  const first = words[0]?.[0];
  if (first === undefined) return graphemes(text)[0] ?? "?";
  const last = words.length > 1 ? words[words.length - 1]?.[0] : undefined;
  return upper(first) + (last === undefined ? "" : upper(last));
}
