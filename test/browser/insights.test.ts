/**
 * Insights, experiments and audiences in real Chromium on the demo (`npm run demo`):
 * counts beside every rate, the "not enough data" caveat where groups are small, the
 * experiment readout from the demo experiment, an audience's CSV download equal to the
 * page, and the sync through the local Admin API. Screenshots go to test-results/.
 */
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseReportCsv } from "../../core/csv";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemoExperiment } from "../../scripts/lib/demo-experiment";
import { DEMO_INGEST_KEY, DEMO_SHOP } from "../../scripts/lib/demo-shop";
import { BROWSER_UA, root } from "../helpers/app-server";
import { launchChromium } from "../helpers/chromium";
import { startDemo, type DemoProcess } from "../helpers/demo-process";
import { parseCsv } from "../helpers/funnel-csv";
import { CONSENTED, visitor } from "../helpers/ingest";
import { createDb } from "../../db/prisma";

const artifacts = path.join(root, "test-results");
/** "1,234 of 5,678 · 21.7 %": a rate with its counts. */
const COUNTED_RATE = /^\d[\d,]* of \d[\d,]* · (\d+\.\d %|—)$/;
let demo: DemoProcess;
let dbFile: string;
let origin: string;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  mkdirSync(path.join(root, ".tmp"), { recursive: true });
  dbFile = path.join(root, ".tmp", `demo-insights-${Date.now()}.sqlite`);
  demo = await startDemo({ dbFile });
  origin = new URL(demo.url).origin;
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
  return page
    .locator(`[data-testid="${testId}"] tbody tr`)
    .evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll("th, td")].map((c) => (c as HTMLElement).innerText.trim())));
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
      expect(lift, label).toMatch(
        /^\d+\.\d\d×\n(95 % CI \d+\.\d\d× – \d+\.\d\d×( · includes 1×: could be chance)?|no conversions in group A; no confidence interval)$/,
      );
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
    const thin = plan.filter(
      ([, baseline]) => Number(baseline.split(" of ")[0].replace(/,/g, "")) > 0 && Number(baseline.split(" of ")[0].replace(/,/g, "")) < 30,
    );
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
    await page
      .getByRole("link", { name: /New audience|Create from a template/ })
      .first()
      .click();
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
    // Before any sync: how many can be tagged, of how many members, and why not the rest.
    const taggable = await page.locator('[data-testid="taggable"]').innerText();
    const [, n, m] = /^Taggable: (\d+) of (\d+) members? \(logged-in customers\)/.exec(taggable) ?? [];
    expect(Number(n)).toBe(Number(size.split(" ")[0]));
    expect(Number(m)).toBeGreaterThan(Number(n));
    expect(taggable).toMatch(/anonymous visitors?: never logged in/);
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
    const { meta, table } = parseReportCsv(readFileSync(file, "utf8"));
    expect(meta.Report).toBe("Audience: Added to cart, did not buy (tag mc-carted-not-bought)");
    expect(meta["Taggable customers (logged in)"]).toBe(String(identified));
    expect(table[0]).toEqual(["customer_id", "shopify_customer_gid", "customer_admin_url", "member_visitors", "last_micro_conversion_at"]);
    const handle = DEMO_SHOP.replace(/\.myshopify\.com$/, "");
    const fromCsv = table.slice(1).map(([id, gid, url, visitors, at]) => {
      expect(gid).toBe(`gid://shopify/Customer/${id}`);
      expect(url).toBe(`https://admin.shopify.com/store/${handle}/customers/${id}`);
      return [id, visitors, `${at.slice(0, 16).replace("T", " ")} UTC`];
    });
    expect(fromCsv).toEqual(rows);
  });

  it("syncs the customers to Shopify tags through the local Admin API", async () => {
    const identified = Number((await page.locator('[data-testid="audience-size"]').innerText()).split(" ")[0]);
    await page.getByRole("button", { name: "Sync now" }).click();
    // The page keeps asking for the next slice (and renews the demo's access token once) until done.
    await page
      .locator('[data-testid="sync-status"]')
      .getByText(/Last sync started/)
      .waitFor({ timeout: 60_000 });
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

  it("switches the daily automatic sync on and off; the setting is stored (read back by the page's loader)", async () => {
    const box = () => page.getByRole("checkbox", { name: "Sync automatically every day" });
    // Leaves and re-opens the audience, so the page shows what the server stored.
    const reopen = async () => {
      await page.getByRole("link", { name: "Audiences" }).first().click();
      await page.waitForURL(/\/app\/audiences$/);
      await page.getByRole("link", { name: "Added to cart, did not buy" }).click();
      await page.waitForURL(/\/app\/audiences\/(?!new)[\w-]+$/);
      await page.locator('[data-testid="auto-sync"]').waitFor();
    };
    await reopen();
    await page
      .locator('[data-testid="taggable"]')
      .getByText(/^Taggable: \d+ of \d+ members? \(logged-in customers\)/)
      .waitFor();
    expect(await box().isChecked()).toBe(false);
    await expect(page.locator('[data-testid="auto-sync-last"]').innerText()).resolves.toBe("No automatic run yet.");
    await box().check();
    await page.getByText("The first automatic run starts within minutes.").waitFor();
    await expect.poll(() => box().isEnabled()).toBe(true); // the server answered
    await page.screenshot({ path: path.join(artifacts, "audience-auto-sync-on.png"), fullPage: true });
    await reopen();
    expect(await box().isChecked()).toBe(true);
    await box().uncheck();
    await page.getByText("The first automatic run starts within minutes.").waitFor({ state: "detached" });
    await reopen();
    expect(await box().isChecked()).toBe(false);
  });
});

