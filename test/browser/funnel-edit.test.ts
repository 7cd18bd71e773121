/**
 * Editing and building funnels in the merchant's words, in real Chromium on the demo:
 * edit the main funnel → the report says it is rebuilding, then shows the new
 * definition's numbers (equal to the JSON API) and the definition in words; build a new
 * funnel from catalog labels with scroll depth 75 % and a product chosen with the App
 * Bridge resource picker (the demo stand-in's), with live counts beside the steps and a
 * per-field error in plain words. Screenshots in test-results/funnel-edit-*.png.
 */
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { DemoProcess } from "../helpers/demo-process";
import { openSeededDemo, type SeededDemo } from "../helpers/seeded-demo";
import { seedJourneys, shopTraffic, type SeedJourney } from "../helpers/funnel-seed";

const DAY = 86_400_000;
const MIN = 60_000;
let demo: DemoProcess;
let seeded: SeededDemo;
let page: Page;

beforeAll(async () => {
  seeded = await openSeededDemo({
    name: "funnel-edit",
    async seed(db, shopId) {
      const now = Date.now();
      const journeys: SeedJourney[] = shopTraffic({ visitors: 400, from: now - 30 * DAY, to: now - 3_600_000, seed: 5, prefix: "edit" });
      // Readers who scroll 75 % of a blog post and then open the Stoneware Mug (product 101).
      for (let i = 0; i < 60; i++) {
        const t = now - 25 * DAY + i * 6 * 3_600_000;
        journeys.push({
          clientId: `reader-${i}`,
          events: [
            { name: "page_viewed", ts: t, path: "/blogs/news/mugs" },
            { name: "mc:scroll_depth", ts: t + MIN, path: "/blogs/news/mugs", props: { percent: 50 } },
            { name: "mc:scroll_depth", ts: t + 2 * MIN, path: "/blogs/news/mugs", props: { percent: 75 } },
            ...(i % 2 === 0 ? [{ name: "product_viewed", ts: t + 3 * MIN, path: "/products/stoneware-mug", productId: "101" }] : []),
          ],
        });
      }
      // More visitors than one report brings up to date (5,000): a rebuild outlasts the first report after an edit.
      for (let i = 0; i < 12_000; i++)
        journeys.push({ clientId: `glance-${i}`, events: [{ name: "page_viewed", ts: now - 28 * DAY + i * 3 * MIN, path: "/" }] });
      await seedJourneys(db, shopId, journeys);
    },
  });
  ({ demo, page } = seeded);
}, 240_000);

afterEach(async (ctx) => {
  if (ctx.task.result?.state === "fail" && page) await seeded.shot(`failed-${ctx.task.name.slice(0, 40).replace(/\W+/g, "-")}`).catch(() => {});
});

afterAll(() => seeded?.close());

const shot = (name: string) => seeded.shot(name);
const api = (url: string) =>
  page.evaluate(async (u) => {
    const res = await fetch(u);
    return { status: res.status, body: await res.json() };
  }, url);

