/**
 * A fresh install in real Chromium: a shop the app has never seen opens the app through
 * the real embedded auth (session token → token exchange against the local Admin API →
 * afterAuth install hook), with zero events. Every admin page loads with its empty state,
 * no false "pixel not created", no JS errors, 0 serious/critical axe violations. Then 30
 * visitors are published through /collect; once the server has no stale visitor left and
 * every funnel's results are ready (waited for, never raced), the dashboard and the main
 * funnel's report show them. Screenshots of every page at both moments in test-results/.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { BROWSER_UA, root, startApp, type TestApp } from "../helpers/app-server";
import { launchChromium } from "../helpers/chromium";
import { postBatch, visitor } from "../helpers/ingest";
import { parseReportCsv } from "../../core/csv";

const SHOP = "fresh-browser.myshopify.com";
const AXE_PATH = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const artifacts = path.join(root, "test-results");

let app: TestApp;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  // The demo server only for the App Bridge stand-in (session tokens for client navigations);
  // the shop is not seeded: it is installed by the app's own path on the first visit.
  app = await startApp({ demoFor: SHOP, env: { AUDIENCE_AUTO_SYNC_CHECK_SECONDS: "0", INGEST_IP_RPS: "100000", INGEST_IP_BURST: "100000" } });
  browser = await launchChromium();
  page = await browser.newPage({ userAgent: BROWSER_UA, acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  await page.route(/^https?:\/\/(?!localhost|127\.0\.0\.1)/, (route) => route.abort());
  page.on("pageerror", (e) => pageErrors.push(`${page.url()}: ${e.message}`));
  page.on("console", (m) => {
    // Requests off this machine are refused by the harness (Shopify's CDN…): not the app's errors.
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) pageErrors.push(`${page.url()}: ${m.text()}`);
  });
}, 120_000);

afterEach(async (ctx) => {
  if (ctx.task.result?.state === "fail" && page)
    await page
      .screenshot({ path: path.join(artifacts, `first-run-failed-${ctx.task.name.replace(/\W+/g, "-").slice(0, 40)}.png`), fullPage: true })
      .catch(() => {});
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

/** The URL Shopify admin loads in its iframe, with a fresh session token minted by the server's stand-in. */
async function embedded(pathAndQuery: string): Promise<string> {
  const token = ((await (await fetch(`${app.url}/demo/session-token`)).json()) as { token: string }).token;
  const target = new URL(pathAndQuery, app.url);
  target.searchParams.set("embedded", "1");
  target.searchParams.set("shop", SHOP);
  target.searchParams.set("host", Buffer.from(`admin.shopify.com/store/${SHOP.split(".")[0]}`).toString("base64url"));
  target.searchParams.set("id_token", token);
  return target.href;
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

async function seriousAxe(): Promise<string[]> {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ path: AXE_PATH });
  const violations: AxeViolation[] = await page.evaluate(async () => {
    const w = window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: AxeViolation[] }> } };
    return (await w.axe.run(document, { resultTypes: ["violations"] })).violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target })),
    }));
  });
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical" || v.id === "region" || v.id.startsWith("landmark-"))
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

/** Opens a page, waits for `ready`, checks what every first-run page must hold, screenshots it. */
async function visit(shot: string, pathAndQuery: string, ready: () => Promise<unknown>) {
  const before = pageErrors.length;
  const res = await page.goto(await embedded(pathAndQuery), { waitUntil: "networkidle" });
  expect(res?.status(), pathAndQuery).toBe(200);
  await ready();
  const text = await page.locator("body").innerText();
  expect(text, pathAndQuery).not.toContain("has not been created");
  expect(await seriousAxe(), pathAndQuery).toEqual([]);
  expect(pageErrors.slice(before), pathAndQuery).toEqual([]);
  await page.screenshot({ path: path.join(artifacts, `first-run-${shot}.png`), fullPage: true });
  return text;
}

/** Clicks a CSV button and parses the file the browser saves. */
async function download(button: string) {
  const [file] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: button }).click()]);
  const saved = path.join(artifacts, `first-run-${file.suggestedFilename()}`);
  await file.saveAs(saved);
  return parseReportCsv(readFileSync(saved, "utf8"));
}

