/**
 * Every query file in db/queries runs on a SQLite file and on PostgreSQL with realistic
 * parameters (a shop with a week of seeded traffic, orders, activity buckets and
 * precomputed rows), and answers rows of the expected shape. A new query file without an
 * entry below fails the suite, so none goes untried on either database.
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../../db/prisma";
import { executeOn, rowsOf, type Params, type Query } from "../../db/query";
import { freshDatabase } from "../helpers/app-server";
import { seedJourneys, shopTraffic } from "../helpers/funnel-seed";
import { UNIT_DAY_COLUMNS } from "../../db/queries/results-insert-rows";
import { visitorParams } from "../../db/queries/_stale-visitors";
import { claimParams } from "../../db/queries/results-claim-visitors";
import { deleteVisitorRowsParams, type FromColumn } from "../../db/queries/results-delete-visitor-rows";
import { listParams, rowsParams } from "../../db/sql";
import type { FunnelDefinition } from "../../core/types";
import { VISITOR_BUCKETS, visitorBucket } from "../../core/diagnosis/paths";

const QUERIES_DIR = path.resolve(__dirname, "../../db/queries");
const DAY = 86_400_000;
const BUCKET = 15 * 60_000;
const TO = Date.UTC(2026, 10, 20);
const FROM = TO - 7 * DAY;

/** What the seed made that some parameters name. */
interface Seeded {
  /** A funnel with precomputed rows (the results-* writes rebuild and empty it). */
  funnelId: string;
  /** Two visitors with sessions and events in range. */
  clients: [string, string];
}

interface Case {
  /**
   * For a builder file (its default export makes the Query for a shape): the Queries to
   * try, each with any parameters its shape carries. Each is run with params().
   */
  build?: (builder: never) => (Query | { query: Query; params: Params })[];
  params(shopId: number, seeded: Seeded): Params;
  /** Columns of each row a read answers; absent for a write, which answers a count. */
  columns?: string[];
  /** The seeded data makes this read answer at least one row. */
  nonEmpty?: boolean;
  /** Writes run after every read (they delete or rewrite the seeded rows). */
  write?: true;
  /** For a write that answers rows (RETURNING): exactly the rows it must answer. */
  returns?(seeded: Seeded): Record<string, unknown>[];
  /** For a write: exactly how many rows each of its statements changes (else at least one). */
  changes?: number[];
}

const EVENT_COLUMNS = [
  "eventId",
  "name",
  "ts",
  "seq",
  "clientId",
  "path",
  "productId",
  "checkoutToken",
  "orderId",
  "customerId",
  "props",
  "device",
  "source",
  "medium",
  "campaign",
  "landingPath",
  "visitorType",
  "loggedIn",
];
const range = (shopId: number) => ({ shopId, from: FROM, to: TO });
const days = (shopId: number, { funnelId }: Seeded) => ({ shopId, funnelId, fromDay: FROM / DAY - 1, toDay: TO / DAY, bound: TO - DAY });
const staleClients = (shopId: number, { clients }: Seeded) => ({ shopId, since: FROM, ...visitorParams(clients) });
type Builder<A> = (shape: A) => Query;
const STREAM_FUNNEL: FunnelDefinition = {
  unit: "session",
  windowMs: 0,
  steps: [
    { label: "Any page", anyOf: [{ event: "page_viewed", filters: [] }] },
    {
      label: "Product",
      anyOf: [
        { event: "product_viewed", filters: [{ field: "path", op: "startsWith", value: "/" }] },
        { event: "product_viewed", filters: [{ field: "prop", key: 'a"b', op: "equals", value: "1" }] },
        {
          event: "product_viewed",
          filters: [
            { field: "prop", key: "plan", op: "equals", value: "pro" },
            { field: "productId", op: "equals", value: "p1" },
          ],
        },
      ],
    },
    { label: "Purchase", anyOf: [{ event: "checkout_completed", filters: [{ field: "path", op: "contains", value: "thank" }] }] },
  ],
};
const unitDayRow = (funnelId: string, unitId: string, clientId: string, furthest: number, multi: boolean) => ({
  shopId: 0,
  funnelId,
  unitId,
  day: FROM / DAY,
  clientId,
  entryTs: FROM + 1,
  furthest,
  msFromPrev: furthest > 1 ? "60000" : "",
  latestStartTs: FROM + 1,
  lastTs: FROM + 2,
  multi,
  device: "mobile",
  source: "instagram",
  medium: "social",
  campaign: null,
  landingPath: "/",
  visitorType: "new",
  loggedIn: false,
  productId: "102",
  visitorBucket: visitorBucket(clientId),
});
const DIAGNOSIS_SHAPES = [
  { unit: "session", steps: 4, product: true },
  { unit: "visitor", steps: 3, product: false },
];
const DIAGNOSIS_ATTRS = ["device", "source", "medium", "campaign", "landingPath", "visitorType", "loggedIn", "productId"];
const unitDays = (shopId: number, { funnelId }: Seeded) => ({ shopId, funnelId, fromDay: Math.floor(FROM / DAY) - 1, toDay: Math.floor(TO / DAY) });

