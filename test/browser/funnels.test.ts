/**
 * Funnels in real Chromium on the demo: dashboard → report in one click (the leak
 * headline), then create a funnel from a template, open its report, switch range and
 * breakdown, and download CSVs whose contents must equal the JSON API's numbers.
 * The demo's SQLite file is seeded through test/helpers/funnel-seed before it starts
 * (the demo then skips its own, slower simulation).
 */
import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { DemoProcess } from "../helpers/demo-process";
import { openSeededDemo, type SeededDemo } from "../helpers/seeded-demo";
import { seedJourneys, shopTraffic } from "../helpers/funnel-seed";
import { csvRecords, pctCell } from "../helpers/funnel-csv";

const DAY = 86_400_000;
let demo: DemoProcess;
let seeded: SeededDemo;
let page: Page;
let funnelId = "";

beforeAll(async () => {
  seeded = await openSeededDemo({
    name: "funnels",
    acceptDownloads: true,
    async seed(db, shopId) {
      const now = Date.now();
      await seedJourneys(db, shopId, shopTraffic({ visitors: 600, from: now - 30 * DAY, to: now - 3_600_000, seed: 42, prefix: "browser" }));
    },
  });
  ({ demo, page } = seeded);
});

// A failing step leaves a picture of what the merchant would have seen.
afterEach(async (ctx) => {
  if (ctx.task.result?.state === "fail" && page) await shot(`failed-${ctx.task.name.slice(0, 40).replace(/\W+/g, "-")}`).catch(() => {});
});

afterAll(() => seeded?.close());

const shot = (name: string) => seeded.shot(name);
const embeddedUrl = (url: string) => seeded.embeddedUrl(url);

/** The JSON API through the page's fetch (the App Bridge stand-in adds the session token). */
const api = (url: string) =>
  page.evaluate(async (u) => {
    const res = await fetch(u);
    return { status: res.status, body: await res.json() };
  }, url);

/** Clicks a CSV button and returns the downloaded file's name and text. */
async function download(button: string) {
  const [file] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: button }).click()]);
  return { name: file.suggestedFilename(), text: readFileSync((await file.path())!, "utf8") };
}

