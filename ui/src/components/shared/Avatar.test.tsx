// Tests of the Avatar: decorative initials on the XEP-0392 colour, or an image when given.
import { fireEvent, render } from "@solidjs/testing-library";
import { createSignal } from "solid-js";
import { describe, expect, it } from "vitest";
import { avatarColor } from "../../lib/consistentColor";
import { Avatar } from "./Avatar";

/** The browser's rgb() form of "#rrggbb". */
function rgb(hex: string): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgb(${n >> 16}, ${(n >> 8) & 255}, ${n & 255})`;
}

describe("Avatar", () => {
  it("shows initials on the JID's colour, hidden from assistive technology", () => {
    const { container } = render(() => <Avatar jid="anna@example.com" name="Anna Berg" />);
    const avatar = container.querySelector(".avatar") as HTMLElement;
    expect(avatar.getAttribute("aria-hidden")).toBe("true");
    expect(avatar.textContent).toBe("AB");
    const bg = avatar.style.backgroundColor;
    expect([avatarColor("anna@example.com"), rgb(avatarColor("anna@example.com"))]).toContain(bg);
    expect(container.querySelector("img")).toBeNull();
  });

  it("renders names as text", () => {
    const { container } = render(() => <Avatar jid="x@example.com" name="<b>Evil</b> <i>x</i>" />);
    const avatar = container.querySelector(".avatar") as HTMLElement;
    expect(avatar.querySelector("b, i")).toBeNull();
    expect(avatar.textContent).toBe("<");
  });

  it("shows a decorative image over the initials when given one", () => {
    const [src, setSrc] = createSignal<string | undefined>("avatar.png");
    const { container } = render(() => (
      <Avatar jid="anna@example.com" name="Anna Berg" src={src()} />
    ));
    const img = container.querySelector("img") as HTMLImageElement;
    expect(img.getAttribute("alt")).toBe("");
    expect(img.getAttribute("src")).toBe("avatar.png");
    // The initials stay underneath (visible while the picture decodes); the picture comes after.
    const initialsEl = container.querySelector(".avatar-initials");
    expect(initialsEl?.textContent).toBe("AB");
    expect(initialsEl?.compareDocumentPosition(img)).toBe(Node.DOCUMENT_POSITION_FOLLOWING);

    // a broken image falls back to the initials; a new image is tried again
    fireEvent.error(img);
    expect(container.querySelector("img")).toBeNull();
    expect(container.querySelector(".avatar")?.textContent).toBe("AB");
    setSrc("other.png");
    expect(container.querySelector("img")?.getAttribute("src")).toBe("other.png");
    setSrc(undefined);
    expect(container.querySelector(".avatar")?.textContent).toBe("AB");
  });
});
