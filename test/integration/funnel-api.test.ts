/**
 * Funnels over real HTTP against the production build, on SQLite and PostgreSQL:
 * builder action → list → report JSON (must equal the pure engine on the same stored
 * events) → CSV (must equal the JSON) → dashboard; and every bad input answered 4xx with
 * a message, another shop's funnel indistinguishable from a missing one.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { computeFunnel, compareReports, previousPeriod, type FunnelReport } from "../../core/funnel";
import type { CoreEvent, FunnelDefinition } from "../../core/types";
import { rateChange } from "../../core/stats";
import { ensureDemoShop } from "../../scripts/lib/demo-shop";
import { BROWSER_UA, startApp, type TestApp } from "../helpers/app-server";
import { adminHeaders, sessionToken } from "../helpers/shopify-auth";
import { seedJourneys, shopTraffic } from "../helpers/funnel-seed";
import { csvMeta, csvRecords, pctCell } from "../helpers/funnel-csv";
import { loaderData } from "../helpers/loader-data";
import { waitForResults } from "../helpers/funnel-results";

const SHOP = "funnel-api.myshopify.com";
const OTHER = "funnel-other.myshopify.com";
const TZ = "America/New_York";
const MIN = 60_000;
const DAY = 24 * 60 * MIN;

/** Local "YYYY-MM-DD" in New York, computed independently of the app. */
const nyDate = (ts: number) => new Intl.DateTimeFormat("en-CA", { timeZone: TZ, year: "numeric", month: "2-digit", day: "2-digit" }).format(ts);
const nyClock = (ts: number) => new Intl.DateTimeFormat("en-GB", { timeZone: TZ, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(ts);

const INJECTION_LABELS = ['=HYPERLINK("http://evil.example","click")', "<script>alert(1)</script>", '\'; DROP TABLE "Funnel"; --'];

describe.each(["sqlite", "postgres"] as const)("funnel API on %s", (kind) => {
  let app: TestApp;
  let shopId: number;
  let events: CoreEvent[];
  const now = Date.now();

  const get = (path: string, shop = SHOP) => fetch(`${app.url}${path}`, { headers: adminHeaders(shop), redirect: "manual" });
  const post = (path: string, form: Record<string, string>, shop = SHOP) =>
    fetch(`${app.url}${path}`, { method: "POST", headers: adminHeaders(shop), body: new URLSearchParams(form), redirect: "manual" });
  const createFunnel = async (definition: unknown, shop = SHOP) => {
    const res = await post("/app/funnels/new?_data=routes%2Fapp.funnels.new", { definition: JSON.stringify(definition) }, shop);
    return res;
  };
  const createdId = (res: Response) => {
    const location = res.headers.get("x-remix-redirect") ?? res.headers.get("location") ?? "";
    const m = /^\/app\/funnels\/([^/?]+)$/.exec(location);
    if (!m) throw new Error(`no redirect to a funnel: ${res.status} ${location}`);
    return decodeURIComponent(m[1]);
  };

  beforeAll(async () => {
    app = await startApp({ db: kind });
    const shop = await ensureDemoShop(app.db, { domain: SHOP, ingestKey: `ik_funnel_api_${kind}`, timeZone: TZ });
    await ensureDemoShop(app.db, { domain: OTHER, ingestKey: `ik_funnel_other_${kind}`, timeZone: TZ });
    shopId = shop.id;
    const journeys = shopTraffic({ visitors: 400, from: now - 40 * DAY, to: now - 2 * 60 * MIN, seed: 7, prefix: `api-${kind}` });
    // Two sessions still under way: waiting at steps 1 and 2, never drop-offs.
    journeys.push(
      {
        clientId: "live-1",
        events: [
          { name: "product_viewed", ts: now - 10 * MIN },
          { name: "product_added_to_cart", ts: now - 5 * MIN },
        ],
      },
      { clientId: "live-2", events: [{ name: "product_viewed", ts: now - 3 * MIN }] },
      // A bot's journey is stored but never counted.
      {
        clientId: "bot-1",
        isBot: true,
        events: [
          { name: "product_viewed", ts: now - DAY },
          { name: "product_added_to_cart", ts: now - DAY + MIN },
        ],
      },
    );
    events = (await seedJourneys(app.db, shopId, journeys)).coreEvents;
  });
  afterAll(() => app?.stop());

  /** The engine's report over the seeded events, for the range and clock the server used. */
  const expected = (
    def: FunnelDefinition,
    json: { range: { from: number; to: number }; now: number },
    extra: { breakdown?: "device" | "source"; trend?: "day" | "week" } = {},
  ): FunnelReport => computeFunnel(events, def, { from: json.range.from, to: json.range.to, now: json.now, timeZone: TZ, trend: "day", ...extra });

  let purchaseId = "";

  it("lists funnels, creating the Purchase funnel as the main one for a shop without any", async () => {
    const res = await get("/app/funnels?_data=routes%2Fapp.funnels._index");
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.funnels).toHaveLength(1);
    expect(body.funnels[0]).toMatchObject({ name: "Purchase", isMain: true, stepCount: 4, unit: "session" });
    expect(body.templates.map((t: { key: string }) => t.key)).toEqual(["purchase", "newsletter", "lead"]);
    purchaseId = body.funnels[0].id;
    // Loading again does not create a second one.
    expect((await (await get("/app/funnels?_data=routes%2Fapp.funnels._index")).json()).funnels).toHaveLength(1);
  });

  it("report JSON equals computeFunnel on the same stored events (steps, leak, breakdown, trend, in progress)", async () => {
    // The build runs in the background and reports never wait for it: wait for the state
    // asserted here (built, and current to now), then check the report says so.
    const since = Date.now();
    await waitForResults(app.db, shopId, purchaseId, since);
    const res = await get(`/app/funnels/${purchaseId}/report?range=last30&breakdown=device&trend=week`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    const json = await res.json();
    const def = toDef(json.funnel);
    const want = expected(def, json, { breakdown: "device", trend: "week" });
    expect(json.steps).toEqual(want.steps);
    expect(json.biggestLeak).toEqual(want.biggestLeak);
    expect(json.noLeak).toEqual(want.noLeak);
    expect(json.breakdown).toEqual(want.breakdown);
    expect(json.trend).toEqual(want.trend);
    // v2 fields on every step: waiting (in progress at that step) and the settled drop-off.
    for (const [i, s] of json.steps.entries()) {
      expect(Object.keys(s)).toEqual(expect.arrayContaining(["count", "waiting", "dropOff", "dropOffRate", "settled"]));
      if (i > 0) expect(s.dropOff).toBe(json.steps[i - 1].count - s.count - json.steps[i - 1].waiting);
    }
    // The two live sessions wait at steps 1 and 2.
    expect(json.steps[0].waiting + json.steps[1].waiting).toBeGreaterThanOrEqual(2);
    expect(json.totalUnits).toBe(want.totalUnits);
    expect(json.inProgressUnits).toBe(want.inProgressUnits);
    expect(json.totalUnits).toBeGreaterThan(100);
    expect(json.inProgressUnits).toBeGreaterThanOrEqual(2);
    // From the precomputed per-unit results, built when the funnel was created, current to `since`.
    expect(json.resultsFrom).toBe("unit-days");
    expect(json.asOf).toBeGreaterThanOrEqual(since);
    expect(json.build).toBeNull();
    // The range is the last 30 local days in the shop's zone, ending today.
    expect(json.range).toMatchObject({ preset: "last30", days: 30, timeZone: TZ, toDate: nyDate(json.now) });
    expect(nyClock(json.range.from)).toBe("00:00");
    expect(nyDate(json.range.from)).toBe(json.range.fromDate);
    expect(json.leakSentence).toContain(`${(want.biggestLeak!.dropOffRate * 100).toFixed(1)} % of sessions that reached “${want.biggestLeak!.fromLabel}”`);
  });

  it("the report page's loader carries the same report as the JSON API, its diagnosis streamed after the rest", async () => {
    const q = "range=last7&breakdown=source&trend=day";
    const res = await get(`/app/funnels/${purchaseId}?_data=routes%2Fapp.funnels.%24id&${q}`);
    // Deferred: the report first, then one chunk with the diagnosis and the paths.
    expect(res.headers.get("content-type")).toMatch(/^text\/remix-deferred/);
    const page = await loaderData(res);
    const api = await (await get(`/app/funnels/${purchaseId}/report?${q}`)).json();
    expect(page.ok).toBe(true);
    expect(page.report).not.toHaveProperty("diagnosis");
    expect(page.diagnosis.edited).toBe(false);
    expect(page.diagnosis.diagnosis.step).toBe(api.biggestLeak.step);
    // Read a moment apart: their clocks (now, and asOf, the time the rows are current to) differ.
    const { now: _a, asOf: asOfPage, ...fromPage } = { ...page.report, diagnosis: page.diagnosis.diagnosis, paths: page.diagnosis.paths };
    const { now: _b, asOf: asOfApi, ...fromApi } = api;
    expect(fromPage).toEqual(fromApi);
    expect(asOfApi).toBeGreaterThanOrEqual(asOfPage);
    expect(page.filenames.steps).toMatch(/^funnel-purchase-steps-/);
  });

  it("the builder offers the event names this shop actually sent, with counts (bots excluded)", async () => {
    const res = await get("/app/funnels/new?_data=routes%2Fapp.funnels.new&template=lead");
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.selected).toBe("lead");
    const counts = new Map<string, number>();
    for (const e of events) counts.set(e.name, (counts.get(e.name) ?? 0) + 1);
    expect(Object.fromEntries(body.seenEvents.map((e: { name: string; count: number }) => [e.name, e.count]))).toEqual(Object.fromEntries(counts));
    expect(body.seenEvents[0].count).toBeGreaterThanOrEqual(body.seenEvents[body.seenEvents.length - 1].count);
    expect(body.knownEvents).toContain("mc:form_submit");
  });

  it("compares with the previous period of equal length", async () => {
    const from = nyDate(now - 13 * DAY);
    const to = nyDate(now - 7 * DAY);
    const json = await (await get(`/app/funnels/${purchaseId}/report?range=custom&from=${from}&to=${to}&compare=on`)).json();
    expect(json.range).toMatchObject({ preset: "custom", fromDate: from, toDate: to, days: 7 });
    const def = toDef(json.funnel);
    const cur = expected(def, json);
    const prev = previousPeriod(json.range.from, json.range.to, TZ);
    const old = computeFunnel(events, def, { ...prev, now: json.now, timeZone: TZ });
    expect(json.comparison).toEqual(compareReports(cur, old));
    expect(json.previousRange).toMatchObject({ from: prev.from, to: prev.to, toDate: nyDate(prev.to - 1), days: 7 });
    expect(json.steps).toEqual(cur.steps);
    // The trend chart's previous-period series: the previous range's own trend, same granularity.
    expect(json.previousTrend).toEqual(computeFunnel(events, def, { ...prev, now: json.now, timeZone: TZ, trend: "day" }).trend);
    expect(json.previousTrend.buckets).toHaveLength(json.trend.buckets.length);
  });

  it("creates a funnel through the builder action and redirects to its report", async () => {
    const res = await createFunnel({
      name: "Cart to purchase",
      unit: "visitor",
      windowMinutes: 3 * 24 * 60,
      steps: [
        {
          label: "Viewed or wishlisted",
          anyOf: [
            { event: "product_viewed", filters: [] },
            { event: "mc:wishlist_add", filters: [] },
          ],
        },
        { label: "Added to cart", anyOf: [{ event: "product_added_to_cart", filters: [] }] },
        { label: "Purchased", anyOf: [{ event: "checkout_completed", filters: [] }] },
      ],
    });
    expect(res.status).toBe(204);
    const id = createdId(res);
    const list = await (await get("/app/funnels?_data=routes%2Fapp.funnels._index")).json();
    expect(list.funnels.map((f: { id: string }) => f.id)).toEqual([purchaseId, id]);
    expect(list.funnels[1]).toMatchObject({ isMain: false, unit: "visitor", stepCount: 3 });
    const json = await (await get(`/app/funnels/${id}/report?range=last90&breakdown=source`)).json();
    const def = toDef(json.funnel);
    expect(def.windowMs).toBe(3 * DAY);
    const want = expected(def, json, { breakdown: "source" });
    expect(json.steps).toEqual(want.steps);
    expect(json.breakdown).toEqual(want.breakdown);
  });

  it("creates a funnel from a template key", async () => {
    const res = await post("/app/funnels/new?_data=routes%2Fapp.funnels.new", { template: "newsletter" });
    expect(res.status).toBe(204);
    const json = await (await get(`/app/funnels/${createdId(res)}/report?range=last90`)).json();
    expect(json.funnel).toMatchObject({ name: "Newsletter signup", template: "newsletter" });
    expect(json.steps).toEqual(expected(toDef(json.funnel), json).steps);
    expect(json.steps[0].count).toBeGreaterThan(0);
  });

  it("CSV downloads carry the same numbers as the JSON", async () => {
    const q = `range=last30&breakdown=source&compare=on`;
    const json = await (await get(`/app/funnels/${purchaseId}/report?${q}`)).json();

    const steps = await get(`/app/funnels/${purchaseId}/csv?table=steps&${q}`);
    expect(steps.status).toBe(200);
    expect(steps.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(steps.headers.get("content-disposition")).toMatch(/^attachment; filename="funnel-purchase-steps-\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}\.csv"$/);
    const stepsText = await steps.text();
    const stepRows = csvRecords(stepsText);
    expect(csvMeta(stepsText)).toMatchObject({
      funnel: "Purchase",
      unit: "session",
      range: `${json.range.fromDate} to ${json.range.toDate}`,
      time_zone: TZ,
      compared_with: `${json.previousRange.fromDate} to ${json.previousRange.toDate}`,
    });
    expect(Date.parse(csvMeta(stepsText).generated_at)).toBeGreaterThan(now - 60_000);
    expect(stepRows.map((r) => Number(r.count))).toEqual(json.steps.map((s: { count: number }) => s.count));
    json.steps.forEach((s: any, i: number) => {
      expect(stepRows[i]).toMatchObject({
        step: String(s.step),
        label: s.label,
        step_conversion_pct: pctCell(s.stepConversion),
        overall_conversion_pct: pctCell(s.overallConversion),
        drop_off: s.dropOff === null ? "" : String(s.dropOff),
        drop_off_pct: pctCell(s.dropOffRate),
        waiting: String(s.waiting),
        in_progress: String(s.inProgress),
        median_seconds_from_previous: s.medianMsFromPrev === null ? "" : String(s.medianMsFromPrev / 1000),
        previous_count: String(json.comparison.steps[i].count.previous),
        step_conversion_change: json.comparison.steps[i].stepConversion?.verdict ?? "",
      });
    });

    const breakdown = csvRecords(await (await get(`/app/funnels/${purchaseId}/csv?table=breakdown&${q}`)).text());
    const fromJson = json.breakdown.groups.flatMap((g: any) => g.steps.map((s: any) => [g.value.replace(/^([=+\-@])/, "'$1"), s.step, s.count]));
    expect(breakdown.map((r) => [r.value, Number(r.step), Number(r.count)])).toEqual(fromJson);

    const trend = csvRecords(await (await get(`/app/funnels/${purchaseId}/csv?table=trend&${q}`)).text());
    expect(trend.filter((r) => r.step === "1").map((r) => [r.day, Number(r.count)])).toEqual(json.trend.buckets.map((b: any) => [b.key, b.counts[0]]));
  });

  it("answers bad report parameters with 400 and a clear message", async () => {
    const cases: [string, RegExp][] = [
      ["range=custom&from=2026-02-30&to=2026-03-02", /from: 2026-02-30 is not a calendar date/],
      ["range=custom&from=yesterday&to=2026-03-02", /from: expected a date as YYYY-MM-DD/],
      ["range=custom&from=2026-03-02&to=2026-03-01", /must be on or before/],
      ["range=custom&from=2026-03-02", /needs both from and to/],
      ["range=custom&from=2020-01-01&to=2026-01-01", /at most 366 days/],
      ["range=all", /range must be one of/],
      ["breakdown=email", /breakdown must be one of/],
      ["trend=hour", /trend must be day or week/],
    ];
    for (const [q, message] of cases) {
      for (const path of [`/app/funnels/${purchaseId}/report?${q}`, `/app/funnels/${purchaseId}/csv?table=steps&${q}`]) {
        const res = await get(path);
        expect(res.status, path).toBe(400);
        expect((await res.json()).error, path).toMatch(message);
      }
    }
    const page = await get(`/app/funnels/${purchaseId}?_data=routes%2Fapp.funnels.%24id&range=custom&from=2026-13-01&to=2026-12-01`);
    expect(page.status).toBe(400);
    expect((await page.json()).error).toMatch(/not a calendar date/);
    const table = await get(`/app/funnels/${purchaseId}/csv?table=users`);
    expect(table.status).toBe(400);
    expect((await table.json()).error).toMatch(/table must be one of steps, breakdown, trend/);
    const noBreakdown = await get(`/app/funnels/${purchaseId}/csv?table=breakdown`);
    expect(noBreakdown.status).toBe(400);
    expect((await noBreakdown.json()).error).toMatch(/needs a breakdown parameter/);
  });

  it("answers an unknown funnel id and another shop's funnel id alike: 404", async () => {
    const res = await createFunnel(
      {
        name: "Theirs",
        steps: [
          { label: "A", anyOf: [{ event: "page_viewed" }] },
          { label: "B", anyOf: [{ event: "product_viewed" }] },
        ],
      },
      OTHER,
    );
    const theirs = createdId(res);
    for (const id of ["does-not-exist", theirs, "x".repeat(5000)]) {
      for (const path of [`/app/funnels/${id}/report`, `/app/funnels/${id}/csv?table=steps`, `/app/funnels/${id}?_data=routes%2Fapp.funnels.%24id`]) {
        const r = await get(path);
        expect(r.status, path.slice(0, 80)).toBe(404);
        expect((await r.json()).error).toBe("No funnel with this id in this shop");
      }
    }
    // Nor can it be deleted from here; the owner still sees it.
    const del = await post(`/app/funnels/${theirs}?_data=routes%2Fapp.funnels.%24id`, { intent: "delete" });
    expect(del.status).toBe(404);
    expect((await get(`/app/funnels/${theirs}/report`, OTHER)).status).toBe(200);
    // And its list does not show our funnels.
    const list = await (await get("/app/funnels?_data=routes%2Fapp.funnels._index", OTHER)).json();
    expect(list.funnels.map((f: { name: string }) => f.name)).toEqual(["Theirs"]);
  });

  it("refuses invalid definitions with 400 and messages per field", async () => {
    const manySteps = Array.from({ length: 1000 }, (_, i) => ({ label: `S${i}`, anyOf: [{ event: "page_viewed", filters: [] }] }));
    let res = await createFunnel({ name: "Huge", steps: manySteps });
    expect(res.status).toBe(400);
    let body = await res.json();
    expect(body.error).toMatch(/2 to 20 steps/);
    expect(body.fieldErrors.steps).toMatch(/2 to 20 steps/);

    res = await createFunnel({
      name: "",
      unit: "visitor",
      windowMinutes: 200_000,
      steps: [
        { label: "x".repeat(81), anyOf: [] },
        { label: "B", anyOf: [{ event: "" }] },
      ],
    });
    expect(res.status).toBe(400);
    body = await res.json();
    expect(body.fieldErrors).toMatchObject({
      name: expect.stringMatching(/must not be empty/),
      windowMinutes: expect.stringMatching(/at most 129600/),
      "steps.0.label": expect.stringMatching(/at most 80/),
      "steps.0.anyOf": expect.stringMatching(/at least one event/),
      "steps.1.anyOf.0.event": expect.stringMatching(/Choose an event/),
    });

    res = await post("/app/funnels/new?_data=routes%2Fapp.funnels.new", { definition: "{oops" });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatch(/not valid JSON/);
    res = await post("/app/funnels/new?_data=routes%2Fapp.funnels.new", { template: "nope" });
    expect(res.status).toBe(400);
    // NUL would make PostgreSQL fail the insert: refused up front instead of a 500.
    res = await createFunnel({ name: "a\u0000b", steps: manySteps.slice(0, 2) });
    expect(res.status).toBe(400);
  });

  it("stores injection strings as labels verbatim and keeps them harmless in JSON, CSV and HTML", async () => {
    const res = await createFunnel({
      name: INJECTION_LABELS[1],
      steps: INJECTION_LABELS.map((label, i) => ({
        label,
        anyOf: [{ event: i === 0 ? "product_viewed" : i === 1 ? "product_added_to_cart" : "checkout_started", filters: [] }],
      })),
    });
    expect(res.status).toBe(204);
    const id = createdId(res);
    const rows = await app.db.funnelStep.findMany({ where: { funnelId: id }, orderBy: { position: "asc" } });
    expect(rows.map((r) => r.label)).toEqual(INJECTION_LABELS);
    expect(await app.db.funnel.count({ where: { shopId } })).toBeGreaterThan(0); // the table is still there

    const json = await (await get(`/app/funnels/${id}/report?range=last30`)).json();
    expect(json.steps.map((s: { label: string }) => s.label)).toEqual(INJECTION_LABELS);

    const csv = csvRecords(await (await get(`/app/funnels/${id}/csv?table=steps&range=last30`)).text());
    expect(csv[0].label).toBe(`'${INJECTION_LABELS[0]}`);
    expect(csv[1].label).toBe(INJECTION_LABELS[1]);

    // The report page's HTML (a real embedded document request) never contains the raw tag.
    const host = Buffer.from("admin.shopify.com/store/funnel-api").toString("base64url");
    const page = await fetch(`${app.url}/app/funnels/${id}?embedded=1&shop=${SHOP}&host=${host}&id_token=${sessionToken(SHOP)}`, {
      headers: { "User-Agent": BROWSER_UA },
    });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).not.toContain("<script>alert(1)</script>");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });

  it("the dashboard shows sessions, per-session rates and the main funnel's biggest leak with a link to its report", async () => {
    const res = await get("/app?_data=routes%2Fapp._index");
    expect(res.status).toBe(200);
    const d = await loaderData(res);
    const report = await (await get(`/app/funnels/${purchaseId}/report?range=last30`)).json();
    expect(d.range).toMatchObject({ from: report.range.from, to: report.range.to, days: 30 });
    // Sessions starting in the range, bots excluded, counted independently here.
    const sessions = await app.db.visitorSession.findMany({ where: { shopId, isBot: false } });
    const inRange = (s: { startTs: bigint }, r: { from: number; to: number }) => Number(s.startTs) >= r.from && Number(s.startTs) < r.to;
    const current = sessions.filter((s) => inRange(s, d.range));
    expect(d.sessions.current).toBe(current.length);
    expect(d.sessions.previous).toBe(sessions.filter((s) => inRange(s, d.previousRange)).length);
    const ids = new Set(current.map((s) => s.id));
    const sessionOf = (e: CoreEvent) => {
      const s = sessions.find((x) => x.clientId === e.visitorId && Number(x.startTs) <= e.ts && e.ts <= Number(x.endTs))!;
      return ids.has(s.id) ? s.id : null;
    };
    const rate = (name: string) => {
      const all = new Set(events.filter((e) => e.name === name).map(sessionOf));
      all.delete(null);
      return all.size;
    };
    const byKey = Object.fromEntries(d.rates.map((r: any) => [r.key, r]));
    expect(byKey.addToCart).toMatchObject({ sessions: rate("product_added_to_cart"), of: current.length });
    expect(byKey.checkoutStart.sessions).toBe(rate("checkout_started"));
    expect(byKey.purchase.sessions).toBe(rate("checkout_completed"));
    expect(byKey.purchase.rate).toBeCloseTo(byKey.purchase.sessions / current.length, 12);
    // Each card's change follows the small-numbers rules, from the counts it shows.
    for (const r of d.rates) {
      expect(r.change).toEqual(rateChange({ converted: r.sessions, total: r.of }, { converted: r.previous.sessions, total: r.previous.of }));
      if (r.of < 30 || r.previous.of < 30) expect(r.change.verdict).toBe("too-few");
    }
    expect(d.mainFunnel).toMatchObject({ id: purchaseId, reportUrl: `/app/funnels/${purchaseId}?range=last30` });
    expect(d.mainFunnel.report.biggestLeak).toEqual(report.biggestLeak);
    expect(d.tracking.events).toBeGreaterThan(0);
  });

  it("deletes a funnel; the main role passes to the oldest remaining one", async () => {
    const res = await post(`/app/funnels/${purchaseId}?_data=routes%2Fapp.funnels.%24id`, { intent: "delete" });
    expect(res.status).toBe(204);
    expect(res.headers.get("x-remix-redirect")).toBe("/app/funnels");
    expect((await get(`/app/funnels/${purchaseId}/report`)).status).toBe(404);
    const list = await (await get("/app/funnels?_data=routes%2Fapp.funnels._index")).json();
    expect(list.funnels[0]).toMatchObject({ name: "Cart to purchase", isMain: true });
    expect(list.funnels.filter((f: { isMain: boolean }) => f.isMain)).toHaveLength(1);
  });

  it("serves nothing without a session token", async () => {
    const res = await fetch(`${app.url}/app/funnels/does-not-matter/report`, { headers: { "User-Agent": BROWSER_UA }, redirect: "manual" });
    expect(res.status).not.toBe(200);
    expect(await res.text()).not.toContain("steps");
  });
});

function toDef(funnel: { unit: "session" | "visitor"; windowMinutes: number; steps: FunnelDefinition["steps"] }): FunnelDefinition {
  return { unit: funnel.unit, windowMs: funnel.windowMinutes * 60_000, steps: funnel.steps };
}
