/**
 * Real headless Chromium for browser tests and benchmarks, via playwright-core (no bundled browsers:
 * we drive the system Chromium, Debian's `chromium` package).
 *
 *   const browser = await launchChromium();
 *   const page = await browser.newPage();
 *   …
 *   await browser.close();
 *
 * The flags keep the browser from talking to anything but the local test servers
 * (no QUIC, sync, component updates or background fetches), so tests are hermetic.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type LaunchOptions } from "playwright-core";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

function assertInstalled(): void {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  }
}

/** A fresh browser process with an in-memory profile. */
export async function launchChromium(opts: LaunchOptions = {}): Promise<Browser> {
  assertInstalled();
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: 60_000, ...opts });
}

/** A persistent context on a brand-new user-data-dir, deleted again on close. */
export async function launchPersistentChromium(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  assertInstalled();
  const dir = mkdtempSync(path.join(os.tmpdir(), "mc-chromium-"));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    timeout: 60_000,
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