describe("editing and building funnels in Chromium", () => {
  let reportPath = "";

  it("edits the main funnel: the report says it is rebuilding, then shows the new definition's result", async () => {
    await page.goto(demo.url, { waitUntil: "networkidle" });
    await page.getByRole("link", { name: "See the funnel report" }).click();
    await page.waitForURL(/\/app\/funnels\/[^/?]+\?range=last30/);
    reportPath = new URL(page.url()).pathname;
    await page
      .getByText(/^Sessions that viewed a product, then added it to the cart, then started checkout, then purchased, in this order, within the same visit/)
      .waitFor({ timeout: 60_000 });
    await shot("report-before");

    await page.getByRole("link", { name: "Edit funnel" }).click();
    await page.waitForURL(/\/edit$/);
    await page.getByRole("heading", { name: "Edit “Purchase”" }).waitFor();
    await page
      .getByTestId("step-count-1")
      .getByText(/^≈ [\d,]+ sessions in the last 30 days$/)
      .waitFor({ timeout: 30_000 });
    // Remove step 2 (add to cart) and rename: three steps, product → checkout → purchase.
    await page.getByRole("button", { name: "Remove step 2" }).click();
    await page.getByLabel("Funnel name").fill("Product to purchase");
    await page.getByText(/^Sessions that viewed a product, then started checkout, then purchased/).waitFor();
    await shot("edit-page");
    await page.getByRole("button", { name: "Save as new version" }).click();
    await page.waitForURL((url) => url.pathname === reportPath);

    await page.getByText("Rebuilding results for the new definition…").waitFor({ timeout: 30_000 });
    await page.getByRole("heading", { name: "Product to purchase" }).waitFor();
    await shot("report-rebuilding");
    // The page reloads itself until the rebuild is done; then the banner goes.
    await page.getByText("Rebuilding results for the new definition…").waitFor({ state: "detached", timeout: 90_000 });
    const { body } = await api(`${reportPath}/report?range=last30`);
    expect(body.resultsFrom).toBe("unit-days");
    expect(body.funnel).toMatchObject({ version: 2, name: "Product to purchase" });
    expect(body.steps.map((s: { label: string }) => s.label)).toEqual(["Viewed a product", "Started checkout", "Purchased"]);
    const fmt = (n: number) => n.toLocaleString("en-US");
    await page.getByText(`${fmt(body.totalUnits)} sessions entered the funnel`).waitFor();
    await page
      .getByText(`${fmt(body.steps[1].count)} of ${fmt(body.steps[0].count)}`)
      .first()
      .waitFor();
    await page.getByRole("heading", { name: "What this funnel counts (version 2)" }).waitFor();
    await page.getByText(/^Sessions that viewed a product, then started checkout, then purchased, in this order/).waitFor();
    await shot("report-after");
  });

  it("builds a funnel in plain words: scroll 75 %, a product from the picker, live counts, a per-field error", async () => {
    await page.goto(await seeded.embeddedUrl("/app/funnels/new?template=custom"), { waitUntil: "networkidle" });
    await page.getByLabel("Funnel name").fill("Mug readers");
    const event = page.getByLabel("Event", { exact: true });
    // Events by their labels, with a one-line description under the chosen one.
    expect(await page.locator("option", { hasText: /^Viewed a product \([\d,]+\)$/ }).count()).toBeGreaterThan(0);
    expect(await page.locator("option", { hasText: /^Scrolled down a page/ }).count()).toBeGreaterThan(0);
    expect(await page.locator("option", { hasText: /^mc:|_viewed/ }).count()).toBe(0);
    await event.nth(0).selectOption({
      label: (await page
        .locator("option", { hasText: /^Scrolled down a page/ })
        .first()
        .textContent())!,
    });
    await page.getByText("The visitor scrolled to 50 %, 75 % or 90 % of a page (each mark passed counts).").waitFor();
    await page.getByLabel("How far down the page").selectOption({ label: "At least 75 %" });
    await page.getByLabel("Step label").nth(0).fill("Read 75 % of a post");

    await page.getByLabel("Step label").nth(1).fill("Opened the mug");
    await page.getByRole("button", { name: "+ Add filter" }).nth(1).click();
    await page.getByLabel("Filter 1 on").selectOption({ label: "Product" });
    await page.getByRole("button", { name: "Choose a product for step 2" }).click();
    const dialog = page.getByRole("dialog", { name: "Select product" });
    await dialog.waitFor();
    await shot("picker");
    await dialog.getByRole("button", { name: "Stoneware Mug" }).click();
    await page.getByText("Product: Stoneware Mug").waitFor();

    // Live counts: 60 readers scrolled 75 %, 30 of them then opened the mug (plus whatever the simulated traffic adds).
    const count = (i: number) => page.getByTestId(`step-count-${i}`);
    await count(2)
      .getByText(/^≈ [\d,]+ sessions? in the last 30 days$/)
      .waitFor({ timeout: 30_000 });
    const draft = {
      unit: "session",
      windowMinutes: 10080,
      steps: [
        { label: "a", anyOf: [{ event: "mc:scroll_depth", filters: [{ field: "prop", key: "percent", op: "equals", value: "75" }] }] },
        { label: "b", anyOf: [{ event: "product_viewed", filters: [{ field: "productId", op: "equals", value: "101", title: "Stoneware Mug" }] }] },
      ],
    };
    const { body: counted } = await api(`/app/funnels/count?${new URLSearchParams({ draft: JSON.stringify(draft) })}`);
    expect(counted.counts[0]).toBeGreaterThanOrEqual(60);
    expect(counted.counts[1]).toBeGreaterThanOrEqual(30);
    await count(1)
      .getByText(`≈ ${counted.counts[0].toLocaleString("en-US")} sessions in the last 30 days`)
      .waitFor();
    await count(2)
      .getByText(`≈ ${counted.counts[1].toLocaleString("en-US")} sessions in the last 30 days`)
      .waitFor();

    // A third step without an event: refused, and said where and what in plain words.
    await page.getByRole("button", { name: "+ Add step" }).click();
    await count(3).getByText("No count until the step is complete").waitFor({ timeout: 30_000 });
    await shot("builder-counts");
    await page.getByRole("button", { name: "Create funnel and open report" }).click();
    await page.getByText("Step 3, event: Choose an event").waitFor();
    // Beside the field itself, too.
    await page.locator(".Polaris-InlineError", { hasText: "Choose an event" }).waitFor();
    expect(await page.getByText(/steps\.\d|anyOf/).count()).toBe(0);
    await shot("builder-error");

    await page.getByRole("button", { name: "Remove step 3" }).click();
    await page.getByRole("button", { name: "Create funnel and open report" }).click();
    await page.waitForURL(/\/app\/funnels\/(?!new)[^/?]+$/);
    await page.getByRole("heading", { name: "Mug readers" }).waitFor();
    await page
      .getByText(
        "Sessions that scrolled at least 75 % down a page, then viewed a product (product “Stoneware Mug”), in this order, within the same visit (a visit ends after 30 minutes without activity).",
      )
      .waitFor();
    const id = new URL(page.url()).pathname.split("/").pop()!;
    const { body } = await api(`/app/funnels/${id}/report?range=last30`);
    expect(body.funnel.steps[1].anyOf[0].filters).toEqual([{ field: "productId", op: "equals", value: "101", title: "Stoneware Mug" }]);
    expect(body.steps.map((s: { count: number }) => s.count)).toEqual(counted.counts);
    await shot("built-report");
  });
});
