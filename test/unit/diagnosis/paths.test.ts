import { describe, expect, it } from "vitest";
import { computeFunnel } from "../../../core/funnel";
import type { CoreEvent, FunnelDefinition } from "../../../core/types";
import {
  comparePaths,
  inSample,
  LEFT_THE_SITE,
  normalisePath,
  pathOf,
  pathsAtStep,
  sampleBucketBound,
  sampleRate,
  sampledPaths,
  stepLabel,
  unitPathsAtStep,
  VISITOR_BUCKETS,
  visitorBucket,
  visitorHash,
} from "../../../core/diagnosis/paths";

const T0 = Date.UTC(2026, 0, 10, 12);
const MIN = 60_000;
const HOUR = 60 * MIN;
const params = { from: T0 - HOUR, to: T0 + 24 * HOUR, now: T0 + 48 * HOUR };
const def: FunnelDefinition = {
  unit: "session",
  windowMs: 30 * MIN,
  steps: [
    { label: "Viewed a product", anyOf: [{ event: "product_viewed", filters: [] }] },
    { label: "Added to cart", anyOf: [{ event: "product_added_to_cart", filters: [] }] },
    { label: "Started checkout", anyOf: [{ event: "checkout_started", filters: [] }] },
  ],
};

let n = 0;
type Ev = [name: string, path?: string | null];
/** One visitor's events, a minute apart from `start`. */
function visitor(id: string, evs: Ev[], start = T0 + ++n * 1000): CoreEvent[] {
  return evs.map(([name, path], i) => ({
    id: `${id}-${i}`,
    name,
    ts: start + i * MIN,
    seq: i,
    visitorId: id,
    path: path ?? "/products/a",
    productId: null,
    checkoutToken: null,
    orderId: null,
    customerId: null,
    props: {},
    attrs: { device: "desktop", source: "direct", medium: null, campaign: null, landingPath: "/", visitorType: "new", loggedIn: false },
  }));
}

describe("labels", () => {
  it("normalises noisy paths: query, fragment, case, trailing slash, ids", () => {
    expect(normalisePath("/Policies/Shipping-Policy?ref=footer#top")).toBe("/policies/shipping-policy");
    expect(normalisePath("/pages/order/12345/")).toBe("/pages/order/:id");
    expect(normalisePath("/account/orders/0f8e2c9a1b")).toBe("/account/orders/:id");
    expect(normalisePath("/checkouts/cn/Z2NwLXVzLWVhc3QxOjAxSjk")).toBe("/checkouts/cn/:id");
    expect(normalisePath("/a/3f2504e0-4f89-11d3-9a0c-0305e82c3301")).toBe("/a/:id");
    expect(normalisePath("/")).toBe("/");
    expect(normalisePath("//blogs//news/")).toBe("/blogs/news");
  });

  it("labels events in merchant words, one label per kind of page", () => {
    expect(stepLabel({ name: "page_viewed", path: "/policies/shipping-policy?x=1" })).toBe("viewed /policies/shipping-policy");
    expect(stepLabel({ name: "page_viewed", path: "/products/red-shirt" })).toBe("viewed a product");
    expect(stepLabel({ name: "page_viewed", path: "/fr-ca/products/red-shirt" })).toBe("viewed a product");
    expect(stepLabel({ name: "product_viewed", path: "/products/red-shirt" })).toBe("viewed a product");
    expect(stepLabel({ name: "page_viewed", path: "/collections/all" })).toBe("viewed a collection");
    expect(stepLabel({ name: "page_viewed", path: "/cart" })).toBe("viewed the cart");
    expect(stepLabel({ name: "cart_viewed", path: "/cart" })).toBe("viewed the cart");
    expect(stepLabel({ name: "page_viewed", path: "/" })).toBe("viewed the home page");
    expect(stepLabel({ name: "page_viewed", path: null })).toBe("viewed a page");
    expect(stepLabel({ name: "checkout_started", path: "/checkouts/c" })).toBe("started checkout");
    expect(stepLabel({ name: "mc:scroll_depth", path: "/" })).toBe("scroll depth");
  });

  it("a path is the next 3 distinct steps, else ends in 'left the site'", () => {
    const e = (name: string, path: string | null = null) => ({ name, path });
    expect(pathOf([])).toEqual([LEFT_THE_SITE]);
    expect(pathOf([e("page_viewed", "/pages/faq"), e("page_viewed", "/pages/faq?a"), e("page_viewed", "/products/x"), e("product_viewed")])).toEqual([
      "viewed /pages/faq",
      "viewed a product",
      LEFT_THE_SITE,
    ]);
    expect(pathOf([e("page_viewed", "/a"), e("page_viewed", "/b"), e("page_viewed", "/a"), e("page_viewed", "/c"), e("page_viewed", "/d")])).toEqual([
      "viewed /a",
      "viewed /b",
      "viewed /c",
    ]);
  });
});

