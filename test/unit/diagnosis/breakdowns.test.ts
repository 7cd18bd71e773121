import { describe, expect, it } from "vitest";
import { computeFunnel, computeUnitResults } from "../../../core/funnel";
import type { CoreEvent, FunnelDefinition } from "../../../core/types";
import { FOLDED_VALUE, cellsAtStep, segmentsFromCells, topValuesOf, type DiagnosisDimension } from "../../../core/diagnosis/cells";
import { scanSegments } from "../../../core/diagnosis/segments";
import { DIAGNOSIS_DIMENSIONS, diagnoseStep, diagnosisDimensions, productTitles, segmentLabel } from "../../../app/services/diagnosis.server";

const T0 = Date.UTC(2026, 0, 10, 12);
const MIN = 60_000;
const def: FunnelDefinition = {
  unit: "session",
  windowMs: 30 * MIN,
  steps: [
    { label: "Viewed", anyOf: [{ event: "product_viewed", filters: [] }] },
    { label: "Cart", anyOf: [{ event: "product_added_to_cart", filters: [] }] },
    { label: "Checkout", anyOf: [{ event: "checkout_started", filters: [] }] },
  ],
};

let n = 0;
/** A finished session reaching `furthest` steps, with the given entry attributes. */
function unit(furthest: number, attrs: Partial<CoreEvent["attrs"]>): CoreEvent[] {
  n++;
  const names = ["product_viewed", "product_added_to_cart", "checkout_started"];
  return names.slice(0, furthest).map((name, i) => ({
    id: `e${n}-${i}`,
    name,
    ts: T0 + n * 1000 + i * MIN,
    seq: i,
    visitorId: `v${n}`,
    path: "/",
    productId: null,
    checkoutToken: null,
    orderId: null,
    customerId: null,
    props: {},
    attrs: { device: "desktop", source: "direct", medium: null, campaign: null, landingPath: "/", visitorType: "new", loggedIn: false, ...attrs },
  }));
}

function events(spec: { attrs: Partial<CoreEvent["attrs"]>; reach2: number; reach3: number }[]): CoreEvent[] {
  const out: CoreEvent[] = [];
  for (const s of spec) {
    for (let i = 0; i < s.reach2 - s.reach3; i++) out.push(...unit(2, s.attrs));
    for (let i = 0; i < s.reach3; i++) out.push(...unit(3, s.attrs));
  }
  return out;
}

const params = { from: T0 - 60 * MIN, to: T0 + 2 * 24 * 60 * MIN, now: T0 + 3 * 24 * 60 * MIN, timeZone: "UTC" };

/** Singles at `step` over `dims`, as the report scans them. */
function singlesAt(ev: CoreEvent[], step: number, dims: DiagnosisDimension[]) {
  return segmentsFromCells(dims, cellsAtStep(computeUnitResults(ev, def, params), step, dims)).singles;
}

describe("singles (segmentsFromCells)", () => {
  it("takes each group's settled units and drop-offs at the step, against the rest of its breakdown", () => {
    const ev = events([
      { attrs: { device: "mobile", source: "instagram" }, reach2: 100, reach3: 20 },
      { attrs: { device: "desktop", source: "google" }, reach2: 100, reach3: 60 },
      { attrs: { device: "tablet", source: "google" }, reach2: 50, reach3: 30 },
    ]);
    const segs = singlesAt(ev, 3, ["device", "source"]);
    expect(segs.find((s) => s.value === "mobile")).toEqual({
      dimension: "device",
      value: "mobile",
      settled: 100,
      dropped: 80,
      rest: { settled: 150, dropped: 60 },
    });
    // Two sources: one question, kept once, as the group that drops more.
    expect(segs.filter((s) => s.dimension === "source")).toEqual([
      { dimension: "source", value: "instagram", settled: 100, dropped: 80, rest: { settled: 150, dropped: 60 } },
    ]);
  });

  it("leaves out the (other) bucket but keeps its units in everyone else", () => {
    const spec = Array.from({ length: 12 }, (_, i) => ({ attrs: { landingPath: `/p${i}` }, reach2: 40 - i, reach3: 10 }));
    const segs = singlesAt(events(spec), 3, ["landingPath"]);
    expect(segs).toHaveLength(10);
    expect(segs.every((s) => s.value !== "(other)")).toBe(true);
    const totalSettled = spec.reduce((a, s) => a + s.reach2, 0);
    for (const s of segs) expect(s.settled + s.rest!.settled).toBe(totalSettled);
  });

  it("never ranks or tests a folded value, however many units it holds, but keeps them in everyone else", () => {
    const cell = (value: string, units: number, dropped: number) => ({ values: [value], units, settled: units, dropped });
    const cells = [cell(FOLDED_VALUE, 900, 300), ...Array.from({ length: 11 }, (_, i) => cell(`p${i}`, 100 - i, 30))];
    const { singles } = segmentsFromCells(["product"], cells);
    expect(singles.map((s) => s.value)).toEqual(Array.from({ length: 10 }, (_, i) => `p${i}`));
    for (const s of singles) expect(s.settled + s.rest!.settled).toBe(cells.reduce((a, c) => a + c.settled, 0));
    expect(
      topValuesOf(
        new Map([
          [FOLDED_VALUE, 9],
          ["b", 2],
          ["a", 2],
          ["c", 3],
        ]),
        2,
      ),
    ).toEqual(["c", "a"]);
  });
});

