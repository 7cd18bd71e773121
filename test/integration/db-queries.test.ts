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

const QUERIES_DIR = path.resolve(__dirname, "../../db/queries");
const DAY = 86_400_000;
const BUCKET = 15 * 60_000;
const TO = Date.UTC(2026, 10, 20);
const FROM = TO - 7 * DAY;

interface Case {
  params(shopId: number): Params;
  /** A builder file (`(shape) => Query`): the shapes to build and run, each. */
  shapes?: unknown[];
  /** Columns of each row a read answers; absent for a write, which answers a count. */
  columns?: string[];
  /** The seeded data makes this read answer at least one row. */
  nonEmpty?: boolean;
  /** Writes run after every read (they delete or rewrite the seeded rows). */
  write?: true;
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
/** The seeded funnel with one precomputed row (set per database before its tests). */
let funnelId = "";
const DIAGNOSIS_SHAPES = [
  { unit: "session", steps: 4, product: true },
  { unit: "visitor", steps: 2, product: false },
];
const DIAGNOSIS_ATTRS = ["device", "source", "medium", "campaign", "landingPath", "visitorType", "loggedIn", "productId"];
const unitDays = (shopId: number) => ({ shopId, funnelId, fromDay: Math.floor(FROM / DAY) - 1, toDay: Math.floor(TO / DAY) });

const CASES: Record<string, Case> = {
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
  "diagnosis-unit-groups": {
    shapes: DIAGNOSIS_SHAPES,
    params: (shopId) => ({ ...unitDays(shopId), bound: FROM }),
    columns: ["furthest", "ts", "ipn", "n", ...DIAGNOSIS_ATTRS],
    nonEmpty: true,
  },
  "diagnosis-unit-multi": {
    shapes: DIAGNOSIS_SHAPES,
    params: unitDays,
    columns: ["unitId", "day", "entryTs", "furthest", "latestStartTs", "lastTs", ...DIAGNOSIS_ATTRS],
    nonEmpty: true,
  },
  "activity-session-flags": { write: true, params: (shopId) => ({ shopId }) },
  "activity-delete-buckets": { write: true, params: (shopId) => ({ shopId, untilBucket: TO / BUCKET }) },
  "activity-insert-buckets": { write: true, params: (shopId) => ({ shopId, until: TO }) },
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
    const queries = new Map<string, Query | ((shape: unknown) => Query)>();
    /** The file's query, or for a builder the query of each of the case's shapes. */
    const built = (name: string, c: Case): Query[] => {
      const q = queries.get(name)!;
      return typeof q === "function" ? c.shapes!.map((s) => q(s)) : [q];
    };

    beforeAll(async () => {
      ({ db } = createDb(await freshDatabase(kind)));
      for (const file of queryFiles) {
        const query = (await import(path.join(QUERIES_DIR, file))).default as Query | ((shape: unknown) => Query);
        queries.set(file.replace(/\.ts$/, ""), query);
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
      // One precomputed row, for retention's delete of funnel rows.
      const funnel = await db.funnel.create({ data: { shopId, name: "F" } });
      funnelId = funnel.id;
      const row = {
        shopId,
        funnelId: funnel.id,
        day: Math.floor(FROM / DAY),
        entryTs: FROM + 1,
        msFromPrev: "",
        latestStartTs: FROM + 1,
        lastTs: FROM + 2,
        source: "instagram",
        medium: "social",
        visitorType: "new",
        loggedIn: false,
        productId: "102",
      };
      // Two more for the diagnosis reads: a single-day unit and one with rows on two days.
      await db.funnelUnitDay.createMany({
        data: [
          { ...row, unitId: "u2", clientId: "c2", furthest: 2, multi: false },
          { ...row, unitId: "u3", clientId: "c3", furthest: 1, multi: true },
          { ...row, unitId: "u3", clientId: "c3", furthest: 2, multi: true, day: row.day + 1 },
        ],
      });
      await db.funnelUnitDay.create({
        data: {
          shopId,
          funnelId: funnel.id,
          unitId: "u1",
          day: Math.floor(FROM / DAY),
          clientId: "c1",
          entryTs: FROM + 1,
          furthest: 1,
          msFromPrev: "",
          latestStartTs: FROM + 1,
          lastTs: FROM + 2,
          multi: false,
          source: "direct",
          visitorType: "new",
          loggedIn: false,
        },
      });
    }, 120_000);

    afterAll(async () => {
      await db?.$disconnect();
    });

    const reads = Object.entries(CASES).filter(([, c]) => !c.write);
    const writes = Object.entries(CASES).filter(([, c]) => c.write);

    it.each(reads)("%s answers rows of its shape", async (name, c) => {
      for (const query of built(name, c)) {
        const rows = await rowsOf(db, query as Query<Params, Record<string, unknown>>, c.params(shopId));
        expect(Array.isArray(rows)).toBe(true);
        if (c.nonEmpty) expect(rows.length).toBeGreaterThan(0);
        for (const row of rows) expect(Object.keys(row)).toEqual(expect.arrayContaining(c.columns!));
        // Aggregates are real numbers (or bigint/Decimal strings Number() reads), never NaN.
        for (const row of rows)
          for (const col of c.columns!) if (["n", "visitors", "later", "events", "ipn"].includes(col)) expect(Number.isNaN(Number(row[col]))).toBe(false);
      }
    });

    it.each(writes)("%s runs and counts the rows it changed", async (name, c) => {
      const changed = await executeOn(db, built(name, c)[0], c.params(shopId));
      expect(typeof changed).toBe("number");
      expect(changed).toBeGreaterThan(0);
    });
  });
}
