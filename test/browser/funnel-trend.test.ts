/**
 * The report's trend chart in real Chromium (issue 23, "Charts"): a Polaris Viz line chart
 * with dated x-axis labels, a counts / step rates / overall rate switch that changes the
 * series, the previous period as comparison lines when compared, and a "Show the numbers"
 * table whose cells equal the JSON API's trend (counts beside every rate; points resting on
 * fewer than 30 sessions marked "few").
 */
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { DemoProcess } from "../helpers/demo-process";
import { openSeededDemo, type SeededDemo } from "../helpers/seeded-demo";
import { seedJourneys, type SeedJourney } from "../helpers/funnel-seed";

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
// The test's own event names: the demo's own traffic must not enter these counts.
const NAMES = ["tc_view", "tc_cart", "tc_buy"];
const LABELS = ["Viewed", "Carted", "Bought"];
let demo: DemoProcess;
let seeded: SeededDemo;
let page: Page;
let funnelId = "";

const journey = (clientId: string, ts: number, steps: number): SeedJourney => ({
  clientId,
  device: "desktop",
  events: NAMES.slice(0, steps).map((name, i) => ({ name, ts: ts + i * MIN })),
});

beforeAll(async () => {
  seeded = await openSeededDemo({
    name: "funnel-trend",
    async seed(db, shopId) {
      const now = Date.now();
      const journeys: SeedJourney[] = [];
      // Last 7 days: 40 sessions three days back (enough to compare), a few on other days.
      for (let i = 0; i < 40; i++) journeys.push(journey(`big-${i}`, now - 3 * DAY - i * MIN, 1 + (i % 3)));
      // Two hours later in the day than `now - d days` (never earlier): between 00:00 and 02:00 in the shop's zone an earlier time pushed day 6 out of the range.
      for (let d = 1; d <= 6; d++)
        for (let i = 0; i < d; i++) journeys.push(journey(`cur-${d}-${i}`, now - d * DAY + 2 * 60 * MIN - i * MIN, i % 2 === 0 ? 2 : 3));
      // The previous 7 days: 3 to 8 sessions a day.
      for (let d = 8; d <= 13; d++) for (let i = 0; i < d - 5; i++) journeys.push(journey(`prev-${d}-${i}`, now - d * DAY - i * MIN, 1 + (i % 3)));
      await seedJourneys(db, shopId, journeys);
    },
  });
  ({ demo, page } = seeded);
  // The chart loads in the browser only: a failed chunk or hydration mismatch shows here.
  page.on("pageerror", (e) => pageErrors.push(e.message));
  page.on("console", (m) => {
    // Requests off this machine are refused by the harness (App Bridge's CDN…): not the chart's.
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) pageErrors.push(m.text());
  });
});
const pageErrors: string[] = [];

afterEach(async (ctx) => {
  if (ctx.task.result?.state === "fail" && page) await seeded.shot(`failed-${ctx.task.name.slice(0, 40).replace(/\W+/g, "-")}`).catch(() => {});
});

afterAll(() => seeded?.close());

const api = (url: string) =>
  page.evaluate(async (u) => {
    const res = await fetch(u);
    return { status: res.status, body: await res.json() };
  }, url);

interface Bucket {
  key: string;
  counts: number[];
  inProgressUnits: number;
}