describe("unitPathsAtStep", () => {
  const events = [
    // Dropped after the cart: read the shipping policy (twice, one with a query) and left.
    ...visitor("d1", [
      ["product_viewed"],
      ["product_added_to_cart"],
      ["page_viewed", "/policies/shipping-policy"],
      ["page_viewed", "/policies/shipping-policy?x=1"],
    ]),
    // Dropped after the cart with nothing after it.
    ...visitor("d2", [["page_viewed", "/"], ["product_viewed"], ["product_added_to_cart"]]),
    // Went on: the checkout follows the cart.
    ...visitor("a1", [["product_viewed"], ["product_added_to_cart"], ["page_viewed", "/cart"], ["checkout_started", "/checkouts/c"]]),
    // Never reached the cart: not at this step.
    ...visitor("v1", [["product_viewed"], ["page_viewed", "/pages/about"]]),
    // Reached the cart a moment ago: still waiting, in neither side.
    ...visitor("w1", [["product_viewed"], ["product_added_to_cart"]], params.now - 5 * MIN),
  ];

  it("splits settled units into dropped and advanced, each with what followed step k−1", () => {
    const r = unitPathsAtStep(events, def, params, 3);
    expect(r.dropped).toBe(2);
    expect(r.advanced).toBe(1);
    const byVisitor = Object.fromEntries(r.units.map((u) => [u.visitorId, u]));
    expect(Object.keys(byVisitor).sort()).toEqual(["a1", "d1", "d2"]);
    expect(byVisitor.d1).toMatchObject({ side: "dropped", path: ["viewed /policies/shipping-policy", LEFT_THE_SITE] });
    expect(byVisitor.d2).toMatchObject({ side: "dropped", path: [LEFT_THE_SITE] });
    expect(byVisitor.a1).toMatchObject({ side: "advanced", path: ["viewed the cart", "started checkout", LEFT_THE_SITE] });
  });

  it("counts exactly the report's drop-offs and step counts (semantics v2)", () => {
    const report = computeFunnel(events, def, { ...params, timeZone: "UTC" });
    for (const step of [2, 3]) {
      const r = unitPathsAtStep(events, def, params, step);
      expect(r.dropped).toBe(report.steps[step - 1].dropOff);
      expect(r.advanced).toBe(report.steps[step - 1].count);
    }
    // Step 2: the path starts after the product view (the step-1 event itself).
    const v1 = unitPathsAtStep(events, def, params, 2).units.find((u) => u.visitorId === "v1");
    expect(v1).toMatchObject({ side: "dropped", path: ["viewed /pages/about", LEFT_THE_SITE] });
  });

  it("visitor units: only what followed inside the deciding attempt's window", () => {
    const vdef: FunnelDefinition = { ...def, unit: "visitor", windowMs: 2 * HOUR };
    const ev = [
      ...visitor("x", [["product_viewed"], ["product_added_to_cart"], ["page_viewed", "/pages/faq"]], T0),
      ...visitor("x", [["page_viewed", "/pages/late"]], T0 + 3 * HOUR).map((e) => ({ ...e, id: `${e.id}-late` })),
    ];
    const r = unitPathsAtStep(ev, vdef, { ...params, now: T0 + 30 * HOUR }, 3);
    expect(r.units).toEqual([{ unitId: "x", visitorId: "x", side: "dropped", path: ["viewed /pages/faq", LEFT_THE_SITE] }]);
  });

  it("refuses a step outside 2..n", () => {
    expect(() => unitPathsAtStep(events, def, params, 1)).toThrow(RangeError);
    expect(() => unitPathsAtStep(events, def, params, 4)).toThrow(RangeError);
  });
});

