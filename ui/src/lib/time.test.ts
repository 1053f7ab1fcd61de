import { describe, expect, it } from "vitest";
import { formatWhen } from "./time";

describe("formatWhen", () => {
  const now = new Date(2026, 5, 15, 18, 0).getTime();

  it("shows the time for today", () => {
    expect(formatWhen(new Date(2026, 5, 15, 9, 5).getTime(), now)).toBe("09:05");
  });

  it("shows the day for earlier dates, with the year only for other years", () => {
    const thisYear = formatWhen(new Date(2026, 0, 5, 9, 5).getTime(), now);
    expect(thisYear).toMatch(/5/);
    expect(thisYear).not.toMatch(/2026|09:05/);
    expect(formatWhen(new Date(2025, 11, 24, 9, 5).getTime(), now)).toMatch(/2025/);
  });
});
