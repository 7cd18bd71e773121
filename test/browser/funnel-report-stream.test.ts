/**
 * The funnel report page streams its diagnosis, proved on the real server, PostgreSQL and
 * real Chromium. The test holds an ACCESS EXCLUSIVE lock on "Event", which only the
 * diagnosis' paths read touches once the funnel's results are built (the report reads the
 * precomputed rows), so the diagnosis is provably still running while the test looks:
 * - the document's first bytes carry the steps table and the placeholder, not the cards;
 *   the cards follow in the same response once the lock goes;
 * - in Chromium the report is on screen with the placeholder, the cards (and their
 *   actions) arrive after, and nothing shifts (CLS ≤ 0.05 at 1280×800) and the largest
 *   paint is not the diagnosis;
 * - the database dropping the diagnosis' connection (pg_terminate_backend) → a critical
 *   banner under a complete report, the cause in the server's log, the server still up;
 * - an edit committed while the diagnosis reads (decision 010) → no mixed figures, a
 *   banner saying so.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { clsOf } from "../../bench/lib/vitals";
import { createSqlExecutor, type SqlExecutor } from "../../db/executor";
import { dialectOf } from "../../db/prisma";
import { refreshShop } from "../../app/services/funnel-results/refresh.server";
import { ensureDemoShop } from "../../scripts/lib/demo-shop";
import { BROWSER_UA, root, startApp, type TestApp } from "../helpers/app-server";
import { launchChromium } from "../helpers/chromium";
import { seededRandom, seedJourneys, type SeedEvent, type SeedJourney } from "../helpers/funnel-seed";
import { adminHeaders, sessionToken } from "../helpers/shopify-auth";

const SHOP = "report-stream.myshopify.com";
const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const NAMES = ["rs_view", "rs_cart", "rs_checkout", "rs_purchase"];
const LABELS = ["Viewed", "Added to cart", "Started checkout", "Bought"];
const artifacts = path.join(root, "test-results");

let app: TestApp;
let exec: SqlExecutor;
let shopId: number;
let funnelId = "";
let browser: Browser;
let page: Page;
let lock: pg.Client | null = null;

/** Layout shifts and LCP candidates (with whether they sit in the streamed part), from the first paint. */
const OBSERVE = `(() => {
  const b = (window.__vitals = { lcp: [], shifts: [], longtasks: [], events: [], fcp: null, firstInputAt: null });
  new PerformanceObserver((l) => l.getEntries().forEach((e) => b.shifts.push({ t: e.startTime, value: e.value, recent: e.hadRecentInput }))).observe({ type: "layout-shift", buffered: true });
  new PerformanceObserver((l) => l.getEntries().forEach((e) => b.lcp.push({ t: e.startTime, size: e.size, tag: e.element ? e.element.tagName : null,
    streamed: !!(e.element && e.element.closest('[data-testid="diagnosis-card"],[data-testid="paths-card"],[data-testid="diagnosis-pending"]')) }))).observe({ type: "largest-contentful-paint", buffered: true });
})();`;

const reportPath = () => `/app/funnels/${encodeURIComponent(funnelId)}?range=last30`;
/** The page as Shopify admin loads it in its iframe. */
const embedded = (p: string) => {
  const u = new URL(p, app.url);
  u.searchParams.set("embedded", "1");
  u.searchParams.set("shop", SHOP);
  u.searchParams.set("host", Buffer.from("admin.shopify.com/store/report-stream").toString("base64url"));
  u.searchParams.set("id_token", sessionToken(SHOP));
  return u.href;
};

/** Holds "Event" until released: the diagnosis' paths read waits on it. */
async function lockEvents(): Promise<() => Promise<void>> {
  const c = new pg.Client({ connectionString: app.dbUrl });
  await c.connect();
  await c.query("BEGIN");
  await c.query(`LOCK TABLE "Event" IN ACCESS EXCLUSIVE MODE`);
  lock = c;
  return async () => {
    lock = null;
    await c.query("COMMIT");
    await c.end();
  };
}

/** The server's paths read waiting on the lock (the diagnosis runs): its backend's pid. */
async function blockedPathsRead(): Promise<number> {
  const c = new pg.Client({ connectionString: app.dbUrl });
  await c.connect();
  try {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const { rows } = await c.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%CROSS JOIN "Event"%'`,
      );
      if (rows.length > 0) return rows[0].pid;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error("the diagnosis' paths read never waited on the lock");
  } finally {
    await c.end();
  }
}

