/**
 * The diagnosis read folds a product funnel's products outside the top values into one
 * marker in SQL (db/queries/diagnosis-unit-groups.ts): on a real SQLite file and a real
 * PostgreSQL server, with 40 products (a tie at the 10th place, products pushed into the top
 * by units with rows on several days, units with no product), the scan of every step is the
 * one core computes from the same rows unfolded — every segment, claim and count.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../../db/prisma";
import { createSqlReader, type SqlReader } from "../../db/executor";
import { freshDatabase } from "../helpers/app-server";
import { seededRandom } from "../helpers/funnel-seed";
import { unitDayUnits } from "../../app/services/diagnosis-reads.server";
import { diagnoseStep, diagnosisDimensions } from "../../app/services/diagnosis.server";
import { reportFromUnitDays, unitResultsFromUnitDays, type UnitDayRow } from "../../core/funnel";
import { attrsFromColumns } from "../../core/funnel/breakdown-attrs";
import { FOLDED_VALUE } from "../../core/diagnosis/cells";
import type { FunnelDefinition } from "../../core/types";

const DAY = 86_400_000;
const FROM = Date.UTC(2026, 9, 1);
const TO = FROM + 20 * DAY;
const PARAMS = { from: FROM, to: TO, now: TO + 10 * DAY, timeZone: "UTC" };
const DEF: FunnelDefinition = {
  unit: "session",
  windowMs: 0,
  steps: ["product_viewed", "product_added_to_cart", "checkout_started", "checkout_completed"].map((event) => ({
    label: event,
    anyOf: [{ event, filters: [] }],
  })),
};

/**
 * Single-day units per product, 1001…1040: 1012 has fewer single-day units than 1009–1011
 * but enough units on several days to rank 9th; 1009 and 1010 then tie at the 10th place
 * (1009 wins by value).
 */
const SINGLES = [400, 330, 290, 250, 220, 190, 170, 150, 95, 95, 90, 80, ...Array.from({ length: 28 }, (_, i) => 60 - 2 * i)];
const MULTI_1012 = 40;
const product = (i: number) => String(1001 + i);

type Row = Record<string, string | number | boolean | null>;

function rows(shopId: number, funnelId: string): Row[] {
  const rnd = seededRandom(11);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const out: Row[] = [];
  let n = 0;
  const unit = (productId: string | null, days: number) => {
    const id = `u${n++}`;
    const device = pick(["mobile", "desktop", "tablet"]);
    const source = pick(["direct", "google", "instagram", "newsletter"]);
    // Product 1003 loses more of its viewers before the cart; mobile more at checkout.
    let furthest = 1;
    if (rnd() < (productId === product(2) ? 0.35 : 0.7)) furthest = 2;
    if (furthest === 2 && rnd() < (device === "mobile" ? 0.3 : 0.6)) furthest = 3;
    if (furthest === 3 && rnd() < 0.8) furthest = 4;
    const entryTs = FROM + Math.floor(rnd() * 17 * DAY);
    for (let d = 0; d < days; d++) {
      out.push({
        shopId,
        funnelId,
        unitId: id,
        day: Math.floor(entryTs / DAY) + d,
        clientId: `c${n}`,
        entryTs: entryTs + d * DAY,
        // The unit's best attempt is on its last day; earlier days stop at the first step.
        furthest: d === days - 1 ? furthest : 1,
        msFromPrev: "",
        latestStartTs: entryTs + d * DAY,
        lastTs: entryTs + d * DAY + 60_000,
        multi: days > 1,
        device,
        source,
        medium: null,
        campaign: pick([null, "spring"]),
        landingPath: pick(["/", "/collections/all"]),
        visitorType: pick(["new", "returning"]),
        loggedIn: rnd() < 0.2,
        productId,
        visitorBucket: 0,
      });
    }
  };
  SINGLES.forEach((count, i) => {
    for (let k = 0; k < count; k++) unit(product(i), 1);
  });
  for (let k = 0; k < MULTI_1012; k++) unit(product(11), 2);
  for (let k = 0; k < 40; k++) unit(null, 1);
  for (let k = 0; k < 60; k++) unit(product(20 + (k % 5)), 3);
  return out;
}

/** What core computes from the rows as stored, nothing folded. */
function unfolded(stored: Row[]): UnitDayRow[] {
  return stored.map((r) => ({
    unitId: String(r.unitId),
    day: Number(r.day),
    entryTs: Number(r.entryTs),
    furthest: Number(r.furthest),
    msFromPrev: [],
    latestStartTs: Number(r.latestStartTs),
    lastTs: Number(r.lastTs),
    multi: Boolean(r.multi),
    attrs: attrsFromColumns(r as Parameters<typeof attrsFromColumns>[0]),
    productId: r.productId as string | null,
  }));
}

for (const kind of ["sqlite", "postgres"] as const) {
  describe(`diagnosis product folding on ${kind}`, () => {
    let db: Db;
    let reads: SqlReader;
    let shopId: number;
    let funnelId: string;
    let stored: Row[];

    beforeAll(async () => {
      const url = await freshDatabase(kind);
      ({ db } = createDb(url));
      reads = createSqlReader(url);
      shopId = (await db.shop.create({ data: { domain: `fold-${kind}.myshopify.com`, name: "Fold", ingestKey: `ik_fold_${kind}` } })).id;
      funnelId = (await db.funnel.create({ data: { shopId, name: "Products" } })).id;
      stored = rows(shopId, funnelId);
      for (let i = 0; i < stored.length; i += 500) await db.funnelUnitDay.createMany({ data: stored.slice(i, i + 500) as never });
    });
    afterAll(async () => {
      await reads?.close();
      await db?.$disconnect();
    });

    it("scans every step exactly as the unfolded rows, with the products outside the top folded", async () => {
      const units = await unitDayUnits(reads, shopId, funnelId, DEF, PARAMS, { product: true });
      const expected = unitResultsFromUnitDays(unfolded(stored), DEF, PARAMS.now);
      const steps = reportFromUnitDays(unfolded(stored), DEF, PARAMS).steps;
      const dimensions = diagnosisDimensions(DEF, true);
      expect(dimensions).toContain("product");

      // The read did fold: the top 10 products and "none" apart, every other product as one value.
      const products = new Set(units.map((u) => u.entry.productId));
      expect(products.has(FOLDED_VALUE)).toBe(true);
      expect(products.size).toBe(12);
      // The tie at the 10th place goes to the smaller value; multi-day units count in the ranking.
      expect(products.has(product(8))).toBe(true);
      expect(products.has(product(9))).toBe(false);
      expect(products.has(product(11))).toBe(true);

      for (const step of [2, 3, 4]) {
        const got = diagnoseStep(steps, step, false, units, dimensions);
        const want = diagnoseStep(steps, step, false, expected, dimensions);
        expect(got, `step ${step}`).toEqual(want);
        expect(got.segments.some((s) => s.value.includes(FOLDED_VALUE))).toBe(false);
      }
      // The planted product is named at view → cart, and mobile at cart → checkout.
      expect(diagnoseStep(steps, 2, false, units, dimensions).worse[0]).toMatchObject({ dimension: "product", value: product(2) });
      expect(diagnoseStep(steps, 3, false, units, dimensions).worse[0]).toMatchObject({ dimension: "device", value: "mobile" });
    });
  });
}
