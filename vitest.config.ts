import { defineConfig } from "vitest/config";
import path from "node:path";

const alias = { "~": path.resolve(__dirname, "app") };

// Three projects: pure unit tests (fast, parallel), integration tests against the real
// server + real SQLite/PostgreSQL, and browser tests in real headless Chromium.
export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      { resolve: { alias }, test: { name: "unit", include: ["test/unit/**/*.test.ts"], environment: "node" } },
      {
        resolve: { alias },
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          environment: "node",
          testTimeout: 60_000,
          hookTimeout: 180_000,
          globalSetup: ["test/setup/global.ts"],
          fileParallelism: false,
        },
      },
      {
        resolve: { alias },
        test: {
          name: "faults",
          include: ["test/faults/**/*.test.ts"],
          // Fault tests measure latency under attack and crashes: they run after the other
          // projects, alone, so another suite's load does not decide their p99.
          sequence: { groupOrder: 1 },
          environment: "node",
          testTimeout: 600_000,
          hookTimeout: 180_000,
          globalSetup: ["test/setup/global.ts"],
          fileParallelism: false,
        },
      },
      {
        resolve: { alias },
        test: {
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          environment: "node",
          testTimeout: 60_000,
          hookTimeout: 180_000,
          globalSetup: ["test/setup/global.ts"],
          fileParallelism: false,
        },
      },
    ],
  },
});
