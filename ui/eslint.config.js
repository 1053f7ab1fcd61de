// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import solid from "eslint-plugin-solid/configs/typescript";

export default tseslint.config(
  { ignores: ["dist/", ".dist-next/", "node_modules/", "src/ipc/bindings.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["src/**/*.{ts,tsx}"],
    ...solid,
  },
  {
    files: ["**/*.{ts,tsx}"],
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
  // Only the IPC wrapper talks to Tauri. Everything else goes through src/ipc/index.ts.
  {
    files: ["src/**/*.{ts,tsx}"],
    ignores: ["src/ipc/**", "src/**/*.test.{ts,tsx}", "src/test/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["@tauri-apps/*"],
              message: "Only src/ipc/ may import @tauri-apps/*; use the wrappers in src/ipc.",
            },
            {
              group: ["**/ipc/bindings", "**/ipc/bindings.ts"],
              message: "Import from src/ipc (index.ts), not the generated bindings.",
            },
          ],
        },
      ],
    },
  },
);
