/**
 * The SQL funnel path (app/services/funnel-results/events-*.server.ts) against the pure engine over
 * the same database: funnelAggregateSql(…) must equal
 * computeFunnel(await loadReportEvents(…), def, params) exactly — counts, in-progress,
 * medians/p90s, biggest leak, breakdown and trend — on SQLite and PostgreSQL; and the six
 * breakdowns a step diagnosis reads from one stream with every attribute (funnelBreakdownsSql).
 *
 * Rows are stored the way ingestion stores them: a repeated event id or dedupeKey is
 * skipped at insert (first arrival kept), sessions come from ingest/sessions.ts over the
 * visitor's stored events (bot events included, as ingestion does). Some checkout rows
 * are stored without a dedupeKey ("legacy") so the engine's own duplicate rules matter.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db, type DbDialect } from "../../db/prisma";
import { loadReportEvents } from "../../app/services/events.server";
import { funnelAggregateSql, funnelBreakdownsSql } from "../../app/services/funnel-results/events-report.server";
import { computeFunnel, type FunnelParams, type FunnelReport } from "../../core/funnel";
import type { BreakdownKey, FunnelDefinition, FunnelStepDef, StepFilter } from "../../core/types";
import { dedupeKeyOf } from "../../ingest/normalize";
import { sessionIdChanges, sessionsFor, type SessionEventRow } from "../../ingest/sessions";
import { freshDatabase } from "../helpers/app-server";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** Saturday 2026-03-07 20:00 UTC: the data crosses local midnights and the US DST change. */
const T0 = Date.UTC(2026, 2, 7, 20, 0, 0);
/** Timestamps sit on a 10-minute grid: ties, gaps of exactly 30 minutes, exact window ends. */
const GRID = 10 * MIN;

/* ------------------------------------------------------------------------------------ */
/* Storing events like ingestion                                                        */
/* ------------------------------------------------------------------------------------ */

interface SeedEvent {
  shopId: number;
  eventId: string;
  name: string;
  ts: number;
  seq: number;
  clientId: string;
  path?: string | null;
  url?: string | null;
  referrer?: string | null;
  utmSource?: string | null;
  utmCampaign?: string | null;
  device?: string | null;
  productId?: string | null;
  checkoutToken?: string | null;
  orderId?: string | null;
  customerId?: string | null;
  props?: Record<string, string | number | boolean | null> | null;
  isBot?: boolean;
  /** Stored without a dedupeKey (rows from before the key existed). */
  legacy?: boolean;
}

