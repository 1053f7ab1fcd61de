import { fireEvent, render, screen, waitFor } from "@solidjs/testing-library";
import { describe, expect, it } from "vitest";
import { App } from "../../App";
import { fail, ipcError, mockBackend, snapshot } from "../../test/backend";
import type { Args } from "../../test/backend";

const signedOut =
  (overrides = {}) =>
  () =>
    snapshot({ account: null, connection: { state: "offline" }, savedAccount: null, ...overrides });

async function openForm() {
  render(() => <App />);
  await screen.findByRole("heading", { name: "Sign in to Hallway" });
  return {
    address: screen.getByLabelText("Address") as HTMLInputElement,
    password: screen.getByLabelText("Password") as HTMLInputElement,
    server: screen.getByLabelText(/^Server/) as HTMLInputElement,
    remember: screen.getByRole("checkbox", { name: "Remember me" }) as HTMLInputElement,
    submit: screen.getByRole("button", { name: "Sign in" }),
  };
}

function fill(input: HTMLInputElement, value: string) {
  fireEvent.input(input, { target: { value } });
}

describe("sign-in form", () => {
  it("has the labelled fields", async () => {
    mockBackend({ get_app_state: signedOut() });
    const f = await openForm();
    expect(f.address.placeholder).toBe("alice@example.com");
    expect(f.address.autocomplete).toBe("username");
    expect(f.password.type).toBe("password");
    expect(f.server.getAttribute("aria-describedby")).toBeTruthy();
    const hint = document.getElementById(f.server.getAttribute("aria-describedby") ?? "");
    expect(hint?.textContent).toBe("host or host:port, for servers without SRV records");
    expect(f.remember.checked).toBe(false);
  });

  it("shows an inline error for an invalid address and does not call signIn", async () => {
    const backend = mockBackend({ get_app_state: signedOut() });
    const f = await openForm();
    fill(f.address, "alice at example.com");
    fill(f.password, "secret");
    fireEvent.click(f.submit);

    await waitFor(() => expect(f.address.getAttribute("aria-invalid")).toBe("true"));
    const errorId = f.address.getAttribute("aria-describedby");
    expect(errorId).toBeTruthy();
    expect(document.getElementById(errorId ?? "")?.textContent).toBe(
      "Enter an address like alice@example.com",
    );
    expect(backend.callsTo("sign_in")).toHaveLength(0);

    fill(f.address, "alice@example.com");
    expect(f.address.getAttribute("aria-invalid")).toBeNull();
  });

  it("prefills address and server from savedAccount and shows the notice", async () => {
    mockBackend({
      get_app_state: signedOut({
        savedAccount: { address: "alice@corp.example", server: "xmpp.corp.example:5222" },
        notice: "No keychain available: your password was not saved.",
      }),
    });
    const f = await openForm();
    expect(f.address.value).toBe("alice@corp.example");
    expect(f.server.value).toBe("xmpp.corp.example:5222");
    expect(f.remember.checked).toBe(true);
    expect(screen.getByText("No keychain available: your password was not saved.")).toBeTruthy();
  });

  it("sends the request and shows the error message from signIn in an alert", async () => {
    let release: (v: unknown) => void = () => {};
    const backend = mockBackend({
      get_app_state: signedOut(),
      sign_in: () =>
        new Promise((_, reject) => {
          release = () => reject(ipcError("authFailed", "Wrong password for alice@example.com"));
        }),
    });
    const f = await openForm();
    fill(f.address, " alice@example.com ");
    fill(f.password, "hunter2");
    fill(f.server, "chat.example.com:5223");
    fireEvent.click(f.remember);
    fireEvent.click(f.submit);

    const busy = await screen.findByRole("button", { name: "Signing in…" });
    expect((busy as HTMLButtonElement).disabled).toBe(true);
    expect(backend.callsTo("sign_in")).toEqual([
      {
        req: {
          address: "alice@example.com",
          password: "hunter2",
          server: "chat.example.com:5223",
          remember: true,
        },
      },
    ]);

    release(undefined);
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("Wrong password for alice@example.com");
    expect((screen.getByRole("button", { name: "Sign in" }) as HTMLButtonElement).disabled).toBe(
      false,
    );
  });

  it("offers to trust an untrusted certificate, then signs in again", async () => {
    const fingerprint =
      "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";
    let signInCalls = 0;
    let signedIn = false;
    const backend = mockBackend({
      get_app_state: () => (signedIn ? snapshot({ account: "alice@example.com" }) : signedOut()()),
      sign_in: () => {
        signInCalls++;
        if (signInCalls === 1) {
          return Promise.reject(
            ipcError(
              "certificateUntrusted",
              "The server's certificate is not trusted.",
              fingerprint,
            ),
          );
        }
        signedIn = true;
        return null;
      },
    });
    const f = await openForm();
    fill(f.address, "alice@example.com");
    fill(f.password, "pw");
    fireEvent.click(f.submit);

    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("The server's certificate is not trusted.");
    const code = alert.querySelector("code");
    expect(code?.textContent).toBe(fingerprint);

    fireEvent.click(screen.getByRole("button", { name: "Trust this certificate" }));
    await screen.findByRole("list", { name: "Contacts" });

    const order = backend.commands().filter((c) => c === "trust_certificate" || c === "sign_in");
    expect(order).toEqual(["sign_in", "trust_certificate", "sign_in"]);
    expect(backend.callsTo("trust_certificate")).toEqual([
      { address: "alice@example.com", fingerprint },
    ]);
    const second = backend.callsTo("sign_in")[1] as Args;
    expect(second.req).toMatchObject({ address: "alice@example.com", password: "pw" });
  });

  it("shows a network error without a trust button", async () => {
    mockBackend({
      get_app_state: signedOut(),
      sign_in: fail(ipcError("network", "Could not resolve example.invalid")),
    });
    const f = await openForm();
    fill(f.address, "alice@example.invalid");
    fill(f.password, "pw");
    fireEvent.click(f.submit);
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toBe("Could not resolve example.invalid");
    expect(screen.queryByRole("button", { name: "Trust this certificate" })).toBeNull();
  });
});
