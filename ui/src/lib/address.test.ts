import { describe, expect, it } from "vitest";
import { ADDRESS_HINT, isValidAddress, validateAddress } from "./address";

describe("isValidAddress", () => {
  it.each(["alice@example.com", "a@b", "first.last@mail.example.org", "  bob@example.com  "])(
    "accepts %s",
    (address) => expect(isValidAddress(address)).toBe(true),
  );

  it.each([
    "",
    "alice",
    "alice@",
    "@example.com",
    "alice@@example.com",
    "alice@bob@example.com",
    "ali ce@example.com",
    "alice@exa mple.com",
    "alice@example.com/laptop",
    "alice@example..com",
    "alice@.example.com",
    "alice@example.com.",
  ])("rejects %j", (address) => expect(isValidAddress(address)).toBe(false));
});

describe("validateAddress", () => {
  it("asks for an address when empty", () => {
    expect(validateAddress("  ")).toMatch(/Enter your address/);
  });
  it("gives the example hint for a malformed address", () => {
    expect(validateAddress("alice")).toBe(ADDRESS_HINT);
    expect(ADDRESS_HINT).toBe("Enter an address like alice@example.com");
  });
  it("returns null for a good address", () => {
    expect(validateAddress("alice@example.com")).toBeNull();
  });
});