/** Inserts events in arrival order and derives their sessions with ingest/sessions.ts. */
async function seed(db: Db, dialect: DbDialect, input: SeedEvent[]): Promise<void> {
  const seenIds = new Set<string>();
  const seenKeys = new Set<string>();
  const stored: (SeedEvent & { dedupeKey: string | null; sessionId: string })[] = [];
  for (const e of input) {
    const dedupeKey = e.legacy ? null : dedupeKeyOf({ name: e.name, checkoutToken: e.checkoutToken ?? null, orderId: e.orderId ?? null });
    const idKey = `${e.shopId}\u0000${e.eventId}`;
    const dk = dedupeKey === null ? null : `${e.shopId}\u0000${dedupeKey}`;
    if (seenIds.has(idKey) || (dk !== null && seenKeys.has(dk))) continue; // ON CONFLICT DO NOTHING
    seenIds.add(idKey);
    if (dk !== null) seenKeys.add(dk);
    stored.push({ ...e, dedupeKey, sessionId: "" });
  }
  const byVisitor = new Map<string, typeof stored>();
  for (const e of stored) {
    const key = `${e.shopId}\u0000${e.clientId}`;
    byVisitor.set(key, [...(byVisitor.get(key) ?? []), e]);
  }
  const sessionRows = [];
  for (const events of byVisitor.values()) {
    const rows: SessionEventRow[] = events.map((e) => ({
      eventId: e.eventId,
      name: e.name,
      ts: e.ts,
      seq: e.seq,
      clientId: e.clientId,
      sessionId: "",
      path: e.path ?? null,
      url: e.url ?? null,
      referrer: e.referrer ?? null,
      utmSource: e.utmSource ?? null,
      utmMedium: null,
      utmCampaign: e.utmCampaign ?? null,
      device: e.device ?? null,
      customerId: e.customerId ?? null,
      isBot: e.isBot ?? false,
    }));
    const sessions = sessionsFor(rows, false);
    const byId = new Map(events.map((e) => [e.eventId, e]));
    for (const [sessionId, ids] of sessionIdChanges(rows, sessions)) for (const id of ids) byId.get(id)!.sessionId = sessionId;
    for (const s of sessions) {
      sessionRows.push({
        shopId: events[0].shopId,
        id: s.id,
        clientId: s.clientId,
        startTs: s.startTs,
        endTs: s.endTs,
        eventCount: s.eventCount,
        landingPath: s.landingPath,
        source: s.source,
        medium: s.medium,
        campaign: s.campaign,
        referrerHost: s.referrerHost,
        device: s.device,
        visitorType: s.visitorType,
        loggedIn: s.loggedIn,
        isBot: s.isBot,
      });
    }
  }
  const eventRows = stored.map((e) => ({
    shopId: e.shopId,
    eventId: e.eventId,
    name: e.name,
    ts: e.ts,
    seq: e.seq,
    clientId: e.clientId,
    sessionId: e.sessionId,
    path: e.path ?? null,
    url: e.url ?? null,
    referrer: e.referrer ?? null,
    utmSource: e.utmSource ?? null,
    utmCampaign: e.utmCampaign ?? null,
    device: e.device ?? null,
    productId: e.productId ?? null,
    checkoutToken: e.checkoutToken ?? null,
    orderId: e.orderId ?? null,
    customerId: e.customerId ?? null,
    props: e.props ? JSON.stringify(e.props) : null,
    isBot: e.isBot ?? false,
    dedupeKey: e.dedupeKey,
    receivedAt: e.ts,
  }));
  // Multi-row INSERTs (Prisma's createMany takes ~1 ms a row here).
  await insertRows(db, dialect, "Event", eventRows);
  await insertRows(db, dialect, "VisitorSession", sessionRows);
}

async function insertRows(db: Db, dialect: DbDialect, table: string, rows: Record<string, unknown>[]): Promise<void> {
  if (rows.length === 0) return;
  const cols = Object.keys(rows[0]);
  // Short statements: with long ones the SQLite adapter slows down per row.
  const perStatement = 100;
  // One transaction: far fewer commits (the batch form has a 5 s limit, hence interactive).
  await db.$transaction(
    async (tx) => {
      for (let i = 0; i < rows.length; i += perStatement) {
        const chunk = rows.slice(i, i + perStatement);
        let n = 0;
        const tuples = chunk.map(() => `(${cols.map(() => (dialect === "sqlite" ? `?${++n}` : `$${++n}`)).join(", ")})`);
        const values = chunk.flatMap((r) => cols.map((c) => (typeof r[c] === "boolean" && dialect === "sqlite" ? Number(r[c]) : r[c])));
        await tx.$executeRawUnsafe(`INSERT INTO "${table}" (${cols.map((c) => `"${c}"`).join(", ")}) VALUES ${tuples.join(", ")}`, ...values);
      }
    },
    { timeout: 120_000, maxWait: 30_000 },
  );
}

/** Both paths over the same database. */
async function bothReports(db: Db, dialect: DbDialect, shopId: number, def: FunnelDefinition, params: FunnelParams) {
  const events = await loadReportEvents(db, shopId, { from: params.from, to: params.to, unit: def.unit, windowMs: def.windowMs });
  const engine = computeFunnel(events, def, params);
  const sql = await funnelAggregateSql(db, dialect, shopId, def, params);
  return { sql, engine };
}

const counts = (r: FunnelReport) => r.steps.map((s) => s.count);

const BREAKDOWN_KEYS = ["device", "source", "campaign", "landingPath", "visitorType", "loggedIn"] as const;

/** The six breakdowns from one read of the stream with every attribute (a diagnosis on the events) = the engine's, key by key. */
async function expectBreakdownsEqualEngine(db: Db, dialect: DbDialect, shopId: number, def: FunnelDefinition, params: FunnelParams) {
  const base = { from: params.from, to: params.to, now: params.now, timeZone: params.timeZone };
  const events = await loadReportEvents(db, shopId, { from: base.from, to: base.to, unit: def.unit, windowMs: def.windowMs });
  const sql = await funnelBreakdownsSql(db, dialect, shopId, def, base, BREAKDOWN_KEYS);
  expect(sql).toEqual(BREAKDOWN_KEYS.map((key) => computeFunnel(events, def, { ...base, breakdown: key, stepTimes: false }).breakdown));
}

