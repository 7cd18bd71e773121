// Events that come right before the visitor leaves the page reach the server: the real
// theme embed and the real web pixel bundle (in a Web Worker, as in the strict sandbox)
// on a storefront page in headless Chromium, the real app server storing the events.
// Links and forms really navigate away; the stored rows are counted.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDemoShop } from "../../scripts/lib/demo-shop";
import { startApp, type TestApp } from "../helpers/app-server";
import { launchChromium } from "../helpers/chromium";
import { startSlowLink, startStorefront, type Storefront } from "../helpers/storefront";

const SHOP = "nav-shop.myshopify.com";
const KEY = "ik_navigation_test_key_1234567890";

let app: TestApp;
let shopId: number;
let store: Storefront;
let browser: Browser;
let slowLink: Awaited<ReturnType<typeof startSlowLink>>;
/** How long the slow link holds the pixel's request: longer than the page takes to go. */
const SLOW_COLLECT_MS = 1500;

beforeAll(async () => {
  app = await startApp({ db: "sqlite" });
  shopId = (await ensureDemoShop(app.db, { domain: SHOP, ingestKey: KEY })).id;
  store = await startStorefront({ ingestUrl: `${app.url}/collect`, ingestKey: KEY, shop: SHOP });
  slowLink = await startSlowLink(`${app.url}/collect`, SLOW_COLLECT_MS);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await store?.close();
  await slowLink?.close();
  await app?.stop();
});

// "localhost" vs the page's 127.0.0.1: another host, so the embed sees an outbound link.
const body = (awayPort: string) => `
  <a id="outbound" href="http://localhost:${awayPort}/elsewhere?ref=x">Our blog</a>
  <a id="download" href="/files/size-guide.pdf">Size guide</a>
  <form id="ContactForm" action="/contact" method="post">
    <input type="hidden" name="form_type" value="contact">
    <textarea id="contact-body" name="contact[body]"></textarea><button id="contact-submit">Send</button>
  </form>`;

// Page requests (the navigation itself) are slowed by CDP; the pixel's requests come from
// a worker, which CDP emulation does not reach, so on "slow" they go through a slow link
// that holds them 1.5 s: the page is gone long before its events arrive.
const NETWORKS = {
  fast: { latency: 0, downloadThroughput: -1, uploadThroughput: -1 },
  slow: { latency: 600, downloadThroughput: (500 * 1024) / 8, uploadThroughput: (500 * 1024) / 8 }, // ~"Slow 3G"
} as const;

async function visit(network: keyof typeof NETWORKS): Promise<{ context: BrowserContext; page: Page; clientId: string }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", { offline: false, ...NETWORKS[network] });
  const port = new URL(store.origin).port;
  const ingestUrl = network === "slow" ? slowLink.url : undefined;
  await page.goto(store.page(`/nav-${network}-${Date.now()}`, { body: body(port), ingestUrl }));
  const clientId = await page.evaluate(() => localStorage.getItem("_mc_test_cid")!);
  return { context, page, clientId };
}

/** Rows stored for this visitor, waited for (the request may still be on a slow link). */
async function stored(clientId: string, names: string[], timeoutMs = 20_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const rows = await app.db.event.findMany({ where: { shopId, clientId }, select: { name: true, ts: true, receivedAt: true } });
    if (names.every((n) => rows.some((r) => r.name === n)) || Date.now() > end) return rows;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Each expected event stored exactly once; on the slow connection it reached the server
 * only after the next page had replaced the one that sent it (so it was in flight when the
 * page and the pixel's worker went away).
 */
function check(rows: Awaited<ReturnType<typeof stored>>, name: string, network: keyof typeof NETWORKS, leftAt: number) {
  expect(rows.map((r) => r.name).sort()).toEqual(["page_viewed", name].sort());
  const row = rows.find((r) => r.name === name)!;
  if (network === "slow") expect(Number(row.receivedAt)).toBeGreaterThan(leftAt);
}

describe.each(["fast", "slow"] as const)("navigation-time events on a %s connection", (network) => {
  it("outbound click that navigates away at once: stored", async () => {
    const { context, page, clientId } = await visit(network);
    await page.click("#outbound");
    await page.waitForURL(/localhost:\d+\/elsewhere/);
    const leftAt = Date.now();
    check(await stored(clientId, ["page_viewed", "mc:outbound_click"]), "mc:outbound_click", network, leftAt);
    await context.close();
  });

  it("download link that navigates away at once: stored", async () => {
    const { context, page, clientId } = await visit(network);
    await page.click("#download");
    await page.waitForURL(/size-guide\.pdf$/);
    const leftAt = Date.now();
    check(await stored(clientId, ["page_viewed", "mc:file_download"]), "mc:file_download", network, leftAt);
    await context.close();
  });

  it("form submit that navigates: stored", async () => {
    const { context, page, clientId } = await visit(network);
    await page.fill("#contact-body", "Hello");
    await page.click("#contact-submit");
    await page.waitForURL(/\/contact$/);
    const leftAt = Date.now();
    // form_start (not urgent) rides along with the submit, typed a moment before.
    const rows = await stored(clientId, ["page_viewed", "mc:form_start", "mc:form_submit"]);
    expect(rows.map((r) => r.name).sort()).toEqual(["mc:form_start", "mc:form_submit", "page_viewed"]);
    if (network === "slow") {
      const submit = rows.find((r) => r.name === "mc:form_submit")!;
      expect(Number(submit.receivedAt)).toBeGreaterThan(leftAt);
    }
    await context.close();
  });
});
