/**
 * The Setup and Coverage pages in real Chromium on the demo (`npm run demo`'s script):
 * the demo seeds traffic through the real pixel and orders through signed orders/create
 * webhooks, including purchases by visitors without consent that the pixel never sent.
 * What the pages show is checked against their loaders' JSON, and that JSON against the
 * demo's database, recomputed here.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../../db/prisma";
import { BROWSER_UA, root } from "../helpers/app-server";
import { launchChromium } from "../helpers/chromium";
import { startDemo, type DemoProcess } from "../helpers/demo-process";
import { parseLoaderBody } from "../helpers/loader-data";
import { sendWebhook } from "../helpers/shopify-auth";
import { readFile } from "node:fs/promises";

const artifacts = path.join(root, "test-results");
const dbFile = path.join(root, ".tmp", `demo-trust-${Date.now()}.sqlite`);
const TZ = "America/New_York";
let demo: DemoProcess;
let browser: Browser;
let page: Page;
let db: Db;

/** "1,234 of 5,678 · 21.7 %", written here independently of the app's formatter. */
const ratioText = (n: number, d: number) =>
  `${n.toLocaleString("en-US")} of ${d.toLocaleString("en-US")} · ${d === 0 ? "—" : `${((n / d) * 100).toFixed(1)} %`}`;

/** A loader's JSON, fetched from inside the page (the App Bridge stand-in adds the session token). */
async function loaderJson(path: string, route: string): Promise<any> {
  const { status, type, text } = await page.evaluate(
    async ([p, r]) => {
      const res = await fetch(`${p}${p.includes("?") ? "&" : "?"}_data=${encodeURIComponent(r)}`);
      return { status: res.status, type: res.headers.get("content-type"), text: await res.text() };
    },
    [path, route] as const,
  );
  return { status, body: parseLoaderBody(type, text) };
}

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  mkdirSync(path.dirname(dbFile), { recursive: true });
  demo = await startDemo({ dbFile });
  db = createDb(`file:${dbFile}`).db;
  browser = await launchChromium();
  page = await browser.newPage({ userAgent: BROWSER_UA });
  await page.route(/^https?:\/\/(?!localhost|127\.0\.0\.1)/, (route) => route.abort());
});

// If the demo's server goes away mid-run, its own output is the only clue: show it.
afterEach((ctx) => {
  if (ctx.task.result?.state === "fail") console.log(`demo output:\n${demo?.output.join("")}`);
});

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
  await db?.$disconnect();
});