async function terminate(pid: number) {
  const c = new pg.Client({ connectionString: app.dbUrl });
  await c.connect();
  await c.query("SELECT pg_terminate_backend($1)", [pid]);
  await c.end();
}

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  // No background jobs: the test builds the results itself, and nothing but the page reads "Event".
  app = await startApp({ db: "postgres", demoFor: SHOP, env: { FUNNEL_RESULTS_INTERVAL_MS: "0", AUDIENCE_AUTO_SYNC_CHECK_SECONDS: "0" } });
  exec = createSqlExecutor(app.dbUrl);
  shopId = (await ensureDemoShop(app.db, { domain: SHOP, ingestKey: "ik_report_stream", timeZone: "UTC" })).id;
  const now = Date.now();
  const rnd = seededRandom(21);
  const journeys: SeedJourney[] = [];
  // 600 finished sessions; most of those that stop after the cart read the shipping policy.
  for (let i = 0; i < 600; i++) {
    let at = now - 2 * DAY - Math.floor(rnd() * 23 * DAY);
    const next = () => (at += MIN);
    const events: SeedEvent[] = [{ name: NAMES[0], ts: at }];
    if (rnd() < 0.7) {
      events.push({ name: NAMES[1], ts: next() });
      if (rnd() < 0.4) {
        events.push({ name: NAMES[2], ts: next() });
        if (rnd() < 0.8) events.push({ name: NAMES[3], ts: next() });
      } else if (rnd() < 0.6) events.push({ name: "page_viewed", ts: next(), path: "/policies/shipping-policy" });
    }
    journeys.push({ clientId: `rs-${i}`, device: i % 2 ? "mobile" : "desktop", events });
  }
  await seedJourneys(app.db, shopId, journeys);
  const definition = { name: "Stream", unit: "session", steps: NAMES.map((event, i) => ({ label: LABELS[i], anyOf: [{ event, filters: [] }] })) };
  const created = await fetch(`${app.url}/app/funnels/new?_data=routes%2Fapp.funnels.new`, {
    method: "POST",
    headers: adminHeaders(SHOP),
    body: new URLSearchParams({ definition: JSON.stringify(definition) }),
    redirect: "manual",
  });
  expect(created.status).toBe(204);
  funnelId = decodeURIComponent(/^\/app\/funnels\/([^/?]+)$/.exec(created.headers.get("x-remix-redirect") ?? "")![1]);
  await buildResults();
  browser = await launchChromium();
}, 120_000);

/** The refresher's passes, run here until the shop's funnels are ready: reports then read the rows. */
async function buildResults() {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    await refreshShop({ db: app.db, dialect: dialectOf(app.db), exec }, shopId);
    const building = await app.db.funnel.count({ where: { shopId, resultsState: { not: "ready" } } });
    if (building === 0) return;
  }
  throw new Error("results not built in 60 s");
}

afterEach(async (ctx) => {
  if (lock) await lock.end().catch(() => {});
  lock = null;
  if (ctx.task.result?.state === "fail") {
    console.log(`server output:\n${app?.logs.join("")}`);
    if (page)
      await page
        .screenshot({ path: path.join(artifacts, `report-stream-failed-${ctx.task.name.slice(0, 30).replace(/\W+/g, "-")}.png`), fullPage: true })
        .catch(() => {});
  }
  await page?.close().catch(() => {});
});

afterAll(async () => {
  await browser?.close();
  await exec?.close();
  await app?.stop();
});

async function openPage(): Promise<Page> {
  page = await browser.newPage({ userAgent: BROWSER_UA, viewport: { width: 1280, height: 800 } });
  await page.route(/^https?:\/\/(?!localhost|127\.0\.0\.1)/, (route) => route.abort());
  await page.addInitScript(OBSERVE);
  return page;
}

