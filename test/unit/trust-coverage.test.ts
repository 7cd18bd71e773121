import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { BUCKET_MS, computeCoverage, type OrderBucket, type PurchaseBucket } from "../../core/trust/coverage";

const NY = "America/New_York";
const b = (iso: string) => Math.floor(Date.parse(iso) / BUCKET_MS);
// Local days in New York, as instants (EST is UTC−5 in November).
const NOV3 = Date.parse("2026-11-03T05:00:00Z");
const NOV6 = Date.parse("2026-11-06T05:00:00Z");

describe("computeCoverage", () => {
  it("assigns orders to the shop's local day, lists empty days, keeps counts beside the rate", () => {
    const orders: OrderBucket[] = [
      { bucket: b("2026-11-03T15:00:00Z"), onlineStore: true, seen: true, orders: 4 },
      { bucket: b("2026-11-03T15:00:00Z"), onlineStore: true, seen: false, orders: 1 },
      // 23:50 in New York on Nov 3 is already Nov 4 in UTC: it belongs to Nov 3.
      { bucket: b("2026-11-04T04:50:00Z"), onlineStore: true, seen: false, orders: 1 },
      { bucket: b("2026-11-04T12:00:00Z"), onlineStore: false, seen: false, orders: 2 },
      // Outside the range: ignored.
      { bucket: b("2026-11-06T05:00:00Z"), onlineStore: true, seen: true, orders: 9 },
    ];
    const purchases: PurchaseBucket[] = [
      { bucket: b("2026-11-03T15:00:00Z"), purchases: 5, withOrder: 4 },
      { bucket: b("2026-11-05T10:00:00Z"), purchases: 1, withOrder: 0 },
    ];
    const { total, days } = computeCoverage({ orders, purchases, from: NOV3, to: NOV6, timeZone: NY });
    expect(days.map((d) => d.date)).toEqual(["2026-11-03", "2026-11-04", "2026-11-05"]);
    expect(days[0]).toMatchObject({ onlineOrders: 6, seen: 4, missed: 2, rate: 4 / 6, otherChannelOrders: 0, pixelPurchases: 5, pixelPurchasesWithoutOrder: 1 });
    expect(days[1]).toMatchObject({ onlineOrders: 0, seen: 0, missed: 0, rate: null, otherChannelOrders: 2 });
    expect(days[2]).toMatchObject({ onlineOrders: 0, rate: null, pixelPurchases: 1, pixelPurchasesWithoutOrder: 1 });
    expect(total).toEqual({ onlineOrders: 6, seen: 4, missed: 2, rate: 4 / 6, otherChannelOrders: 2, pixelPurchases: 6, pixelPurchasesWithoutOrder: 2 });
  });

  it("handles a 23-hour DST day and zones with 30/45-minute offsets", () => {
    // 2026-03-08 in New York has 23 hours; 23:45 local that day is 03:45Z on Mar 9.
    const from = Date.parse("2026-03-08T05:00:00Z");
    const to = Date.parse("2026-03-09T04:00:00Z");
    const r = computeCoverage({ orders: [{ bucket: b("2026-03-09T03:45:00Z"), onlineStore: true, seen: true, orders: 1 }], purchases: [], from, to, timeZone: NY });
    expect(r.days).toHaveLength(1);
    expect(r.days[0]).toMatchObject({ date: "2026-03-08", onlineOrders: 1, seen: 1, rate: 1 });
    // Kathmandu is UTC+5:45: 18:14Z is 23:59 local, 18:15Z is midnight of the next day.
    const ktm = "Asia/Kathmandu";
    const day = Date.parse("2026-05-01T18:15:00Z") - 86_400_000;
    const k = computeCoverage({
      orders: [
        { bucket: b("2026-05-01T18:00:00Z"), onlineStore: true, seen: false, orders: 1 },
        { bucket: b("2026-05-01T18:15:00Z"), onlineStore: true, seen: true, orders: 1 },
      ],
      purchases: [], from: day, to: day + 2 * 86_400_000, timeZone: ktm,
    });
    expect(k.days.map((d) => [d.date, d.onlineOrders, d.seen])).toEqual([["2026-05-01", 1, 0], ["2026-05-02", 1, 1]]);
  });

  it("days always add up to the range (property)", () => {
    const bucketArb = fc.integer({ min: Math.floor(NOV3 / BUCKET_MS), max: Math.floor(NOV6 / BUCKET_MS) - 1 });
    fc.assert(
      fc.property(
        fc.array(fc.record({ bucket: bucketArb, onlineStore: fc.boolean(), seen: fc.boolean(), orders: fc.integer({ min: 1, max: 50 }) })),
        fc.array(fc.record({ bucket: bucketArb, purchases: fc.integer({ min: 0, max: 50 }) }).map((p) => ({ ...p, withOrder: Math.floor(p.purchases / 2) }))),
        (orders, purchases) => {
          const { total, days } = computeCoverage({ orders, purchases, from: NOV3, to: NOV6, timeZone: NY });
          for (const key of ["onlineOrders", "seen", "missed", "otherChannelOrders", "pixelPurchases", "pixelPurchasesWithoutOrder"] as const) {
            expect(days.reduce((s, d) => s + d[key], 0)).toBe(total[key]);
          }
          expect(total.missed).toBe(total.onlineOrders - total.seen);
          expect(total.rate === null).toBe(total.onlineOrders === 0);
        },
      ),
    );
  });
});