describe("funnels in real Chromium", () => {
  it("dashboard → report in one click: the headline names the biggest leak", async () => {
    const response = await page.goto(demo.url, { waitUntil: "networkidle" });
    expect(response?.status()).toBe(200);
    await page.getByRole("heading", { name: "Where you lose people" }).waitFor();
    const headline = await page
      .getByText(/% of sessions that reach “.+” never reach “.+”/)
      .first()
      .textContent();
    expect(headline).toMatch(/^\d+\.\d % of sessions that reach/);
    await page.getByText("Add-to-cart rate").waitFor();
    await shot("dashboard");

    await page.getByRole("link", { name: "See the funnel report" }).click();
    await page.waitForURL(/\/app\/funnels\/[^/?]+\?range=last30/);
    await page
      .getByText(/^Biggest leak: /)
      .first()
      .waitFor();
    await page
      .getByText(/ of .+ · \d+\.\d %/)
      .first()
      .waitFor();
    await shot("report-main");
  });

  it("creates a funnel from a template, shows inline validation errors, and opens its report", async () => {
    await page.getByRole("link", { name: "Funnels" }).first().click();
    await page.waitForURL(/\/app\/funnels$/);
    await page.getByText("Main funnel").first().waitFor();
    await shot("list");

    await page.getByRole("link", { name: "Use Newsletter template" }).click();
    await page.waitForURL(/\/app\/funnels\/new\?template=newsletter/);
    await expect(page.getByLabel("Funnel name").inputValue()).resolves.toBe("Newsletter signup");
    await expect(page.getByLabel("Step label").nth(2).inputValue()).resolves.toBe("Signed up for the newsletter");
    // The picker lists what the shop actually sent, with counts.
    expect(await page.locator("option", { hasText: /^Viewed a product \([\d,]+\)$/ }).count()).toBeGreaterThan(0);

    // An empty label is refused by the server and the message appears beside the field.
    await page.getByLabel("Step label").nth(1).fill("");
    await page.getByRole("button", { name: "Create funnel and open report" }).click();
    await page.getByText("Step label must not be empty", { exact: true }).waitFor();
    await page.getByText("The funnel was not saved").waitFor();
    await shot("builder-error");

    await page.getByLabel("Step label").nth(1).fill("Started a form");
    await page.getByLabel("Funnel name").fill("Blog newsletter");
    await page.getByRole("button", { name: "Create funnel and open report" }).click();
    await page.waitForURL(/\/app\/funnels\/(?!new)[^/?]+$/);
    funnelId = decodeURIComponent(new URL(page.url()).pathname.split("/").pop()!);
    await page.getByRole("heading", { name: "Blog newsletter" }).waitFor();
    await page.getByRole("list", { name: "Funnel: sessions reaching each step" }).waitFor();
    // Right after creation the report did not wait for the build: it says how current it is.
    const asOf = await page.getByTestId("results-as-of").first().textContent();
    expect(asOf).toMatch(/^(Updated (just now|.+ ago)\.|Preparing this funnel's results.+)$/);
    await shot("report-new");
  });

  it("switches range and breakdown, and the page shows the JSON API's numbers", async () => {
    await page.getByLabel("Date range").selectOption("last7");
    await page.waitForURL(/range=last7/);
    await page.getByLabel("Breakdown").selectOption("device");
    await page.waitForURL(/breakdown=device/);
    await page.getByRole("heading", { name: "By device type" }).waitFor();
    const { status, body } = await api(`/app/funnels/${funnelId}/report?range=last7&breakdown=device`);
    expect(status).toBe(200);
    expect(body.range).toMatchObject({ preset: "last7", days: 7, timeZone: "America/New_York" });
    expect(body.steps[0].count).toBeGreaterThan(0);
    const first = body.steps[0];
    const second = body.steps[1];
    const fmt = (n: number) => n.toLocaleString("en-US");
    const ratio = `${fmt(second.count)} of ${fmt(first.count)} · ${second.overallConversion === null ? "—" : `${(second.overallConversion * 100).toFixed(1)} %`}`;
    await page.getByText(ratio).first().waitFor();
    for (const g of body.breakdown.groups) await page.getByRole("rowheader", { name: g.value, exact: true }).first().waitFor();
    await shot("report-last7-device");
  });

  it("downloads CSVs whose contents equal the JSON API", async () => {
    const { body } = await api(`/app/funnels/${funnelId}/report?range=last7&breakdown=device`);
    const steps = await download("Download steps CSV");
    expect(steps.name).toMatch(/^funnel-blog-newsletter-steps-\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}\.csv$/);
    const rows = csvRecords(steps.text);
    expect(rows.map((r) => [r.label, Number(r.count), r.step_conversion_pct, r.overall_conversion_pct])).toEqual(
      body.steps.map((s: any) => [s.label, s.count, pctCell(s.stepConversion), pctCell(s.overallConversion)]),
    );
    const breakdown = csvRecords((await download("Download breakdown CSV")).text);
    expect(breakdown.map((r) => [r.value, Number(r.step), Number(r.count)])).toEqual(
      body.breakdown.groups.flatMap((g: any) => g.steps.map((s: any) => [g.value, s.step, s.count])),
    );
    const trend = csvRecords((await download("Download trend CSV")).text);
    expect(trend.filter((r) => r.step === "1").map((r) => [r.day, Number(r.count)])).toEqual(body.trend.buckets.map((b: any) => [b.key, b.counts[0]]));
  });

  it("a custom range and the comparison apply too; bad dates show an error banner, not a crash", async () => {
    await page.getByLabel("Date range").selectOption("custom");
    const { body } = await api(`/app/funnels/${funnelId}/report?range=last30`);
    await page.getByLabel("From").fill(body.range.fromDate);
    await page.getByLabel("To (included)").fill(body.range.toDate);
    await page.getByRole("button", { name: "Apply dates" }).click();
    await page.waitForURL(/range=custom&from=\d{4}-\d{2}-\d{2}&to=\d{4}-\d{2}-\d{2}/);
    // A plain click: the box is controlled by the URL, so it turns checked once the new report arrives.
    await page.getByLabel("Compare to previous period").click({ force: true });
    await page.waitForURL(/compare=on/);
    await page.getByText(/^Compared with /).waitFor();
    await expect(page.getByLabel("Compare to previous period").isChecked()).resolves.toBe(true);
    await page.getByRole("columnheader", { name: "Step conversion vs previous period" }).waitFor();
    await shot("report-custom-compare");

    // A deep link as Shopify admin opens it (embedded params + a fresh session token), with a date that does not exist.
    await page.goto(await embeddedUrl(page.url().replace(/from=[^&]+/, "from=2026-02-30")), { waitUntil: "networkidle" });
    await page.getByText("These report settings are not valid").waitFor();
    await page.getByText("from: 2026-02-30 is not a calendar date").waitFor();
    await shot("report-bad-dates");
  });

  it("deletes the funnel after an inline confirmation", async () => {
    await page.getByRole("link", { name: "Show the last 30 days instead" }).click();
    await page.getByRole("button", { name: "Delete funnel" }).click();
    await page.getByText(/^Delete “Blog newsletter”\?/).waitFor();
    await page.getByRole("button", { name: "Yes, delete" }).click();
    await page.waitForURL(/\/app\/funnels$/);
    await page.getByText("Purchase").first().waitFor();
    expect(await page.getByText("Blog newsletter").count()).toBe(0);
    const { status, body } = await api(`/app/funnels/${funnelId}/report`);
    expect(status).toBe(404);
    expect(body.error).toBe("No funnel with this id in this shop");
  });
});