// ---------------------------------------------------------------------------- issue 23: Insights and Experiments UX

const shot = (name: string) => page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });

/** A deep link as Shopify admin opens it: embedded params and a fresh session token. */
async function open(pathAndQuery: string) {
  const token = await page.evaluate(async () => (await (await fetch("/demo/session-token")).json()).token as string);
  const target = new URL(pathAndQuery, origin);
  target.searchParams.set("embedded", "1");
  target.searchParams.set("shop", DEMO_SHOP);
  target.searchParams.set("host", Buffer.from("admin.shopify.com/store/demo-shop").toString("base64url"));
  target.searchParams.set("id_token", token);
  const res = await page.goto(target.href, { waitUntil: "networkidle" });
  expect(res?.status()).toBe(200);
}

/** Clicks a CSV button; the file's text (BOM kept) and its parsed header block and table. */
async function downloadCsv(button: string, file: string) {
  const [d] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: button }).click()]);
  const saved = path.join(artifacts, file);
  await d.saveAs(saved);
  const text = readFileSync(saved, "utf8");
  expect(text.charCodeAt(0)).toBe(0xfeff);
  const rows = parseCsv(text);
  const blank = rows.findIndex((r) => r.length === 1 && r[0] === "");
  const meta = Object.fromEntries(rows.slice(0, blank).map(([k, v]) => [k, v]));
  return { name: d.suggestedFilename(), meta, table: rows.slice(blank + 1) };
}

async function postEvents(events: Record<string, unknown>[]) {
  const res = await fetch(`${origin}/collect`, {
    method: "POST",
    headers: { "Content-Type": "text/plain" },
    body: JSON.stringify({ v: 1, shop: DEMO_SHOP, key: DEMO_INGEST_KEY, ua: BROWSER_UA, consent: CONSENTED, events }),
  });
  expect(res.status, await res.clone().text()).toBe(202);
  expect((await res.json()).rejected).toEqual([]);
}