describe("sampling", () => {
  it("reads at most about maxUnits per side, by a stable hash of the visitor", () => {
    expect(sampleRate(8000, 2000)).toBe(0.25);
    expect(sampleRate(1500, 2000)).toBe(1);
    // FNV-1a("a") = 0xe40c292c, finalised (murmur3 fmix32): 0x1a80b1b3.
    expect(visitorHash("a")).toBeCloseTo(0x1a80b1b3 / 2 ** 32, 12);
    expect(inSample("a", 0.11)).toBe(true);
    expect(inSample("a", 0.1)).toBe(false);
    expect(inSample("a", 1)).toBe(true);
    const ids = Array.from({ length: 20_000 }, (_, i) => `visitor-${i}`);
    const kept = ids.filter((id) => inSample(id, 0.1)).length;
    expect(kept).toBeGreaterThan(1800);
    expect(kept).toBeLessThan(2200);
  });

  it("stores a visitor's bucket so that a sample's visitors all lie below the rate's bound", () => {
    // 0x1a80b1b3 / 2³² × 2¹⁶ = 0x1a80 + 0xb1b3 / 2¹⁶.
    expect(visitorBucket("a")).toBe(0x1a80);
    expect(sampleBucketBound(0.25)).toBe(16_384);
    expect(sampleBucketBound(1)).toBe(VISITOR_BUCKETS);
    expect(sampleBucketBound(2)).toBe(VISITOR_BUCKETS);
    expect(sampleBucketBound(0)).toBe(0);
    // "a": bucket 6784 = floor(0.10352 × 65536); the bound of 0.1035 is 6783 (excluded, and
    // not in the sample), the bound of 0.10353 is 6785 (included, and in the sample).
    expect(inSample("a", 0.1035)).toBe(false);
    expect(visitorBucket("a") < sampleBucketBound(0.1035)).toBe(false);
    expect(inSample("a", 0.10353)).toBe(true);
    expect(visitorBucket("a") < sampleBucketBound(0.10353)).toBe(true);
    const ids = Array.from({ length: 20_000 }, (_, i) => `v-${i}-${(i * 7919).toString(36)}`);
    // Rates at a visitor's own hash (the edge), just above it, and arbitrary ones.
    const rates = [...ids.slice(0, 500).flatMap((id) => [visitorHash(id), visitorHash(id) + 1e-12]), 1 / 3, 0.0001, 0.5, 0.999_99, 2000 / 512_224];
    let extra = 0;
    const missed: string[] = [];
    for (const rate of rates) {
      const bound = sampleBucketBound(rate);
      for (const id of ids.slice(0, 2000)) {
        const b = visitorBucket(id);
        if (!Number.isInteger(b) || b < 0 || b >= VISITOR_BUCKETS) missed.push(`${id}: bucket ${b}`);
        if (inSample(id, rate)) {
          if (b >= bound) missed.push(`${id} at ${rate}`);
        } else if (b < bound) extra++;
      }
    }
    expect(missed).toEqual([]);
    // The bound admits only the visitors of its last, partial bucket beyond the sample.
    expect(extra / (rates.length * 2000)).toBeLessThan(2 / VISITOR_BUCKETS + 0.001);
    // Buckets spread evenly: each sixteenth of the range holds about 1/16 of the visitors.
    const counts = new Array(16).fill(0);
    for (const id of ids) counts[visitorBucket(id) >> 12]++;
    for (const c of counts) expect(Math.abs(c - ids.length / 16)).toBeLessThan(200);
  });

  it("keeps each side's units at its own rate", () => {
    const units = [
      { unitId: "a", visitorId: "a", side: "dropped" as const, path: ["x"] },
      { unitId: "a:2", visitorId: "a", side: "advanced" as const, path: ["y"] },
    ];
    expect(sampledPaths(units, { dropped: 0.2, advanced: 0.05 })).toEqual({ dropped: [["x"]], advanced: [] });
  });
});