const CASES: Record<string, Case> = {
  "diagnosis-unit-groups": {
    build: (b: Builder<unknown>) => DIAGNOSIS_SHAPES.map(b),
    // Products kept apart: one seeded product and nulls for the rest; others read as the marker.
    params: (shopId, seeded) => ({ ...unitDays(shopId, seeded), bound: FROM, ...listParams("keep", ["102", ...Array(9).fill(null)]), folded: "(folded)" }),
    columns: ["furthest", "ts", "ipn", "n", ...DIAGNOSIS_ATTRS],
    nonEmpty: true,
  },
  "diagnosis-product-units": {
    build: (b: Builder<number>) => [b(4)],
    params: unitDays,
    columns: ["productId", "n"],
    nonEmpty: true,
  },
  "diagnosis-unit-multi": {
    build: (b: Builder<unknown>) => DIAGNOSIS_SHAPES.map(b),
    params: unitDays,
    columns: ["unitId", "day", "entryTs", "furthest", "latestStartTs", "lastTs", ...DIAGNOSIS_ATTRS],
    nonEmpty: true,
  },
  "alarm-hour-groups": {
    build: (b: Builder<{ steps: number }>) => [b({ steps: 3 }), b({ steps: 2 })],
    params: (shopId, { funnelId }) => ({
      shopId,
      funnelId,
      fromDay: Math.floor(FROM / DAY) - 1,
      toDay: Math.floor(TO / DAY),
      fromTs: FROM,
      endTs: TO,
      asOf: TO,
    }),
    columns: ["h", "device", "s2", "c2"],
    nonEmpty: true,
  },
  "report-events-by-session": { params: range, columns: EVENT_COLUMNS, nonEmpty: true },
  "report-events-by-visitor": { params: (shopId) => ({ shopId, from: FROM, until: TO + 7 * DAY }), columns: EVENT_COLUMNS, nonEmpty: true },
  "event-names-seen": { params: (shopId) => ({ shopId, since: FROM }), columns: ["name", "n"], nonEmpty: true },
  "purchasing-visitors": { params: range, columns: ["visitors"], nonEmpty: true },
  "later-session-buyers": { params: (shopId) => ({ ...range(shopId), windowMs: 7 * DAY }), columns: ["later"], nonEmpty: true },
  "activity-totals": {
    params: (shopId) => ({ shopId, fromBucket: FROM / BUCKET, toBucket: TO / BUCKET }),
    columns: ["events", "sessions", "customEvents"],
    nonEmpty: true,
  },
  "activity-span": { params: (shopId) => ({ shopId, kind: "standard" }), columns: ["first", "last"], nonEmpty: true },
  "count-kind-between": { params: (shopId) => ({ ...range(shopId), kind: "custom" }), columns: ["n"], nonEmpty: true },
  "first-kind-ts": { params: (shopId) => ({ ...range(shopId), kind: "standard" }), columns: ["ts"], nonEmpty: true },
  "last-kind-ts": { params: (shopId) => ({ ...range(shopId), kind: "standard" }), columns: ["ts"], nonEmpty: true },
  "active-buckets": { params: (shopId) => ({ shopId, fromBucket: FROM / BUCKET, toBucket: TO / BUCKET }), columns: ["b"], nonEmpty: true },
  "event-hours": { params: (shopId) => ({ shopId, after: FROM, before: TO }), columns: ["h"], nonEmpty: true },
  "page-views-since": { params: (shopId) => ({ shopId, after: FROM }), columns: ["n"], nonEmpty: true },
  "coverage-order-buckets": {
    params: (shopId) => ({ ...range(shopId), recentFrom: TO - 3_600_000 }),
    columns: ["bucket", "onlineStore", "recent", "n"],
    nonEmpty: true,
  },
  "coverage-purchase-buckets": { params: (shopId) => ({ ...range(shopId), recentFrom: TO - 3_600_000 }), columns: ["bucket", "kind", "n"], nonEmpty: true },
  "unmatched-purchases": { params: (shopId) => ({ ...range(shopId), recentFrom: TO - 3_600_000 }), columns: ["orderId", "ts", "kind"], nonEmpty: true },
  "missed-orders": { params: range, columns: ["orderId", "createdAt"], nonEmpty: true },
  "report-events-at-most": { params: (shopId) => ({ ...range(shopId), limit: 1000 }), columns: ["n"], nonEmpty: true },
  "report-unit-day-groups": {
    build: (b: Builder<object>) => [b({ unit: "session", steps: 3, breakdown: "device" }), b({ unit: "visitor", steps: 3, stepTimes: false })],
    params: days,
    columns: ["furthest", "day", "ts", "attr", "ipn", "n"],
    nonEmpty: true,
  },
  "report-unit-day-timed": {
    build: (b: Builder<object>) => [b({ unit: "session", steps: 3, breakdown: "loggedIn" }), b({ unit: "visitor", steps: 2 })],
    params: days,
    columns: ["furthest", "day", "ts", "attr", "ipn", "n", "ms"],
    nonEmpty: true,
  },
  "report-unit-day-multi": {
    build: (b: Builder<object>) => [b({ unit: "visitor", steps: 3, breakdown: "source" }), b({ unit: "session", steps: 3 })],
    params: days,
    columns: ["unitId", "day", "entryTs", "furthest", "msFromPrev", "latestStartTs", "lastTs", "attr"],
    nonEmpty: true,
  },
  "report-funnel-stream": {
    // Both units, a breakdown and all attributes, and every filter kind (a prop key a JSON
    // path cannot address too).
    build: (b: (def: FunnelDefinition, shape: object) => { query: Query; params: Params }) => [
      b(STREAM_FUNNEL, { breakdown: "device" }),
      b({ ...STREAM_FUNNEL, unit: "visitor", windowMs: 7 * DAY }, { allAttrs: true }),
    ],
    params: (shopId) => ({ ...range(shopId), until: TO + 7 * DAY }),
    columns: ["unit", "part", "lastts", "attr", "ev"],
    nonEmpty: true,
  },
  "paths-sample-visitors": {
    // The seeded rows stop at steps 1, 2 and 3: a dropped side at step 2, a went-on side at step 2.
    build: (b: (min: number, max: number) => Query) => [b(1, 1), b(2, 3)],
    params: (shopId, { funnelId }) => ({ shopId, funnelId, fromDay: FROM / DAY - 1, toDay: TO / DAY, bound: VISITOR_BUCKETS }),
    columns: ["clientId"],
    nonEmpty: true,
  },
  "paths-visitors-from-sessions": { params: range, columns: ["clientId"], nonEmpty: true },
  "paths-events": {
    build: (b: (unit: string, count: number) => Query) => [b("session", 2), b("visitor", 2)],
    params: (shopId, { clients }) => ({ shopId, from: FROM, until: TO, ...listParams("c", clients) }),
    columns: EVENT_COLUMNS,
    nonEmpty: true,
  },
  "results-shops-to-refresh": { params: () => ({}), columns: ["shopId"], nonEmpty: true },
  "results-as-of": { params: (shopId) => ({ shopId }), columns: ["oldest"], nonEmpty: true },
  "results-shop-visitors": { params: (shopId) => ({ shopId }), columns: ["n"], nonEmpty: true },
  "results-pending-at-mark": { params: (shopId) => ({ shopId, mark: TO }), columns: ["pending"], nonEmpty: true },
  "results-lock-building": { params: (shopId) => ({ shopId }), columns: ["id"], nonEmpty: true },
  "results-funnel-marks": { params: (shopId) => ({ shopId }), columns: ["id", "resultsMark"], nonEmpty: true },
  "results-stale-visitors": { params: (shopId) => ({ shopId, limit: 10 }), columns: ["clientId", "sinceTs", "version"] },
  "results-stale-sessions": { build: (b: Builder<number>) => [b(2)], params: staleClients, columns: ["clientId", "startTs", "endTs"], nonEmpty: true },
  "results-stale-events": { build: (b: Builder<number>) => [b(2)], params: staleClients, columns: EVENT_COLUMNS, nonEmpty: true },
  "results-mark-next-visitor": { params: (shopId) => ({ shopId, after: "", chunk: 3 }), columns: ["clientId"], nonEmpty: true },
  "insert-order": {
    write: true,
    params: (shopId) => ({
      shopId,
      orderId: "9001",
      createdAt: TO - DAY,
      totalPrice: 12.5,
      currency: "EUR",
      onlineStore: true,
      checkoutToken: null,
      receivedAt: TO,
    }),
  },
  "activity-session-flags": { write: true, params: (shopId) => ({ shopId }) },
  "activity-delete-buckets": { write: true, params: (shopId) => ({ shopId, untilBucket: TO / BUCKET }) },
  "activity-insert-buckets": { write: true, params: (shopId) => ({ shopId, until: TO }) },
  // A build's life: started at TO, every visitor marked (later than the build, so the build
  // can finish), one claimed, marking done, the build finished; then one refresh's writes.
  "results-build-start": { write: true, params: (shopId, { funnelId }) => ({ shopId, funnelId, mark: TO }) },
  "results-mark-visitors": {
    write: true,
    build: (b: (bounded: boolean) => Query) => [b(true), b(false)],
    params: (shopId) => ({ shopId, after: "", upTo: "seed-999", mark: TO + 1 }),
  },
  "results-claim-visitors": {
    write: true,
    build: (b: Builder<number>) => [b(2)],
    // The first marker at its version (claimed), the second at a version it is not at (kept).
    params: (shopId, { clients }) => ({
      shopId,
      ...claimParams([
        { clientId: clients[0], version: 2 },
        { clientId: clients[1], version: 99 },
      ]),
    }),
    returns: ({ clients }) => [{ clientId: clients[0] }],
  },
  "results-build-marked": { write: true, params: (shopId, { funnelId }) => ({ shopId, funnelId, mark: TO }) },
  "results-finish-builds": { write: true, params: (shopId) => ({ shopId }) },
  "results-insert-rows": {
    write: true,
    build: (b: Builder<number>) => [b(2)],
    params: (shopId, { funnelId }) =>
      rowsParams(UNIT_DAY_COLUMNS, [
        { ...unitDayRow(funnelId, "n1", "c2", 2, true), shopId },
        { ...unitDayRow(funnelId, "n1", "c2", 2, true), shopId, day: FROM / DAY + 1 },
      ]),
  },
  // u1 and u3 have a row each (u3's says multi): both rows are set, to false.
  "results-update-multi": {
    write: true,
    build: (b: Builder<number>) => [b(2)],
    params: (shopId, { funnelId }) => ({ shopId, funnelId, ...listParams("u", ["u1", "u3"]) }),
    changes: [2],
  },
  // From entry time: c1's row (entered at FROM + 1) goes, c3's (FROM + 1, cut at FROM + 2)
  // stays, and so does c1's row of the other funnel. From the day: c2's two inserted rows.
  "results-delete-visitor-rows": {
    write: true,
    build: (b: (from: FromColumn, count: number) => Query) => [
      {
        query: b("entryTs", 2),
        params: deleteVisitorRowsParams([
          { clientId: "c1", cut: 0 },
          { clientId: "c3", cut: FROM + 2 },
        ]),
      },
      { query: b("day", 1), params: deleteVisitorRowsParams([{ clientId: "c2", cut: FROM / DAY }]) },
    ],
    params: (shopId, { funnelId }) => ({ shopId, funnelId }),
    changes: [1, 2],
  },
  "results-delete-funnel-rows": { write: true, params: (shopId, { funnelId }) => ({ shopId, funnelId }) },
  "retention-delete-funnel-rows": { write: true, params: (shopId) => ({ shopId, cutoff: TO, limit: 100 }) },
  "retention-delete-events": { write: true, params: (shopId) => ({ shopId, cutoff: FROM + 3 * DAY, limit: 100 }) },
  "retention-delete-sessions": { write: true, params: (shopId) => ({ shopId, cutoff: FROM + 3 * DAY, limit: 100 }) },
};

