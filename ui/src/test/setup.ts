// Vitest setup: after each test, unmount, drop the Tauri mocks, reset the title and localStorage.
import { cleanup } from "@solidjs/testing-library";
import { clearMocks } from "@tauri-apps/api/mocks";
import { afterEach } from "vitest";

afterEach(async () => {
  cleanup();
  await Promise.resolve();
  clearMocks();
  document.title = "";
  localStorage.clear();
});
