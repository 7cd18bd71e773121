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

/**
 * Which path carries the navigation-time event:
 * - "pixel": the page has no Shopify.customerPrivacy, so the embed does not beacon;
 * - "pixel+embed": both send, with one id (stored once);
 * - "embed": Shopify's delivery to the sandbox is too late (3 s), the pixel never sees it.
 */
type Path = "pixel" | "pixel+embed" | "embed";

async function visit(network: keyof typeof NETWORKS, path: Path): Promise<{ context: BrowserContext; page: Page; clientId: string }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", { offline: false, ...NETWORKS[network] });
  const port = new URL(store.origin).port;
  const ingestUrl = network === "slow" ? slowLink.url : undefined;
  await page.goto(
    store.page(`/nav-${network}-${Date.now()}`, {
      body: body(port),
      ingestUrl,
      privacyApi: path !== "pixel",
      sandboxDelayMs: path === "embed" ? 3000 : 0,
    }),
  );
  // The pixel has run (its beacon config left for the embed) and page_viewed is stored:
  // what follows is about the event the visitor leaves with.
  await page.waitForFunction(() => localStorage.getItem("mc:beacon") !== null, null, { timeout: 15_000 });
  const clientId = await page.evaluate(() => localStorage.getItem("_mc_test_cid")!);
  await stored(clientId, ["page_viewed"]);
  return { context, page, clientId };
}

type Row = { name: string; eventId: string; receivedAt: bigint };

/** Rows stored for this visitor, waited for (the request may still be on a slow link). */
async function stored(clientId: string, names: string[], timeoutMs = 20_000): Promise<Row[]> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const rows = await app.db.event.findMany({ where: { shopId, clientId }, select: { name: true, eventId: true, receivedAt: true } });
    if (names.every((n) => rows.some((r) => r.name === n)) || Date.now() > end) return rows;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Exactly the expected events, each stored once, by the path under test (the embed's
 * beacon ids start "mc-", the stand-in sandbox's "sh-"); on the slow connection the event
 * reached the server only after the next page had replaced the one that sent it.
 */
function check(rows: Row[], expected: string[], name: string, network: keyof typeof NETWORKS, path: Path, leftAt: number) {
  expect(rows.map((r) => r.name).sort()).toEqual([...expected].sort());
  const row = rows.find((r) => r.name === name)!;
  expect(row.eventId.slice(0, 3)).toBe(path === "pixel" ? "sh-" : "mc-");
  if (network === "slow") expect(Number(row.receivedAt)).toBeGreaterThan(leftAt);
}

describe.each(["fast", "slow"] as const)("navigation-time events on a %s connection", (network) => {
  describe.each(["pixel", "pixel+embed", "embed"] as const)("sent by %s", (path) => {
    it("outbound click that navigates away at once: stored once", async () => {
      const { context, page, clientId } = await visit(network, path);
      await page.click("#outbound");
      await page.waitForURL(/localhost:\d+\/elsewhere/);
      const leftAt = Date.now();
      const expected = ["page_viewed", "mc:outbound_click"];
      check(await stored(clientId, expected), expected, "mc:outbound_click", network, path, leftAt);
      await context.close();
    });

    it("download link that navigates away at once: stored once", async () => {
      const { context, page, clientId } = await visit(network, path);
      await page.click("#download");
      await page.waitForURL(/size-guide\.pdf$/);
      const leftAt = Date.now();
      const expected = ["page_viewed", "mc:file_download"];
      check(await stored(clientId, expected), expected, "mc:file_download", network, path, leftAt);
      await context.close();
    });

    it("form submit that navigates: stored once", async () => {
      const { context, page, clientId } = await visit(network, path);
      await page.fill("#contact-body", "Hello");
      await page.click("#contact-submit");
      await page.waitForURL(/\/contact$/);
      const leftAt = Date.now();
      // form_start is not urgent: it rides along with the pixel's submit; with the
      // sandbox too late only the beaconed submit can arrive.
      const expected = path === "embed" ? ["page_viewed", "mc:form_submit"] : ["page_viewed", "mc:form_start", "mc:form_submit"];
      const rows = await stored(clientId, expected);
      check(rows, expected, "mc:form_submit", network, path, leftAt);
      await context.close();
    });
  });
});

describe("the embed's beacon respects consent", () => {
  it("no analytics consent at click time: the embed sends nothing (and the pixel drops it)", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const port = new URL(store.origin).port;
    // A config left by an earlier, consented page view.
    const clientId = "visitor-without-consent";
    const config = JSON.stringify({ u: `${app.url}/collect`, s: SHOP, k: KEY, c: clientId });
    await context.addInitScript((c) => localStorage.getItem("mc:beacon") || localStorage.setItem("mc:beacon", c), config);
    await page.goto(store.page(`/nav-consent-${Date.now()}`, { body: body(port), consent: false }));
    // The pixel, loaded without consent, removes it...
    await page.waitForFunction(() => localStorage.getItem("mc:beacon") === null, null, { timeout: 15_000 });
    // ...and even if it were there, the embed reads consent at click time.
    await page.evaluate((c) => localStorage.setItem("mc:beacon", c), config);
    const beacons: string[] = [];
    page.on("request", (r) => r.url().includes("/collect") && beacons.push(r.method()));
    await page.click("#outbound");
    await page.waitForURL(/localhost:\d+\/elsewhere/);
    await new Promise((r) => setTimeout(r, 500));
    expect(beacons).toEqual([]);
    expect(await app.db.event.count({ where: { shopId, clientId } })).toBe(0);
    await context.close();
  });
});

// The same server path on PostgreSQL: both copies of each event, one row.
describe("on PostgreSQL", () => {
  let saved: [TestApp, number, Storefront, typeof slowLink];
  beforeAll(async () => {
    saved = [app, shopId, store, slowLink];
    app = await startApp({ db: "postgres" });
    shopId = (await ensureDemoShop(app.db, { domain: SHOP, ingestKey: KEY })).id;
    store = await startStorefront({ ingestUrl: `${app.url}/collect`, ingestKey: KEY, shop: SHOP });
    slowLink = await startSlowLink(`${app.url}/collect`, SLOW_COLLECT_MS);
  });
  afterAll(async () => {
    await store?.close();
    await slowLink?.close();
    await app?.stop();
    [app, shopId, store, slowLink] = saved;
  });

  it.each(["fast", "slow"] as const)("pixel + embed on a %s connection: outbound click, download and form submit each stored once", async (network) => {
    const cases = [
      { action: (p: Page) => p.click("#outbound"), url: /localhost:\d+\/elsewhere/, name: "mc:outbound_click" },
      { action: (p: Page) => p.click("#download"), url: /size-guide\.pdf$/, name: "mc:file_download" },
      { action: (p: Page) => p.click("#contact-submit"), url: /\/contact$/, name: "mc:form_submit" },
    ];
    for (const c of cases) {
      const { context, page, clientId } = await visit(network, "pixel+embed");
      await c.action(page);
      await page.waitForURL(c.url);
      const leftAt = Date.now();
      const expected = ["page_viewed", c.name];
      check(await stored(clientId, expected), expected, c.name, network, "pixel+embed", leftAt);
      await context.close();
    }
  });
});
