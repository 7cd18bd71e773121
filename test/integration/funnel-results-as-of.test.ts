/**
 * Reports read "as of" (app/services/funnel-results/read.server.ts), over real HTTP against
 * the production build, on SQLite and PostgreSQL: a GET never builds or refreshes a funnel's
 * results — right after a funnel is created it answers at once (from the events for a small
 * range, or partially from the rows computed so far) and says how current it is; creating a
 * funnel through the builder nudges the background refresher, which builds it long before
 * its next periodic pass; after that pass the report equals computeFunnel on the same events.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../../db/prisma";
import { loadReportEvents } from "../../app/services/events.server";
import { unitDayReport } from "../../app/services/funnel-results/read.server";
import { refreshShop } from "../../app/services/funnel-results/refresh.server";
import { toDefinition, toView } from "../../app/services/funnels.server";
import { computeFunnel } from "../../core/funnel";
import type { FunnelDefinition } from "../../core/types";
import { createSqlExecutor, createSqlReader } from "../../db/executor";
import { ensureDemoShop } from "../../scripts/lib/demo-shop";
import { startApp, type TestApp } from "../helpers/app-server";
import { seedJourneys, shopTraffic } from "../helpers/funnel-seed";
import { waitForResults } from "../helpers/funnel-results";
import { loaderData } from "../helpers/loader-data";
import { adminHeaders } from "../helpers/shopify-auth";

const SHOP = "as-of.myshopify.com";
const TZ = "Europe/Paris";
const MIN = 60_000;
const DAY = 24 * 60 * MIN;

const CART_FUNNEL = {
  name: "Cart to purchase",
  unit: "session",
  windowMinutes: 10_080,
  steps: [
    { label: "Product", anyOf: [{ event: "product_viewed", filters: [] }] },
    { label: "Cart", anyOf: [{ event: "product_added_to_cart", filters: [] }] },
    { label: "Purchase", anyOf: [{ event: "checkout_completed", filters: [] }] },
  ],
};

describe.each(["sqlite", "postgres"] as const)("reports as of the refresher's progress on %s", (kind) => {
  let app: TestApp;
  let shopId: number;
  let queuedId = "";
  const now = Date.now();
  const get = (path: string) => fetch(`${app.url}${path}`, { headers: adminHeaders(SHOP), redirect: "manual" });

  /** What a build writes: the funnel's state and mark, its rows, the shop's markers. */
  const buildTrace = async (funnelId: string) => ({
    funnel: await app.db.funnel.findUniqueOrThrow({ where: { id: funnelId }, select: { resultsState: true, resultsMark: true } }),
    rows: await app.db.funnelUnitDay.count({ where: { shopId, funnelId } }),
    markers: await app.db.staleVisitor.count({ where: { shopId } }),
  });

  /** The engine's report over the stored events, for the range and clock the server used. */
  const engine = async (json: {
    funnel: { unit: "session" | "visitor"; windowMinutes: number; steps: FunnelDefinition["steps"] };
    range: { from: number; to: number };
    now: number;
  }) => {
    const def: FunnelDefinition = { unit: json.funnel.unit, windowMs: json.funnel.windowMinutes * MIN, steps: json.funnel.steps };
    const params = { from: json.range.from, to: json.range.to, now: json.now, timeZone: TZ, trend: "day" as const };
    return computeFunnel(await loadReportEvents(app.db, shopId, { ...params, unit: def.unit, windowMs: def.windowMs }), def, params);
  };

  beforeAll(async () => {
    // The periodic pass is ten minutes away: only a nudge can make the refresher run in this test.
    app = await startApp({ db: kind, env: { FUNNEL_RESULTS_INTERVAL_MS: "600000" } });
    shopId = (await ensureDemoShop(app.db, { domain: SHOP, ingestKey: `ik_as_of_${kind}`, timeZone: TZ })).id;
    await seedJourneys(app.db, shopId, shopTraffic({ visitors: 300, from: now - 35 * DAY, to: now - 2 * 60 * MIN, seed: 21, prefix: `asof-${kind}` }));
    // A funnel the refresher has not picked up yet, as right after its creation.
    const created = await app.db.funnel.create({
      data: {
        shopId,
        name: "Purchase",
        unit: "session",
        windowMinutes: 10_080,
        isMain: true,
        steps: { create: CART_FUNNEL.steps.map((s, i) => ({ shopId, position: i + 1, label: s.label, matchers: JSON.stringify(s.anyOf) })) },
      },
    });
    queuedId = created.id;
  }, 120_000);
  afterAll(() => app?.stop());

  it("a GET right after a funnel is created answers at once from the events, says the build is queued, and builds nothing", async () => {
    const before = await buildTrace(queuedId);
    expect(before).toEqual({ funnel: { resultsState: "building", resultsMark: null }, rows: 0, markers: 0 });

    const t0 = Date.now();
    const res = await get(`/app/funnels/${queuedId}/report?range=last30`);
    const elapsed = Date.now() - t0;
    expect(res.status).toBe(200);
    const json = await res.json();
    expect(json.resultsFrom).toBe("events");
    expect(json.build).toMatchObject({ state: "queued", computed: 0 });
    expect(json.build.visitors).toBeGreaterThan(250);
    expect(json.asOf).toBeGreaterThanOrEqual(t0);
    expect(json.asOf).toBeLessThanOrEqual(Date.now());
    // Exact although nothing is built: the events answered.
    const want = await engine(json);
    expect({ steps: json.steps, total: json.totalUnits }).toEqual({ steps: want.steps, total: want.totalUnits });
    expect(json.totalUnits).toBeGreaterThan(100);
    // A loose bound (a shared machine); the point is that no build ran inside the request.
    expect(elapsed).toBeLessThan(10_000);

    // The page, the CSV and the dashboard card read the same way: none of them builds either.
    const page = await loaderData(await get(`/app/funnels/${queuedId}?_data=routes%2Fapp.funnels.%24id&range=last30`));
    expect(page.report).toMatchObject({ resultsFrom: "events", build: { state: "queued" } });
    const csv = await (await get(`/app/funnels/${queuedId}/csv?range=last30&table=steps`)).text();
    expect(csv).toContain("Figures from,events");
    const dash = await loaderData(await get("/app?_data=routes%2Fapp._index"));
    if (dash.mainFunnel) expect(dash.mainFunnel.report).toMatchObject({ resultsFrom: "events", build: { state: "queued" } });
    expect(await buildTrace(queuedId)).toEqual(before);
  });

  it("while the build runs, a large range answers partially from the visitors computed so far, with the progress", async () => {
    // One bounded refresher pass from this process: the build starts and computes 60 visitors.
    const exec = createSqlExecutor(app.dbUrl);
    const reads = createSqlReader(app.dbUrl);
    const { db, dialect } = createDb(app.dbUrl);
    try {
      await refreshShop({ db, dialect, exec }, shopId, { maxVisitors: 60, batch: 20 });
      const trace = await buildTrace(queuedId);
      expect(trace.funnel.resultsState).toBe("building");
      expect(trace.rows).toBeGreaterThan(0);

      const row = await db.funnel.findUniqueOrThrow({ where: { id: queuedId }, include: { steps: true } });
      const def = toDefinition(toView(row));
      const res = await get(`/app/funnels/${queuedId}/report?range=last30`);
      const json = await res.json();
      const params = { from: json.range.from, to: json.range.to, now: json.now, timeZone: TZ };
      // "Large" here: any range with an event; the server's own limit (25,000 events) would take long to seed.
      const answer = await unitDayReport({ db, dialect, reads }, shopId, queuedId, def, params, { eventsAnswerMax: 0 });
      if (answer.from !== "partial") throw new Error(`answered from ${answer.from}`);
      expect(answer.build.state).toBe("building");
      expect(answer.build.computed).toBeGreaterThanOrEqual(60);
      expect(answer.build.computed).toBeLessThan(answer.build.visitors);
      const full = await engine(json);
      expect(answer.report.totalUnits).toBeGreaterThan(0);
      expect(answer.report.totalUnits).toBeLessThan(full.totalUnits);
      // The server's answer for this small range: the events, exact, with the same progress.
      expect(json.resultsFrom).toBe("events");
      expect(json.build).toEqual(answer.build);
      expect({ steps: json.steps, total: json.totalUnits }).toEqual({ steps: full.steps, total: full.totalUnits });
      // Reading changed nothing.
      expect(await buildTrace(queuedId)).toEqual(trace);
    } finally {
      await Promise.all([exec.close(), reads.close()]);
      await db.$disconnect();
    }
  });

  it("creating a funnel in the builder nudges the refresher: built long before its next pass, then the report equals the engine as of that pass", async () => {
    const since = Date.now();
    const res = await fetch(`${app.url}/app/funnels/new?_data=routes%2Fapp.funnels.new`, {
      method: "POST",
      headers: adminHeaders(SHOP),
      redirect: "manual",
      body: new URLSearchParams({ definition: JSON.stringify(CART_FUNNEL) }),
    });
    const id = decodeURIComponent(/\/app\/funnels\/([^/?]+)$/.exec(res.headers.get("x-remix-redirect") ?? "")![1]);
    // The periodic pass is ten minutes away: only the nudge can have started these builds.
    await waitForResults(app.db, shopId, id, since, 60_000);
    await waitForResults(app.db, shopId, queuedId, since, 60_000);
    for (const funnelId of [id, queuedId]) {
      const json = await (await get(`/app/funnels/${funnelId}/report?range=last30`)).json();
      expect(json.resultsFrom).toBe("unit-days");
      expect(json.build).toBeNull();
      expect(json.asOf).toBeGreaterThanOrEqual(since);
      const want = await engine(json);
      expect({ steps: json.steps, leak: json.biggestLeak, total: json.totalUnits, inProgress: json.inProgressUnits }).toEqual({
        steps: want.steps,
        leak: want.biggestLeak,
        total: want.totalUnits,
        inProgress: want.inProgressUnits,
      });
    }
  });
});
