/**
 * The step alarm's alerts in real Chromium on the demo: five weeks of demo-sized traffic
 * whose mobile sessions stopped adding to cart two days ago, the Purchase funnel's results
 * built and the alarm run (the job's own function, on the demo's database) → the dashboard
 * and the funnel page show the alert in words with its counts and a link to the alert
 * history, which lists it; each page has no serious or critical axe-core violation.
 * Screenshots in test-results/step-alarm-*.png.
 */
import { createRequire } from "node:module";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { refreshShop } from "../../app/services/funnel-results/refresh.server";
import { runStepAlarm } from "../../app/services/step-alarm.server";
import { createDb } from "../../db/prisma";
import { createSqlExecutor } from "../../db/executor";
import type { DemoProcess } from "../helpers/demo-process";
import { openSeededDemo, type SeededDemo } from "../helpers/seeded-demo";
import { seedJourneys } from "../helpers/funnel-seed";
import { alarmTraffic } from "../helpers/alarm-traffic";

const AXE_PATH = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const DAY = 86_400_000;
let demo: DemoProcess;
let seeded: SeededDemo;
let page: Page;
let funnelId = "";

const step = (label: string, event: string) => ({ label, matchers: JSON.stringify([{ event, filters: [] }]) });

beforeAll(async () => {
  seeded = await openSeededDemo({
    name: "step-alarm",
    async seed(db, shopId, dbUrl) {
      const now = Date.now();
      await seedJourneys(db, shopId, alarmTraffic({ prefix: "sa", seed: 31, perDay: 150, end: now - 5 * 60_000, breakAt: now - 2 * DAY }));
      funnelId = `default-purchase-${shopId}`;
      await db.funnel.create({
        data: {
          id: funnelId,
          shopId,
          name: "Purchase",
          unit: "session",
          windowMinutes: 10080,
          template: "purchase",
          isMain: true,
          steps: {
            create: [
              step("Viewed a product", "product_viewed"),
              step("Added to cart", "product_added_to_cart"),
              step("Started checkout", "checkout_started"),
              step("Purchased", "checkout_completed"),
            ].map((s, position) => ({ ...s, shopId, position })),
          },
        },
      });
      const { dialect } = createDb(dbUrl);
      const exec = createSqlExecutor(dbUrl);
      try {
        const deps = { db, dialect, exec };
        await refreshShop(deps, shopId);
        expect((await db.funnel.findUniqueOrThrow({ where: { id: funnelId } })).resultsState).toBe("ready");
        await runStepAlarm(deps, now);
      } finally {
        await exec.close();
      }
      expect(await db.alert.count({ where: { shopId, segment: "mobile", status: "open" } })).toBe(1);
    },
  });
  ({ demo, page } = seeded);
  await page.goto(demo.url, { waitUntil: "networkidle" });
}, 240_000);

afterEach(async (ctx) => {
  if (ctx.task.result?.state === "fail" && page) await seeded.shot(`failed-${ctx.task.name.slice(0, 40).replace(/\W+/g, "-")}`).catch(() => {});
});

afterAll(() => seeded?.close());

/** Serious or critical axe-core violations on the page as it is now. */
async function blockingAxe(): Promise<string[]> {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ path: AXE_PATH });
  const violations = await page.evaluate(async () => {
    const w = window as unknown as {
      axe: { run(ctx: Document, opts: object): Promise<{ violations: { id: string; impact: string | null; nodes: { target: string[] }[] }[] }> };
    };
    return (await w.axe.run(document, { resultTypes: ["violations"] })).violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      targets: v.nodes.map((n) => n.target.join(" ")),
    }));
  });
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical" || v.id === "region" || v.id.startsWith("landmark-"))
    .map((v) => `${v.impact} ${v.id}: ${v.targets.join(", ")}`);
}

const SENTENCE =
  /Viewed a product → Added to cart fell from \d+\.\d % \(expected \d+–\d+ %\) to \d+\.\d % on mobile since .+: \d+ of \d+ sessions went on within 20 minutes \(same days of the previous 4 weeks: [\d,]+ of [\d,]+\)\./;

describe("step alarm in real Chromium", () => {
  it("the dashboard shows the open alert in words, with its funnel and the link to the alert history", async () => {
    await page.goto(await seeded.embeddedUrl("/app"), { waitUntil: "networkidle" });
    const banner = page.locator(".Polaris-Banner").filter({ hasText: /funnel steps? fell below/ });
    await banner.waitFor();
    await expect(banner.innerText()).resolves.toMatch(SENTENCE);
    await expect(banner.getByRole("link", { name: "Purchase" }).first().getAttribute("href")).resolves.toBe(`/app/funnels/${funnelId}`);
    await expect(banner.getByRole("link", { name: "Alert history" }).count()).resolves.toBe(1);
    await seeded.shot("dashboard");
    await expect(blockingAxe()).resolves.toEqual([]);
  });

  it("the funnel page shows the same alert above the report", async () => {
    await page.goto(await seeded.embeddedUrl(`/app/funnels/${funnelId}`), { waitUntil: "networkidle" });
    const banner = page.locator(".Polaris-Banner").filter({ hasText: /funnel steps? fell below/ });
    await banner.waitFor();
    await expect(banner.innerText()).resolves.toMatch(SENTENCE);
    await seeded.shot("funnel-page");
    await expect(blockingAxe()).resolves.toEqual([]);
  });

  it("the alert history lists every alert of the shop with its counts", async () => {
    await page.locator(".Polaris-Banner").getByRole("link", { name: "Alert history" }).click();
    await page.waitForURL(/\/app\/alerts/);
    await page.getByRole("heading", { name: /alerts, \d+ open/ }).waitFor();
    await expect(page.title()).resolves.toBe("Alerts");
    await expect(page.getByText(SENTENCE).count()).resolves.toBeGreaterThanOrEqual(1);
    const rows = await page.locator("table tbody tr").allInnerTexts();
    expect(rows.some((r) => /Open/.test(r) && /Mobile/.test(r) && /\d+ of \d+ · \d+\.\d %/.test(r))).toBe(true);
    await seeded.shot("history");
    await expect(blockingAxe()).resolves.toEqual([]);
  });
});