const num = new Intl.NumberFormat("en", { maximumFractionDigits: 0 });
const pct = new Intl.NumberFormat("en", { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const date = (day: string) =>
  new Intl.DateTimeFormat("en", { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" }).format(Date.parse(`${day}T00:00:00Z`));
const axisDate = (day: string) => new Intl.DateTimeFormat("en", { month: "short", day: "numeric", timeZone: "UTC" }).format(Date.parse(`${day}T00:00:00Z`));
const ratio = (n: number, d: number) =>
  `${num.format(n)} of ${num.format(d)} · ${d === 0 ? "—" : `${pct.format((n / d) * 100)} %`}${d > 0 && d < 30 ? " (few)" : ""}`;

/** The rows the table must show for a mode, straight from the JSON trend. */
function expectedRows(mode: "counts" | "step" | "overall", cur: Bucket[], prev: Bucket[]): string[][] {
  const cells = (b: Bucket | undefined): string[] => {
    if (!b) return mode === "counts" ? LABELS.map(() => "—") : mode === "step" ? ["—", "—"] : ["—"];
    if (mode === "counts") return b.counts.map((c) => num.format(c));
    if (mode === "step") return b.counts.slice(1).map((c, j) => ratio(c, b.counts[j]!));
    return [ratio(b.counts[2]!, b.counts[0]!)];
  };
  return cur.map((b, i) => [
    date(b.key),
    prev[i] ? date(prev[i]!.key) : "—",
    ...cells(b),
    ...cells(prev[i]),
    ...(mode === "counts" ? [num.format(b.inProgressUnits)] : []),
  ]);
}

const tableRows = () =>
  page
    .locator("[data-trend-table] table tbody tr")
    .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("th, td")].map((c) => (c.textContent ?? "").trim())));

describe("the trend chart in real Chromium", () => {
  it("creates the test's funnel", async () => {
    await page.goto(demo.url, { waitUntil: "networkidle" });
    const definition = { name: "Trend chart", unit: "session", steps: NAMES.map((event, i) => ({ label: LABELS[i], anyOf: [{ event, filters: [] }] })) };
    const created = await page.evaluate(async (d) => {
      const res = await fetch("/app/funnels/new?_data=routes%2Fapp.funnels.new", {
        method: "POST",
        body: new URLSearchParams({ definition: JSON.stringify(d) }),
      });
      return { status: res.status, location: res.headers.get("x-remix-redirect") ?? "" };
    }, definition);
    expect(created.status).toBe(204);
    funnelId = decodeURIComponent(/^\/app\/funnels\/([^/?]+)$/.exec(created.location)![1]!);
  });

  it("draws a line chart with dated axis labels, the previous period as comparison lines, and a table equal to the JSON trend", async () => {
    const { body } = await api(`/app/funnels/${funnelId}/report?range=last7&compare=on`);
    const cur: Bucket[] = body.trend.buckets;
    const prev: Bucket[] = body.previousTrend.buckets;
    expect(cur.length).toBeGreaterThanOrEqual(7);
    expect(prev.length).toBeGreaterThanOrEqual(7);
    expect(cur.reduce((n, b) => n + b.counts[0]!, 0)).toBe(body.totalUnits);
    expect(prev.reduce((n, b) => n + b.counts[0]!, 0)).toBe(body.comparison.totalUnits.previous);

    await page.goto(await seeded.embeddedUrl(`/app/funnels/${funnelId}?range=last7&compare=on`), { waitUntil: "networkidle" });
    const chart = page.locator('[data-trend-chart="counts"]');
    await chart.locator("svg").first().waitFor();
    // Axis labels are the buckets' dates ("Dec 2"), not indexes.
    const text = (await chart.textContent()) ?? "";
    const shown = cur.map((b) => axisDate(b.key)).filter((d) => text.includes(d));
    expect(shown.length).toBeGreaterThanOrEqual(2);
    expect(await chart.getAttribute("data-trend-series")).toBe([...LABELS, ...LABELS.map((l) => `${l} (previous period)`)].join("|"));
    // The picture is hidden from assistive technology, with nothing tabbable inside: the table is its accessible form.
    expect(await chart.getAttribute("aria-hidden")).toBe("true");
    expect(
      await chart
        .locator('a[href], button, [tabindex]:not([tabindex="-1"])')
        .evaluateAll((els) => els.filter((e) => e.getAttribute("tabindex") !== "-1").length),
    ).toBe(0);
    // A short range shows the numbers without a click.
    expect(await tableRows()).toEqual(expectedRows("counts", cur, prev));
    await seeded.shot("counts");
  });

  it("the switch changes the series to step rates and the overall rate, with counts in the table and small days marked", async () => {
    const { body } = await api(`/app/funnels/${funnelId}/report?range=last7&compare=on`);
    const cur: Bucket[] = body.trend.buckets;
    const prev: Bucket[] = body.previousTrend.buckets;

    await page.getByRole("button", { name: "Step rates" }).click();
    const step = page.locator('[data-trend-chart="step"]');
    await step.locator("svg").first().waitFor();
    expect(await step.getAttribute("data-trend-series")).toBe(
      "Viewed → Carted|Carted → Bought|Viewed → Carted (previous period)|Carted → Bought (previous period)",
    );
    expect(await page.getByRole("button", { name: "Step rates" }).getAttribute("aria-pressed")).toBe("true");
    expect((await step.textContent()) ?? "").toMatch(/\d+(\.\d)? %/);
    expect(await tableRows()).toEqual(expectedRows("step", cur, prev));
    await seeded.shot("step-rates");

    await page.getByRole("button", { name: "Overall rate" }).click();
    const overall = page.locator('[data-trend-chart="overall"]');
    await overall.locator("svg").first().waitFor();
    expect(await overall.getAttribute("data-trend-series")).toBe("Viewed → Bought|Viewed → Bought (previous period)");
    const rows = await tableRows();
    expect(rows).toEqual(expectedRows("overall", cur, prev));
    // The day of 40+ sessions is not marked; days of 1–6 sessions are, and the note says so.
    const big = rows.filter((r) => Number(/ of (\d+) /.exec(r[2]!)?.[1] ?? 0) >= 30);
    expect(big.length).toBe(1);
    expect(big[0]![2]).not.toMatch(/few/);
    expect(rows.filter((r) => r[2]!.endsWith("(few)")).length).toBeGreaterThanOrEqual(5);
    await page.getByText(/points? rest on fewer than 30 sessions/).waitFor();
    await seeded.shot("overall-rate");

    // "Hide the numbers" folds the table; the chart stays.
    await page.getByRole("button", { name: "Hide the numbers" }).click();
    expect(await page.locator("[data-trend-table]").count()).toBe(0);
    await page.getByRole("button", { name: "Show the numbers" }).waitFor();
  });

  it("without compare there is no previous series and no previous column", async () => {
    const { body } = await api(`/app/funnels/${funnelId}/report?range=last7`);
    expect(body.previousTrend).toBeNull();
    await page.goto(await seeded.embeddedUrl(`/app/funnels/${funnelId}?range=last7`), { waitUntil: "networkidle" });
    const chart = page.locator('[data-trend-chart="counts"]');
    await chart.locator("svg").first().waitFor();
    expect(await chart.getAttribute("data-trend-series")).toBe(LABELS.join("|"));
    const rows = await tableRows();
    expect(rows).toEqual(body.trend.buckets.map((b: Bucket) => [date(b.key), ...b.counts.map((c) => num.format(c)), num.format(b.inProgressUnits)]));
    expect(pageErrors).toEqual([]);
  });
});
