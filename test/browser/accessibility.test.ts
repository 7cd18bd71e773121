/**
 * Accessibility of every admin page (the funnel edit page included) in real Chromium on the demo: axe-core (injected
 * from its npm package with playwright's addScriptTag) runs on each page once its data
 * has loaded, and the test fails on any serious or critical violation or any landmark
 * problem (every other finding is written to test-results/a11y-axe.json). Each page also
 * has a title of its own (a Remix `meta` export), and /favicon.ico answers. Screenshots in test-results/.
 */
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { root } from "../helpers/app-server";
import type { DemoProcess } from "../helpers/demo-process";
import { openSeededDemo, type SeededDemo } from "../helpers/seeded-demo";
import { seedJourneys, shopTraffic } from "../helpers/funnel-seed";

const AXE_PATH = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const artifacts = path.join(root, "test-results");
const DAY = 86_400_000;
let demo: DemoProcess;
let seeded: SeededDemo;
let page: Page;

interface AxeViolation {
  id: string;
  impact: "minor" | "moderate" | "serious" | "critical" | null;
  help: string;
  nodes: { target: string[]; html: string }[];
}

beforeAll(async () => {
  seeded = await openSeededDemo({
    name: "a11y",
    async seed(db, shopId) {
      const now = Date.now();
      await seedJourneys(db, shopId, shopTraffic({ visitors: 400, from: now - 30 * DAY, to: now - 3_600_000, seed: 7, prefix: "a11y" }));
    },
  });
  ({ demo, page } = seeded);
  await page.goto(demo.url, { waitUntil: "networkidle" });
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state === "fail" && page)
    await page.screenshot({ path: path.join(artifacts, `a11y-failed-${ctx.task.name.replace(/\W+/g, "-").slice(0, 40)}.png`), fullPage: true }).catch(() => {});
});

afterAll(() => seeded?.close());

const embeddedUrl = (pathAndQuery: string) => seeded.embeddedUrl(pathAndQuery);

/** Runs axe-core on the page as it is now; returns every violation (all impacts). */
async function axe(): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ path: AXE_PATH });
  return page.evaluate(async () => {
    const w = window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: AxeViolation[] }> } };
    const result = await w.axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target, html: n.html.slice(0, 200) })),
    }));
  });
}

const findings: Record<string, AxeViolation[]> = {};

/** Opens a page, waits for what shows its data, checks its title, and runs axe. */
async function audit(name: string, pathAndQuery: string, ready: () => Promise<unknown>, title: string) {
  const res = await page.goto(await embeddedUrl(pathAndQuery), { waitUntil: "networkidle" });
  expect(res?.status(), pathAndQuery).toBe(200);
  await ready();
  await expect(page.title()).resolves.toBe(title);
  const violations = await axe();
  findings[name] = violations;
  await page.screenshot({ path: path.join(artifacts, `a11y-${name}.png`), fullPage: true });
  // Serious and critical violations, and any landmark problem (content outside landmarks, no main).
  const blocking = violations.filter((v) => v.impact === "serious" || v.impact === "critical" || v.id === "region" || v.id.startsWith("landmark-"));
  expect(
    blocking.map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
    name,
  ).toEqual([]);
  return violations;
}

const heading = (name: string | RegExp) => () => page.getByRole("heading", { name }).first().waitFor();