describe("the funnel report page streams its diagnosis", () => {
  it("the document's first bytes carry the report and the placeholder; the cards follow in the same response", async () => {
    const release = await lockEvents();
    const res = await fetch(embedded(reportPath()), { headers: { "User-Agent": BROWSER_UA } });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let html = "";
    // Everything sent before the diagnosis could finish (its paths read waits on the lock):
    // read up to the placeholder's last words (chunk boundaries fall anywhere, even inside it).
    while (!html.includes("what those sessions did instead.")) {
      const { value, done } = await reader.read();
      if (done) break;
      html += decoder.decode(value, { stream: true });
    }
    await blockedPathsRead();
    expect(html).toContain('data-testid="diagnosis-pending"');
    expect(html).toContain("Download steps CSV");
    expect(html).toContain("Finding for whom “Added to cart” → “Started checkout” loses most… and what those sessions did instead.");
    expect(html).not.toContain('data-testid="diagnosis-card"');
    expect(html).not.toContain('data-testid="paths-card"');
    await release();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      html += decoder.decode(value, { stream: true });
    }
    expect(html).toContain('data-testid="diagnosis-card"');
    expect(html).toContain('data-testid="paths-card"');
    expect(html).toContain('data-testid="diagnosis-actions"');
  });

  it("in Chromium the report shows first, then the cards with their actions, without shifting anything (CLS ≤ 0.05 at 1280×800)", async () => {
    const p = await openPage();
    const release = await lockEvents();
    await p.goto(embedded(reportPath()), { waitUntil: "commit" });
    await p.getByRole("heading", { name: "Steps" }).waitFor();
    const pending = p.getByTestId("diagnosis-pending");
    await pending.waitFor();
    await blockedPathsRead();
    expect(await p.getByTestId("diagnosis-card").count()).toBe(0);
    expect(await p.getByTestId("diagnosis-actions").count()).toBe(0);
    // The viewport only: a full-page shot enlarges the viewport, which would make the
    // placeholder a paint candidate the merchant never had on screen.
    await p.screenshot({ path: path.join(artifacts, "report-stream-pending.png") });
    await release();
    await p.getByTestId("paths-card").getByRole("heading", { name: "What did they do instead?" }).waitFor();
    await p
      .getByTestId("diagnosis-actions")
      .getByRole("button", { name: /^Make an audience of these drop-offs/ })
      .waitFor();
    await pending.waitFor({ state: "detached" });
    type Vitals = Omit<Parameters<typeof clsOf>[0], "lcp"> & { lcp: { t: number; size: number; tag: string | null; streamed: boolean }[] };
    const vitals = await p.evaluate(() => (window as unknown as { __vitals: Vitals }).__vitals);
    expect(clsOf(vitals)).toBeLessThanOrEqual(0.05);
    expect(vitals.lcp.length).toBeGreaterThan(0);
    expect(vitals.lcp.filter((e) => e.streamed)).toEqual([]);
    await p.screenshot({ path: path.join(artifacts, "report-stream-arrived.png"), fullPage: true });
  });

  it("the database dropping the diagnosis' connection: a critical banner under a complete report, the cause logged, the server up", async () => {
    const p = await openPage();
    const release = await lockEvents();
    const logsBefore = app.logs.length;
    await p.goto(embedded(reportPath()), { waitUntil: "commit" });
    await p.getByTestId("diagnosis-pending").waitFor();
    await terminate(await blockedPathsRead());
    await release();
    const failed = p.getByTestId("diagnosis-failed");
    await failed.waitFor();
    expect(await failed.innerText()).toContain("The diagnosis could not be computed: an error on our side stopped it");
    // The report itself is whole.
    await p.getByRole("heading", { name: "Steps" }).waitFor();
    expect(await p.getByTestId("diagnosis-card").count()).toBe(0);
    await p.screenshot({ path: path.join(artifacts, "report-stream-failed.png"), fullPage: true });
    const logged = app.logs.slice(logsBefore).join("");
    expect(logged).toContain(`[funnel-report] diagnosis of funnel ${funnelId} (shop ${shopId}, step 3) failed`);
    expect(logged).toMatch(/terminat/i);
    expect(logged).not.toMatch(/unhandled/i);
    // Still serving: the JSON report (with its diagnosis) answers.
    const json = await (await fetch(`${app.url}/app/funnels/${funnelId}/report?range=last30`, { headers: adminHeaders(SHOP) })).json();
    expect(json.diagnosis.step).toBe(3);
  });

  it("an edit committed while the diagnosis reads: no figures of two versions, a banner saying so", async () => {
    const p = await openPage();
    const release = await lockEvents();
    await p.goto(embedded(reportPath()), { waitUntil: "commit" });
    await p.getByTestId("diagnosis-pending").waitFor();
    await blockedPathsRead();
    const edited = {
      name: "Stream, edited",
      unit: "session",
      steps: NAMES.slice(0, 3).map((event, i) => ({ label: LABELS[i], anyOf: [{ event, filters: [] }] })),
    };
    const res = await fetch(`${app.url}/app/funnels/${encodeURIComponent(funnelId)}/edit?_data=${encodeURIComponent("routes/app.funnels.$id_.edit")}`, {
      method: "POST",
      headers: adminHeaders(SHOP),
      body: new URLSearchParams({ definition: JSON.stringify(edited) }),
      redirect: "manual",
    });
    expect(res.status).toBe(204);
    await release();
    await p.getByTestId("diagnosis-edited").waitFor();
    expect(await p.getByTestId("diagnosis-card").count()).toBe(0);
    await p.screenshot({ path: path.join(artifacts, "report-stream-edited.png"), fullPage: true });
  });
});
