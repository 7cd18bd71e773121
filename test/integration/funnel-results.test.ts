/**
 * Precomputed funnel results (app/services/funnel-results/) on SQLite and
 * PostgreSQL, end to end: events arrive over real HTTP at /collect (out of order, late,
 * merging sessions, from a bot), the server's background refresher builds and maintains
 * the FunnelUnitDay rows, and every report it answers from them equals the pure engine
 * over the stored events — for session and visitor units, several ranges, breakdowns,
 * trends, and after more late events once the refresher's pass has taken them in (reports read
 * the rows as of its progress, never refresh: each check waits for that state, then asserts asOf).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadReportEvents } from "../../app/services/events.server";
import { computeFunnel } from "../../core/funnel";
import type { FunnelDefinition } from "../../core/types";
import { ensureDemoShop } from "../../scripts/lib/demo-shop";
import { BROWSER_UA, startApp, type TestApp } from "../helpers/app-server";
import { shopTraffic, type SeedJourney } from "../helpers/funnel-seed";
import { postBatch, visitor } from "../helpers/ingest";
import { adminHeaders } from "../helpers/shopify-auth";
import { loaderData } from "../helpers/loader-data";
import { waitForResults } from "../helpers/funnel-results";

const SHOP = "results-shop.myshopify.com";
const OTHER = "results-other.myshopify.com";
const TZ = "America/New_York";
const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const env = {
  INGEST_MAX_AGE_HOURS: String(60 * 24),
  FUNNEL_RESULTS_INTERVAL_MS: "200",
  INGEST_IP_RPS: "1000000",
  INGEST_IP_BURST: "1000000",
  INGEST_SHOP_RPS: "1000000",
  INGEST_SHOP_BURST: "1000000",
};

type Compact = Record<string, unknown> & { ts: string };

let orderNumber = 5_000;
/** A journey as the pixel would send it: compact events with the session's entry data. */
function toCompact(j: SeedJourney, prefix: string): Compact[] {
  let device = j.device ?? "desktop";
  return j.events.map((e, i) => {
    if (e.device) device = e.device;
    return {
      id: `${prefix}-${j.clientId}-${i}`,
      name: e.name,
      ts: new Date(e.ts).toISOString(),
      seq: i,
      clientId: visitor(j.clientId),
      path: e.path ?? null,
      productId: e.productId ? e.productId.replace(/^p/, "") : null,
      checkoutToken: e.checkoutToken ?? null,
      orderId: e.orderId ? String(orderNumber++) : null, // Shopify order ids are numeric (ingestion keeps the number of a gid)
      props: e.props ?? null,
      device,
      utm: e.utmSource ? { source: e.utmSource, campaign: e.utmCampaign ?? null } : null,
    };
  });
}

