import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { BUCKET_MS, computeCoverage, emptyFigures, reconciles, type OrderBucket, type PurchaseBucket, type PurchaseMatch } from "../../core/trust/coverage";

const NY = "America/New_York";
const b = (iso: string) => Math.floor(Date.parse(iso) / BUCKET_MS);
// Local days in New York, as instants (EST is UTC−5 in November).
const NOV3 = Date.parse("2026-11-03T05:00:00Z");
const NOV6 = Date.parse("2026-11-06T05:00:00Z");
const order = (iso: string, orders: number, onlineStore = true, recent = false): OrderBucket => ({ bucket: b(iso), onlineStore, recent, orders });
const buy = (iso: string, purchases: number, match: PurchaseMatch = "matched"): PurchaseBucket => ({ bucket: b(iso), match, purchases });

describe("computeCoverage: orders and pixel purchases reconcile", () => {
  it("matched + missed = online-store orders and matched + no order = pixel purchases, per local day and for the range", () => {
    const orders: OrderBucket[] = [
      // Missed orders (no pixel purchase matched them).
      order("2026-11-03T15:00:00Z", 1),
      // 23:50 in New York on Nov 3 is already Nov 4 in UTC: it belongs to Nov 3.
      order("2026-11-04T04:50:00Z", 1),
      order("2026-11-05T20:00:00Z", 2, true, true),
      order("2026-11-04T12:00:00Z", 2, false),
      // Outside the range: ignored.
      order("2026-11-06T05:00:00Z", 9),
    ];
    const purchases: PurchaseBucket[] = [
      buy("2026-11-03T15:00:00Z", 4),
      buy("2026-11-03T15:00:00Z", 1, "noOrder"),
      buy("2026-11-05T10:00:00Z", 1, "otherChannel"),
      buy("2026-11-05T22:00:00Z", 3, "awaitingOrder"),
      buy("2026-11-02T22:00:00Z", 7),
    ];
    const { total, days } = computeCoverage({ orders, purchases, from: NOV3, to: NOV6, timeZone: NY });
    expect(days.map((d) => d.date)).toEqual(["2026-11-03", "2026-11-04", "2026-11-05"]);
    expect(days[0]).toMatchObject({
      onlineOrders: 6,
      seen: 4,
      missed: 2,
      rate: 4 / 6,
      otherChannelOrders: 0,
      pixelPurchases: 5,
      pixelPurchasesWithoutOrder: 1,
    });
    expect(days[0].unmatched).toEqual({ awaitingOrder: 0, otherChannel: 0, noOrder: 1 });
    expect(days[1]).toMatchObject({ onlineOrders: 0, seen: 0, missed: 0, rate: null, otherChannelOrders: 2, pixelPurchases: 0 });
    expect(days[2]).toMatchObject({ onlineOrders: 2, seen: 0, missed: 2, missedRecent: 2, rate: 0, pixelPurchases: 4, pixelPurchasesWithoutOrder: 4 });
    expect(days[2].unmatched).toEqual({ awaitingOrder: 3, otherChannel: 1, noOrder: 0 });
    expect(total).toEqual({
      onlineOrders: 8,
      seen: 4,
      missed: 4,
      missedRecent: 2,
      rate: 4 / 8,
      otherChannelOrders: 2,
      pixelPurchases: 9,
      pixelPurchasesWithoutOrder: 5,
      unmatched: { awaitingOrder: 3, otherChannel: 1, noOrder: 1 },
    });
    expect(reconciles(total)).toBe(true);
    for (const d of days) expect(reconciles(d)).toBe(true);
  });

  it("reconciles() catches a figure set whose numbers do not add up", () => {
    const f = {
      ...emptyFigures(),
      onlineOrders: 5,
      seen: 3,
      missed: 2,
      pixelPurchases: 4,
      pixelPurchasesWithoutOrder: 1,
      unmatched: { awaitingOrder: 0, otherChannel: 0, noOrder: 1 },
    };
    expect(reconciles(f)).toBe(true);
    expect(reconciles({ ...f, onlineOrders: 6 })).toBe(false);
    expect(reconciles({ ...f, pixelPurchases: 5 })).toBe(false);
    expect(reconciles({ ...f, unmatched: { awaitingOrder: 1, otherChannel: 0, noOrder: 1 } })).toBe(false);
    expect(reconciles({ ...f, missedRecent: 3 })).toBe(false);
  });

  it("handles a 23-hour DST day and zones with 30/45-minute offsets", () => {
    // 2026-03-08 in New York has 23 hours; 23:45 local that day is 03:45Z on Mar 9.
    const from = Date.parse("2026-03-08T05:00:00Z");
    const to = Date.parse("2026-03-09T04:00:00Z");
    const r = computeCoverage({ orders: [], purchases: [buy("2026-03-09T03:45:00Z", 1)], from, to, timeZone: NY });
    expect(r.days).toHaveLength(1);
    expect(r.days[0]).toMatchObject({ date: "2026-03-08", onlineOrders: 1, seen: 1, rate: 1 });
    // Kathmandu is UTC+5:45: 18:14Z is 23:59 local, 18:15Z is midnight of the next day.
    const ktm = "Asia/Kathmandu";
    const day = Date.parse("2026-05-01T18:15:00Z") - 86_400_000;
    const k = computeCoverage({
      orders: [order("2026-05-01T18:00:00Z", 1)],
      purchases: [buy("2026-05-01T18:15:00Z", 1)],
      from: day,
      to: day + 2 * 86_400_000,
      timeZone: ktm,
    });
    expect(k.days.map((d) => [d.date, d.onlineOrders, d.seen])).toEqual([
      ["2026-05-01", 1, 0],
      ["2026-05-02", 1, 1],
    ]);
  });

  it("days add up to the range and every day and the range reconcile (property)", () => {
    const bucketArb = fc.integer({ min: Math.floor(NOV3 / BUCKET_MS) - 200, max: Math.floor(NOV6 / BUCKET_MS) + 200 });
    const matchArb = fc.constantFrom<PurchaseMatch>("matched", "otherChannel", "awaitingOrder", "noOrder");
    fc.assert(
      fc.property(
        fc.array(fc.record({ bucket: bucketArb, onlineStore: fc.boolean(), recent: fc.boolean(), orders: fc.integer({ min: 1, max: 50 }) })),
        fc.array(fc.record({ bucket: bucketArb, match: matchArb, purchases: fc.integer({ min: 0, max: 50 }) })),
        (orders, purchases) => {
          const { total, days } = computeCoverage({ orders, purchases, from: NOV3, to: NOV6, timeZone: NY });
          for (const key of ["onlineOrders", "seen", "missed", "missedRecent", "otherChannelOrders", "pixelPurchases", "pixelPurchasesWithoutOrder"] as const) {
            expect(days.reduce((s, d) => s + d[key], 0)).toBe(total[key]);
          }
          expect(reconciles(total)).toBe(true);
          for (const d of days) expect(reconciles(d)).toBe(true);
          // Against a plain count of the in-range buckets.
          const inRange = (x: { bucket: number }) => x.bucket * BUCKET_MS >= NOV3 && x.bucket * BUCKET_MS < NOV6;
          const sum = <T>(xs: T[], f: (x: T) => number) => xs.reduce((s, x) => s + f(x), 0);
          expect(total.seen).toBe(
            sum(
              purchases.filter((p) => inRange(p) && p.match === "matched"),
              (p) => p.purchases,
            ),
          );
          expect(total.pixelPurchases).toBe(sum(purchases.filter(inRange), (p) => p.purchases));
          expect(total.missed).toBe(
            sum(
              orders.filter((o) => inRange(o) && o.onlineStore),
              (o) => o.orders,
            ),
          );
          expect(total.rate === null).toBe(total.onlineOrders === 0);
        },
      ),
    );
  });
});
