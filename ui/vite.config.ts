import { defineConfig } from "vitest/config";
import solid from "vite-plugin-solid";

// Tauri serves the built files from its own protocol; the dev server must sit on a fixed port
// because tauri.conf.json's devUrl points at it.
export default defineConfig({
  plugins: [solid()],
  clearScreen: false,
  server: {
    port: 1420,
    strictPort: true,
  },
  build: {
    outDir: "dist",
    // WebKitGTK (Linux) and WKWebView (macOS) are Safari-class engines.
    target: ["es2021", "safari15"],
    minify: "oxc",
    sourcemap: false,
  },
  test: {
    environment: "happy-dom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test/setup.ts"],
  },
});