describe.each(["sqlite", "postgres"] as const)("precomputed funnel results on %s", (kind) => {
  let app: TestApp;
  let shopId: number;
  const now = Date.now();
  const key = `ik_results_${kind}`;
  const get = (path: string) => fetch(`${app.url}${path}`, { headers: adminHeaders(SHOP), redirect: "manual" });
  const send = async (events: Compact[], ua?: string) => {
    for (let i = 0; i < events.length; i += 50) {
      const res = await postBatch(app.url, { v: 1, shop: SHOP, key, ...(ua ? { ua } : {}), events: events.slice(i, i + 50) }, { "User-Agent": BROWSER_UA });
      expect(res.status, res.text).toBe(202);
      expect(res.json.rejected, res.text).toEqual([]);
    }
  };
  const funnelIds: string[] = [];

  beforeAll(async () => {
    app = await startApp({ db: kind, env });
    shopId = (await ensureDemoShop(app.db, { domain: SHOP, ingestKey: key, timeZone: TZ })).id;
    await ensureDemoShop(app.db, { domain: OTHER, ingestKey: `ik_results_other_${kind}`, timeZone: TZ });
  });
  afterAll(() => app?.stop());

  it("builds every funnel's results in the background from events that arrived out of order", async () => {
    // The shop's default Purchase funnel (session unit) plus a visitor-unit funnel with a path filter.
    const list = await (await get("/app/funnels?_data=routes%2Fapp.funnels._index")).json();
    funnelIds.push(list.funnels[0].id);
    const created = await fetch(`${app.url}/app/funnels/new?_data=routes%2Fapp.funnels.new`, {
      method: "POST",
      headers: adminHeaders(SHOP),
      redirect: "manual",
      body: new URLSearchParams({
        definition: JSON.stringify({
          name: "Blog readers who buy",
          unit: "visitor",
          windowMinutes: 2 * 24 * 60,
          steps: [
            { label: "Blog", anyOf: [{ event: "page_viewed", filters: [{ field: "path", op: "startsWith", value: "/blogs/" }] }] },
            { label: "Product", anyOf: [{ event: "product_viewed" }] },
            { label: "Cart or checkout", anyOf: [{ event: "product_added_to_cart" }, { event: "checkout_started" }] },
            { label: "Purchase", anyOf: [{ event: "checkout_completed" }] },
          ],
        }),
      }),
    });
    funnelIds.push(/\/app\/funnels\/([^/?]+)$/.exec(created.headers.get("x-remix-redirect") ?? "")![1]);

    const journeys = shopTraffic({ visitors: 300, from: now - 35 * DAY, to: now - 60 * MIN, seed: 11, prefix: `r-${kind}` });
    // Second halves first, then first halves: sessions merge and days fill in late.
    const halves = journeys.map((j) => toCompact(j, "a")).map((evs) => [evs.slice(0, evs.length >> 1), evs.slice(evs.length >> 1)]);
    await send(halves.flatMap((h) => h[1]));
    await send(halves.flatMap((h) => h[0]));
    await send(
      toCompact(
        {
          clientId: "bot-1",
          events: [
            { name: "product_viewed", ts: now - DAY },
            { name: "product_added_to_cart", ts: now - DAY + MIN },
          ],
        },
        "b",
      ),
      "Googlebot/2.1 (+http://www.google.com/bot.html)",
    );

    // The server's refresher alone (no report asked yet) makes both funnels ready.
    let states: string[] = [];
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      states = (await app.db.funnel.findMany({ where: { shopId }, select: { resultsState: true } })).map((f) => f.resultsState);
      if (states.every((s) => s === "ready") && (await app.db.staleVisitor.count({ where: { shopId } })) === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(states).toEqual(["ready", "ready"]);
    expect(await app.db.funnelUnitDay.count({ where: { shopId } })).toBeGreaterThan(200);
    // Nothing was computed for the other shop, which has no events.
    expect(await app.db.funnelUnitDay.count({ where: { shopId: { not: shopId } } })).toBe(0);
  });

  /** The report the server answers against the engine over the events it stored. */
  async function checkReport(funnelId: string, query: string) {
    // Every event sent so far was acknowledged, so stored, before `since`.
    const since = Date.now();
    await waitForResults(app.db, shopId, funnelId, since);
    const res = await get(`/app/funnels/${funnelId}/report?${query}`);
    expect(res.status).toBe(200);
    const json = await res.json();
    expect(json.resultsFrom).toBe("unit-days");
    expect(json.asOf).toBeGreaterThanOrEqual(since);
    expect(json.build).toBeNull();
    const def: FunnelDefinition = { unit: json.funnel.unit, windowMs: json.funnel.windowMinutes * MIN, steps: json.funnel.steps };
    const params = { from: json.range.from, to: json.range.to, now: json.now, timeZone: TZ };
    const events = await loadReportEvents(app.db, shopId, { ...params, unit: def.unit, windowMs: def.windowMs });
    const extra = { trend: json.trend.granularity, ...(json.breakdown ? { breakdown: json.breakdown.key } : {}) };
    const want = computeFunnel(events, def, { ...params, ...extra });
    expect({
      steps: json.steps,
      leak: json.biggestLeak,
      noLeak: json.noLeak,
      breakdown: json.breakdown ?? undefined,
      trend: json.trend,
      total: json.totalUnits,
      inProgress: json.inProgressUnits,
    }).toEqual({
      steps: want.steps,
      leak: want.biggestLeak,
      noLeak: want.noLeak,
      breakdown: want.breakdown,
      trend: want.trend,
      total: want.totalUnits,
      inProgress: want.inProgressUnits,
    });
    if (json.previous) {
      const prev = computeFunnel(
        await loadReportEvents(app.db, shopId, { from: json.previousRange.from, to: json.previousRange.to, unit: def.unit, windowMs: def.windowMs }),
        def,
        { from: json.previousRange.from, to: json.previousRange.to, now: json.now, timeZone: TZ },
      );
      expect(json.previous.steps).toEqual(prev.steps);
    }
    return json;
  }

  it("answers reports from the precomputed rows, equal to the engine (ranges, breakdowns, trends, comparison)", async () => {
    const [purchase, blog] = funnelIds;
    const first = await checkReport(purchase, "range=last30&breakdown=device&trend=week&compare=on");
    expect(first.totalUnits).toBeGreaterThan(100);
    expect(first.steps[3].count).toBeGreaterThan(5);
    await checkReport(purchase, "range=last7&breakdown=source");
    await checkReport(purchase, "range=today&breakdown=visitorType");
    const blogReport = await checkReport(blog, "range=last30&breakdown=campaign&trend=day");
    expect(blogReport.totalUnits).toBeGreaterThan(20);
    await checkReport(blog, "range=last90&breakdown=loggedIn&compare=on");
  });

  it("the dashboard's counts-only read of the main funnel equals the engine, without step times", async () => {
    await waitForResults(app.db, shopId, funnelIds[0]);
    const res = await get("/app?_data=routes%2Fapp._index");
    expect(res.status).toBe(200);
    const d = await loaderData(res);
    const funnel = await (await get(`/app/funnels/${d.mainFunnel.id}/report?range=last30`)).json();
    expect(funnel.resultsFrom).toBe("unit-days");
    const def: FunnelDefinition = { unit: funnel.funnel.unit, windowMs: funnel.funnel.windowMinutes * MIN, steps: funnel.funnel.steps };
    const params = { from: d.range.from, to: d.range.to, now: funnel.now, timeZone: TZ };
    const want = computeFunnel(await loadReportEvents(app.db, shopId, { ...params, unit: def.unit, windowMs: def.windowMs }), def, params);
    expect(want.steps[1].medianMsFromPrev).not.toBeNull();
    const withoutTimes = want.steps.map((s) => ({ ...s, medianMsFromPrev: null, p90MsFromPrev: null }));
    expect(d.mainFunnel.report).toMatchObject({
      totalUnits: want.totalUnits,
      inProgressUnits: want.inProgressUnits,
      steps: withoutTimes,
      biggestLeak: want.biggestLeak,
    });
  });

  it("stays equal after late events change old sessions and days, as of the refresher's next pass", async () => {
    // Late purchases and a page view bridging two sessions of earlier visitors, then a report once they are in.
    const late: Compact[] = [];
    for (let v = 0; v < 40; v++) {
      const clientId = visitor(`r-${kind}-${v}`);
      const rows = await app.db.event.findMany({ where: { shopId, clientId }, orderBy: { ts: "asc" }, select: { ts: true } });
      const last = Number(rows[rows.length - 1].ts);
      const firstTs = Number(rows[0].ts);
      late.push(
        {
          id: `late-${clientId}-1`,
          name: "checkout_completed",
          ts: new Date(last + 2 * MIN).toISOString(),
          seq: 900,
          clientId,
          orderId: String(orderNumber++),
          path: "/checkouts/c/thank-you",
        },
        { id: `late-${clientId}-2`, name: "page_viewed", ts: new Date(firstTs - 20 * MIN).toISOString(), seq: 0, clientId, path: "/blogs/news/late" },
        {
          id: `late-${clientId}-3`,
          name: "product_viewed",
          ts: new Date(firstTs - 10 * MIN).toISOString(),
          seq: 1,
          clientId,
          path: "/products/p1",
          productId: "1",
        },
      );
    }
    await send(late);
    const [purchase, blog] = funnelIds;
    // A visitor-unit attempt from an earlier day that a late purchase completes: the
    // rows of days up to a window before the late event must be recomputed.
    const t = now - 5 * DAY;
    await send([
      { id: "span-1", name: "page_viewed", ts: new Date(t).toISOString(), seq: 0, clientId: visitor("span-visitor"), path: "/blogs/news/a" },
      {
        id: "span-2",
        name: "product_viewed",
        ts: new Date(t + MIN).toISOString(),
        seq: 1,
        clientId: visitor("span-visitor"),
        path: "/products/p2",
        productId: "2",
      },
      {
        id: "span-3",
        name: "product_added_to_cart",
        ts: new Date(t + DAY).toISOString(),
        seq: 2,
        clientId: visitor("span-visitor"),
        path: "/products/p2",
        productId: "2",
      },
    ]);
    const before = await checkReport(blog, "range=last30");
    await send([
      {
        id: "span-4",
        name: "checkout_completed",
        ts: new Date(t + 1.5 * DAY).toISOString(),
        seq: 3,
        clientId: visitor("span-visitor"),
        orderId: String(orderNumber++),
      },
    ]);
    const after = await checkReport(blog, "range=last30");
    expect(after.steps[3].count).toBe(before.steps[3].count + 1);
    await checkReport(purchase, "range=last30&breakdown=source&trend=day");
    await checkReport(blog, "range=last30&trend=week");
    expect(await app.db.staleVisitor.count({ where: { shopId } })).toBe(0);
  });

  it("a returning visitor's new session is recomputed from its start: their earlier sessions and days keep their rows", async () => {
    const [purchase, blog] = funnelIds;
    // Ten visitors read the blog and view a product 10 days ago, then come back 2 days ago.
    const clientIds = Array.from({ length: 10 }, (_, i) => visitor(`back-${kind}-${i}`));
    const visit = (at: number, tag: string): Compact[] =>
      clientIds.flatMap((clientId, i) => [
        { id: `${tag}-${i}-1`, name: "page_viewed", ts: new Date(at + i * MIN).toISOString(), seq: 0, clientId, path: "/blogs/news/back" },
        { id: `${tag}-${i}-2`, name: "product_viewed", ts: new Date(at + (i + 1) * MIN).toISOString(), seq: 1, clientId, path: "/products/p3", productId: "3" },
      ]);
    const rowsOf = async () =>
      app.db.funnelUnitDay.findMany({
        where: { shopId, clientId: { in: clientIds } },
        // Not multi: a visitor unit's older day is flagged once it has a newer one.
        select: { funnelId: true, unitId: true, day: true, entryTs: true, furthest: true, msFromPrev: true, lastTs: true, device: true, source: true },
        orderBy: [{ funnelId: "asc" }, { unitId: "asc" }, { day: "asc" }],
      });
    await send(visit(now - 10 * DAY, "first"));
    await checkReport(purchase, "range=last30");
    await checkReport(blog, "range=last30");
    const before = await rowsOf();
    expect(before.filter((r) => r.funnelId === purchase)).toHaveLength(10);
    expect(before.filter((r) => r.funnelId === blog)).toHaveLength(10);

    await send(visit(now - 2 * DAY, "again"));
    await checkReport(purchase, "range=last30&trend=day");
    await checkReport(blog, "range=last30&trend=day");
    const after = await rowsOf();
    // Each funnel: the first visit's rows as they were (session units: an earlier session;
    // visitor units: a day before the 2-day window), and one new row per visitor.
    for (const funnelId of [purchase, blog]) {
      const earlier = after.filter((r) => r.funnelId === funnelId && Number(r.entryTs) < now - 5 * DAY);
      expect(earlier).toEqual(before.filter((r) => r.funnelId === funnelId));
      expect(after.filter((r) => r.funnelId === funnelId && Number(r.entryTs) >= now - 5 * DAY)).toHaveLength(10);
    }
    // The blog funnel's units now span two days: both rows of each say so.
    const multi = await app.db.funnelUnitDay.findMany({ where: { shopId, funnelId: blog, clientId: { in: clientIds } }, select: { multi: true } });
    expect(multi.map((r) => r.multi)).toEqual(Array(20).fill(true));
  });

  it("a visitor whose earlier attempt has closed but whose latest is open waits (in progress), not a drop-off, through the precomputed rows", async () => {
    const [, blog] = funnelIds;
    const before = await checkReport(blog, "range=last30");
    // Blog read 10 days ago (its 2-day window long closed), and again 30 minutes ago.
    await send([
      { id: "reopen-1", name: "page_viewed", ts: new Date(now - 10 * DAY).toISOString(), seq: 0, clientId: visitor("reopen-visitor"), path: "/blogs/news/a" },
      { id: "reopen-2", name: "page_viewed", ts: new Date(now - 30 * MIN).toISOString(), seq: 1, clientId: visitor("reopen-visitor"), path: "/blogs/news/b" },
    ]);
    const after = await checkReport(blog, "range=last30");
    expect(after.totalUnits).toBe(before.totalUnits + 1);
    expect(after.steps[0].waiting).toBe(before.steps[0].waiting + 1);
    expect(after.steps[1].dropOff).toBe(before.steps[1].dropOff);
    expect(after.steps[1].settled).toBe(before.steps[1].settled);
    // Its rows are two days (multi): in progress is decided from the latest start.
    expect(await app.db.funnelUnitDay.count({ where: { shopId, funnelId: blog, clientId: visitor("reopen-visitor") } })).toBe(2);
  });

  it("a deleted funnel takes its rows with it", async () => {
    const [, blog] = funnelIds;
    const res = await fetch(`${app.url}/app/funnels/${blog}?_data=routes%2Fapp.funnels.%24id`, {
      method: "POST",
      headers: adminHeaders(SHOP),
      body: new URLSearchParams({ intent: "delete" }),
      redirect: "manual",
    });
    expect(res.status).toBeLessThan(400);
    expect(await app.db.funnelUnitDay.count({ where: { shopId, funnelId: blog } })).toBe(0);
    expect(await app.db.funnelUnitDay.count({ where: { shopId } })).toBeGreaterThan(0);
  });
});
