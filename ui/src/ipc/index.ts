// The one client wrapper around the generated bindings (bindings.ts, from tauri-specta).
// - Commands: `api.x(...)` for every generated `commands.x`, unwrapping `Result<T, IpcError>`
//   and throwing `IpcFailure` on error.
// - Events: `on.x(cb)` subscribes and returns a synchronous unsubscribe function plus a `ready`
//   promise that resolves once the listener is registered with the backend.
// Nothing outside src/ipc/ may import @tauri-apps/* or bindings.ts (enforced by eslint).
import { commands, events } from "./bindings";
import type { IpcError, IpcErrorCode } from "./bindings";

export type * from "./bindings";
/** The file types the backend opens (documents, pictures, audio, video, archives). */
export { OPENABLE_EXTENSIONS } from "./bindings";

/** A command failed; `error` is the backend's IpcError (or a synthesised `internal` one). */
export class IpcFailure extends Error {
  readonly error: IpcError;

  constructor(error: IpcError) {
    super(error.message);
    this.name = "IpcFailure";
    this.error = error;
  }

  get code(): IpcErrorCode {
    return this.error.code;
  }
}

function isIpcError(value: unknown): value is IpcError {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { code?: unknown }).code === "string" &&
    typeof (value as { message?: unknown }).message === "string"
  );
}

function toIpcError(value: unknown): IpcError {
  if (isIpcError(value)) {
    return { code: value.code, message: value.message, fingerprint: value.fingerprint ?? null };
  }
  const message =
    value instanceof Error ? value.message : typeof value === "string" ? value : String(value);
  return { code: "internal", message: message || "Unexpected error", fingerprint: null };
}

/** Turn anything thrown by a command wrapper into a user-facing message. */
export function errorMessage(err: unknown): string {
  if (err instanceof IpcFailure) return err.message;
  return toIpcError(err).message;
}

/** The shape tauri-specta's commands resolve to. */
export type Result<T, E> = { status: "ok"; data: T } | { status: "error"; error: E };

async function unwrap<T>(pending: Promise<Result<T, IpcError>>): Promise<T> {
  let result: Result<T, IpcError>;
  try {
    result = await pending;
  } catch (e) {
    // Transport-level failure (e.g. the command does not exist): still an IpcFailure.
    throw new IpcFailure(toIpcError(e));
  }
  if (result.status === "error") throw new IpcFailure(toIpcError(result.error));
  return result.data;
}

type Command = (...args: never[]) => Promise<Result<unknown, IpcError>>;
type Unwrapped<F> = F extends (...args: infer A) => Promise<Result<infer T, IpcError>>
  ? (...args: A) => Promise<T>
  : never;

/** Every command of the generated bindings, resolving to its value or throwing IpcFailure. */
export type Api = { [K in keyof typeof commands]: Unwrapped<(typeof commands)[K]> };

/**
 * The commands, made from the generated bindings (one per `#[tauri::command]` in
 * src-tauri/src/commands.rs): nothing here lists them again, so nothing can drift.
 */
export const api = Object.fromEntries(
  Object.entries(commands as Record<string, Command>).map(([name, command]) => [
    name,
    (...args: never[]) => unwrap(command(...args)),
  ]),
) as Api;

export interface Subscription {
  /** Stop listening. Safe to call before the listener is registered, and more than once. */
  unsubscribe: () => void;
  /** Resolves once the backend has registered the listener. */
  ready: Promise<void>;
}

type Listenable<T> = {
  listen: (cb: (e: { payload: T }) => void) => Promise<() => void>;
};

function subscribe<T>(event: Listenable<T>, cb: (payload: T) => void): Subscription {
  let active = true;
  let unlisten: (() => void) | undefined;
  const ready = event
    .listen((e) => {
      if (active) cb(e.payload);
    })
    .then(
      (fn) => {
        if (active) unlisten = fn;
        else fn();
      },
      (err: unknown) => {
        console.error("Hallway: could not subscribe to an event", err);
      },
    );
  return {
    unsubscribe: () => {
      if (!active) return;
      active = false;
      unlisten?.();
      unlisten = undefined;
    },
    ready,
  };
}

type Payload<E> = E extends Listenable<infer T> ? T : never;
type Subscribers = {
  [K in keyof typeof events]: (cb: (payload: Payload<(typeof events)[K]>) => void) => Subscription;
};

/** `on.presencesChanged(p => …)`: one subscribe helper per event of the generated bindings. */
export const on = Object.fromEntries(
  Object.entries(events as Record<string, Listenable<unknown>>).map(([name, event]) => [
    name,
    (cb: (payload: unknown) => void) => subscribe(event, cb),
  ]),
) as Subscribers;
