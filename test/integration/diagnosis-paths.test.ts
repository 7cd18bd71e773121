/**
 * "What did they do instead?" over real HTTP against the production build, on SQLite and
 * PostgreSQL: sessions that drop after adding to cart mostly read the shipping policy and
 * leave → the report JSON's `paths` names that as the top difference, in the first next
 * step and in the 3-step path, with the seeded counts; the JSON equals core's
 * `pathsAtStep` over the same events (from the precomputed rows and from the events); a
 * sampled read (maxUnitsPerSide below the sides) keeps exactly the units the pure function
 * keeps; the CSV table=paths parses and matches the JSON; no step → a 400 with a message.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDemoShop } from "../../scripts/lib/demo-shop";
import { startApp, type TestApp } from "../helpers/app-server";
import { adminHeaders } from "../helpers/shopify-auth";
import { seededRandom, seedJourneys, type SeedEvent, type SeedJourney } from "../helpers/funnel-seed";
import { csvMeta, csvRecords } from "../helpers/funnel-csv";
import { loadReportEvents } from "../../app/services/events.server";
import { stepPaths } from "../../app/services/diagnosis-paths.server";
import { createSqlReader } from "../../db/executor";
import { pathsAtStep, LEFT_THE_SITE } from "../../core/diagnosis/paths";
import type { FunnelDefinition } from "../../core/types";

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const SHIPPING = "viewed /policies/shipping-policy";

/** Per session, what the generator planted: "policy" = dropped after the cart, read the policy, left. */
type Fate = "no-cart" | "policy" | "dropped-other" | "advanced" | "advanced-policy";

/**
 * Purchase-funnel sessions over the last ~25 days, all finished. View → cart 70 %; cart →
 * checkout 50 %. Of the sessions that stop after the cart, 45 % read the shipping policy
 * (with a tracking query string) and leave; the rest browse a product or a collection, or
 * leave at once. Of those that go on, 5 % read the policy first.
 */
function traffic(visitors: number, now: number, seed: number, prefix: string) {
  const rnd = seededRandom(seed);
  const journeys: SeedJourney[] = [];
  const fates: Fate[] = [];
  for (let v = 0; v < visitors; v++) {
    let at = now - 26 * DAY + Math.floor(rnd() * 23 * DAY);
    const next = () => (at += MIN + Math.floor(rnd() * 3 * MIN));
    const product = `p${1 + Math.floor(rnd() * 5)}`;
    const events: SeedEvent[] = [
      { name: "page_viewed", ts: at, path: `/products/${product}`, device: rnd() < 0.5 ? "mobile" : "desktop" },
      { name: "product_viewed", ts: next(), path: `/products/${product}`, productId: product },
    ];
    let fate: Fate = "no-cart";
    if (rnd() < 0.7) {
      events.push({ name: "product_added_to_cart", ts: next(), path: `/products/${product}`, productId: product });
      if (rnd() < 0.5) {
        const policy = rnd() < 0.05;
        fate = policy ? "advanced-policy" : "advanced";
        if (policy) events.push({ name: "page_viewed", ts: next(), path: "/policies/shipping-policy" });
        const token = `${prefix}-${v}`;
        events.push({ name: "page_viewed", ts: next(), path: "/cart" });
        events.push({ name: "checkout_started", ts: next(), path: "/checkouts/cn/abc123def456ghi789", checkoutToken: token });
        if (rnd() < 0.8)
          events.push({
            name: "checkout_completed",
            ts: next(),
            path: "/checkouts/cn/abc123def456ghi789/thank-you",
            checkoutToken: token,
            orderId: `o-${token}`,
          });
      } else {
        const r = rnd();
        fate = r < 0.45 ? "policy" : "dropped-other";
        if (r < 0.45) events.push({ name: "page_viewed", ts: next(), path: `/policies/shipping-policy?utm_content=${v}` });
        else if (r < 0.7)
          events.push(
            { name: "page_viewed", ts: next(), path: "/products/other" },
            { name: "product_viewed", ts: next(), path: "/products/other", productId: "other" },
          );
        else if (r < 0.85) events.push({ name: "page_viewed", ts: next(), path: "/collections/all" });
      }
    }
    fates.push(fate);
    journeys.push({ clientId: `${prefix}-${v}`, events });
  }
  return { journeys, fates };
}