describe("Insights and Experiments UX in real Chromium on the demo", () => {
  let microKey: string;
  let microLabel: string;

  it("each Insights row links to a prefilled funnel (created as is), audience and test plan", async () => {
    await open("/app/insights?range=last30&goal=purchase");
    const first = page.locator('[data-testid="micro-value-table"] [data-row-actions]').first();
    microKey = (await first.getAttribute("data-row-actions"))!;
    microLabel = await page.locator('[data-testid="micro-value-table"] [data-row-label]').first().innerText();
    expect(microKey).toBeTruthy();
    await shot("insights-row-links");

    await page.getByRole("link", { name: `Build a funnel: ${microLabel}, then the goal` }).click();
    await page.waitForURL(new RegExp(`/app/funnels/new\\?micro=${microKey}&goal=purchase`));
    await expect(page.getByLabel("Funnel name").inputValue()).resolves.toBe(`${microLabel} → Purchase`);
    const stepLabels = await page.getByLabel("Step label").evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
    expect(stepLabels).toEqual([microLabel, "Purchase"]);
    await shot("insights-link-funnel-prefilled");
    await page.getByRole("button", { name: "Create funnel and open report" }).click();
    await page.waitForURL(/\/app\/funnels\/(?!new)[\w-]+/);

    await open("/app/insights?range=last30&goal=purchase");
    await page.getByRole("link", { name: `Make an audience: ${microLabel}, not the goal` }).click();
    await page.waitForURL(/\/app\/audiences\/new\?micro=/);
    await expect(page.getByLabel("Did (micro-conversion)").inputValue()).resolves.toBe(microKey);
    await expect(page.getByLabel("Did not (goal)").inputValue()).resolves.toBe("goal:purchase");
    await expect(page.getByLabel("Name", { exact: true }).inputValue()).resolves.toBe(`${microLabel}, not Purchase`);
    await shot("insights-link-audience-prefilled");

    await open("/app/insights?range=last30&goal=purchase&mde=15");
    await page.getByRole("link", { name: `Plan a test on ${microLabel}` }).click();
    await page.waitForURL(new RegExp(`plan=${microKey.replace(/[:]/g, "%3A")}`));
    expect(page.url()).toContain("mde=15");
    const focus = page.locator('[data-testid="planner-focus"]');
    await focus.waitFor();
    expect(await focus.innerText()).toMatch(
      new RegExp(
        `Test plan for “${microLabel.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}”[\\s\\S]*Baseline \\d[\\d,]* of \\d[\\d,]* · \\d+\\.\\d % of visitors over the last 28 days`,
      ),
    );
    await expect(page.locator(`[data-planner-row="${microKey}"][data-focused="true"]`).count()).resolves.toBe(1);
    await shot("insights-link-plan");
  });

  it("downloads both Insights CSVs: header block, then the page's rows", async () => {
    await open("/app/insights?range=last30&goal=purchase");
    const value = await downloadCsv("Download micro value (CSV)", "insights-micro-value.csv");
    expect(value.name).toMatch(/^insights-micro-value-\d{4}-\d\d-\d\d-to-\d{4}-\d\d-\d\d\.csv$/);
    expect(value.meta).toMatchObject({ Report: "Insights: micro-conversion value (goal: Purchase)", Unit: "visitor", "Time zone": "America/New_York" });
    expect(value.meta.Range).toMatch(/^\d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d$/);
    expect(Date.now() - Date.parse(value.meta["Generated at"])).toBeLessThan(60_000);
    // The shown rows' counts equal the page's.
    for (const [cell, did] of await tableCells("micro-value-table")) {
      const label = cell.split("\n")[0];
      const row = value.table.find((r) => r[1] === label)!;
      expect(`${Number(row[3]).toLocaleString("en-US")} of ${Number(row[2]).toLocaleString("en-US")}`, label).toBe(did.split(" · ")[0]);
    }
    const plan = await downloadCsv("Download planner (CSV)", "insights-planner.csv");
    expect(plan.meta).toMatchObject({ Report: "Insights: A/B test planner", Unit: "visitor", "Baseline days": "28", "MDE (relative %)": "10" });
    expect(plan.table[0].slice(0, 3)).toEqual(["metric_key", "metric_label", "kind"]);
    expect(plan.table[1][0]).toBe("purchase");
  });

  it("bad settings: every error beside its control, the previous figures stay", async () => {
    await open("/app/insights?range=last30&goal=purchase");
    const before = await tableCells("micro-value-table");
    await page.getByLabel("MDE (relative %)").fill("0");
    await page.getByLabel("Power").fill("2");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForURL(/mde=0/);
    const banner = page.locator('[data-testid="insights-errors"]');
    await banner.waitFor();
    expect(await banner.innerText()).toMatch(/2 problems[\s\S]*mde: mde must be above 0 %[\s\S]*power: power is at most 0.99/);
    // Beside each control: Polaris ties the error to its field (aria-describedby).
    const described = async (label: string) =>
      page.getByLabel(label).evaluate((el) =>
        (el.getAttribute("aria-describedby") ?? "")
          .split(" ")
          .map((id) => document.getElementById(id)?.innerText ?? "")
          .join(" "),
      );
    await expect(described("MDE (relative %)")).resolves.toContain("mde must be above 0 %");
    await expect(described("Power")).resolves.toContain("power is at most 0.99");
    await expect(tableCells("micro-value-table")).resolves.toEqual(before);
    await page.locator('[data-testid="planner-table"]').waitFor();
    await shot("insights-bad-settings");

    // Reversed custom dates: the same, the end date's field says why.
    await page.getByLabel("MDE (relative %)").fill("10");
    await page.getByLabel("Power").fill("0.8");
    await page.getByLabel("Date range").selectOption("custom");
    await page.getByLabel("From").fill("2026-03-05");
    await page.getByLabel("To (included)").fill("2026-03-01");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.waitForURL(/from=2026-03-05/);
    await expect.poll(() => described("To (included)")).toContain("from (2026-03-05) must be on or before to (2026-03-01)");
    await expect(tableCells("micro-value-table")).resolves.toEqual(before);
    await shot("insights-bad-dates");
  });

  it("experiments: the guide's snippets copy, the arrival check counts a new view, the readout's funnel can be chosen, the CSV", async () => {
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin });
    await open("/app/insights/experiments?range=last30");
    const arrivals = page.locator('[data-testid="experiment-arrivals"]');
    await arrivals.waitFor();
    const count = async () =>
      Number((await page.locator('[data-testid="arrivals-24h"]').innerText()).match(/^([\d,]+) experiment views?/)![1].replace(/,/g, ""));
    const before = await count();

    // The guide is folded once views arrive; open it and copy the JS snippet.
    await page.getByRole("button", { name: "Show the guide" }).click();
    const js = page.locator('[data-testid="experiment-snippet-js"]');
    await js.waitFor();
    const snippet = await js.innerText();
    expect(snippet).toContain('Shopify.analytics.publish("mc:experiment_view", {');
    expect(snippet).toMatch(/experiment: "[\w-]+",[\s\S]*variant: "control",/);
    await page.getByRole("button", { name: "Copy: From a script, theme code or your A/B testing tool" }).click();
    await page.getByText("Copied").waitFor();
    await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(snippet);
    expect(await page.locator('[data-testid="experiment-snippet-liquid"]').innerText()).toMatch(/mc:experiment_view[\s\S]*\{% schema %\}/);
    await shot("experiments-guide");

    // A view sent now (what the snippet makes the pixel send) shows up in the check.
    await postEvents([
      {
        id: `guide-${Date.now()}`,
        name: "mc:experiment_view",
        ts: new Date(Date.now() - 5_000).toISOString(),
        seq: 1,
        clientId: visitor("guide-visitor"),
        path: "/",
        props: { experiment: "guide-check", variant: "control" },
      },
    ]);
    await open("/app/insights/experiments?range=last30");
    await expect(count()).resolves.toBe(before + 1);
    expect(await page.locator('[data-testid="arrivals-last-seen"]').innerText()).toMatch(
      /^Last seen less than a minute ago \(\d{4}-\d\d-\d\d \d\d:\d\d UTC\)\.$/,
    );
    await page.getByRole("heading", { name: "guide-check" }).waitFor();
    await shot("experiments-arrivals");

    // Funnel choice: the template, then the funnel built from the Insights row.
    const source = page.locator('[data-testid="experiment-source"]');
    await page.getByLabel("Funnel for the readout").selectOption({ label: "Purchase template (product → cart → checkout → purchase)" });
    await page.waitForURL(/funnel=template/);
    await source.filter({ hasText: "Steps from the Purchase template" }).waitFor();
    await page.getByLabel("Funnel for the readout").selectOption({ label: `${microLabel} → Purchase` });
    await page.waitForURL(/funnel=(?!template)[\w-]+/);
    await source.filter({ hasText: `Steps from the funnel “${microLabel} → Purchase”` }).waitFor();
    await page.getByRole("heading", { name: "pdp-free-shipping-banner" }).waitFor();
    await shot("experiments-funnel-choice");

    const csv = await downloadCsv("Download readout (CSV)", "experiments.csv");
    expect(csv.name).toMatch(/^experiments-\d{4}-\d\d-\d\d-to-\d{4}-\d\d-\d\d\.csv$/);
    expect(csv.meta).toMatchObject({ Report: "Experiments: readout", Funnel: `${microLabel} → Purchase`, "Time zone": "America/New_York" });
    const rows = csv.table.slice(1).filter((r) => r[0] === "pdp-free-shipping-banner");
    expect(new Set(rows.map((r) => r[6]))).toEqual(new Set([microLabel, "Purchase"]));
    expect(new Set(rows.map((r) => r[1]))).toEqual(new Set(["control", "free-shipping-banner"]));
  });
});

