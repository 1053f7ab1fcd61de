import { createSignal, createUniqueId, Show } from "solid-js";
import { IpcFailure, errorMessage } from "../../ipc";
import type { IpcError, SignInRequest } from "../../ipc";
import { validateAddress } from "../../lib/address";
import { useHallway } from "../../state/context";

export function SignInForm() {
  const { session } = useHallway();
  const saved = session.state.savedAccount;
  const id = createUniqueId();

  const [address, setAddress] = createSignal(saved?.address ?? "");
  const [password, setPassword] = createSignal("");
  const [server, setServer] = createSignal(saved?.server ?? "");
  const [remember, setRemember] = createSignal(saved !== null);
  const [addressTouched, setAddressTouched] = createSignal(false);
  const [passwordTouched, setPasswordTouched] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  const [failure, setFailure] = createSignal<IpcError | null>(null);

  let addressInput!: HTMLInputElement;
  let passwordInput!: HTMLInputElement;

  const addressError = () => (addressTouched() ? validateAddress(address()) : null);
  const passwordError = () =>
    passwordTouched() && password() === "" ? "Enter your password" : null;
  const alertText = () => failure()?.message ?? session.state.signedOutReason;
  const untrusted = () => {
    const f = failure();
    return f?.code === "certificateUntrusted" && f.fingerprint ? f.fingerprint : null;
  };

  const request = (): SignInRequest => ({
    address: address().trim(),
    password: password(),
    server: server().trim() === "" ? null : server().trim(),
    remember: remember(),
  });

  async function run(action: () => Promise<void>) {
    setBusy(true);
    setFailure(null);
    try {
      await action();
    } catch (e) {
      setFailure(
        e instanceof IpcFailure
          ? e.error
          : { code: "internal", message: errorMessage(e), fingerprint: null },
      );
    } finally {
      setBusy(false);
    }
  }

  function onSubmit(e: SubmitEvent) {
    e.preventDefault();
    if (busy()) return;
    setAddressTouched(true);
    setPasswordTouched(true);
    if (validateAddress(address()) !== null) {
      addressInput.focus();
      return;
    }
    if (password() === "") {
      passwordInput.focus();
      return;
    }
    const req = request();
    void run(() => session.signIn(req));
  }

  function onTrust() {
    const fingerprint = untrusted();
    if (!fingerprint || busy()) return;
    const req = request();
    void run(() => session.trustAndSignIn(req, fingerprint));
  }

  return (
    <form class="signin-form" noValidate onSubmit={onSubmit} aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`} class="signin-title">
        Sign in to Hallway
      </h1>

      <Show when={session.state.notice}>{(notice) => <p class="notice">{notice()}</p>}</Show>

      <div class="field">
        <label for={`${id}-address`}>Address</label>
        <input
          ref={addressInput}
          id={`${id}-address`}
          name="address"
          type="text"
          inputMode="email"
          autocomplete="username"
          autocapitalize="off"
          spellcheck={false}
          placeholder="alice@example.com"
          value={address()}
          onInput={(e) => setAddress(e.currentTarget.value)}
          onBlur={() => address() !== "" && setAddressTouched(true)}
          aria-invalid={addressError() ? "true" : undefined}
          aria-describedby={addressError() ? `${id}-address-error` : undefined}
          disabled={busy()}
        />
        <Show when={addressError()}>
          {(msg) => (
            <p id={`${id}-address-error`} class="field-error">
              {msg()}
            </p>
          )}
        </Show>
      </div>

      <div class="field">
        <label for={`${id}-password`}>Password</label>
        <input
          ref={passwordInput}
          id={`${id}-password`}
          name="password"
          type="password"
          autocomplete="current-password"
          value={password()}
          onInput={(e) => setPassword(e.currentTarget.value)}
          aria-invalid={passwordError() ? "true" : undefined}
          aria-describedby={passwordError() ? `${id}-password-error` : undefined}
          disabled={busy()}
        />
        <Show when={passwordError()}>
          {(msg) => (
            <p id={`${id}-password-error`} class="field-error">
              {msg()}
            </p>
          )}
        </Show>
      </div>

      <div class="field">
        <label for={`${id}-server`}>
          Server <span class="optional">(optional)</span>
        </label>
        <input
          id={`${id}-server`}
          name="server"
          type="text"
          autocomplete="off"
          autocapitalize="off"
          spellcheck={false}
          value={server()}
          onInput={(e) => setServer(e.currentTarget.value)}
          aria-describedby={`${id}-server-hint`}
          disabled={busy()}
        />
        <p id={`${id}-server-hint`} class="field-hint">
          host or host:port, for servers without SRV records
        </p>
      </div>

      <div class="field field--checkbox">
        <input
          id={`${id}-remember`}
          name="remember"
          type="checkbox"
          checked={remember()}
          onChange={(e) => setRemember(e.currentTarget.checked)}
          disabled={busy()}
        />
        <label for={`${id}-remember`}>Remember me</label>
      </div>

      <Show when={alertText()}>
        {(text) => (
          <div role="alert" class="signin-alert">
            <p class="signin-alert-message">{text()}</p>
            <Show when={untrusted()}>
              {(fingerprint) => (
                <div class="cert">
                  <p>
                    Only trust this certificate if your IT department confirms that its SHA-256
                    fingerprint is:
                  </p>
                  <code class="fingerprint">{fingerprint()}</code>
                  <button
                    type="button"
                    class="button button--secondary"
                    onClick={onTrust}
                    disabled={busy()}
                  >
                    Trust this certificate
                  </button>
                </div>
              )}
            </Show>
          </div>
        )}
      </Show>

      <button type="submit" class="button button--primary signin-submit" disabled={busy()}>
        {busy() ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
