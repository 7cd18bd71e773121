/**
 * Editing a funnel over real HTTP against the production build, on SQLite and
 * PostgreSQL: saving makes a new version, the old version's precomputed rows are gone
 * when the edit commits, every report — during the rebuild, after it, and while edits
 * land between a report's reads — equals computeFunnel for the definition it reports,
 * the rebuild completes, a drop-off audience keeps the steps of the version it was made
 * from; and the builder's live count endpoint is shop-scoped and refuses bad input.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { computeFunnel, previousPeriod } from "../../core/funnel";
import type { CoreEvent, FunnelDefinition } from "../../core/types";
import { ensureDemoShop } from "../../scripts/lib/demo-shop";
import { startApp, type TestApp } from "../helpers/app-server";
import { createSqlExecutor, type SqlExecutor } from "../../db/executor";
import { dialectOf } from "../../db/prisma";
import { refreshShop } from "../../app/services/funnel-results/refresh.server";
import { adminHeaders } from "../helpers/shopify-auth";
import { seedJourneys, shopTraffic } from "../helpers/funnel-seed";

const SHOP = "funnel-edit.myshopify.com";
const OTHER = "funnel-edit-other.myshopify.com";
const TZ = "Europe/Berlin";
const MIN = 60_000;
const DAY = 24 * 60 * MIN;

type Json = Record<string, any>;
const toDef = (f: { unit: "session" | "visitor"; windowMinutes: number; steps: FunnelDefinition["steps"] }): FunnelDefinition => ({
  unit: f.unit,
  windowMs: f.windowMinutes * MIN,
  steps: f.steps,
});
const ev = (event: string, filters: unknown[] = []) => ({ event, filters });

const V2 = {
  name: "Cart to purchase, per visitor",
  unit: "visitor",
  windowMinutes: 3 * 24 * 60,
  steps: [
    { label: "Carted", anyOf: [ev("product_added_to_cart")] },
    { label: "Checked out", anyOf: [ev("checkout_started")] },
    { label: "Bought", anyOf: [ev("checkout_completed")] },
  ],
};
const V3 = {
  name: "Blog readers",
  unit: "session",
  windowMinutes: 10080,
  steps: [
    { label: "Read 75 %", anyOf: [ev("mc:scroll_depth", [{ field: "prop", key: "percent", op: "equals", value: "75" }])] },
    { label: "Product", anyOf: [ev("product_viewed")] },
  ],
};

describe.each(["sqlite", "postgres"] as const)("funnel editing on %s", (kind) => {
  let app: TestApp;
  let shopId: number;
  let exec: SqlExecutor;
  let events: CoreEvent[];
  let funnelId = "";
  const get = (path: string, shop = SHOP) => fetch(`${app.url}${path}`, { headers: adminHeaders(shop), redirect: "manual" });
  const post = (path: string, form: Record<string, string>, shop = SHOP) =>
    fetch(`${app.url}${path}`, { method: "POST", headers: adminHeaders(shop), body: new URLSearchParams(form), redirect: "manual" });
  const edit = (id: string, definition: unknown, shop = SHOP) =>
    post(
      `/app/funnels/${encodeURIComponent(id)}/edit?_data=${encodeURIComponent("routes/app.funnels.$id_.edit")}`,
      { definition: JSON.stringify(definition) },
      shop,
    );
  const report = async (id: string, q = "range=last30"): Promise<Json> => {
    const res = await get(`/app/funnels/${encodeURIComponent(id)}/report?${q}`);
    expect(res.status).toBe(200);
    return res.json();
  };
  /** The engine over the seeded events for the definition the report says it is of. */
  const expectEngine = (json: Json) => {
    const want = computeFunnel(events, toDef(json.funnel), { from: json.range.from, to: json.range.to, now: json.now, timeZone: TZ, trend: "day" });
    expect(json.steps).toEqual(want.steps);
    expect(json.totalUnits).toBe(want.totalUnits);
    expect(json.trend).toEqual(want.trend);
  };
  const state = async () => app.db.funnel.findUniqueOrThrow({ where: { id: funnelId }, select: { resultsState: true, version: true, resultsMark: true } });
  /** The refresher's work, done by the test when it decides (reports never build). */
  const build = (maxVisitors?: number) => refreshShop({ db: app.db, dialect: dialectOf(app.db), exec }, shopId, { maxVisitors });
  const waitReady = async () => {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if ((await state()).resultsState === "ready") return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error("rebuild did not complete in 60 s");
  };

  beforeAll(async () => {
    // No background refresher: the test decides when a rebuild may run (build()).
    app = await startApp({ db: kind, env: { FUNNEL_RESULTS_INTERVAL_MS: "0" } });
    exec = createSqlExecutor(app.dbUrl);
    shopId = (await ensureDemoShop(app.db, { domain: SHOP, ingestKey: `ik_edit_${kind}`, timeZone: TZ })).id;
    await ensureDemoShop(app.db, { domain: OTHER, ingestKey: `ik_edit_other_${kind}`, timeZone: TZ });
    const now = Date.now();
    const journeys = shopTraffic({ visitors: 500, from: now - 35 * DAY, to: now - 2 * 60 * MIN, seed: 11, prefix: `edit-${kind}` });
    // More visitors than a report brings up to date (REPORT_FLUSH_MAX_VISITORS = 5,000): a
    // rebuild then outlasts the first report after an edit, which answers from the events.
    for (let i = 0; i < 5_200; i++)
      journeys.push({ clientId: `glance-${kind}-${i}`, events: [{ name: "page_viewed", ts: now - 20 * DAY + i * MIN, path: "/" }] });
    events = (await seedJourneys(app.db, shopId, journeys)).coreEvents;
    const list = await (await get("/app/funnels?_data=routes%2Fapp.funnels._index")).json();
    funnelId = list.funnels[0].id;
  }, 120_000);
  afterAll(async () => {
    await exec?.close();
    await app?.stop();
  });

  it("version 1 reads its precomputed rows and equals the engine", async () => {
    await build();
    const json = await report(funnelId);
    expect(json.resultsFrom).toBe("unit-days");
    expect(json.funnel).toMatchObject({ version: 1, name: "Purchase" });
    expectEngine(json);
    expect(await app.db.funnelUnitDay.count({ where: { shopId, funnelId } })).toBeGreaterThan(100);
  });

  it("an edit saves version 2, drops version 1's rows in the same transaction, and keeps version 1 in the history", async () => {
    const res = await edit(funnelId, V2);
    expect(res.status).toBe(204);
    expect(res.headers.get("x-remix-redirect")).toBe(`/app/funnels/${funnelId}`);
    expect(await state()).toMatchObject({ version: 2, resultsState: "building", resultsMark: null });
    expect(await app.db.funnelUnitDay.count({ where: { shopId, funnelId } })).toBe(0);
    const history = await app.db.funnelVersion.findMany({ where: { shopId, funnelId }, orderBy: { version: "asc" } });
    expect(history.map((h) => [h.version, h.name, h.unit])).toEqual([
      [1, "Purchase", "session"],
      [2, V2.name, "visitor"],
    ]);
    expect(JSON.parse(history[0].steps).map((s: { label: string }) => s.label)).toEqual(["Viewed a product", "Added to cart", "Started checkout", "Purchased"]);
    const page = await (await get(`/app/funnels/${funnelId}/edit?_data=${encodeURIComponent("routes/app.funnels.$id_.edit")}`)).json();
    expect(page.funnel).toMatchObject({ version: 2, name: V2.name });
    expect(page.history.map((h: { version: number }) => h.version)).toEqual([2, 1]);
  });

  it("during the rebuild the report is the new version's, from the events; the rebuild then completes and the rows give the same report", async () => {
    // Nothing has built version 2 yet: the report answers from the events (a small range).
    const during = await report(funnelId, "range=last30&compare=on");
    expect(during.resultsFrom).toBe("events");
    expect(during.funnel.version).toBe(2);
    expectEngine(during);
    expect(during.steps.map((s: { label: string }) => s.label)).toEqual(["Carted", "Checked out", "Bought"]);
    const prev = previousPeriod(during.range.from, during.range.to, TZ);
    expect(during.previous.steps).toEqual(computeFunnel(events, toDef(during.funnel), { from: prev.from, to: prev.to, now: during.now, timeZone: TZ }).steps);
    await build();
    await waitReady();
    const after = await report(funnelId, "range=last30&breakdown=device");
    expect(after.resultsFrom).toBe("unit-days");
    expectEngine(after);
    expect(after.breakdown).toEqual(
      computeFunnel(events, toDef(after.funnel), {
        from: after.range.from,
        to: after.range.to,
        now: after.now,
        timeZone: TZ,
        breakdown: "device",
        trend: "day",
      }).breakdown,
    );
    // Every row is the new definition's: exactly what a fresh build of version 2 gives.
    const rows = await app.db.funnelUnitDay.count({ where: { shopId, funnelId } });
    expect(rows).toBeGreaterThan(0);
  });

  it("reports running while edits land between their reads never combine two versions", async () => {
    const defs = [V3, V2];
    let stop = false;
    const seen: Json[] = [];
    const poll = (async () => {
      while (!stop) seen.push(await report(funnelId, "range=last30"));
    })();
    for (const d of defs) {
      expect((await edit(funnelId, d)).status).toBe(204);
      await new Promise((r) => setTimeout(r, 150));
      await build(2_000); // let a rebuild make progress between edits
    }
    while (seen.length < 3) await new Promise((r) => setTimeout(r, 50));
    stop = true;
    await poll;
    for (const json of seen) expectEngine(json);
    expect((await state()).version).toBe(4);
  }, 180_000);

  it("a drop-off audience keeps the steps of the version it was made from", async () => {
    const json = await report(funnelId);
    expect(json.funnel.name).toBe(V2.name);
    const res = await post(`/app/funnels/${funnelId}/audience?_data=${encodeURIComponent("routes/app.funnels.$id.audience")}`, { step: "2", range: "last30" });
    expect(res.status).toBe(204);
    const audienceId = res.headers.get("x-remix-redirect")!.split("/").pop()!;
    const before = await (await get(`/app/audiences/${audienceId}?_data=${encodeURIComponent("routes/app.audiences.$id")}`)).json();
    expect(before.dropOff).toMatchObject({ fromLabel: "Carted", toLabel: "Checked out", units: json.steps[1].dropOff, madeFromVersion: null });
    expect((await edit(funnelId, V3)).status).toBe(204);
    const after = await (await get(`/app/audiences/${audienceId}?_data=${encodeURIComponent("routes/app.audiences.$id")}`)).json();
    expect(after.dropOff).toMatchObject({ fromLabel: "Carted", toLabel: "Checked out", units: before.dropOff.units, madeFromVersion: 4, funnelName: V3.name });
    expect(after.size.memberVisitors).toBe(before.size.memberVisitors);
  });

  it("refuses bad edits: another shop's funnel 404, invalid definitions 400 with plain per-field messages", async () => {
    const foreign = await edit(funnelId, V2, OTHER);
    expect(foreign.status).toBe(404);
    expect((await get(`/app/funnels/${funnelId}/edit?_data=${encodeURIComponent("routes/app.funnels.$id_.edit")}`, OTHER)).status).toBe(404);
    const bad = await edit(funnelId, { ...V2, steps: [V2.steps[0], { label: "", anyOf: [{ event: "" }] }] });
    expect(bad.status).toBe(400);
    const body = await bad.json();
    expect(body.fieldErrors).toEqual({ "steps.1.label": "Step label must not be empty", "steps.1.anyOf.0.event": "Choose an event" });
    expect(body.error).toBe("The funnel was not saved — Step 2, label: Step label must not be empty (and 1 more: Step 2, event: Choose an event)");
    expect((await post(`/app/funnels/${funnelId}/edit?_data=${encodeURIComponent("routes/app.funnels.$id_.edit")}`, { definition: "{nope" })).status).toBe(400);
    expect((await state()).version).toBe(5);
  });

  it("the live count per step equals the engine over the last 30 days, for this shop only", async () => {
    const draft = {
      unit: "session",
      windowMinutes: 10080,
      steps: [
        { label: "a", anyOf: [ev("product_viewed")] },
        { label: "b", anyOf: [ev("product_added_to_cart")] },
        { label: "c", anyOf: [ev("")] },
      ],
    };
    const res = await get(`/app/funnels/count?${new URLSearchParams({ draft: JSON.stringify(draft) })}`);
    expect(res.status).toBe(200);
    const body = await res.json();
    const r = await report(funnelId);
    const want = computeFunnel(
      events,
      { unit: "session", windowMs: 10080 * MIN, steps: draft.steps.slice(0, 2) as FunnelDefinition["steps"] },
      { from: r.range.from, to: r.range.to, now: Date.now(), timeZone: TZ },
    );
    expect(body).toMatchObject({ unit: "session", days: 30, fromDate: r.range.fromDate, toDate: r.range.toDate });
    expect(body.counts).toEqual([want.steps[0].count, want.steps[1].count, null]);
    expect(body.counts[0]).toBeGreaterThan(50);
    expect(body.incomplete).toEqual({ 2: "Step 3, event: Choose an event" });
    // Another shop (no events) counts nothing of this one's.
    const other = await (await get(`/app/funnels/count?${new URLSearchParams({ draft: JSON.stringify(draft) })}`, OTHER)).json();
    expect(other.counts).toEqual([0, 0, null]);
  });

  it("the live count refuses bad input with 400 and a message", async () => {
    const bad = async (q: string) => {
      const res = await get(`/app/funnels/count?${q}`);
      expect(res.status, q.slice(0, 80)).toBe(400);
      return (await res.json()).error as string;
    };
    expect(await bad("")).toMatch(/draft is missing/);
    expect(await bad("draft=%7Boops")).toMatch(/not valid JSON/);
    expect(await bad(`draft=${encodeURIComponent(JSON.stringify({ unit: "order", windowMinutes: 5, steps: [] }))}`)).toMatch(
      /Count per: unit must be session or visitor/,
    );
    const many = Array.from({ length: 21 }, () => ({ label: "x", anyOf: [ev("page_viewed")] }));
    expect(await bad(`draft=${encodeURIComponent(JSON.stringify({ unit: "session", windowMinutes: 5, steps: many }))}`)).toMatch(/at most 20 steps/);
    expect(await bad(`draft=${encodeURIComponent(JSON.stringify({ unit: "session", windowMinutes: 5, steps: [], extra: 1 }))}`)).toBeTruthy();
    // Longer than a URL may be: refused by the server before the app (431), never a 5xx.
    const huge = await get(`/app/funnels/count?draft=${"x".repeat(100_001)}`);
    expect([400, 414, 431]).toContain(huge.status);
  });
});