describe("comparePaths (hand-computed)", () => {
  // 50 dropped: 20 read the shipping policy then left, 30 left at once. 40 went on: 2 read
  // the policy then started checkout, 38 started checkout at once.
  const ship = "viewed /policies/shipping-policy";
  const dropped = [...Array(20).fill([ship, LEFT_THE_SITE]), ...Array(30).fill([LEFT_THE_SITE])];
  const advanced = [...Array(2).fill([ship, "started checkout", LEFT_THE_SITE]), ...Array(38).fill(["started checkout", LEFT_THE_SITE])];
  const r = comparePaths({
    step: 3,
    fromLabel: "Added to cart",
    toLabel: "Started checkout",
    unit: "session",
    maxUnitsPerSide: 2000,
    dropped: { total: 50, rate: 1, paths: dropped },
    advanced: { total: 40, rate: 1, paths: advanced },
  });

  it("first next steps: shares with counts, Newcombe intervals at 1 − 0.05/m", () => {
    expect(r.tooFew).toBe(false);
    // "Left the site" at once is shown, not tested: those who went on cannot have done it.
    expect(r.firstSteps.tested).toBe(1);
    expect(r.firstSteps.confidence).toBeCloseTo(0.95, 12);
    const [left, policy, other] = r.firstSteps.rows;
    expect(left).toMatchObject({
      key: LEFT_THE_SITE,
      dropped: { count: 30, total: 50, share: 0.6 },
      advanced: { count: 0, total: 40, share: 0 },
      verdict: "not-tested",
    });
    expect(r.leftAtOnce).toEqual({ count: 30, total: 50, share: 0.6 });
    expect(policy).toMatchObject({ key: ship, dropped: { count: 20, share: 0.4 }, advanced: { count: 2, share: 0.05 }, verdict: "more" });
    expect(policy.diff).toBeCloseTo(0.35, 12);
    // Newcombe hybrid score interval of 20/50 − 2/40 at 95 %: [0.1809, 0.4928].
    expect(policy.diffCi![0]).toBeCloseTo(0.18092, 4);
    expect(policy.diffCi![1]).toBeCloseTo(0.49284, 4);
    expect(other).toMatchObject({ key: "(other)", isOther: true, dropped: { count: 0 }, advanced: { count: 38 }, verdict: "not-tested" });
    expect(policy.sentence).toBe(
      "40 % of the sessions that dropped after “Added to cart” viewed /policies/shipping-policy next, against 5 % of those that went on to “Started checkout” (20 of 50 vs 2 of 40)",
    );
    expect(left.sentence).toBe(
      "60 % of the sessions that dropped after “Added to cart” left the site right away, against 0 % of those that went on to “Started checkout” (30 of 50 vs 0 of 40)",
    );
    expect(r.firstSteps.standOut.map((x) => x.key)).toEqual([ship]);
    expect(r.headline).toBe(policy.sentence);
    expect(r.noClaimSentence).toBeNull();
  });

  it("paths: the whole 3-step path, the same test", () => {
    const row = r.paths.rows.find((x) => x.key === `${ship} → ${LEFT_THE_SITE}`)!;
    expect(row).toMatchObject({ dropped: { count: 20, total: 50 }, advanced: { count: 0, total: 40 }, verdict: "more" });
    expect(row.sentence).toContain("then viewed /policies/shipping-policy, then left the site, against 0 %");
    expect(r.paths.rows.at(-1)).toMatchObject({ isOther: true, dropped: { count: 0 }, advanced: { count: 40 } });
  });

  it("too few on a side: nothing compared, nothing claimed, said so", () => {
    const small = comparePaths({
      step: 3,
      fromLabel: "Added to cart",
      toLabel: "Started checkout",
      unit: "visitor",
      maxUnitsPerSide: 2000,
      dropped: { total: 50, rate: 1, paths: dropped },
      advanced: { total: 29, rate: 1, paths: advanced.slice(0, 29) },
    });
    expect(small.tooFew).toBe(true);
    expect(small.firstSteps.tested).toBe(0);
    expect(small.firstSteps.rows.filter((x) => !x.isOther && x.key !== LEFT_THE_SITE).map((x) => x.verdict)).toEqual(["too-few"]);
    expect(small.firstSteps.standOut).toEqual([]);
    expect(small.headline).toBeNull();
    expect(small.noClaimSentence).toBe("Too few finished visitors to compare what they did next: 50 dropped and 29 went on (each side needs 30).");
  });

  it("no difference: neutral rows and a plain sentence", () => {
    const same = [...Array(20).fill([ship]), ...Array(20).fill([LEFT_THE_SITE])];
    const flat = comparePaths({
      step: 3,
      fromLabel: "A",
      toLabel: "B",
      unit: "session",
      maxUnitsPerSide: 2000,
      dropped: { total: 40, rate: 1, paths: same },
      advanced: { total: 40, rate: 1, paths: same },
    });
    expect(flat.firstSteps.rows.map((x) => [x.key, x.verdict])).toEqual([
      [LEFT_THE_SITE, "not-tested"],
      [ship, "neutral"],
    ]);
    expect(flat.noClaimSentence).toBe("Nothing the sessions that dropped did next stands out against those that went on (1 next step and 1 path compared).");
  });

  it("with two tested rows, each interval is at 97.5 % (Bonferroni)", () => {
    const two = comparePaths({
      step: 3,
      fromLabel: "A",
      toLabel: "B",
      unit: "session",
      maxUnitsPerSide: 2000,
      dropped: { total: 50, rate: 1, paths: [...Array(20).fill([ship]), ...Array(30).fill(["viewed /pages/faq"])] },
      advanced: { total: 40, rate: 1, paths: [...Array(2).fill([ship]), ...Array(38).fill(["started checkout"])] },
    });
    expect(two.firstSteps.tested).toBe(2);
    expect(two.firstSteps.confidence).toBeCloseTo(0.975, 12);
    const policy = two.firstSteps.rows.find((x) => x.key === ship)!;
    // z = Φ⁻¹(0.9875): [0.1535, 0.5120].
    expect(policy.diffCi![0]).toBeCloseTo(0.15354, 4);
    expect(policy.diffCi![1]).toBeCloseTo(0.51202, 4);
    const faq = two.firstSteps.rows.find((x) => x.key === "viewed /pages/faq")!;
    expect(faq.diffCi![0]).toBeCloseTo(0.40703, 4);
    expect(faq.diffCi![1]).toBeCloseTo(0.73918, 4);
    expect(two.firstSteps.standOut.map((x) => x.key)).toEqual(["viewed /pages/faq", ship]);
  });

  it("keeps the top 10 paths among those who dropped, the rest as (other)", () => {
    const many = Array.from({ length: 12 }, (_, i) => Array(12 - i).fill([`viewed /p${i}`]) as string[][]).flat();
    const t = comparePaths({
      step: 2,
      fromLabel: "A",
      toLabel: "B",
      unit: "session",
      maxUnitsPerSide: 2000,
      dropped: { total: many.length, rate: 1, paths: many },
      advanced: { total: 40, rate: 1, paths: Array(40).fill(["b"]) },
    });
    expect(t.firstSteps.rows).toHaveLength(11);
    expect(t.firstSteps.rows[0].key).toBe("viewed /p0");
    // p10 (2 units) and p11 (1 unit) fall into (other), with "b" of the advanced.
    expect(t.firstSteps.rows[10]).toMatchObject({ key: "(other)", dropped: { count: 3 }, advanced: { count: 40 } });
    expect(t.firstSteps.tested).toBe(10);
    expect(t.firstSteps.confidence).toBeCloseTo(0.995, 12);
  });
});

