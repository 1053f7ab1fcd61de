// Tests of avatar initials: names, addresses, emoji, accents and right-to-left scripts.
import { describe, expect, it } from "vitest";
import { initials } from "./initials";

describe("initials", () => {
  it("takes the first letters of the first and last words", () => {
    expect(initials("Anna Berg")).toBe("AB");
    expect(initials("anna maria berg")).toBe("AB");
    expect(initials("Dan")).toBe("D");
    expect(initials("  Dan  ")).toBe("D");
    expect(initials("Jean-Luc Picard")).toBe("JP");
    expect(initials("Carol Chen 12")).toBe("CC");
    expect(initials("Room 101")).toBe("R");
    expect(initials("42")).toBe("4");
  });

  it("reads an address by its local part", () => {
    expect(initials("bob@example.com")).toBe("B");
    expect(initials("anna.berg@example.com")).toBe("AB");
    expect(initials("", "carol@example.com")).toBe("C");
    expect(initials("", "conference.example.com")).toBe("C");
    expect(initials("", "bob@example.com/laptop")).toBe("B");
  });

  it("keeps emoji, accents and other scripts whole", () => {
    expect(initials("😺")).toBe("😺");
    expect(initials("👩‍💻 Dev Team")).toBe("DT");
    expect(initials("Zoë Ångström")).toBe("ZÅ");
    expect(initials("e\u0301mile zola")).toBe("E\u0301Z");
    expect(initials("محمد علي")).toBe("مع");
    expect(initials("שרה כהן")).toBe("שכ");
    expect(initials("山田 太郎")).toBe("山太");
    expect(initials("straße")).toBe("S");
    expect(initials("ßtraße")).toBe("ß");
  });

  it("never returns an empty string", () => {
    expect(initials("", "")).toBe("?");
    expect(initials("   ", "")).toBe("?");
    expect(initials("!!!")).toBe("!");
  });
});
