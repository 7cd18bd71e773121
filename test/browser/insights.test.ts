/**
 * Insights, experiments and audiences in real Chromium on the demo (`npm run demo`):
 * counts beside every rate, the "not enough data" caveat where groups are small, the
 * experiment readout from the demo experiment, an audience's CSV download equal to the
 * page, and the sync through the local Admin API. Screenshots go to test-results/.
 */
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemoExperiment } from "../../scripts/lib/demo-experiment";
import { DEMO_INGEST_KEY, DEMO_SHOP } from "../../scripts/lib/demo-shop";
import { BROWSER_UA, root } from "../helpers/app-server";
import { launchChromium } from "../helpers/chromium";
import { startDemo, type DemoProcess } from "../helpers/demo-process";

const artifacts = path.join(root, "test-results");
/** "1,234 of 5,678 · 21.7 %": a rate with its counts. */
const COUNTED_RATE = /^\d[\d,]* of \d[\d,]* · (\d+\.\d %|—)$/;
let demo: DemoProcess;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  mkdirSync(path.join(root, ".tmp"), { recursive: true });
  demo = await startDemo({ dbFile: path.join(root, ".tmp", `demo-insights-${Date.now()}.sqlite`) });
  const origin = new URL(demo.url).origin;
  const seeded = await seedDemoExperiment({ appUrl: origin, ingestKey: DEMO_INGEST_KEY, shop: DEMO_SHOP });
  expect(seeded.rejected).toBe(0);
  expect(seeded.accepted + seeded.duplicates).toBe(seeded.events);
  browser = await launchChromium();
  page = await browser.newPage({ userAgent: BROWSER_UA, acceptDownloads: true, viewport: { width: 1440, height: 1000 } });
  await page.route(/^https?:\/\/(?!localhost|127\.0\.0\.1)/, (route) => route.abort());
  await page.goto(demo.url, { waitUntil: "networkidle" });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

/** Text of every cell of a DataTable inside the element with this test id, row by row. */
async function tableCells(testId: string): Promise<string[][]> {
  await page.locator(`[data-testid="${testId}"] tbody tr`).first().waitFor();
  return page.locator(`[data-testid="${testId}"] tbody tr`).evaluateAll((rows) =>
    rows.map((r) => [...r.querySelectorAll("th, td")].map((c) => (c as HTMLElement).innerText.trim())),
  );
}

describe("insights in real Chromium on the demo", () => {
  it("micro value and planner side by side, every rate with its counts, caveats where data is thin", async () => {
    await page.getByRole("link", { name: "Insights" }).first().click();
    await page.waitForURL(/\/app\/insights/);
    await page.getByRole("heading", { name: /Micro → Purchase/ }).waitFor();

    const value = await tableCells("micro-value-table");
    expect(value.length).toBeGreaterThan(2);
    for (const [label, did, didNot, lift] of value) {
      expect(did, label).toMatch(COUNTED_RATE);
      expect(didNot, label).toMatch(COUNTED_RATE);
      expect(lift, label).toMatch(/^\d+\.\d\d×\n(95 % CI \d+\.\d\d× – \d+\.\d\d×( · includes 1×: could be chance)?|no conversions in group A; no confidence interval)$/);
    }
    // Small groups: the lift is hidden with the reason, counts only.
    const hidden = page.locator('[data-testid="micro-value-hidden"]');
    await hidden.waitFor();
    const hiddenText = await hidden.innerText();
    expect(hiddenText).toContain("Not enough data");
    expect(hiddenText).toMatch(/not enough data: needs ≥ 30 visitors in each group; has \d+/);
    // Steps nobody converted without (add to cart for a purchase): rates with counts, no ratio.
    const prerequisite = page.locator('[data-testid="micro-value-prerequisite"] li');
    for (const text of await prerequisite.allInnerTexts()) {
      expect(text).toMatch(/^.+: \d[\d,]* of \d[\d,]* · \d+\.\d % of those who did it reached the goal, 0 of \d[\d,]* · 0\.0 % of those who did not/);
    }

    const plan = await tableCells("planner-table");
    expect(plan[0][0]).toMatch(/^Purchase \(goal\)/);
    for (const [metric, baseline, perVariant, weeks] of plan) {
      expect(baseline, metric).toMatch(COUNTED_RATE);
      if (perVariant !== "—") expect(weeks, metric).toMatch(/^\d[\d,]* weeks? \(\d[\d,]*\.\d\)$/);
      else expect(weeks.length, metric).toBeGreaterThan(10); // the reason
    }
    // Thin baselines carry their caveat.
    const caveats = plan.filter(([metric]) => /rough estimate/.test(metric));
    const thin = plan.filter(([, baseline]) => Number(baseline.split(" of ")[0].replace(/,/g, "")) > 0 && Number(baseline.split(" of ")[0].replace(/,/g, "")) < 30);
    expect(caveats.length).toBe(thin.length);
    await page.screenshot({ path: path.join(artifacts, "insights-value-planner.png"), fullPage: true });
  });

  it("changes the macro goal and the planner's MDE through the controls", async () => {
    await page.getByLabel("Macro goal").selectOption("newsletter");
    await page.waitForURL(/goal=newsletter/);
    await page.getByRole("heading", { name: /Micro → Newsletter signup/ }).waitFor();
    await page.getByLabel("MDE (relative %)").fill("20");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForURL(/mde=20/);
    await page.getByText(/Detecting \+20 % relative/).waitFor();
    const plan = await tableCells("planner-table");
    expect(plan[0][0]).toMatch(/^Newsletter signup \(goal\)/);
  });

  it("reads out the demo experiment: arms, exclusions, funnel per variant with counts, verdict", async () => {
    await page.getByRole("link", { name: "Experiments" }).click();
    await page.waitForURL(/\/app\/insights\/experiments/);
    await page.getByRole("heading", { name: "pdp-free-shipping-banner" }).waitFor();
    const arms = await page.locator('[data-testid="experiment-arms"]').first().innerText();
    expect(arms).toMatch(/^control \(control\): \d[\d,]* visitors · free-shipping-banner: \d[\d,]* visitors · \d+ excluded \(saw more than one variant\)$/);
    const verdict = await page.locator('[data-testid="experiment-verdict"]').first().innerText();
    expect(verdict).toMatch(/^Purchased: (not enough data yet|variant B (wins|loses)|no detectable difference|sample ratio mismatch)/);
    // Every rate on the card carries counts.
    const cells = await page.locator("table td").allInnerTexts();
    for (const c of cells.filter((t) => / of /.test(t))) expect(c).toMatch(COUNTED_RATE);
    await page.screenshot({ path: path.join(artifacts, "insights-experiments.png"), fullPage: true });
  });
});