const text = (t: string | RegExp) => () => page.getByText(t).first().waitFor();

describe("a fresh install in Chromium", () => {
  let mainFunnel = "";

  it("the first page after install is the dashboard with the real setup state and a 'waiting for visitors' empty state", async () => {
    expect(await app.db.shop.count({ where: { domain: SHOP } })).toBe(0);
    const body = await visit("empty-dashboard", "/app", text("Waiting for your first visitors"));
    const shop = await app.db.shop.findUniqueOrThrow({ where: { domain: SHOP } });
    expect(shop.pixelStatus).toBe("created");
    expect(body).toContain(`Connected (pixel ${shop.webPixelId})`);
    expect(body).toContain("The app was installed");
    expect(body).not.toMatch(/previous 30 days: 0/);
  });

  it("every admin page has its empty state", async () => {
    const funnels = await visit("empty-funnels", "/app/funnels", text("Your funnels are ready, waiting for visitors"));
    expect(funnels).toContain("Main funnel");
    const shop = await app.db.shop.findUniqueOrThrow({ where: { domain: SHOP } });
    const main = await app.db.funnel.findFirstOrThrow({ where: { shopId: shop.id, isMain: true } });
    mainFunnel = main.id;
    const report = await visit("empty-funnel-report", `/app/funnels/${encodeURIComponent(mainFunnel)}`, text("Waiting for the first visits"));
    expect(report).not.toContain("Try a longer date range");
    await visit("empty-audiences", "/app/audiences", text("No audiences yet"));
    const insights = await visit("empty-insights", "/app/insights", () => page.getByTestId("insights-empty").waitFor());
    expect(insights).not.toMatch(/needs ≥ 30; has 0/);
    await visit("empty-experiments", "/app/insights/experiments", text("No experiment exposures in this range"));
    const coverage = await visit("empty-coverage", "/app/coverage", text("No orders or purchases to compare yet"));
    // No table or cards of zeros: the empty state alone.
    expect(coverage).not.toContain("Per day (");
    expect(coverage).not.toContain("Why these numbers differ");
    await visit("empty-setup", "/app/setup", () => page.getByRole("heading", { name: "Setup checklist" }).waitFor());
    await visit("empty-settings", "/app/settings", () => page.getByRole("heading", { name: "Data retention" }).waitFor());
  });

  it("30 consented visitors through /collect: after the refresher's pass the dashboard and the funnel report show them", async () => {
    const shop = await app.db.shop.findUniqueOrThrow({ where: { domain: SHOP } });
    const now = Date.now();
    const events = [];
    for (let v = 0; v < 30; v++) {
      const clientId = visitor(`fresh-browser-${v}`);
      const at = (k: number) => new Date(now - 15 * 60_000 + v * 5_000 + k * 1_000).toISOString();
      const ev = (k: number, name: string, extra: Record<string, unknown> = {}) => ({
        id: `fb-${v}-${k}`,
        name,
        ts: at(k),
        seq: k,
        clientId,
        path: "/products/mug",
        ...extra,
      });
      events.push(ev(0, "page_viewed"), ev(1, "product_viewed", { productId: "501" }));
      if (v % 2 === 0) events.push(ev(2, "product_added_to_cart", { productId: "501" }));
      if (v % 6 === 0) events.push(ev(3, "checkout_started", { checkoutToken: `fb-tok-${v}`, path: "/checkout" }));
    }
    for (let i = 0; i < events.length; i += 25) {
      const res = await postBatch(app.url, { v: 1, shop: SHOP, key: shop.ingestKey, events: events.slice(i, i + 25) }, { "User-Agent": BROWSER_UA });
      expect(res.status).toBe(202);
      expect(res.json.rejected).toEqual([]);
    }
    // The refresher's pass: no visitor left stale and every funnel's results ready.
    await expect
      .poll(
        async () => {
          const stale = await app.db.staleVisitor.count({ where: { shopId: shop.id } });
          const building = await app.db.funnel.count({ where: { shopId: shop.id, resultsState: { not: "ready" } } });
          return stale + building;
        },
        { timeout: 30_000, interval: 250 },
      )
      .toBe(0);

    const dash = await visit("visitors-dashboard", "/app", () => page.getByRole("heading", { name: "Where you lose people" }).waitFor());
    expect(dash).toMatch(/Sessions\s+30\b/);
    expect(dash).toContain("15 of 30 sessions"); // add-to-cart
    expect(dash).toContain("No earlier period yet");

    const report = await visit("visitors-funnel-report", `/app/funnels/${encodeURIComponent(mainFunnel)}`, text("30 sessions entered the funnel"));
    const firstRow = await page.locator("table").filter({ hasText: "Reached (of step 1)" }).first().locator("tbody tr").first().innerText();
    expect(firstRow).toContain("1. Viewed a product");
    expect(firstRow).toContain("30 of 30");
    expect(report).not.toContain("Waiting for the first visits");
    // A range before the install: said so, not "waiting" (events exist) nor "try a longer range".
    const before = await visit(
      "visitors-report-before-install",
      `/app/funnels/${encodeURIComponent(mainFunnel)}?range=custom&from=2025-01-01&to=2025-01-31`,
      text("This range is before the app was installed"),
    );
    expect(before).not.toContain("Try a longer date range");

    // The dashboard's and Coverage's CSVs, downloaded through their buttons and parsed.
    await visit("visitors-dashboard", "/app", () => page.getByRole("heading", { name: "Where you lose people" }).waitFor());
    const dashCsv = await download("Download the dashboard figures");
    expect(dashCsv.meta).toMatchObject({ Report: "Dashboard", Unit: "session", "Time zone": "America/New_York", "Events received": String(events.length) });
    expect(dashCsv.table[1].slice(0, 2)).toEqual(["Sessions", "30"]);
    expect(dashCsv.table.find((r) => r[0] === "Add-to-cart rate")!.slice(1, 4)).toEqual(["15", "30", "0.5"]);

    await visit("visitors-funnels", "/app/funnels", text("Main funnel"));
    expect(await page.getByTestId("funnels-waiting").count()).toBe(0);
    await visit("visitors-insights", "/app/insights", () => page.getByTestId("planner-table").waitFor());
    await visit("visitors-coverage", "/app/coverage", text("No orders or purchases to compare yet"));
    const covCsv = await download("Download coverage per day");
    expect(covCsv.meta).toMatchObject({ Report: "Tracking coverage", "Days before the data start left out": "29" });
    expect(covCsv.table.map((r) => r[0]).slice(-1)).toEqual(["Range"]);
    await visit("visitors-audiences", "/app/audiences", text("No audiences yet"));
    await visit("visitors-experiments", "/app/insights/experiments", text("No experiment exposures in this range"));
    await visit("visitors-setup", "/app/setup", () => page.getByRole("heading", { name: "Setup checklist" }).waitFor());
    await visit("visitors-settings", "/app/settings", () => page.getByRole("heading", { name: "Data retention" }).waitFor());

    // An audience: the list shows its automatic sync, off, then daily once switched on.
    await page.goto(await embedded("/app/audiences/new"), { waitUntil: "networkidle" });
    await page
      .getByRole("button", { name: /^Create/ })
      .first()
      .click();
    await page.waitForURL(/\/app\/audiences\/(?!new)[^/?]+/);
    const audienceUrl = new URL(page.url()).pathname;
    await visit("audiences-list-off", "/app/audiences", text("Never run automatically"));
    expect(await page.getByRole("columnheader", { name: "Automatic sync" }).count()).toBe(1);
    await page.goto(await embedded(audienceUrl), { waitUntil: "networkidle" });
    await page.getByLabel("Sync automatically every day").check();
    await expect.poll(async () => (await app.db.audience.findFirstOrThrow({ where: { shopId: shop.id } })).autoSync).toBe(true);
    const list = await visit("audiences-list-daily", "/app/audiences", text("First run within minutes"));
    expect(list).toContain("Daily");
  });
});
