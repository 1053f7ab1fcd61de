import { describe, expect, it } from "vitest";
import { excerpt, segmentsText, splitSnippet } from "./snippet";
import type { Segment } from "./snippet";

const S = "\u0002";
const E = "\u0003";
const m = (text: string): Segment => ({ text, match: true });
const t = (text: string): Segment => ({ text, match: false });

describe("splitSnippet", () => {
  it("splits text and matches", () => {
    expect(splitSnippet(`lunch at ${S}noon${E} by the ${S}lake${E}`)).toEqual([
      t("lunch at "),
      m("noon"),
      t(" by the "),
      m("lake"),
    ]);
  });

  it("handles matches at both ends and adjacent matches", () => {
    expect(splitSnippet(`${S}a${E}${S}b${E} c ${S}d${E}`)).toEqual([m("ab"), t(" c "), m("d")]);
  });

  it("returns nothing for an empty snippet or one made only of markers", () => {
    expect(splitSnippet("")).toEqual([]);
    expect(splitSnippet(`${S}${E}${S}${E}`)).toEqual([]);
    expect(splitSnippet(`${E}${S}`)).toEqual([]);
  });

  it("keeps plain text without markers as one segment", () => {
    expect(splitSnippet("no match here")).toEqual([t("no match here")]);
  });

  it("keeps hostile markup as plain text", () => {
    const evil = "<img src=x onerror=alert(1)>";
    expect(splitSnippet(`${evil} ${S}<script>alert(2)</script>${E}`)).toEqual([
      t(`${evil} `),
      m("<script>alert(2)</script>"),
    ]);
  });

  it("tolerates unbalanced markers and never outputs a marker", () => {
    // Stray end: ignored.
    expect(splitSnippet(`a${E}b`)).toEqual([t("ab")]);
    // Start inside a match: ignored.
    expect(splitSnippet(`${S}a${S}b${E}c`)).toEqual([m("ab"), t("c")]);
    // Unterminated match: runs to the end.
    expect(splitSnippet(`a ${S}bc`)).toEqual([t("a "), m("bc")]);
    const weird = `${E}${E}x${S}${S}y${E}${E}z${S}`;
    const out = splitSnippet(weird);
    expect(out).toEqual([t("x"), m("y"), t("z")]);
    expect(segmentsText(out)).not.toContain(S);
    expect(segmentsText(out)).not.toContain(E);
  });

  it("keeps newlines and non-BMP characters", () => {
    expect(splitSnippet(`line 1\n${S}😀 party${E}`)).toEqual([t("line 1\n"), m("😀 party")]);
  });
});

describe("excerpt", () => {
  it("returns short snippets whole, with whitespace collapsed", () => {
    expect(excerpt(splitSnippet(`  see\n\nyou at ${S}noon${E}  `))).toEqual([
      t("see you at "),
      m("noon"),
    ]);
  });

  it("cuts a long snippet around the first match with ellipses", () => {
    const before = "word ".repeat(100);
    const after = " tail".repeat(100);
    const out = excerpt(splitSnippet(`${before}${S}needle${E}${after}`), { max: 60, lead: 20 });
    const text = segmentsText(out);
    expect(text.startsWith("…")).toBe(true);
    expect(text.endsWith("…")).toBe(true);
    expect(text.length).toBeLessThanOrEqual(62);
    expect(out.filter((s) => s.match)).toEqual([m("needle")]);
    const at = text.indexOf("needle");
    expect(at).toBeGreaterThan(5);
    expect(at).toBeLessThanOrEqual(21);
  });

  it("keeps the start when the match is near it", () => {
    const out = excerpt(splitSnippet(`${S}first${E} ${"x".repeat(300)}`), { max: 40 });
    expect(out[0]).toEqual(m("first"));
    expect(segmentsText(out).endsWith("…")).toBe(true);
  });

  it("does not split a surrogate pair", () => {
    const out = excerpt(splitSnippet(`${"😀".repeat(100)}${S}x${E}`), { max: 21, lead: 5 });
    const text = segmentsText(out);
    expect(text).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
    expect(text).not.toMatch(/(?<![\ud800-\udbff])[\udc00-\udfff]/);
  });

  it("handles empty input", () => {
    expect(excerpt([])).toEqual([]);
    expect(excerpt(splitSnippet("   "))).toEqual([]);
  });
});
