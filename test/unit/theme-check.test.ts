/**
 * Shopify Theme Check (@shopify/theme-check-node, the checker behind `shopify theme check`)
 * on the theme app extension, with its theme-app-extension config: 0 errors.
 * Offline: the checker would first try to download the newest Liquid docs and JSON schemas
 * from GitHub; that download is replaced by a failure here, so it uses the docs and
 * schemas bundled with the installed package (same results, pinned to its version).
 */
import { createRequire } from "node:module";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";

const require = createRequire(import.meta.url);
const EXT = path.resolve(import.meta.dirname, "../../extensions/theme-embed");

describe("Shopify Theme Check on extensions/theme-embed", () => {
  it("reports no errors (and says which checks ran on which files)", async () => {
    const downloader = require("@shopify/theme-check-docs-updater/dist/themeLiquidDocsDownloader.js");
    let downloads = 0;
    const offline = async () => {
      downloads++;
      throw new Error("offline: theme-check uses its bundled docs");
    };
    downloader.downloadResource = offline;
    downloader.downloadThemeLiquidDocs = offline;
    const { themeCheckRun } = require("@shopify/theme-check-node") as typeof import("@shopify/theme-check-node");
    const configPath = require.resolve("@shopify/theme-check-node/configs/theme-app-extension.yml");
    // A check that throws (e.g. on a missing locales/ folder) is only logged, not
    // reported: count those too, so a crashed check cannot pass as "0 errors".
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const run = await themeCheckRun(EXT, configPath);
    const crashes = logged.mock.calls.map((c) => String(c[0]));
    logged.mockRestore();
    expect(crashes).toEqual([]);
    const files = run.theme.map((f) => path.relative(EXT, new URL(f.uri).pathname)).sort();
    expect(files).toEqual(["blocks/micro-conversions.liquid", "locales/en.default.json"]);
    // Severity 0 = error, 1 = warning, 2 = info.
    const errors = run.offenses.filter((o) => o.severity === 0);
    const describe = (o: (typeof run.offenses)[number]) => `${o.check} ${path.relative(EXT, new URL(o.uri).pathname)}:${o.start.line + 1}: ${o.message}`;
    expect(errors.map(describe)).toEqual([]);
    expect(run.offenses.map(describe)).toEqual([]);
    expect(downloads).toBeGreaterThan(0); // the network step was really skipped, not silently used
  }, 60_000);
});
