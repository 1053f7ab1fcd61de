import { describe, expect, it } from "vitest";
import { completeNick } from "./nickCompletion";

const NICKS = ["Ann", "annika", "Bob", "Zoë <b>"];

describe("completeNick", () => {
  it("completes at the start with a colon, elsewhere with a space, keeping an @", () => {
    expect(completeNick("an", 2, NICKS)).toEqual({ text: "Ann: ", caret: 5 });
    expect(completeNick("thanks bo", 9, NICKS)).toEqual({ text: "thanks Bob ", caret: 11 });
    expect(completeNick("ping @ann please", 9, NICKS)).toEqual({
      text: "ping @Ann please",
      caret: 9,
    });
    expect(completeNick("hi zo", 5, NICKS)).toEqual({ text: "hi Zoë <b> ", caret: 11 });
  });

  it("leaves the text alone when nothing matches or the word is complete", () => {
    expect(completeNick("hello ", 6, NICKS)).toBeNull();
    expect(completeNick("xy", 2, NICKS)).toBeNull();
    expect(completeNick("Bob", 3, NICKS)).toBeNull();
    expect(completeNick("", 0, NICKS)).toBeNull();
  });
});
