// Search snippets: the backend wraps each match in U+0002 (start) … U+0003 (end). These helpers
// turn that into plain segments; the view renders each one as a text node (matches inside
// <mark>), so nothing in a message body is ever parsed as markup.

export const MATCH_START = "\u0002";
export const MATCH_END = "\u0003";

export type Segment = { text: string; match: boolean };

/**
 * Splits a snippet into text / match segments. Marker characters never reach the output.
 * Tolerant of bad input: a start inside a match and an end outside one are ignored, an
 * unterminated match runs to the end, empty segments are dropped and neighbours of the same kind
 * are merged.
 */
export function splitSnippet(snippet: string): Segment[] {
  const segments: Segment[] = [];
  let match = false;
  let text = "";
  const flush = () => {
    if (text === "") return;
    const last = segments[segments.length - 1];
    if (last && last.match === match) last.text += text;
    else segments.push({ text, match });
    text = "";
  };
  for (const ch of snippet) {
    if (ch === MATCH_START) {
      if (match) continue;
      flush();
      match = true;
    } else if (ch === MATCH_END) {
      if (!match) continue;
      flush();
      match = false;
    } else {
      text += ch;
    }
  }
  flush();
  return segments;
}

/** The segments' text without highlighting. */
export function segmentsText(segments: readonly Segment[]): string {
  return segments.map((s) => s.text).join("");
}

export type ExcerptOptions = {
  /** Longest excerpt, in UTF-16 code units (without the ellipses). */
  max?: number;
  /** Context kept before the first match when the text has to be cut. */
  lead?: number;
};

const ELLIPSIS = "…";

/** Moves `i` off the second half of a surrogate pair so a cut never splits a character. */
function safeCut(text: string, i: number): number {
  const code = text.charCodeAt(i);
  return i > 0 && i < text.length && code >= 0xdc00 && code <= 0xdfff ? i - 1 : i;
}

/**
 * A short window of a long snippet around its first match, with "…" where text was cut and
 * runs of whitespace (newlines included) collapsed to one space. Short snippets come back whole.
 */
export function excerpt(segments: readonly Segment[], opts: ExcerptOptions = {}): Segment[] {
  const max = Math.max(1, opts.max ?? 180);
  const lead = Math.max(0, Math.min(opts.lead ?? 50, max - 1));
  const collapsed: Segment[] = [];
  for (const s of segments) {
    const text = s.text.replace(/\s+/g, " ");
    const last = collapsed[collapsed.length - 1];
    // Keep a single space across a segment boundary.
    const trimmed = last && last.text.endsWith(" ") && text.startsWith(" ") ? text.slice(1) : text;
    if (trimmed === "") continue;
    if (last && last.match === s.match) last.text += trimmed;
    else collapsed.push({ text: trimmed, match: s.match });
  }
  if (collapsed.length > 0) {
    const first = collapsed[0] as Segment;
    first.text = first.text.replace(/^ /, "");
    const last = collapsed[collapsed.length - 1] as Segment;
    last.text = last.text.replace(/ $/, "");
  }
  const full = collapsed.filter((s) => s.text !== "");
  const total = segmentsText(full);
  if (total.length <= max) return full;

  let firstMatch = 0;
  let offset = 0;
  for (const s of full) {
    if (s.match) {
      firstMatch = offset;
      break;
    }
    offset += s.text.length;
  }
  let start = Math.max(0, firstMatch - lead);
  // Start on a word boundary when one is close.
  if (start > 0) {
    const space = total.indexOf(" ", start);
    if (space !== -1 && space < firstMatch && space - start < 15) start = space + 1;
  }
  start = safeCut(total, start);
  let end = Math.min(total.length, start + max);
  end = safeCut(total, end);

  const out: Segment[] = [];
  offset = 0;
  for (const s of full) {
    const from = Math.max(start, offset);
    const to = Math.min(end, offset + s.text.length);
    if (from < to) out.push({ text: s.text.slice(from - offset, to - offset), match: s.match });
    offset += s.text.length;
  }
  if (start > 0) {
    const head = out[0];
    if (head && !head.match) head.text = ELLIPSIS + head.text;
    else out.unshift({ text: ELLIPSIS, match: false });
  }
  if (end < total.length) {
    const tail = out[out.length - 1];
    if (tail && !tail.match) tail.text += ELLIPSIS;
    else out.push({ text: ELLIPSIS, match: false });
  }
  return out;
}