/* ------------------------------------------------------------------------------------ */
/* Generators                                                                           */
/* ------------------------------------------------------------------------------------ */

const NAMES = ["product_viewed", "product_added_to_cart", "checkout_started", "checkout_completed", "page_viewed", "mc:scroll_depth"];
const PROP_KEYS = ["percent", "plan", 'odd"key'];

const eventArb = fc.record({
  visitor: fc.integer({ min: 0, max: 9 }),
  // Mostly the shop funnel's events, so funnels get deep.
  name: fc.constantFrom(...NAMES, ...NAMES.slice(0, 4), ...NAMES.slice(0, 2)),
  slot: fc.integer({ min: 0, max: 18 }),
  jitter: fc.constantFrom(0, 0, 0, 1),
  seq: fc.integer({ min: 0, max: 4 }),
  id: fc.integer({ min: 0, max: 1_000_000 }),
  path: fc.constantFrom<string | null>(null, "/", "/products/a", "/products/ab", "/cart", "/pages/faq"),
  productId: fc.constantFrom<string | null>(null, "p1", "p2"),
  // Per-visitor checkout/order ids, a few repeated, one shared between visitors.
  token: fc.constantFrom<string | null>(null, null, "a", "b", "c", "d", "shared"),
  props: fc.option(
    fc.dictionary(fc.constantFrom(...PROP_KEYS), fc.constantFrom<string | number | boolean | null>(75, 25, "75", 0.5, true, false, null, "pro")),
    { freq: 2 },
  ),
  bot: fc.constantFrom(false, false, false, false, false, false, false, false, false, true),
  legacy: fc.constantFrom(false, false, false, true),
  source: fc.constantFrom<string | null>(null, "google", "newsletter"),
  device: fc.constantFrom<string | null>(null, "mobile", "desktop"),
  customer: fc.constantFrom<string | null>(null, null, "c1"),
});
type GenEvent = typeof eventArb extends fc.Arbitrary<infer T> ? T : never;

function toSeed(shopId: number, g: GenEvent, i: number, botVisitors: Set<number>): SeedEvent {
  return {
    shopId,
    // Mostly unique ids; a few repeats, as a retried batch would send.
    eventId: `ev${g.id % 7 === 0 ? g.id % 5 : i}`,
    name: g.name,
    ts: T0 + g.slot * GRID + g.jitter,
    seq: g.seq,
    clientId: `v${g.visitor}`,
    path: g.path,
    url: g.path === null ? null : `https://shop.example${g.path}`,
    utmSource: g.source,
    utmCampaign: g.source === "newsletter" ? "spring" : null,
    device: g.device,
    productId: g.productId,
    checkoutToken: g.name === "checkout_started" ? tokenOf(g) : null,
    orderId: g.name === "checkout_completed" ? tokenOf(g) : null,
    customerId: g.customer,
    props: g.props,
    isBot: g.bot || botVisitors.has(g.visitor),
    legacy: g.legacy,
  };
}

const tokenOf = (g: GenEvent) => (g.token === null || g.token === "shared" ? g.token : `v${g.visitor}${g.token}`);

const filterArb: fc.Arbitrary<StepFilter> = fc.oneof(
  fc.record({
    field: fc.constant("path" as const),
    op: fc.constantFrom("equals" as const, "startsWith" as const, "contains" as const),
    value: fc.constantFrom("/", "/products", "/products/a", "a", "/cart", ""),
  }),
  fc.record({ field: fc.constant("productId" as const), op: fc.constant("equals" as const), value: fc.constantFrom("p1", "p2") }),
  fc.record({
    field: fc.constant("prop" as const),
    key: fc.constantFrom(...PROP_KEYS),
    op: fc.constant("equals" as const),
    value: fc.constantFrom("75", "25", "0.5", "true", "false", "null", "pro"),
  }),
);

/** Step i: mostly the shop funnel's i-th event (so funnels get deep), sometimes anything. */
const stepArb = (i: number): fc.Arbitrary<FunnelStepDef> =>
  fc
    .array(
      fc.record({
        event: fc.constantFrom(NAMES[i], NAMES[i], NAMES[i], ...NAMES),
        filters: fc.oneof(fc.constant<StepFilter[]>([]), fc.constant<StepFilter[]>([]), fc.array(filterArb, { minLength: 1, maxLength: 2 })),
      }),
      { minLength: 1, maxLength: 2 },
    )
    .map((anyOf) => ({ label: anyOf.map((a) => a.event).join(" | "), anyOf }));