describe("axe-core on every admin page of the demo", () => {
  let reportPath = "";

  it("dashboard", async () => {
    await audit(
      "dashboard",
      "/app",
      async () => {
        await heading("Dashboard")();
        // The deferred coverage cards have streamed in.
        await page.getByTestId("coverage-ratio").waitFor();
      },
      "Dashboard",
    );
    reportPath = new URL((await page.getByRole("link", { name: "See the funnel report" }).getAttribute("href"))!, demo.url).pathname;
  });

  it("funnels list", () => audit("funnels", "/app/funnels", () => page.getByText("Main funnel").first().waitFor(), "Funnels"));

  it("new funnel: template buttons are named by their visible text", async () => {
    await audit("funnel-new", "/app/funnels/new", () => page.getByLabel("Funnel name").waitFor(), "New funnel");
    await page.getByRole("button", { name: "Use Newsletter template" }).click();
    await page.getByRole("button", { name: "Newsletter template selected" }).waitFor();
    await expect(page.getByLabel("Funnel name").inputValue()).resolves.toBe("Newsletter signup");
  });

  it("funnel report", async () => {
    expect(reportPath).toMatch(/^\/app\/funnels\/[^/]+$/);
    await audit(
      "funnel-report",
      `${reportPath}?range=last30&breakdown=loggedIn`,
      async () => {
        await page
          .getByText(/^Biggest leak: /)
          .first()
          .waitFor();
        // The streamed diagnosis cards have arrived (audited too).
        await page.getByTestId("diagnosis-card").waitFor();
        await page.getByTestId("paths-card").waitFor();
      },
      "Funnel report",
    );
    // Issue 23 item 10: the logged-in breakdown reads "Logged in" / "Guest", not true / false.
    const firstCells = await page.locator("table").filter({ hasText: "Customer logged in" }).locator("tbody tr th, tbody tr td:first-child").allInnerTexts();
    expect(firstCells.length).toBeGreaterThan(0);
    expect(firstCells.every((c) => c === "Logged in" || c === "Guest")).toBe(true);
    expect(firstCells).toContain("Guest");
  });

  it("edit funnel (builder with live counts, definition in words, picker dialog)", async () => {
    await audit(
      "funnel-edit",
      `${reportPath}/edit`,
      async () => {
        await page.getByLabel("Funnel name").waitFor();
        await page
          .getByTestId("step-count-1")
          .getByText(/in the last 30 days/)
          .waitFor();
      },
      "Edit funnel",
    );
    // The stand-in's resource picker dialog too, open.
    await page.getByRole("button", { name: "+ Add filter" }).first().click();
    await page.getByLabel("Filter 1 on").first().selectOption("productId");
    await page.getByRole("button", { name: /^Choose a product for step 1/ }).click();
    await page.getByRole("dialog", { name: "Select product" }).waitFor();
    const blocking = (await axe()).filter((v) => v.impact === "serious" || v.impact === "critical");
    expect(blocking.map((v) => `${v.impact} ${v.id}: ${v.help}`)).toEqual([]);
    await page.getByRole("button", { name: "Cancel" }).click();
  });

  it("audiences list", () => audit("audiences", "/app/audiences", heading("Audiences"), "Audiences"));

  it("new audience, then the audience it creates", async () => {
    await audit("audience-new", "/app/audiences/new", heading("New audience"), "New audience");
    await page
      .getByRole("button", { name: /^Create/ })
      .first()
      .click();
    await page.waitForURL(/\/app\/audiences\/(?!new)[^/?]+/);
    await audit("audience-detail", new URL(page.url()).pathname, () => page.getByRole("heading").first().waitFor(), "Audience");
  });

  it("alert history", () => audit("alerts", "/app/alerts", heading("Alerts"), "Alerts"));

  it("insights", () => audit("insights", "/app/insights", () => page.getByTestId("planner-table").waitFor(), "Insights"));

  it("experiments", () => audit("experiments", "/app/insights/experiments", heading(/Experiments|A\/B|pdp-free-shipping-banner/), "Experiments"));

  it("coverage: its wide tables scroll by keyboard", async () => {
    await audit("coverage", "/app/coverage", () => page.locator('section[aria-label="Coverage per day"]').waitFor(), "Tracking coverage");
    const scroller = page.locator('section[aria-label="Coverage per day"] [tabindex="0"][role="region"][aria-label]');
    await expect(scroller.count()).resolves.toBe(1);
    // A keyboard user tabs to it and scrolls it with the arrow keys.
    await page.setViewportSize({ width: 480, height: 900 });
    await scroller.focus();
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowRight");
    await expect.poll(() => scroller.evaluate((el) => el.scrollLeft)).toBeGreaterThan(0);
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it("settings", () => audit("settings", "/app/settings", heading("Data retention"), "Settings"));

  it("setup", () => audit("setup", "/app/setup", heading("Setup checklist"), "Setup"));

  it("/favicon.ico and /favicon.svg answer with an icon", async () => {
    for (const [file, type] of [
      ["/favicon.ico", /^image\/(x-icon|vnd\.microsoft\.icon)$/],
      ["/favicon.svg", /^image\/svg\+xml/],
    ] as const) {
      const res = await fetch(new URL(file, demo.url));
      expect(res.status, file).toBe(200);
      expect(res.headers.get("content-type"), file).toMatch(type);
      expect((await res.arrayBuffer()).byteLength, file).toBeGreaterThan(100);
    }
  });

  afterAll(() => {
    // Every finding, blocking or not, for the record.
    writeFileSync(path.join(artifacts, "a11y-axe.json"), JSON.stringify(findings, null, 2));
  });
});
