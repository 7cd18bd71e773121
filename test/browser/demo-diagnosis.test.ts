/**
 * The demo's planted diagnosis in real Chromium: the demo's own simulated traffic (its
 * seed, its size and its planted effects: mobile visitors from Instagram read the
 * shipping policy and leave between cart and checkout) written into a fresh demo shop →
 * the Purchase report's "For whom" card at Added to cart → Started checkout names
 * Instagram first, with its counts. Screenshots in test-results/.
 */
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DEMO_SHOP } from "../../scripts/lib/demo-shop";
import { demoSimulation } from "../../scripts/lib/demo-data";
import { simulateVisitors } from "../../scripts/lib/simulation";
import { openSeededDemo, type SeededDemo } from "../helpers/seeded-demo";
import { seedSimulation } from "../helpers/sim-seed";

let seeded: SeededDemo;
let page: Page;

beforeAll(async () => {
  seeded = await openSeededDemo({
    name: "demo-diagnosis",
    seed: (db, shopId) => seedSimulation(db, shopId, simulateVisitors(demoSimulation({ shop: DEMO_SHOP, to: Date.now() - 60_000 }))),
  });
  page = seeded.page;
}, 240_000);

afterEach(async (ctx) => {
  if (ctx.task.result?.state === "fail" && page) await seeded.shot(`failed-${ctx.task.name.slice(0, 40).replace(/\W+/g, "-")}`).catch(() => {});
});

afterAll(() => seeded?.close());

describe("the demo's planted diagnosis, in real Chromium", () => {
  it("the Purchase report's card at Added to cart → Started checkout names Instagram first", async () => {
    await page.goto(seeded.demo.url, { waitUntil: "networkidle" });
    const list = await page.evaluate(async () => (await fetch("/app/funnels?_data=routes%2Fapp.funnels._index")).json());
    const purchase = list.funnels.find((f: { name: string }) => f.name === "Purchase");
    expect(purchase).toBeTruthy();
    const report = await page.evaluate(async (u) => (await fetch(u)).json(), `/app/funnels/${purchase.id}/report?range=last30&diagnose=3`);
    expect(report.diagnosis.step).toBe(3);
    expect(report.diagnosis.worse[0]).toMatchObject({ dimension: "source", value: "instagram" });

    await page.goto(await seeded.embeddedUrl(`/app/funnels/${purchase.id}?range=last30&diagnose=3`), { waitUntil: "networkidle" });
    const card = page.getByTestId("diagnosis-card");
    await card.getByRole("heading", { name: "For whom is this step worst?" }).waitFor();
    const first = card.getByTestId("diagnosis-claim").first();
    expect(await first.getAttribute("data-segment")).toBe("source:instagram");
    expect((await first.innerText()).trim()).toBe(report.diagnosis.worse[0].sentence);
    await seeded.shot("instagram-worst");
  });
});
