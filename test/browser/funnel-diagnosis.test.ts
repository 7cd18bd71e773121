/**
 * "For whom is this step worst?" in real Chromium on the demo: traffic where mobile
 * sessions leave between cart and checkout far more than others → the card under the
 * leak names Mobile first, with its counts; picking a step without an effect says no
 * group stands out and how large a difference the data could have shown, without colour.
 * Acting on the step: its two buttons open the planner on the step's baseline and an
 * audience of its drop-offs. Screenshots in test-results/.
 */
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { DemoProcess } from "../helpers/demo-process";
import { openSeededDemo, type SeededDemo } from "../helpers/seeded-demo";
import { seededRandom, seedJourneys, type SeedJourney } from "../helpers/funnel-seed";

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
// The test's own event names: the demo's own traffic must not enter these counts.
const NAMES = ["dg_view", "dg_cart", "dg_checkout", "dg_purchase"];
let demo: DemoProcess;
let seeded: SeededDemo;
let page: Page;
let funnelId = "";

beforeAll(async () => {
  seeded = await openSeededDemo({
    name: "funnel-diagnosis",
    async seed(db, shopId) {
      const now = Date.now();
      const rnd = seededRandom(5);
      const journeys: SeedJourney[] = [];
      // 900 finished sessions over the last 25 days: view → cart 70 %, cart → checkout 60 %
      // (mobile: 20 %, the planted break), checkout → purchase 80 %.
      for (let i = 0; i < 900; i++) {
        const device = (["mobile", "desktop", "tablet", "mobile", "desktop"] as const)[i % 5];
        const cart = rnd() < 0.7;
        const checkout = cart && rnd() < (device === "mobile" ? 0.2 : 0.6);
        const steps = !cart ? 1 : !checkout ? 2 : rnd() < 0.8 ? 4 : 3;
        const ts = now - 2 * DAY - Math.floor(rnd() * 23 * DAY);
        journeys.push({
          clientId: `dg-${i}`,
          device,
          utmSource: (["google", "instagram", undefined] as const)[i % 3],
          events: NAMES.slice(0, steps).map((name, k) => ({ name, ts: ts + k * MIN })),
        });
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

describe("for whom is this step worst, in real Chromium", () => {
  it("the leak's card names Mobile first, with its counts, in colour", async () => {
    await page.goto(demo.url, { waitUntil: "networkidle" });
    const definition = {
      name: "Diagnosis",
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
    funnelId = decodeURIComponent(/^\/app\/funnels\/([^/?]+)$/.exec(created.location)![1]);

    const report = await page.evaluate(async (u) => (await fetch(u)).json(), `/app/funnels/${funnelId}/report?range=last30`);
    expect(report.biggestLeak.step).toBe(3);
    expect(report.diagnosis.worse[0]).toMatchObject({ dimension: "device", value: "mobile" });

    await page.goto(await embeddedUrl(`/app/funnels/${funnelId}?range=last30`), { waitUntil: "networkidle" });
    const card = page.getByTestId("diagnosis-card");
    await card.getByRole("heading", { name: "For whom is this step worst?" }).waitFor();
    await card.getByText("Drop more here than everyone else").waitFor();
    const first = card.getByTestId("diagnosis-claim").first();
    expect(await first.getAttribute("data-segment")).toBe("device:mobile");
    // The sentence, with both counts and the interval, exactly as the JSON carries it.
    expect((await first.innerText()).trim()).toBe(report.diagnosis.worse[0].sentence);
    expect(report.diagnosis.worse[0].sentence).toMatch(/^Mobile: \d+ % drop here vs \d+ % for everyone else \([\d,]+ of [\d,]+ vs [\d,]+ of [\d,]+; 95 % CI/);
    // A claim that held up is coloured (critical text), unlike the plain sentences.
    const claimColour = await first.locator("p").evaluate((el) => getComputedStyle(el).color);
    const plainColour = await card.getByRole("heading", { name: "For whom is this step worst?" }).evaluate((el) => getComputedStyle(el).color);
    expect(claimColour).not.toBe(plainColour);
    expect(await card.getByLabel("Step", { exact: true }).inputValue()).toBe("3");
    // The leak banner links down to the cards (they stream in under the steps table).
    const urlBefore = page.url();
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.getByRole("button", { name: "For whom it is worst, and what they did instead" }).click();
    await page.waitForFunction(() => document.getElementById("diagnosis")!.getBoundingClientRect().top < window.innerHeight);
    expect(page.url()).toBe(urlBefore);
    await shot("mobile-worst");
  });

  it("picking a step without an effect says no group stands out, with the difference it could have shown, uncoloured", async () => {
    await page.getByTestId("diagnosis-card").getByLabel("Step", { exact: true }).selectOption("2");
    await page.waitForURL(/diagnose=2/);
    const none = page.getByTestId("diagnosis-none");
    await none.waitFor();
    expect(await none.innerText()).toMatch(
      /^No group of visitors stands out \(\d+ segments? tested(, \d+ of them pairs)?; the data could have shown a difference of \d+ pp or more\)\.$/,
    );
    expect(await page.getByTestId("diagnosis-claim").count()).toBe(0);
    await shot("no-claim");
  });

  it("'Plan an A/B test on this step' opens the planner with the step's own baseline and traffic", async () => {
    const report = await page.evaluate(async (u) => (await fetch(u)).json(), `/app/funnels/${funnelId}/report?range=last30`);
    const d = report.diagnosis;
    await page.goto(await embeddedUrl(`/app/funnels/${funnelId}?range=last30`), { waitUntil: "networkidle" });
    await page.getByTestId("diagnosis-actions").getByRole("link", { name: "Plan an A/B test on this step: “Carted” → “Checked out”" }).click();
    await page.waitForURL(/\/app\/insights\?plan=funnel-step/);
    const banner = page.getByTestId("planner-step");
    await banner.waitFor();
    // Exactly the report's step: its settled sessions and those that went on.
    expect(await banner.getAttribute("data-settled")).toBe(String(d.settled));
    expect(await banner.getAttribute("data-converted")).toBe(String(d.settled - d.dropOff));
    expect(await banner.getAttribute("data-unit")).toBe("session");
    const weekly = Math.round((d.settled * 7) / report.range.days).toLocaleString("en-US");
    expect(await banner.innerText()).toMatch(
      new RegExp(
        `Test plan for the funnel step “Carted → Checked out”[\\s\\S]*Baseline ${(d.settled - d.dropOff).toLocaleString("en-US")} of ${d.settled.toLocaleString("en-US")} finished sessions \\(\\d+\\.\\d %\\) over the report's \\d+ days, about ${weekly} sessions/week[\\s\\S]*a test needs [\\d,]+ sessions per variant`,
      ),
    );
    await shot("plan-step");
  });

  it("'Make an audience of these drop-offs' opens an audience of exactly the report's drop-offs at the step", async () => {
    const report = await page.evaluate(async (u) => (await fetch(u)).json(), `/app/funnels/${funnelId}/report?range=last30`);
    const d = report.diagnosis;
    await page.goto(await embeddedUrl(`/app/funnels/${funnelId}?range=last30`), { waitUntil: "networkidle" });
    await page
      .getByTestId("diagnosis-actions")
      .getByRole("button", {
        name: `Make an audience of these drop-offs: the ${d.dropOff.toLocaleString("en-US")} sessions that reached “Carted” and never “Checked out”`,
      })
      .click();
    await page.waitForURL(/\/app\/audiences\/(?!new)[\w-]+/);
    const size = page.getByTestId("audience-dropoff");
    await size.waitFor();
    expect(await size.getAttribute("data-units")).toBe(String(d.dropOff));
    expect(await size.innerText()).toMatch(
      new RegExp(`^${d.dropOff.toLocaleString("en-US")} finished sessions of “Diagnosis” reached “Carted” and never reached “Checked out” in the range`),
    );
    await page.getByRole("heading", { name: "Carted, never Checked out (Diagnosis)" }).waitFor();
    await shot("audience-step");
  });
});
