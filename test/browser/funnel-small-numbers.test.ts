/**
 * Semantics v2 and the small-numbers rules in real Chromium, on a demo whose data is
 * made for them (docs/funnel-semantics.md, "Report figures" and "Small numbers"):
 * - "Today": every session that did not finish is still in progress → no leak is named,
 *   the page says why and shows them as waiting;
 * - last 30 days against a previous period of 9 sessions → "too few to compare", no
 *   arrow, no colour (report and dashboard);
 * - a breakdown row of 14 sessions is greyed and never named.
 */
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { DemoProcess } from "../helpers/demo-process";
import { openSeededDemo, type SeededDemo } from "../helpers/seeded-demo";
import { seedJourneys, type SeedJourney } from "../helpers/funnel-seed";

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
// Event names of this test's own funnel: the demo adds A/B-test traffic of its own
// (today's product views…), which must not enter the counts asserted here.
const NAMES = ["sn_view", "sn_cart", "sn_checkout", "sn_purchase"];
let demo: DemoProcess;
let seeded: SeededDemo;
let page: Page;
let purchaseId = "";

/** A session reaching `steps` steps of the test's funnel, one minute apart from `ts`. */
const journey = (clientId: string, ts: number, steps: number, device: "desktop" | "tablet", gap = MIN): SeedJourney => ({
  clientId,
  device,
  events: NAMES.slice(0, steps).map((name, i) => ({ name, ts: ts + i * gap })),
});

