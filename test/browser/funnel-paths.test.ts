/**
 * "What did they do instead?" in real Chromium on the demo: sessions that drop after
 * adding to cart mostly read the shipping policy and leave → the card under the leak
 * says so first, in colour, with the counts of both sides; its tables list every next
 * step with "n of N · %" on both sides, as real table headers and cells; its CSV
 * download carries the same step and rows. Screenshots in test-results/.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { parseReportCsv } from "../../core/csv";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { DemoProcess } from "../helpers/demo-process";
import { artifacts, openSeededDemo, type SeededDemo } from "../helpers/seeded-demo";
import { seededRandom, seedJourneys, type SeedEvent, type SeedJourney } from "../helpers/funnel-seed";

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
// The test's own step names: the demo's own traffic must not enter these counts.
const NAMES = ["dp_view", "dp_cart", "dp_checkout", "dp_purchase"];
let demo: DemoProcess;
let seeded: SeededDemo;
let page: Page;
let funnelId = "";

beforeAll(async () => {
  seeded = await openSeededDemo({
    name: "funnel-paths",
    acceptDownloads: true,
    async seed(db, shopId) {
      const now = Date.now();
      const rnd = seededRandom(9);
      const journeys: SeedJourney[] = [];
      // 700 finished sessions: view → cart 70 %, cart → checkout 40 %, checkout → purchase 80 %.
      // After the cart, 60 % of those who stop read the shipping policy and leave (3 % of
      // those who go on read it first); the others leave at once.
      for (let i = 0; i < 700; i++) {
        let at = now - 2 * DAY - Math.floor(rnd() * 23 * DAY);
        const next = () => (at += MIN);
        const events: SeedEvent[] = [{ name: NAMES[0], ts: at }];
        if (rnd() < 0.7) {
          events.push({ name: NAMES[1], ts: next() });
          if (rnd() < 0.4) {
            if (rnd() < 0.03) events.push({ name: "page_viewed", ts: next(), path: "/policies/shipping-policy" });
            events.push({ name: NAMES[2], ts: next() });
            if (rnd() < 0.8) events.push({ name: NAMES[3], ts: next() });
          } else if (rnd() < 0.6) {
            events.push({ name: "page_viewed", ts: next(), path: `/policies/shipping-policy?from=cart-${i}` });
          }
        }
        journeys.push({ clientId: `dp-${i}`, device: i % 2 ? "mobile" : "desktop", events });
      }
      await seedJourneys(db, shopId, journeys);
    },
  });
  ({ demo, page } = seeded);
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state === "fail" && page) await shot(`failed-${ctx.task.name.slice(0, 40).replace(/\W+/g, "-")}`).catch(() => {});
});

afterAll(() => seeded?.close());

const shot = (name: string) => seeded.shot(name);
const embeddedUrl = (url: string) => seeded.embeddedUrl(url);

describe("what they did instead, in real Chromium", () => {
  it("the card under the leak says the shipping policy first, in colour, with both sides' counts", async () => {
    await page.goto(demo.url, { waitUntil: "networkidle" });
    const definition = {
      name: "Paths",
      unit: "session",
      steps: NAMES.map((event, i) => ({ label: ["Viewed", "Added to cart", "Started checkout", "Bought"][i], anyOf: [{ event, filters: [] }] })),
    };
    const created = await page.evaluate(async (d) => {
      const res = await fetch("/app/funnels/new?_data=routes%2Fapp.funnels.new", {
        method: "POST",
        body: new URLSearchParams({ definition: JSON.stringify(d) }),
      });
      return { status: res.status, location: res.headers.get("x-remix-redirect") ?? "" };
    }, definition);
    expect(created.status).toBe(204);
    funnelId = decodeURIComponent(/^\/app\/funnels\/([^/?]+)$/.exec(created.location)![1]);

    const report = await page.evaluate(async (u) => (await fetch(u)).json(), `/app/funnels/${funnelId}/report?range=last30`);
    expect(report.biggestLeak.step).toBe(3);
    const p = report.paths;
    expect(p.firstSteps.standOut[0].key).toBe("viewed /policies/shipping-policy");

    await page.goto(await embeddedUrl(`/app/funnels/${funnelId}?range=last30`), { waitUntil: "networkidle" });
    const card = page.getByTestId("paths-card");
    await card.getByRole("heading", { name: "What did they do instead?" }).waitFor();
    // Under the "for whom" card of the leak.
    const [diagY, pathsY] = await Promise.all([page.getByTestId("diagnosis-card").boundingBox(), card.boundingBox()]);
    expect(pathsY!.y).toBeGreaterThan(diagY!.y);
    const headline = card.getByTestId("paths-headline");
    expect((await headline.innerText()).trim()).toBe(p.headline);
    expect(p.headline).toMatch(
      /^\d+ % of the sessions that dropped after “Added to cart” viewed \/policies\/shipping-policy next, against \d+ % of those that went on to “Started checkout” \([\d,]+ of [\d,]+ vs [\d,]+ of [\d,]+\)$/,
    );
    // Leaving at once is said with its counts, never compared.
    expect((await card.getByTestId("paths-left").innerText()).trim()).toBe(
      `${p.leftAtOnce.count} of ${p.leftAtOnce.total} · ${(p.leftAtOnce.share * 100).toFixed(1)} % of those that dropped left the site right after “Added to cart”, without doing anything else.`,
    );
    expect(p.firstSteps.rows.find((r: { key: string }) => r.key === "left the site").verdict).toBe("not-tested");
    const colour = await headline.locator("p").evaluate((el) => getComputedStyle(el).color);
    const plain = await card.getByRole("heading", { name: "What did they do instead?" }).evaluate((el) => getComputedStyle(el).color);
    expect(colour).not.toBe(plain);
    await shot("card");
  });

  it("its tables are real tables: headers, and 'n of N · %' for both sides on every row", async () => {
    const report = await page.evaluate(async (u) => (await fetch(u)).json(), `/app/funnels/${funnelId}/report?range=last30`);
    const first = page.getByTestId("paths-first-steps");
    const table = first.getByRole("table");
    for (const name of ["Next step", "Those who dropped", "Those who went on", "Difference (interval)", "Reading"]) {
      await table.getByRole("columnheader", { name }).waitFor();
    }
    const rows = await table.locator("tbody tr").all();
    expect(rows).toHaveLength(report.paths.firstSteps.rows.length);
    const shipping = report.paths.firstSteps.rows.find((r: { key: string }) => r.key === "viewed /policies/shipping-policy");
    const row = table.locator("tbody tr", { has: page.locator('[data-path="viewed /policies/shipping-policy"]') });
    const cells = await row.locator("th, td").allInnerTexts();
    expect(cells[1]).toBe(`${shipping.dropped.count} of ${shipping.dropped.total} · ${(shipping.dropped.share * 100).toFixed(1)} %`);
    expect(cells[2]).toBe(`${shipping.advanced.count} of ${shipping.advanced.total} · ${(shipping.advanced.share * 100).toFixed(1)} %`);
    expect(cells[4]).toBe("More often after dropping");
    // The 3-step path table names the planted path.
    await page.getByTestId("paths-paths").locator('[data-path="viewed /policies/shipping-policy → left the site"][data-verdict="more"]').waitFor();
    await page.getByTestId("paths-card").scrollIntoViewIfNeeded();
    await shot("tables");
  });

  it("'Download paths CSV' gives the card's step and rows", async () => {
    const report = await page.evaluate(async (u) => (await fetch(u)).json(), `/app/funnels/${funnelId}/report?range=last30`);
    const button = page.getByTestId("paths-card").getByRole("button", { name: "Download paths CSV (CSV)" });
    const [download] = await Promise.all([page.waitForEvent("download"), button.click()]);
    expect(download.suggestedFilename()).toMatch(/^funnel-paths-paths-\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}\.csv$/);
    const file = path.join(artifacts, "funnel-paths.csv");
    await download.saveAs(file);
    const { meta, table } = parseReportCsv(readFileSync(file, "utf8"));
    expect(meta).toMatchObject({ Table: "paths", Step: "3", "Step from": "Added to cart", Dropped: String(report.paths.dropped.total) });
    const [header, ...rows] = table;
    expect(header.slice(0, 3)).toEqual(["table", "rank", "path"]);
    expect(rows).toHaveLength(report.paths.firstSteps.rows.length + report.paths.paths.rows.length);
  });
});