describe("diagnoseStep", () => {
  it("ranks the planted segment first among the worse, in plain words with its counts", () => {
    const ev = events([
      { attrs: { device: "mobile", visitorType: "new" }, reach2: 300, reach3: 60 },
      { attrs: { device: "desktop", visitorType: "returning" }, reach2: 200, reach3: 110 },
      { attrs: { device: "desktop", visitorType: "new" }, reach2: 200, reach3: 110 },
      { attrs: { device: "tablet", visitorType: "new" }, reach2: 100, reach3: 55 },
    ]);
    const report = computeFunnel(ev, def, params);
    const d = diagnoseStep(report.steps, 3, true, computeUnitResults(ev, def, params), ["device", "visitorType", "loggedIn"]);
    expect(d).toMatchObject({ step: 3, fromLabel: "Cart", toLabel: "Checkout", settled: 800, dropOff: 465, minDetectableDiff: null, noClaimSentence: null });
    expect(d.worse[0]).toMatchObject({ dimension: "device", value: "mobile", label: "Mobile" });
    expect(d.worse[0].sentence).toMatch(
      /^Mobile: 80 % drop here vs 45 % for everyone else \(240 of 300 vs 225 of 500; 95 % CI of the difference \d+ to \d+ pp\)$/,
    );
    // loggedIn has one value only: its rest is empty, never tested.
    expect(d.segments.find((s) => s.dimension === "loggedIn")?.verdict).toBe("too-few");
    expect(d.segments.find((s) => s.value === "mobile")?.verdict).toBe("worse");
  });

  it("with no difference says no group stands out and how large a difference it could have shown", () => {
    const ev = events([
      { attrs: { device: "mobile" }, reach2: 200, reach3: 100 },
      { attrs: { device: "desktop" }, reach2: 200, reach3: 100 },
      { attrs: { device: "tablet" }, reach2: 200, reach3: 100 },
    ]);
    const report = computeFunnel(ev, def, params);
    const d = diagnoseStep(report.steps, 3, false, computeUnitResults(ev, def, params), ["device"]);
    expect(d.worse).toEqual([]);
    expect(d.better).toEqual([]);
    expect(d.tested).toBe(3);
    const mde = scanSegments({ settled: 600, dropped: 300 }, [{ dimension: "d", value: "v", settled: 200, dropped: 100 }], {}).minDetectableDiff;
    expect(d.minDetectableDiff).toBeGreaterThan(0);
    expect(mde).not.toBeNull();
    expect(d.noClaimSentence).toBe(
      `No group of visitors stands out (3 segments tested; the data could have shown a difference of ${Math.ceil(d.minDetectableDiff! * 100)} pp or more).`,
    );
  });
});

describe("segmentLabel", () => {
  it("names segments as a merchant reads them", () => {
    expect(segmentLabel("device", "mobile")).toBe("Mobile");
    expect(segmentLabel("source", "instagram")).toBe("From instagram");
    expect(segmentLabel("source", "direct")).toBe("Direct visits (no referrer)");
    expect(segmentLabel("landingPath", "/products/x")).toBe("Landing page /products/x");
    expect(segmentLabel("visitorType", "returning")).toBe("Returning visitors");
    expect(segmentLabel("loggedIn", "true")).toBe("Logged in");
    expect(segmentLabel("loggedIn", "false")).toBe("Not logged in");
    expect(segmentLabel("campaign", "(none)")).toBe("No campaign");
    expect(segmentLabel("medium", "email")).toBe("Medium email");
    expect(segmentLabel("medium", "(none)")).toBe("No UTM medium");
    // A product by the title the merchant's picker gave it, else by its id.
    expect(segmentLabel("product", "102", new Map([["102", "Linen Throw"]]))).toBe("Product “Linen Throw”");
    expect(segmentLabel("product", "103")).toBe("Product 103");
  });

  it("scans the product only for funnels whose first step carries one, titled from the funnel's product filters", () => {
    const filtered: FunnelDefinition = {
      ...def,
      steps: [
        { label: "Viewed", anyOf: [{ event: "page_viewed", filters: [{ field: "productId", op: "equals", value: "102", title: "Linen Throw" }] }] },
        ...def.steps.slice(1),
      ],
    };
    const pages: FunnelDefinition = { ...def, steps: [{ label: "Page", anyOf: [{ event: "page_viewed", filters: [] }] }, ...def.steps.slice(1)] };
    expect(diagnosisDimensions(def, true)).toEqual([...DIAGNOSIS_DIMENSIONS, "product"]);
    expect(diagnosisDimensions(filtered, true)).toContain("product");
    expect(diagnosisDimensions(pages, true)).toEqual([...DIAGNOSIS_DIMENSIONS]);
    // The events path does not carry products.
    expect(diagnosisDimensions(def, false)).toEqual([...DIAGNOSIS_DIMENSIONS]);
    expect(productTitles(filtered)).toEqual(new Map([["102", "Linen Throw"]]));
  });
});
