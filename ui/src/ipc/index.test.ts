import { emit } from "@tauri-apps/api/event";
import { mockIPC } from "@tauri-apps/api/mocks";
import { describe, expect, it, vi } from "vitest";
import { api, IpcFailure, on } from "./index";

describe("ipc wrapper", () => {
  it("unwraps ok results", async () => {
    mockIPC((cmd, args) => (cmd === "load_history" ? [{ args }] : null));
    await expect(api.loadHistory("a@b", 5, 10)).resolves.toEqual([
      { args: { peer: "a@b", beforeId: 5, limit: 10 } },
    ]);
  });

  it("passes the arguments of the search, history-around and view commands", async () => {
    const seen: [string, unknown][] = [];
    mockIPC((cmd, args) => {
      seen.push([cmd, args]);
      return cmd === "search_messages" || cmd === "load_history_around" ? [] : null;
    });
    await expect(api.searchMessages("lunch")).resolves.toEqual([]);
    await expect(api.loadHistoryAround(42, 50)).resolves.toEqual([]);
    await expect(api.setNotificationPreviews(false)).resolves.toBeNull();
    await expect(api.setVisibleConversation(null, true)).resolves.toBeNull();
    expect(seen).toEqual([
      ["search_messages", { query: "lunch" }],
      ["load_history_around", { id: 42, limit: 50 }],
      ["set_notification_previews", { show: false }],
      ["set_visible_conversation", { peer: null, focused: true }],
    ]);
  });

  it("throws IpcFailure carrying the IpcError", async () => {
    const error = { code: "certificateUntrusted", message: "Untrusted", fingerprint: "AA:BB" };
    mockIPC(() => Promise.reject(error));
    const failure = await api
      .signIn({
        address: "a@b",
        password: "p",
        server: null,
        remember: false,
      })
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(IpcFailure);
    expect((failure as IpcFailure).error).toEqual(error);
    expect((failure as IpcFailure).code).toBe("certificateUntrusted");
    expect((failure as IpcFailure).message).toBe("Untrusted");
  });

  it("turns transport errors into internal IpcFailures", async () => {
    mockIPC(() => Promise.reject("command sign_out not found"));
    const failure = await api.signOut().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(IpcFailure);
    expect((failure as IpcFailure).error).toEqual({
      code: "internal",
      message: "command sign_out not found",
      fingerprint: null,
    });
  });

  it("subscribes and unsubscribes", async () => {
    mockIPC(() => null, { shouldMockEvents: true });
    const cb = vi.fn();
    const sub = on.unreadChanged(cb);
    await sub.ready;
    await emit("unread-changed", { counts: [{ peer: "a@b", unread: 1 }] });
    expect(cb).toHaveBeenCalledWith({ counts: [{ peer: "a@b", unread: 1 }] });
    sub.unsubscribe();
    await emit("unread-changed", { counts: [] });
    expect(cb).toHaveBeenCalledTimes(1);
  });

  it("can unsubscribe before the listener is registered", async () => {
    mockIPC(() => null, { shouldMockEvents: true });
    const cb = vi.fn();
    const sub = on.presencesChanged(cb);
    sub.unsubscribe();
    await sub.ready;
    await emit("presences-changed", { updates: [] });
    expect(cb).not.toHaveBeenCalled();
  });
});
