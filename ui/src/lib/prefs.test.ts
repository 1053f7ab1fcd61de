// Tests of the contact list preferences in localStorage.
import { afterEach, describe, expect, it } from "vitest";
import {
  COLLAPSED_GROUPS_KEY,
  loadCollapsedGroups,
  loadShowOffline,
  saveCollapsedGroups,
  saveShowOffline,
  SHOW_OFFLINE_KEY,
} from "./prefs";

afterEach(() => localStorage.clear());

describe("contact list preferences", () => {
  it("shows offline contacts unless told not to", () => {
    expect(loadShowOffline()).toBe(true);
    saveShowOffline(false);
    expect(localStorage.getItem(SHOW_OFFLINE_KEY)).toBe("false");
    expect(loadShowOffline()).toBe(false);
    saveShowOffline(true);
    expect(loadShowOffline()).toBe(true);
  });

  it("remembers collapsed groups", () => {
    expect(loadCollapsedGroups()).toEqual(new Set());
    saveCollapsedGroups(new Set(["Sales", "Design"]));
    expect(loadCollapsedGroups()).toEqual(new Set(["Design", "Sales"]));
  });

  it("ignores corrupt values", () => {
    localStorage.setItem(COLLAPSED_GROUPS_KEY, "{not json");
    expect(loadCollapsedGroups()).toEqual(new Set());
    localStorage.setItem(COLLAPSED_GROUPS_KEY, JSON.stringify(["Ops", 3, null]));
    expect(loadCollapsedGroups()).toEqual(new Set(["Ops"]));
    localStorage.setItem(SHOW_OFFLINE_KEY, "maybe");
    expect(loadShowOffline()).toBe(true);
  });
});