describe("pathsAtStep", () => {
  it("samples each side to about maxUnits and says how much it read", () => {
    const events: CoreEvent[] = [];
    for (let i = 0; i < 400; i++) {
      const go = i % 4 === 0;
      events.push(
        ...visitor(
          `s${i}`,
          go
            ? [["product_viewed"], ["product_added_to_cart"], ["checkout_started"]]
            : [["product_viewed"], ["product_added_to_cart"], ["page_viewed", "/pages/faq"]],
        ),
      );
    }
    const all = pathsAtStep(events, def, params, 3, { maxUnitsPerSide: 10_000 });
    expect(all.dropped).toEqual({ total: 300, sampled: 300, rate: 1 });
    expect(all.advanced).toEqual({ total: 100, sampled: 100, rate: 1 });
    expect(all.firstSteps.rows[0]).toMatchObject({ key: "viewed /pages/faq", dropped: { count: 300 }, advanced: { count: 0 }, verdict: "more" });
    const some = pathsAtStep(events, def, params, 3, { maxUnitsPerSide: 150 });
    expect(some.dropped.rate).toBe(0.5);
    expect(some.advanced.rate).toBe(1);
    expect(some.dropped.sampled).toBe(events.filter((e, i) => e.name === "page_viewed" && i >= 0 && inSample(e.visitorId, 0.5)).length);
    expect(some.dropped.sampled).toBeGreaterThan(110);
    expect(some.dropped.sampled).toBeLessThan(190);
    // The same call reads the same visitors.
    expect(pathsAtStep(events, def, params, 3, { maxUnitsPerSide: 150 })).toEqual(some);
  });
});