beforeAll(async () => {
  seeded = await openSeededDemo({
    name: "funnel-small",
    async seed(db, shopId) {
      const now = Date.now();
      const journeys: SeedJourney[] = [];
      // Last 30 days, finished long ago: 46 desktop and 14 tablet sessions, 2–25 days back.
      for (let i = 0; i < 60; i++) {
        const steps = i % 8 === 0 ? 4 : i % 4 === 0 ? 3 : i % 2 === 0 ? 2 : 1;
        journeys.push(journey(`old-${i}`, now - (2 + (i % 24)) * DAY - i * MIN, steps, i < 46 ? "desktop" : "tablet"));
      }
      // The previous 30 days: 9 sessions.
      for (let i = 0; i < 9; i++) journeys.push(journey(`prev-${i}`, now - (40 + i) * DAY, i % 2 === 0 ? 2 : 1, "desktop"));
      // Today, in the last 14 minutes: 5 purchases and 35 sessions still under way at steps 1–3.
      for (let i = 0; i < 40; i++) {
        journeys.push(journey(`today-${i}`, now - 14 * MIN + i * 15_000, i < 5 ? 4 : 1 + (i % 3), "desktop", 1000));
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

const api = (url: string) =>
  page.evaluate(async (u) => {
    const res = await fetch(u);
    return { status: res.status, body: await res.json() };
  }, url);

describe("small numbers and in-progress units in real Chromium", () => {
  it("the dashboard does not colour a change against 9 sessions: too few to compare", async () => {
    await page.goto(demo.url, { waitUntil: "networkidle" });
    await page.getByText("Add-to-cart rate").waitFor();
    // Three rate cards, each against the previous period's 9 sessions.
    expect(await page.locator('[data-verdict="too-few"]').count()).toBe(3);
    expect(await page.locator('[data-verdict="up"], [data-verdict="down"]').count()).toBe(0);
    await page
      .getByText(/too few to compare \(9 → [\d,]+ sessions\)/)
      .first()
      .waitFor();
    expect(await page.getByText(/pp vs previous 30 days/).count()).toBe(0);
    await shot("dashboard");
    // The test's funnel, created through the builder's action.
    const definition = {
      name: "Small numbers",
      unit: "session",
      steps: NAMES.map((event, i) => ({ label: ["Viewed", "Carted", "Checked out", "Bought"][i], anyOf: [{ event, filters: [] }] })),
    };
    const created = await page.evaluate(async (d) => {
      const res = await fetch("/app/funnels/new?_data=routes%2Fapp.funnels.new", {
        method: "POST",
        body: new URLSearchParams({ definition: JSON.stringify(d) }),
      });
      return { status: res.status, location: res.headers.get("x-remix-redirect") ?? "" };
    }, definition);
    expect(created.status).toBe(204);
    purchaseId = decodeURIComponent(/^\/app\/funnels\/([^/?]+)$/.exec(created.location)![1]);
  });

  it("Today: every session that did not finish is still in progress, so no leak is named and they show as waiting", async () => {
    const { body } = await api(`/app/funnels/${purchaseId}/report?range=today`);
    expect(body.totalUnits).toBe(40);
    expect(body.inProgressUnits).toBe(35);
    expect(body.steps.map((s: { waiting: number }) => s.waiting)).toEqual([12, 11, 12, 0]);
    expect(body.steps.slice(1).map((s: { dropOff: number }) => s.dropOff)).toEqual([0, 0, 0]);
    expect(body.biggestLeak).toBeNull();
    expect(body.noLeak).toEqual({ reason: "too-few-settled", settled: 28, finished: 5 });

    await page.goto(await embeddedUrl(`/app/funnels/${purchaseId}?range=today`), { waitUntil: "networkidle" });
    await page.getByText("No leak named yet").waitFor();
    await page.getByText(/not enough finished visits yet: 5 /).waitFor();
    expect(await page.getByText(/^Biggest leak: /).count()).toBe(0);
    // Waiting units between the bars and in the steps table; no drop-off invented.
    await page.getByText("12 waiting (still in progress)").first().waitFor();
    await page.getByText("11 waiting (still in progress)").waitFor();
    await page.getByRole("columnheader", { name: "Waiting here" }).waitFor();
    expect(await page.getByText(/^[1-9][\d,]* dropped off/).count()).toBe(0);
    await shot("today-no-leak");
  });

  it("comparing the last 30 days with a previous period of 9 sessions says too few to compare, with no arrow or colour", async () => {
    await page.goto(await embeddedUrl(`/app/funnels/${purchaseId}?range=last30&compare=on`), { waitUntil: "networkidle" });
    await page.getByRole("columnheader", { name: "Step conversion vs previous period" }).waitFor();
    const { body } = await api(`/app/funnels/${purchaseId}/report?range=last30&compare=on`);
    expect(body.comparison.totalUnits.previous).toBe(9);
    expect(body.comparison.steps.slice(1).map((s: any) => s.stepConversion.verdict)).toEqual(["too-few", "too-few", "too-few"]);
    // Steps 2–4 each: "too few to compare (previous → current reached)", never ▲/▼.
    expect(await page.locator('[data-verdict="too-few"]').count()).toBe(3);
    expect(await page.locator('[data-verdict="up"], [data-verdict="down"], [data-verdict="neutral"]').count()).toBe(0);
    await page.getByText("too few to compare (9 → 100 reached)").waitFor();
    expect(await page.getByText(/[▲▼]/).count()).toBe(0);
    await shot("compare-too-few");
  });

  it("a breakdown row of 14 sessions is greyed and never named", async () => {
    await page.goto(await embeddedUrl(`/app/funnels/${purchaseId}?range=last30&breakdown=device`), { waitUntil: "networkidle" });
    await page.getByRole("heading", { name: "By device type" }).waitFor();
    const { body } = await api(`/app/funnels/${purchaseId}/report?range=last30&breakdown=device`);
    const tablet = body.breakdown.groups.find((g: { value: string }) => g.value === "tablet");
    expect(tablet).toMatchObject({ totalUnits: 14, small: true, biggestLeak: null });
    expect(body.breakdown.groups.find((g: { value: string }) => g.value === "desktop")).toMatchObject({ totalUnits: 86, small: false });
    // Every cell of the tablet row is greyed; the desktop row is not.
    const tabletCells = page.locator('[data-small-row="tablet"]');
    expect(await tabletCells.count()).toBe(6 + 1);
    expect(await page.locator('[data-small-row="desktop"]').count()).toBe(0);
    const colour = (selector: string) =>
      page
        .locator(selector)
        .first()
        .evaluate((el) => getComputedStyle(el.querySelector("span") ?? el).color);
    const desktopCell = page.getByRole("rowheader", { name: "desktop", exact: true });
    const desktopColour = await desktopCell.evaluate((el) => getComputedStyle(el).color);
    expect(await colour('[data-small-row="tablet"]')).not.toBe(desktopColour);
    await page
      .getByText(/too few to compare$/)
      .first()
      .waitFor();
    await page.getByText(/Greyed rows have fewer than 30 units/).waitFor();
    await shot("breakdown-small-row");
  });
});
