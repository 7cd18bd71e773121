/**
 * The browser tests' common start: a demo server on a fresh SQLite file seeded by the
 * test (so the demo skips its own, slower simulation) and a Chromium page on it, with a
 * merchant's user agent and every request off this machine refused.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { createDb, type Db } from "../../db/prisma";
import { migrate } from "../../scripts/lib/migrate";
import { ensureDemoShop } from "../../scripts/lib/demo-shop";
import { BROWSER_UA, root } from "./app-server";
import { launchChromium } from "./chromium";
import { startDemo, type DemoProcess } from "./demo-process";

export const artifacts = path.join(root, "test-results");

export interface SeededDemo {
  demo: DemoProcess;
  browser: Browser;
  page: Page;
  /** A full-page screenshot at test-results/<name>-<shot>.png. */
  shot(shot: string): Promise<unknown>;
  /** The page's URL as Shopify admin loads it in its iframe: embedded params and a session token the demo mints. */
  embeddedUrl(pathAndQuery: string): Promise<string>;
  close(): Promise<void>;
}

export async function openSeededDemo(opts: {
  name: string;
  seed(db: Db, shopId: number, dbUrl: string): Promise<unknown>;
  acceptDownloads?: boolean;
}): Promise<SeededDemo> {
  mkdirSync(artifacts, { recursive: true });
  mkdirSync(path.join(root, ".tmp"), { recursive: true });
  const dbFile = path.join(root, ".tmp", `${opts.name}-${Date.now()}.sqlite`);
  const url = `file:${dbFile}`;
  await migrate(url, { quiet: true });
  const { db } = createDb(url);
  const shop = await ensureDemoShop(db);
  await opts.seed(db, shop.id, url);
  await db.$disconnect();
  const demo = await startDemo({ dbFile });
  const browser = await launchChromium();
  // Headless Chromium's UA is answered as a bot by Shopify's library; a merchant's is not.
  const page = await browser.newPage({ userAgent: BROWSER_UA, acceptDownloads: opts.acceptDownloads ?? false, viewport: { width: 1280, height: 900 } });
  await page.route(/^https?:\/\/(?!localhost|127\.0\.0\.1)/, (route) => route.abort());
  return {
    demo,
    browser,
    page,
    shot: (shot) => page.screenshot({ path: path.join(artifacts, `${opts.name}-${shot}.png`), fullPage: true }),
    async embeddedUrl(pathAndQuery) {
      const token = await page.evaluate(async () => (await (await fetch("/demo/session-token")).json()).token as string);
      const target = new URL(pathAndQuery, demo.url);
      target.searchParams.set("embedded", "1");
      target.searchParams.set("shop", "demo-shop.myshopify.com");
      target.searchParams.set("host", Buffer.from("admin.shopify.com/store/demo-shop").toString("base64url"));
      target.searchParams.set("id_token", token);
      return target.href;
    },
    async close() {
      await browser.close();
      await demo.stop();
    },
  };
}