describe("trust pages on the demo in real Chromium", () => {
  it("the demo seeded orders through orders/create, some of them invisible to the pixel", async () => {
    expect(demo.output.join("")).toMatch(/orders sent as orders\/create webhooks: \d+ from the online store \(\d+ by visitors without consent/);
    const shop = await db.shop.findUniqueOrThrow({ where: { domain: "demo-shop.myshopify.com" } });
    const online = await db.order.findMany({ where: { shopId: shop.id, onlineStore: true } });
    const seen = new Set((await db.event.findMany({ where: { shopId: shop.id, name: "checkout_completed", isBot: false } })).map((e) => e.orderId));
    expect(online.length).toBeGreaterThan(5);
    expect(online.filter((o) => seen.has(o.orderId)).length).toBeGreaterThan(0);
    expect(online.filter((o) => !seen.has(o.orderId)).length).toBeGreaterThan(0);
    expect(await db.order.count({ where: { shopId: shop.id, onlineStore: false } })).toBe(15);
  });

  it("the dashboard streams coverage and why numbers differ after the rest, with the figures of the Coverage page", async () => {
    const response = await page.goto(demo.url, { waitUntil: "domcontentloaded" });
    expect(response?.status()).toBe(200);
    await page.getByTestId("coverage-ratio").waitFor();
    // The loader defers both cards: its `_data` answer is the critical data, then the cards'.
    const type = await page.evaluate(async () => (await fetch("/app?_data=routes%2Fapp._index")).headers.get("content-type"));
    expect(type).toMatch(/^text\/remix-deferred/);
    const dashboard = await loaderJson("/app", "routes/app._index");
    expect(dashboard.status).toBe(200);
    const { body } = await loaderJson("/app/coverage?range=last30", "routes/app.coverage");
    const t = body.coverage.total;
    expect(t.onlineOrders).toBeGreaterThan(0);
    expect(dashboard.body.panels.coverage.total).toEqual(t);
    expect(dashboard.body.panels.differences).toEqual(body.differences);
    await expect(page.getByTestId("coverage-ratio").innerText()).resolves.toBe(ratioText(t.seen, t.onlineOrders));
    await expect(page.getByTestId("why-consent").innerText()).resolves.toContain(ratioText(t.seen, t.onlineOrders));
    await expect(page.getByTestId("why-bots").innerText()).resolves.toContain(`${body.differences.botSessions} bot session`);
    // Placed last: nothing on the dashboard sits below the two cards, so their arrival moves nothing.
    const layout = await page.evaluate(() => {
      const sections = [...document.querySelectorAll("section[aria-label]")].map((s) => ({
        label: s.getAttribute("aria-label"),
        bottom: s.getBoundingClientRect().bottom,
      }));
      const cards = [...document.querySelectorAll(".Polaris-Card")].map((c) => c.getBoundingClientRect().bottom);
      return { sections, lowest: Math.max(...cards) };
    });
    const trustBottom = Math.max(
      ...layout.sections.filter((s) => s.label === "Tracking coverage" || s.label === "Why these numbers differ from Shopify's").map((s) => s.bottom),
    );
    expect(layout.lowest - trustBottom).toBeLessThan(40);
  });

  it("Setup shows the checklist its loader computed, and coverage equal to the database", async () => {
    const response = await page.goto(demo.url, { waitUntil: "networkidle" });
    expect(response?.status()).toBe(200);
    // The demo shop is installed at the local Admin API: its pixel's settings can be compared.
    const before = await loaderJson("/app/setup", "routes/app.setup");
    expect(before.status).toBe(200);
    expect(before.body.checklist.pixel.settings).toEqual({ result: "current" });

    await page.getByRole("link", { name: "Setup" }).first().click();
    await page.waitForURL(/\/app\/setup/);
    await page.getByRole("heading", { name: "Setup checklist" }).waitFor();
    const { body } = await loaderJson("/app/setup", "routes/app.setup");
    const c = body.checklist;

    // Each item: the state and sentence the loader computed ("… ago" spans may have moved on by a minute since).
    const norm = (s: string) => s.replace(/\d+ (d|h|min)( \d+ (h|min))?|less than a minute/g, "#").replace(/\s+/g, " ");
    for (const item of c.items) {
      const section = page.locator(`section[aria-label="${item.title}"]`);
      await expect(section.getAttribute("data-state")).resolves.toBe(item.state);
      expect(norm(await section.innerText())).toContain(norm(item.summary));
    }
    await page.getByText(`${c.doneCount} of ${c.items.length} done`).waitFor();
    // The demo's local Shopify has protected customer data access: orders/create is subscribed.
    expect(c.items.map((i: { key: string }) => i.key)).toEqual(["pixel", "embed", "events", "orders"]);
    expect(c.items[3].state).toBe("done");
    expect(c.items.map((i: { state: string }) => i.state)).toEqual(expect.arrayContaining(["done"]));
    // The embed is detected from the simulated mc: events; the deep link is Shopify's format.
    expect(c.embed.detected).toBe(true);
    const link = page.getByRole("link", { name: /theme editor/ });
    await expect(link.getAttribute("href")).resolves.toBe(
      "https://demo-shop.myshopify.com/admin/themes/current/editor?context=apps&activateAppId=demo-api-key/micro-conversions",
    );

    // Event kinds: last-7-days counts in the table = the loader = the database.
    const shop = await db.shop.findUniqueOrThrow({ where: { domain: "demo-shop.myshopify.com" } });
    const since = BigInt(c.now - 7 * 86_400_000);
    const std7 = await db.event.count({ where: { shopId: shop.id, ts: { gte: since }, NOT: { name: { startsWith: "mc:" } } } });
    const mc7 = await db.event.count({ where: { shopId: shop.id, ts: { gte: since }, name: { startsWith: "mc:" } } });
    expect([c.events.standard.count7d, c.events.custom.count7d]).toEqual([std7, mc7]);
    const table = await page.locator('section[aria-label="First events received"] table').innerText();
    expect(table).toContain(std7.toLocaleString("en-US"));
    expect(table).toContain(mc7.toLocaleString("en-US"));

    // Coverage on Setup (last 30 days): the rendered ratio = the loader = the database.
    const { from, to } = body.coverage.range;
    const orders = (await db.order.findMany({ where: { shopId: shop.id } })).filter((o) => Number(o.createdAt) >= from && Number(o.createdAt) < to);
    const seen = new Set((await db.event.findMany({ where: { shopId: shop.id, name: "checkout_completed", isBot: false } })).map((e) => e.orderId));
    const online = orders.filter((o) => o.onlineStore);
    const seenCount = online.filter((o) => seen.has(o.orderId)).length;
    expect(body.coverage.total).toMatchObject({ onlineOrders: online.length, seen: seenCount, otherChannelOrders: orders.length - online.length });
    expect(seenCount).toBeLessThan(online.length);
    await expect(page.getByTestId("coverage-ratio").innerText()).resolves.toBe(ratioText(seenCount, online.length));
    await page.screenshot({ path: path.join(artifacts, "trust-setup.png"), fullPage: true });
  });

  it("Coverage shows every day and the range with the counts beside the rate, and why numbers differ", async () => {
    await page.getByRole("link", { name: "Coverage per day" }).click();
    await page.waitForURL(/\/app\/coverage/);
    await page.locator('section[aria-label="Coverage per day"]').waitFor();
    const { status, body } = await loaderJson("/app/coverage?range=last30", "routes/app.coverage");
    expect(status).toBe(200);
    const { coverage, differences } = body;
    const t = coverage.total;

    const rows = page.locator('section[aria-label="Coverage per day"] tbody tr');
    await expect(rows.count()).resolves.toBe(30);
    for (const [i, d] of coverage.days.entries()) {
      const text = await rows.nth(i).innerText();
      expect(text).toContain(d.date);
      expect(text).toContain(ratioText(d.seen, d.onlineOrders));
    }
    await expect(page.getByTestId("coverage-ratio").innerText()).resolves.toBe(ratioText(t.seen, t.onlineOrders));
    const n = (x: number) => x.toLocaleString("en-US");
    // The three numbers reconcile on screen: orders = matched + missed, purchases = matched + no order yet.
    await expect(page.getByTestId("coverage-matched").innerText()).resolves.toBe(`Matched: ${n(t.seen)}`);
    await expect(page.getByTestId("coverage-missed").innerText()).resolves.toBe(`Orders the pixel missed: ${n(t.missed)}`);
    await expect(page.getByTestId("coverage-unmatched").innerText()).resolves.toBe(`Pixel purchases with no order yet: ${n(t.pixelPurchasesWithoutOrder)}`);
    await expect(page.getByTestId("coverage-pixel-purchases").innerText()).resolves.toBe(
      `Purchases seen by the pixel: ${n(t.pixelPurchases)} = ${n(t.seen)} matched + ${n(t.pixelPurchasesWithoutOrder)} with no order yet`,
    );
    await expect(page.getByTestId("coverage-online-orders").innerText()).resolves.toBe(
      `Orders Shopify recorded from the online store: ${n(t.onlineOrders)} = ${n(t.seen)} matched + ${n(t.missed)} missed`,
    );
    expect(t.seen + t.missed).toBe(t.onlineOrders);
    expect(t.seen + t.pixelPurchasesWithoutOrder).toBe(t.pixelPurchases);
    // Every demo purchase (the A/B test's too) has its order; the missed orders are listed by id.
    expect(t.pixelPurchasesWithoutOrder).toBe(0);
    await page.getByText("Every purchase the pixel reported in this range has its online-store order.").waitFor();
    const missedRows = page.locator('section[aria-label="Orders the pixel missed"] tbody tr');
    await expect(missedRows.count()).resolves.toBe(Math.min(t.missed, 50));
    await expect(missedRows.first().innerText()).resolves.toContain(body.lists.missedOrders[0].orderId);
    await expect(page.getByTestId("coverage-excluded").innerText()).resolves.toContain(
      `Excluded: ${t.otherChannelOrders} order${t.otherChannelOrders === 1 ? "" : "s"} from other channels`,
    );
    await page.getByText(`Why the pixel missed ${t.missed} order`).waitFor();

    // Pixel purchases in the range, from the database (what the funnels' purchase step counts).
    const shop = await db.shop.findUniqueOrThrow({ where: { domain: "demo-shop.myshopify.com" } });
    const purchases = await db.event.count({
      where: { shopId: shop.id, name: "checkout_completed", isBot: false, ts: { gte: BigInt(coverage.range.from), lt: BigInt(coverage.range.to) } },
    });
    expect(t.pixelPurchases).toBe(purchases);
    // Sessions: the count beside Shopify's rule, from the database too.
    const sessions = (await db.visitorSession.findMany({ where: { shopId: shop.id, isBot: false } })).filter(
      (s) => Number(s.startTs) >= coverage.range.from && Number(s.startTs) < coverage.range.to,
    );
    const day = (ts: bigint) => Math.floor(Number(ts) / 86_400_000);
    expect(differences.sessions).toBe(sessions.length);
    expect(differences.sessionsCrossingUtcMidnight).toBe(sessions.filter((s) => day(s.endTs) > day(s.startTs)).length);
    const why = await page.getByTestId("why-sessions").innerText();
    if (differences.sessionsCrossingUtcMidnight === 0) {
      expect(why).toContain(`None of our ${differences.sessions.toLocaleString("en-US")} sessions in this range spans midnight UTC`);
    } else {
      expect(why).toContain(`${differences.sessionsCrossingUtcMidnight} of our ${differences.sessions.toLocaleString("en-US")} sessions`);
      expect(why).toContain(`there would be ${differences.sessionsByShopifyRule.toLocaleString("en-US")}`);
    }
    await expect(page.getByTestId("why-consent").innerText()).resolves.toContain(ratioText(t.seen, t.onlineOrders));
    await expect(page.getByTestId("why-bots").innerText()).resolves.toContain(`${differences.botSessions} bot session`);
    expect(coverage.range.timeZone).toBe(TZ);
    await page.screenshot({ path: path.join(artifacts, "trust-coverage.png"), fullPage: true });
  });

  it("a custom range from the picker reloads the numbers for that range", async () => {
    const { body } = await loaderJson("/app/coverage?range=last30", "routes/app.coverage");
    const busiest = [...body.coverage.days].sort((a: any, b: any) => b.onlineOrders - a.onlineOrders)[0];
    await page.getByLabel("Date range").selectOption("custom");
    await page.getByLabel("From", { exact: true }).fill(busiest.date);
    await page.getByLabel("To (included)", { exact: true }).fill(busiest.date);
    await page.getByRole("button", { name: "Apply dates" }).click();
    await page.waitForURL(new RegExp(`range=custom&from=${busiest.date}&to=${busiest.date}`));
    // The URL changes a moment before React commits the new rows: wait for the table itself.
    await page.waitForFunction(() => document.querySelectorAll('section[aria-label="Coverage per day"] tbody tr').length === 1);
    await expect(page.getByTestId("coverage-ratio").innerText()).resolves.toBe(ratioText(busiest.seen, busiest.onlineOrders));
  });

  it("Data requests: a customers/data_request appears on the page; its JSON download holds the customer's events (or says nothing is held); marking it answered removes it", async () => {
    const shop = await db.shop.findUniqueOrThrow({ where: { domain: "demo-shop.myshopify.com" } });
    const linked = await db.event.findFirst({ where: { shopId: shop.id, customerId: { not: null } }, select: { customerId: true } });
    const known = linked?.customerId ?? "31337";
    const secret = "demo-api-secret-local-only"; // scripts/demo.mts's local secret
    for (const [customer, request] of [
      [known, 71],
      ["999000999", 72],
    ] as const) {
      const res = await sendWebhook(
        new URL(demo.url).origin,
        "customers/data_request",
        shop.domain,
        { shop_domain: shop.domain, customer: { id: Number(customer), email: "x@example.com" }, orders_requested: [], data_request: { id: request } },
        { secret },
      );
      expect(res.status).toBe(200);
    }
    await page.getByRole("link", { name: "Data requests" }).first().click();
    await page.waitForURL(/\/app\/data-requests/);
    const card = (customer: string) => page.locator("section", { hasText: `Customer ${customer}` });
    await card(known).waitFor();
    await card("999000999").waitFor();

    const download = async (customer: string) => {
      const [file] = await Promise.all([page.waitForEvent("download"), card(customer).getByRole("button", { name: "Download what is held (JSON)" }).click()]);
      return JSON.parse(await readFile((await file.path())!, "utf8"));
    };
    const held = await download(known);
    const events = await db.event.count({ where: { shopId: shop.id, customerId: known } });
    expect(held.request.customerId).toBe(known);
    expect(held.events).toHaveLength(events);
    expect(held.nothingHeld).toBe(events === 0);
    const nothing = await download("999000999");
    expect(nothing).toMatchObject({ nothingHeld: true, events: [], summary: "Micro-Conversions holds no data about this customer." });
    await page.screenshot({ path: path.join(artifacts, "data-requests.png"), fullPage: true });

    await card("999000999").getByRole("button", { name: "Mark answered" }).click();
    await card("999000999").waitFor({ state: "detached" });
    await expect(card(known).count()).resolves.toBe(1);
    expect(await db.dataRequest.count({ where: { shopId: shop.id } })).toBe(1);
  });
});