const scenarioArb = fc.record({
  // size "max": lengths spread over the whole range (the default keeps arrays tiny).
  shopA: fc.array(eventArb, { minLength: 30, maxLength: 150, size: "max" }),
  shopB: fc.array(eventArb, { maxLength: 30, size: "max" }),
  botVisitor: fc.option(fc.integer({ min: 0, max: 9 })),
  steps: fc.integer({ min: 2, max: 4 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => stepArb(i)))),
  windowMs: fc.constantFrom(MIN, 30 * MIN, HOUR, 2 * HOUR + 1, 3 * HOUR, DAY),
  fromSlot: fc.integer({ min: -2, max: 8 }),
  lengthSlots: fc.oneof(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 10, max: 24 })),
  nowSlot: fc.constantFrom(6, 12, 17, 20, 25, 10_000),
  timeZone: fc.constantFrom("UTC", "America/New_York", "Asia/Kolkata", "Pacific/Chatham"),
  breakdown: fc.option(fc.constantFrom<BreakdownKey>("device", "source", "campaign", "landingPath", "visitorType", "loggedIn")),
  trend: fc.option(fc.constantFrom("day" as const, "week" as const)),
});

/* ------------------------------------------------------------------------------------ */
/* Tests                                                                                */
/* ------------------------------------------------------------------------------------ */