describe("audiences in real Chromium on the demo", () => {
  it("creates an audience from a template; size, history and customers are shown with counts", async () => {
    await page.getByRole("link", { name: "Audiences" }).first().click();
    await page.waitForURL(/\/app\/audiences$/);
    await page.getByRole("link", { name: /New audience|Create from a template/ }).first().click();
    await page.waitForURL(/\/app\/audiences\/new/);
    await page.getByRole("button", { name: "Create “Added to cart, did not buy”" }).click();
    await page.waitForURL(/\/app\/audiences\/(?!new)[\w-]+$/);
    await page.getByRole("heading", { name: "Added to cart, did not buy" }).waitFor();
    const size = await page.locator('[data-testid="audience-size"]').innerText();
    expect(size).toMatch(/^\d+ identified customers? · \d+ anonymous visitors?$/);
    const history = await page.locator('[data-testid="audience-history"]').innerText();
    expect(history).toMatch(/Members 28–14 days ago: \d+ of \d+ · (\d+\.\d %|—) did “Purchase” .* against \d+ of \d+ · (\d+\.\d %|—) of the other visitors/);
    // Lift or the caveat that explains why it is not shown.
    const caveat = page.locator('[data-testid="history-caveat"]');
    if (await caveat.count()) expect(await caveat.innerText()).toMatch(/not enough data: /);
    else await page.getByText(/^Lift \d+\.\d\d×/).waitFor();
    await expect(page.locator('[data-testid="segment-query"]').innerText()).resolves.toBe("customer_tags CONTAINS 'mc-carted-not-bought'");
    await page.screenshot({ path: path.join(artifacts, "audience-detail.png"), fullPage: true });
  });

  it("downloads a CSV equal to the customers on the page", async () => {
    const rows = await tableCells("audience-customers");
    const identified = Number((await page.locator('[data-testid="audience-size"]').innerText()).split(" ")[0]);
    expect(rows.length).toBe(identified);
    expect(identified).toBeGreaterThan(0);
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export customers (CSV)" }).click()]);
    expect(download.suggestedFilename()).toMatch(/^mc-carted-not-bought-customers-\d{4}-\d{2}-\d{2}\.csv$/);
    const file = path.join(artifacts, "audience-customers.csv");
    await download.saveAs(file);
    const text = readFileSync(file, "utf8");
    const lines = text.trimEnd().split("\r\n");
    expect(lines[0]).toBe("customer_id,shopify_customer_gid,member_visitors,last_micro_conversion_at");
    const fromCsv = lines.slice(1).map((l) => {
      const [id, gid, visitors, at] = l.split(",");
      expect(gid).toBe(`gid://shopify/Customer/${id}`);
      return [id, visitors, `${at.slice(0, 16).replace("T", " ")} UTC`];
    });
    expect(fromCsv).toEqual(rows);
  });

  it("syncs the customers to Shopify tags through the local Admin API", async () => {
    const identified = Number((await page.locator('[data-testid="audience-size"]').innerText()).split(" ")[0]);
    await page.getByRole("button", { name: "Sync now" }).click();
    // The page keeps asking for the next slice (and renews the demo's access token once) until done.
    await page.locator('[data-testid="sync-status"]').getByText(/Last sync started/).waitFor({ timeout: 60_000 });
    const status = await page.locator('[data-testid="sync-status"]').innerText();
    expect(status).toMatch(new RegExp(`: ${identified} tagged, 0 untagged, 0 refused by Shopify \\(${identified} changes planned\\)`));
    await page.screenshot({ path: path.join(artifacts, "audience-synced.png"), fullPage: true });
    // The list shows it with its size.
    await page.getByRole("link", { name: "Audiences" }).first().click();
    await page.waitForURL(/\/app\/audiences$/);
    await page.getByRole("link", { name: "Added to cart, did not buy" }).waitFor();
    const list = await tableCells("audiences-table");
    expect(list[0][0]).toBe("Added to cart, did not buy");
    expect(list[0][2]).toBe(String(identified));
    await page.screenshot({ path: path.join(artifacts, "audiences-list.png"), fullPage: true });
  });
});
