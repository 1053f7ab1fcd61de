import { describe, expect, it } from "vitest";
import { message } from "../test/backend";
import { compareMessages, insertionIndex } from "./messageOrder";

describe("message order", () => {
  const at = (id: number, timestamp: number) => message("bob@x", { id, timestamp });

  it("orders by time, then by id", () => {
    expect(compareMessages(at(9, 1), at(1, 2))).toBeLessThan(0);
    expect(compareMessages(at(2, 5), at(1, 5))).toBeGreaterThan(0);
    expect(compareMessages(at(1, 5), at(1, 5))).toBe(0);
  });

  it("finds where a message goes", () => {
    const list = [at(1, 10), at(2, 20), at(3, 20), at(4, 30)];
    expect(insertionIndex(list, at(9, 5))).toBe(0);
    expect(insertionIndex(list, at(9, 20))).toBe(3);
    expect(insertionIndex(list, at(0, 20))).toBe(1);
    expect(insertionIndex(list, at(9, 40))).toBe(4);
    expect(insertionIndex([], at(1, 1))).toBe(0);
  });
});
