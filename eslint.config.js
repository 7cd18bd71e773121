// ESLint flat config: typescript-eslint's recommended rules over every source folder and
// the rules of hooks over the React app. Formatting is Prettier's job, not ESLint's.
// Untyped on purpose: the type-aware presets took 35 s instead of 15 s on this code and
// flagged ~1,600 no-unsafe-* sites; `tsc --noEmit` already checks the types.
import js from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: ["build/", "generated/", "node_modules/", ".cache/", ".tmp/", ".data/", "test-results/", "extensions/web-pixel/dist/"],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      // Unused names are errors, except the ones marked unused on purpose with a leading _.
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", destructuredArrayIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
      // Validators and scrubbers match control characters on purpose.
      "no-control-regex": "off",
      // Storefront and cleanup code swallows some errors on purpose (never break the shop's page).
      "no-empty": ["error", { allowEmptyCatch: true }],
    },
  },
  {
    files: ["app/**/*.{ts,tsx}"],
    plugins: { "react-hooks": reactHooks },
    rules: { "react-hooks/rules-of-hooks": "error", "react-hooks/exhaustive-deps": "error" },
  },
  {
    // Published coefficients are kept digit for digit as their sources print them.
    files: ["core/stats/**/*.ts"],
    rules: { "no-loss-of-precision": "off" },
  },
  {
    // Tests and tools read loosely typed JSON answers; production code may not use any.
    files: ["test/**", "scripts/**", "bench/**"],
    rules: { "@typescript-eslint/no-explicit-any": "warn" },
  },
);