describe.each(["sqlite", "postgres"] as const)("funnel reports in SQL = the engine (%s)", (kind) => {
  let db: Db;
  let dialect: DbDialect;
  let nextShop = 1;

  beforeAll(async () => {
    ({ db, dialect } = createDb(await freshDatabase(kind)));
  });
  afterAll(async () => {
    await db?.$disconnect();
  });

  it("matches the engine on generated shops (session and visitor units)", async () => {
    // What the runs exercised, so a generator that drifts into trivial data fails.
    const seen = { units: 0, reachedStep2: 0, inProgress: 0, waitingPastStep1: 0, withBreakdown: 0 };
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (sc) => {
        const a = nextShop++;
        const b = nextShop++;
        const bots = new Set(sc.botVisitor === null ? [] : [sc.botVisitor]);
        // Shop B reuses visitor and event ids: only the shop filter keeps it out.
        await seed(db, dialect, [...sc.shopA.map((g, i) => toSeed(a, g, i, bots)), ...sc.shopB.map((g, i) => toSeed(b, g, i, new Set()))]);
        const from = T0 + sc.fromSlot * GRID;
        const params: FunnelParams = {
          from,
          to: from + sc.lengthSlots * GRID,
          now: T0 + sc.nowSlot * GRID,
          timeZone: sc.timeZone,
          ...(sc.breakdown ? { breakdown: sc.breakdown } : {}),
          ...(sc.trend ? { trend: sc.trend } : {}),
        };
        for (const unit of ["session", "visitor"] as const) {
          const def: FunnelDefinition = { steps: sc.steps, unit, windowMs: sc.windowMs };
          const { sql, engine } = await bothReports(db, dialect, a, def, params);
          expect(sql).toEqual(engine);
          await expectBreakdownsEqualEngine(db, dialect, a, def, params);
          seen.units += engine.totalUnits;
          seen.reachedStep2 += engine.steps[1].count;
          seen.inProgress += engine.inProgressUnits;
          seen.waitingPastStep1 += engine.steps.slice(1).reduce((n, st) => n + st.waiting, 0);
          seen.withBreakdown += engine.breakdown && engine.breakdown.groups.length > 1 ? 1 : 0;
        }
      }),
      { numRuns: 30 },
    );
    expect(seen.units).toBeGreaterThan(100);
    expect(seen.reachedStep2).toBeGreaterThan(15);
    expect(seen.inProgress).toBeGreaterThan(0);
    expect(seen.waitingPastStep1).toBeGreaterThan(0);
    expect(seen.withBreakdown).toBeGreaterThan(0);
  });

  it("hand-computed: ties with reversed seq count in the funnel's favour; exact window end converts", async () => {
    const shopId = nextShop++;
    await seed(db, dialect, [
      // s1: cart recorded before the view (seq) at the same ms: converts, 0 ms.
      { shopId, eventId: "a1", clientId: "v1", name: "product_added_to_cart", ts: T0, seq: 1 },
      { shopId, eventId: "a2", clientId: "v1", name: "product_viewed", ts: T0, seq: 2 },
      // v2: cart exactly one hour after the view: inside a 1-hour window.
      { shopId, eventId: "b1", clientId: "v2", name: "product_viewed", ts: T0, seq: 1 },
      { shopId, eventId: "b2", clientId: "v2", name: "product_added_to_cart", ts: T0 + HOUR, seq: 2 },
      // v3: one millisecond later: outside.
      { shopId, eventId: "c1", clientId: "v3", name: "product_viewed", ts: T0, seq: 1 },
      { shopId, eventId: "c2", clientId: "v3", name: "product_added_to_cart", ts: T0 + HOUR + 1, seq: 2 },
    ]);
    const steps = [
      { label: "View", anyOf: [{ event: "product_viewed", filters: [] }] },
      { label: "Cart", anyOf: [{ event: "product_added_to_cart", filters: [] }] },
    ];
    const params = { from: T0 - DAY, to: T0 + DAY, now: T0 + 30 * DAY, timeZone: "UTC" };
    const visitor = await bothReports(db, dialect, shopId, { steps, unit: "visitor", windowMs: HOUR }, params);
    expect(counts(visitor.sql)).toEqual([3, 2]);
    expect(visitor.sql.steps[1].medianMsFromPrev).toBe(0);
    expect(visitor.sql.steps[1].p90MsFromPrev).toBe(HOUR);
    expect(visitor.sql).toEqual(visitor.engine);
    // Sessions: v2 and v3's carts come after a gap over 30 minutes: other sessions.
    const session = await bothReports(db, dialect, shopId, { steps, unit: "session", windowMs: HOUR }, params);
    expect(counts(session.sql)).toEqual([3, 1]);
    expect(session.sql.steps[1]).toMatchObject({ dropOff: 2, settled: 3, waiting: 0 });
    // 3 settled sessions are too few to name a leak.
    expect(session.sql.biggestLeak).toBeNull();
    expect(session.sql.noLeak).toEqual({ reason: "too-few-settled", settled: 3, finished: 3 });
    expect(session.sql).toEqual(session.engine);
  });

  it("hand-computed: removed bot events and dropped duplicate checkouts split stored sessions", async () => {
    const shopId = nextShop++;
    await seed(db, dialect, [
      // v1: a bot-flagged event (another user agent) bridges 50 minutes: one stored
      // session, two engine sessions, so the cart does not follow the view.
      { shopId, eventId: "a1", clientId: "v1", name: "product_viewed", ts: T0, seq: 1 },
      { shopId, eventId: "a2", clientId: "v1", name: "page_viewed", ts: T0 + 25 * MIN, seq: 2, isBot: true },
      { shopId, eventId: "a3", clientId: "v1", name: "product_added_to_cart", ts: T0 + 50 * MIN, seq: 3 },
      // v2: checkout t1 first seen here (kept)…
      { shopId, eventId: "b1", clientId: "v2", name: "product_viewed", ts: T0, seq: 1 },
      { shopId, eventId: "b2", clientId: "v2", name: "checkout_started", ts: T0 + 5 * MIN, seq: 2, checkoutToken: "t1", legacy: true },
      // …v3 repeats it later without a dedupeKey: dropped, which also splits v3's session.
      { shopId, eventId: "c1", clientId: "v3", name: "product_viewed", ts: T0 + 10 * MIN, seq: 1 },
      { shopId, eventId: "c2", clientId: "v3", name: "checkout_started", ts: T0 + 35 * MIN, seq: 2, checkoutToken: "t1", legacy: true },
      { shopId, eventId: "c3", clientId: "v3", name: "product_added_to_cart", ts: T0 + 60 * MIN, seq: 3 },
    ]);
    const steps = [
      { label: "View", anyOf: [{ event: "product_viewed", filters: [] }] },
      {
        label: "Cart or checkout",
        anyOf: [
          { event: "product_added_to_cart", filters: [] },
          { event: "checkout_started", filters: [] },
        ],
      },
    ];
    const params = { from: T0 - DAY, to: T0 + DAY, now: T0 + 30 * DAY, timeZone: "UTC" };
    const session = await bothReports(db, dialect, shopId, { steps, unit: "session", windowMs: DAY }, params);
    expect(counts(session.sql)).toEqual([3, 1]);
    expect(session.sql).toEqual(session.engine);
    const visitor = await bothReports(db, dialect, shopId, { steps, unit: "visitor", windowMs: DAY }, params);
    expect(counts(visitor.sql)).toEqual([3, 3]);
    expect(visitor.sql.steps[1].medianMsFromPrev).toBe(50 * MIN);
    expect(visitor.sql).toEqual(visitor.engine);
  });

  it("hand-computed: of duplicates at the same ms the lower seq is kept, then the lower id (byte order)", async () => {
    const shopId = nextShop++;
    const checkout = (eventId: string, clientId: string, ts: number, seq: number, token: string): SeedEvent => ({
      shopId,
      eventId,
      clientId,
      name: "checkout_started",
      ts,
      seq,
      checkoutToken: token,
      legacy: true,
    });
    const order = (eventId: string, clientId: string, ts: number): SeedEvent => ({
      shopId,
      eventId,
      clientId,
      name: "checkout_completed",
      ts,
      seq: 9,
      orderId: eventId,
    });
    await seed(db, dialect, [
      // Token T: v2's copy has the smaller id but the larger seq: v1's is kept.
      checkout("a1", "v2", T0, 2, "T"),
      checkout("z1", "v1", T0, 1, "T"),
      order("o1", "v1", T0 + MIN),
      // Token U: equal seq; "B1" < "a9" in byte order (not in en_US collation): v3's is kept.
      checkout("a9", "v4", T0 + HOUR, 5, "U"),
      checkout("B1", "v3", T0 + HOUR, 5, "U"),
      order("o3", "v3", T0 + HOUR + MIN),
    ]);
    const steps = [
      { label: "Checkout", anyOf: [{ event: "checkout_started", filters: [] }] },
      { label: "Purchase", anyOf: [{ event: "checkout_completed", filters: [] }] },
    ];
    const params = { from: T0 - DAY, to: T0 + DAY, now: T0 + 30 * DAY, timeZone: "UTC" };
    for (const unit of ["session", "visitor"] as const) {
      const { sql, engine } = await bothReports(db, dialect, shopId, { steps, unit, windowMs: DAY }, params);
      expect(counts(sql)).toEqual([2, 2]);
      expect(sql).toEqual(engine);
    }
  });

  it("hand-computed: path, product and property filters; in-progress units", async () => {
    const shopId = nextShop++;
    const now = T0 + 2 * HOUR;
    await seed(db, dialect, [
      { shopId, eventId: "a1", clientId: "v1", name: "page_viewed", ts: T0, seq: 1, path: "/products/shoe" },
      { shopId, eventId: "a2", clientId: "v1", name: "mc:scroll_depth", ts: T0 + MIN, seq: 2, props: { percent: 75, 'odd"key': true } },
      { shopId, eventId: "a3", clientId: "v1", name: "product_added_to_cart", ts: T0 + 2 * MIN, seq: 3, productId: "p1" },
      // v2: scroll 25: stops at step 1, last event 1h50 before now (not in progress)…
      { shopId, eventId: "b1", clientId: "v2", name: "page_viewed", ts: T0, seq: 1, path: "/products/hat" },
      { shopId, eventId: "b2", clientId: "v2", name: "mc:scroll_depth", ts: T0 + 10 * MIN, seq: 2, props: { percent: 25 } },
      // …v3: scrolled, last event 10 min before now: in progress at step 2.
      { shopId, eventId: "c1", clientId: "v3", name: "page_viewed", ts: now - 20 * MIN, seq: 1, path: "/products/cap" },
      { shopId, eventId: "c2", clientId: "v3", name: "mc:scroll_depth", ts: now - 10 * MIN, seq: 2, props: { percent: "75", 'odd"key': true } },
      { shopId, eventId: "d1", clientId: "v4", name: "page_viewed", ts: T0, seq: 1, path: "/pages/about" },
    ]);
    const steps: FunnelStepDef[] = [
      { label: "Product page", anyOf: [{ event: "page_viewed", filters: [{ field: "path", op: "startsWith", value: "/products/" }] }] },
      {
        label: "Scrolled 75 %",
        anyOf: [
          {
            event: "mc:scroll_depth",
            filters: [
              { field: "prop", key: "percent", op: "equals", value: "75" },
              { field: "prop", key: 'odd"key', op: "equals", value: "true" },
            ],
          },
        ],
      },
      { label: "Added p1", anyOf: [{ event: "product_added_to_cart", filters: [{ field: "productId", op: "equals", value: "p1" }] }] },
    ];
    const params = { from: T0 - DAY, to: T0 + DAY, now, timeZone: "America/New_York", trend: "day" as const, breakdown: "landingPath" as const };
    const session = await bothReports(db, dialect, shopId, { steps, unit: "session", windowMs: DAY }, params);
    expect(counts(session.sql)).toEqual([3, 2, 1]);
    expect(session.sql.inProgressUnits).toBe(1);
    expect(session.sql.steps[2].inProgress).toBe(1);
    expect(session.sql).toEqual(session.engine);
    const visitor = await bothReports(db, dialect, shopId, { steps, unit: "visitor", windowMs: DAY }, params);
    expect(visitor.sql.inProgressUnits).toBe(2); // v2 and v3: step 1 + 1 day is after now
    expect(visitor.sql).toEqual(visitor.engine);
  });

  it("matches the engine on a larger deterministic shop (20k events)", async () => {
    const shopId = nextShop++;
    const events = largeShop(shopId, 20_000, 42);
    await seed(db, dialect, events);
    const steps = ["product_viewed", "product_added_to_cart", "checkout_started", "checkout_completed"].map((n) => ({
      label: n,
      anyOf: [{ event: n, filters: [] }],
    }));
    const params: FunnelParams = { from: T0, to: T0 + 2 * DAY, now: T0 + 2 * DAY + HOUR, timeZone: "Europe/Berlin", breakdown: "source", trend: "day" };
    for (const unit of ["session", "visitor"] as const) {
      const { sql, engine } = await bothReports(db, dialect, shopId, { steps, unit, windowMs: DAY }, params);
      expect(sql.totalUnits).toBeGreaterThan(500);
      expect(sql).toEqual(engine);
      await expectBreakdownsEqualEngine(db, dialect, shopId, { steps, unit, windowMs: DAY }, params);
    }
  });
});

