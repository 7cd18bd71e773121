/**
 * Bundles the web pixel (extensions/web-pixel/src/index.ts) the way it ships: one
 * minified IIFE with no imports, because the strict sandbox runs it as a plain worker
 * script. `shopify app deploy` does its own build; this one exists to enforce the size
 * budget and to give the test harness exactly the production code.
 *
 *   npx tsx scripts/build-pixel.ts      writes extensions/web-pixel/dist/pixel.js
 */
import { build } from "esbuild";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const PIXEL_ENTRY = path.join(root, "extensions/web-pixel/src/index.ts");
export const PIXEL_OUT = path.join(root, "extensions/web-pixel/dist/pixel.js");
/** Our own budget (Shopify's limit is 128 KB): a pixel this small costs nothing to load. */
export const PIXEL_BUDGET_BYTES = 10 * 1024;

export interface PixelBuild {
  bytes: number;
  code: string;
}

/** Builds the pixel; `write: false` keeps it in memory (tests running in parallel). */
export async function buildPixel(opts: { write?: boolean } = {}): Promise<PixelBuild> {
  const result = await build({
    entryPoints: [PIXEL_ENTRY],
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "es2020",
    minify: true,
    legalComments: "none",
    write: false,
    logLevel: "silent",
  });
  const code = result.outputFiles[0].text;
  if (opts.write !== false) {
    mkdirSync(path.dirname(PIXEL_OUT), { recursive: true });
    writeFileSync(PIXEL_OUT, code);
  }
  return { bytes: Buffer.byteLength(code), code };
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const { bytes } = await buildPixel();
  const over = bytes > PIXEL_BUDGET_BYTES;
  console.log(`${path.relative(root, PIXEL_OUT)}: ${bytes} bytes (budget ${PIXEL_BUDGET_BYTES})`);
  if (over) process.exitCode = 1;
}