const queryFiles = readdirSync(QUERIES_DIR)
  .filter((f) => f.endsWith(".ts") && !f.startsWith("_"))
  .sort();

it("every query file has a case here (and every case a file)", () => {
  expect(queryFiles.map((f) => f.replace(/\.ts$/, ""))).toEqual(Object.keys(CASES).sort());
});

for (const kind of ["sqlite", "postgres"] as const) {
  describe(`db/queries on ${kind}`, () => {
    let db: Db;
    let shopId: number;
    let seeded: Seeded;
    const modules = new Map<string, unknown>();
    /** A case's statements: the file's Query, or those its builder made. */
    const statementsOf = (name: string, c: Case): { query: Query; params: Params }[] => {
      const made = modules.get(name);
      const params = c.params(shopId, seeded);
      if (typeof made !== "function") return [{ query: made as Query, params }];
      if (!c.build) throw new Error(`${name} exports a builder: its case needs build()`);
      return c.build(made as never).map((q) => ("query" in q ? { query: q.query, params: { ...params, ...q.params } } : { query: q, params }));
    };

    beforeAll(async () => {
      ({ db } = createDb(await freshDatabase(kind)));
      for (const file of queryFiles) {
        modules.set(file.replace(/\.ts$/, ""), (await import(path.join(QUERIES_DIR, file))).default);
      }
      const shop = await db.shop.create({ data: { domain: `queries-${kind}.myshopify.com`, name: "Q", ingestKey: `ik_queries_${kind}` } });
      shopId = shop.id;
      await seedJourneys(db, shopId, shopTraffic({ visitors: 120, from: FROM, to: TO, seed: 7 }));
      // Orders: one matched by a purchase, one from another channel, one the pixel never saw.
      const purchase = await db.event.findFirst({ where: { shopId, name: "checkout_completed" }, select: { orderId: true, ts: true } });
      const at = Number(purchase!.ts);
      await db.order.createMany({
        data: [
          { shopId, orderId: purchase!.orderId!, createdAt: at, totalPrice: 10, currency: "USD", onlineStore: true, receivedAt: at },
          { shopId, orderId: "pos-1", createdAt: at, totalPrice: 5, currency: "USD", onlineStore: false, receivedAt: at },
          { shopId, orderId: "missed-1", createdAt: at, totalPrice: 7, currency: "USD", onlineStore: true, receivedAt: at },
        ],
      });
      // Precomputed rows: a funnel's (a unit that stopped at step 1, one that went on, one
      // on several days) for the reports' reads and the refresher's writes, and another
      // funnel's for retention's delete.
      const funnel = await db.funnel.create({ data: { shopId, name: "F" } });
      const other = await db.funnel.create({ data: { shopId, name: "G" } });
      await db.funnelUnitDay.createMany({
        data: [
          { ...unitDayRow(funnel.id, "u1", "c1", 1, false), shopId },
          { ...unitDayRow(funnel.id, "u2", "c3", 2, false), shopId },
          { ...unitDayRow(funnel.id, "u3", "c4", 3, true), shopId },
          { ...unitDayRow(other.id, "u1", "c1", 1, false), shopId },
        ],
      });
      const sessions = await db.visitorSession.findMany({
        where: { shopId },
        select: { clientId: true },
        distinct: ["clientId"],
        orderBy: { clientId: "asc" },
        take: 2,
      });
      seeded = { funnelId: funnel.id, clients: [sessions[0].clientId, sessions[1].clientId] };
    }, 120_000);

    afterAll(async () => {
      await db?.$disconnect();
    });

    const reads = Object.entries(CASES).filter(([, c]) => !c.write);
    const writes = Object.entries(CASES).filter(([, c]) => c.write);

    it.each(reads)("%s answers rows of its shape", async (name, c) => {
      for (const { query, params } of statementsOf(name, c)) {
        const rows = await rowsOf(db, query as Query<Params, Record<string, unknown>>, params);
        expect(Array.isArray(rows)).toBe(true);
        if (c.nonEmpty) expect(rows.length, query.name).toBeGreaterThan(0);
        for (const row of rows) expect(Object.keys(row)).toEqual(expect.arrayContaining(c.columns!));
        // Aggregates are real numbers (or bigint/Decimal strings Number() reads), never NaN.
        for (const row of rows)
          for (const col of c.columns!) if (["n", "visitors", "later", "events", "pending"].includes(col)) expect(Number.isNaN(Number(row[col]))).toBe(false);
      }
    });

    it.each(writes)("%s runs and counts the rows it changed", async (name, c) => {
      for (const [i, { query, params }] of statementsOf(name, c).entries()) {
        if (c.returns) {
          // A write that answers rows (RETURNING): exactly the rows it changed.
          expect(await rowsOf(db, query as Query<Params, Record<string, unknown>>, params), query.name).toEqual(c.returns(seeded));
          continue;
        }
        const changed = await executeOn(db, query, params);
        expect(typeof changed).toBe("number");
        if (c.changes) expect(changed, query.name).toBe(c.changes[i]);
        else expect(changed, query.name).toBeGreaterThan(0);
      }
    });
  });
}