/** Mulberry32: a small seeded PRNG, so the large case is the same every run. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Visitors doing shop journeys over three days: views, carts, checkouts, repeats, bots. */
function largeShop(shopId: number, total: number, seed: number): SeedEvent[] {
  const rand = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const out: SeedEvent[] = [];
  let v = 0;
  while (out.length < total) {
    const clientId = `v${v++}`;
    const bot = rand() < 0.03;
    let ts = T0 - 6 * HOUR + Math.floor(rand() * 3 * DAY);
    const source = pick([null, null, "google", "facebook", "newsletter"]);
    for (let visit = 0, visits = 1 + Math.floor(rand() * 3); visit < visits; visit++) {
      const funnel = ["page_viewed", "product_viewed", "product_added_to_cart", "checkout_started", "checkout_completed"];
      const depth = 1 + Math.floor(rand() * rand() * funnel.length);
      const token = `t${shopId}-${v}-${visit}`;
      for (let i = 0; i <= depth && out.length < total; i++) {
        const name = i === depth ? pick(["page_viewed", "mc:scroll_depth"]) : funnel[Math.min(i, funnel.length - 1)];
        out.push({
          shopId,
          eventId: `e${out.length}`,
          clientId,
          name,
          ts,
          seq: out.length % 4,
          utmSource: source,
          path: pick(["/", "/products/a", "/products/b", "/cart"]),
          device: pick(["mobile", "desktop", null]),
          checkoutToken: name === "checkout_started" ? token : null,
          orderId: name === "checkout_completed" ? token : null,
          isBot: bot || rand() < 0.005,
          legacy: rand() < 0.2,
        });
        // Sometimes the platform repeats the checkout event.
        if (name === "checkout_started" && rand() < 0.2) out.push({ ...out[out.length - 1], eventId: `e${out.length}`, ts: ts + MIN });
        ts += pick([0, 0, 1000, MIN, 5 * MIN, 20 * MIN, 30 * MIN, 31 * MIN]);
      }
      ts += pick([40 * MIN, 3 * HOUR, DAY]);
    }
  }
  return out;
}