describe.each(["sqlite", "postgres"] as const)("what they did instead on %s", (kind) => {
  let app: TestApp;
  const now = Date.now();
  const SHOP = `paths-${kind}.myshopify.com`;
  let shopId = 0;
  let funnelId = "";
  let fates: Fate[] = [];

  const get = (path: string) => fetch(`${app.url}${path}`, { headers: adminHeaders(SHOP), redirect: "manual" });
  const waitReady = async () => {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const { resultsState } = await app.db.funnel.findUniqueOrThrow({ where: { id: funnelId }, select: { resultsState: true } });
      if (resultsState === "ready") return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`funnel ${funnelId} not ready after 60 s`);
  };
  /** The pure function over every event the report reads. */
  const reference = async (
    report: {
      range: { from: number; to: number };
      now: number;
      funnel: { steps: FunnelDefinition["steps"]; unit: FunnelDefinition["unit"]; windowMinutes: number };
    },
    step: number,
    maxUnitsPerSide?: number,
  ) => {
    const def: FunnelDefinition = { steps: report.funnel.steps, unit: report.funnel.unit, windowMs: report.funnel.windowMinutes * MIN };
    const events = await loadReportEvents(app.db, shopId, { from: report.range.from, to: report.range.to, unit: def.unit, windowMs: def.windowMs });
    return pathsAtStep(events, def, { from: report.range.from, to: report.range.to, now: report.now }, step, maxUnitsPerSide ? { maxUnitsPerSide } : {});
  };

  beforeAll(async () => {
    app = await startApp({ db: kind });
    const shop = await ensureDemoShop(app.db, { domain: SHOP, ingestKey: `ik_${SHOP}`, timeZone: "UTC" });
    shopId = shop.id;
    const t = traffic(1200, now, 21, `${kind}-paths`);
    fates = t.fates;
    await seedJourneys(app.db, shop.id, t.journeys);
    const list = await (await get("/app/funnels?_data=routes%2Fapp.funnels._index")).json();
    funnelId = list.funnels[0].id;
    await waitReady();
  }, 180_000);
  afterAll(() => app?.stop());

  it("names the planted path as the top difference, with the seeded counts", async () => {
    const res = await get(`/app/funnels/${funnelId}/report?range=last30`);
    expect(res.status).toBe(200);
    const report = await res.json();
    expect(report.resultsFrom).toBe("unit-days");
    expect(report.biggestLeak.step).toBe(3);
    const p = report.paths;
    const dropped = fates.filter((f) => f === "policy" || f === "dropped-other").length;
    const advanced = fates.filter((f) => f === "advanced" || f === "advanced-policy").length;
    expect(p).toMatchObject({ step: 3, fromLabel: "Added to cart", toLabel: "Started checkout", unit: "session", tooFew: false, noClaimSentence: null });
    // Every unit read (fewer than 2,000 a side), and the sides are the report's own figures.
    expect(p.dropped).toEqual({ total: dropped, sampled: dropped, rate: 1 });
    expect(p.advanced).toEqual({ total: advanced, sampled: advanced, rate: 1 });
    expect(p.dropped.total).toBe(report.steps[2].dropOff);
    expect(p.advanced.total).toBe(report.steps[2].count);

    const first = p.firstSteps.standOut[0];
    expect(first.key).toBe(SHIPPING);
    expect(first.dropped).toEqual({
      count: fates.filter((f) => f === "policy").length,
      total: dropped,
      share: fates.filter((f) => f === "policy").length / dropped,
    });
    expect(first.advanced.count).toBe(fates.filter((f) => f === "advanced-policy").length);
    expect(first.verdict).toBe("more");
    expect(first.diffCi[0]).toBeGreaterThan(0.2);
    expect(p.headline).toBe(first.sentence);
    expect(first.sentence).toMatch(
      /^\d+ % of the sessions that dropped after “Added to cart” viewed \/policies\/shipping-policy next, against \d+ % of those that went on to “Started checkout” \([\d,]+ of [\d,]+ vs [\d,]+ of [\d,]+\)$/,
    );
    // The whole path: read the policy, then left.
    expect(p.paths.standOut[0].key).toBe(`${SHIPPING} → ${LEFT_THE_SITE}`);
    expect(p.paths.standOut[0].dropped.count).toBe(fates.filter((f) => f === "policy").length);
    // Noisy URLs are grouped: the query strings and checkout tokens are gone.
    const keys = [...p.firstSteps.rows, ...p.paths.rows].map((r: { key: string }) => r.key).join("|");
    expect(keys).not.toMatch(/utm_content|abc123/);
  });

  it("the JSON equals core's pathsAtStep over the same events, from the precomputed rows and from the events", async () => {
    const report = await (await get(`/app/funnels/${funnelId}/report?range=last30`)).json();
    expect(report.paths).toEqual(await reference(report, 3));
    await app.db.funnel.update({ where: { id: funnelId }, data: { resultsState: "held-by-test" } });
    try {
      const slow = await (await get(`/app/funnels/${funnelId}/report?range=last30&diagnose=2`)).json();
      expect(slow.resultsFrom).toBe("events");
      expect(slow.paths.step).toBe(2);
      expect(slow.paths).toEqual(await reference(slow, 2));
    } finally {
      await app.db.funnel.update({ where: { id: funnelId }, data: { resultsState: "ready" } });
    }
  });

  it("a sampled read keeps exactly the units the pure function keeps", async () => {
    const report = await (await get(`/app/funnels/${funnelId}/report?range=last30`)).json();
    const def: FunnelDefinition = { steps: report.funnel.steps, unit: report.funnel.unit, windowMs: report.funnel.windowMinutes * MIN };
    const reads = createSqlReader(app.dbUrl);
    try {
      for (const fromUnitDays of [true, false]) {
        const sampled = await stepPaths(reads, {
          shopId,
          funnelId,
          def,
          params: { from: report.range.from, to: report.range.to, now: report.now, timeZone: "UTC" },
          step: 3,
          totals: { dropped: report.steps[2].dropOff, advanced: report.steps[2].count },
          fromUnitDays,
          maxUnitsPerSide: 150,
        });
        expect(sampled.dropped.rate).toBeLessThan(1);
        expect(sampled.advanced.rate).toBeLessThan(1);
        expect(sampled.dropped.sampled).toBeGreaterThan(90);
        expect(sampled.dropped.sampled).toBeLessThan(210);
        expect(sampled).toEqual(await reference(report, 3, 150));
      }
    } finally {
      await reads.close();
    }
  });

  it("CSV table=paths parses, with the header block and the same numbers as the JSON", async () => {
    const json = (await (await get(`/app/funnels/${funnelId}/report?range=last30`)).json()).paths;
    const res = await get(`/app/funnels/${funnelId}/csv?table=paths&range=last30`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toMatch(/-paths-\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}\.csv"$/);
    const text = await res.text();
    expect(csvMeta(text)).toMatchObject({
      table: "paths",
      step: "3",
      step_from: "Added to cart",
      dropped: String(json.dropped.total),
      went_on_read: String(json.advanced.sampled),
      max_units_read_each_side: "2000",
      min_units_each_side: "30",
      family_confidence: "0.95",
      path_length: "3",
    });
    const rows = csvRecords(text);
    expect(rows).toHaveLength(json.firstSteps.rows.length + json.paths.rows.length);
    const ship = rows.find((r) => r.table === "first_step" && r.path === SHIPPING)!;
    const j = json.firstSteps.rows.find((r: { key: string }) => r.key === SHIPPING);
    expect(ship).toMatchObject({
      verdict: "more",
      dropped: String(j.dropped.count),
      dropped_read: String(j.dropped.total),
      went_on: String(j.advanced.count),
      is_other: "no",
    });
    expect(Number(ship.diff_pp)).toBeCloseTo(j.diff * 100, 2);
    expect(Number(ship.diff_low_pp)).toBeCloseTo(j.diffCi[0] * 100, 2);
    expect(rows.filter((r) => r.table === "path" && r.is_other === "yes")).toHaveLength(json.paths.rows.filter((r: { isOther: boolean }) => r.isOther).length);
  });

  it("table=paths without a step to diagnose is a 400 with a message", async () => {
    // Today: the seeded traffic ended days ago, so nobody entered and no leak is named.
    const res = await get(`/app/funnels/${funnelId}/csv?table=paths&range=today`);
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatch(/table=paths needs a step/);
  });
});