describe("Insights on a fresh shop in real Chromium", () => {
  it("zero events: an empty state saying what happens next; then visitors: a planner over the days since install", async () => {
    // The demo shop made new: installed now, no events.
    const { db } = createDb(`file:${dbFile}`);
    const shop = await db.shop.findUniqueOrThrow({ where: { domain: DEMO_SHOP } });
    await db.event.deleteMany({ where: { shopId: shop.id } });
    await db.visitorSession.deleteMany({ where: { shopId: shop.id } });
    await db.shop.update({ where: { id: shop.id }, data: { installedAt: new Date() } });
    await db.$disconnect();

    await open("/app/insights");
    const empty = page.locator('[data-testid="insights-empty"]');
    await empty.waitFor();
    const text = await empty.innerText();
    expect(text).toMatch(/No visitors recorded yet/);
    expect(text).toMatch(/Data collection started on \d{4}-\d\d-\d\d/);
    expect(text).toMatch(/After 30 visitors did a micro-conversion and 30 did not/);
    expect(await page.locator("body").innerText()).not.toMatch(/0 of 0|needs ≥ 30 visitors in each group; has 0/);
    await shot("insights-first-run-empty");

    // 30 visitors arrive (6 buy): the planner divides by 1 day, not 28.
    const now = Date.now();
    await postEvents(
      Array.from({ length: 30 }, (_, i) => [
        {
          id: `fresh-pv-${i}`,
          name: "product_viewed",
          ts: new Date(now - 60_000 - i * 1000).toISOString(),
          seq: 1,
          clientId: visitor(`fresh-${i}`),
          path: "/products/mug",
        },
        ...(i < 6
          ? [
              {
                id: `fresh-buy-${i}`,
                name: "checkout_completed",
                ts: new Date(now - 30_000 - i * 1000).toISOString(),
                seq: 2,
                clientId: visitor(`fresh-${i}`),
                path: "/checkout",
                orderId: String(9_100_000_000 + i),
              },
            ]
          : []),
      ]).flat(),
    );
    await open("/app/insights");
    await page.locator('[data-testid="planner-table"]').waitFor();
    expect(await page.locator('[data-testid="planner-baseline-days"]').innerText()).toMatch(
      /^Baselines cover 1 day \(since the shop’s data starts on \d{4}-\d\d-\d\d; days before it are not counted\)$/,
    );
    const plan = await tableCells("planner-table");
    expect(plan[0][0]).toMatch(/^Purchase \(goal\)/);
    expect(plan[0][1]).toBe("6 of 30 · 20.0 %");
    await page.getByText(/Traffic: 210 visitors\/week \(30 × 7 ÷ 1\)/).waitFor();
    // Every visitor viewed a product and nobody did anything else: no lift yet, and it says why.
    expect(await page.locator('[data-testid="micro-value-eta"]').innerText()).toBe(
      "No micro-conversion has at least 30 visitors in both groups in this range yet. Lifts appear once visitors start doing micro-conversions.",
    );
    // The steps nobody did share one line, not a line of zeros each.
    expect(await page.locator('[data-testid="micro-value-nobody"]').innerText()).toMatch(/^Nobody did these yet: Added to cart, .*Viewed pricing or FAQ\.$/);
    expect(await page.locator('[data-testid="micro-value-hidden"] li').count()).toBe(2); // product views + the "nobody" line
    await shot("insights-first-run-30-visitors");
  });
});
