// Tests of the avatar scaler: the centred crop, and the canvas calls with a stubbed decoder.
import { afterEach, describe, expect, it, vi } from "vitest";
import { AVATAR_SIZE, centredSquare, MAX_PICTURE_BYTES, scaleAvatar } from "./scaleAvatar";

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe("centredSquare", () => {
  it("takes the middle of wide and tall pictures, all of a square one", () => {
    expect(centredSquare(400, 300)).toEqual({ x: 50, y: 0, side: 300 });
    expect(centredSquare(300, 401)).toEqual({ x: 0, y: 50, side: 300 });
    expect(centredSquare(192, 192)).toEqual({ x: 0, y: 0, side: 192 });
  });
});

describe("scaleAvatar", () => {
  function stubCanvas() {
    const drawImage = vi.fn();
    const ctx = { drawImage, imageSmoothingEnabled: false, imageSmoothingQuality: "low" };
    vi.spyOn(HTMLCanvasElement.prototype, "getContext").mockReturnValue(
      ctx as unknown as ReturnType<HTMLCanvasElement["getContext"]>,
    );
    const toDataURL = vi
      .spyOn(HTMLCanvasElement.prototype, "toDataURL")
      .mockReturnValue("data:image/png;base64,b3V0");
    return { drawImage, toDataURL };
  }

  it("draws the centred square onto a 192×192 canvas and exports a PNG", async () => {
    const close = vi.fn();
    const bitmap = { width: 640, height: 480, close };
    vi.stubGlobal("createImageBitmap", vi.fn().mockResolvedValue(bitmap));
    const { drawImage, toDataURL } = stubCanvas();

    const url = await scaleAvatar(new Blob(["x"], { type: "image/jpeg" }));
    expect(url).toBe("data:image/png;base64,b3V0");
    expect(toDataURL).toHaveBeenCalledWith("image/png");
    expect(drawImage).toHaveBeenCalledWith(bitmap, 80, 0, 480, 480, 0, 0, AVATAR_SIZE, AVATAR_SIZE);
    expect(close).toHaveBeenCalled();
  });

  it("refuses files that are too large before decoding them", async () => {
    const decode = vi.fn();
    vi.stubGlobal("createImageBitmap", decode);
    const big = { size: MAX_PICTURE_BYTES + 1 } as Blob;
    await expect(scaleAvatar(big)).rejects.toThrow("too large");
    expect(decode).not.toHaveBeenCalled();
  });

  it("says when the file is not a picture", async () => {
    vi.stubGlobal("createImageBitmap", vi.fn().mockRejectedValue(new Error("bad")));
    // the <img> fallback fails too
    vi.spyOn(URL, "createObjectURL").mockReturnValue("blob:nothing");
    vi.spyOn(URL, "revokeObjectURL").mockImplementation(() => {});
    const img = {
      onload: null,
      onerror: null as null | (() => void),
    } as unknown as HTMLImageElement;
    Object.defineProperty(img, "src", {
      set: () => queueMicrotask(() => (img.onerror as () => void)()),
    });
    vi.stubGlobal(
      "Image",
      vi.fn(function () {
        return img;
      }),
    );
    await expect(scaleAvatar(new Blob(["text"]))).rejects.toThrow(
      "This file could not be read as a picture.",
    );
    expect(URL.revokeObjectURL).toHaveBeenCalledWith("blob:nothing");
  });
});
