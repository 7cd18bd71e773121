/**
 * "For whom is this step worst?" over real HTTP against the production build, on SQLite
 * and PostgreSQL: traffic with a planted effect (mobile sessions leave between add to cart
 * and checkout far more) → the report JSON names mobile first among the worse segments,
 * with the seeded counts; the same traffic at a step without an effect, and a shop with
 * no planted effect, make no claim; the one grouped read of the precomputed rows gives
 * each breakdown's counts and the same diagnosis as the events; the CSV table parses and
 * matches the JSON; a bad ?diagnose is a 400 with a message. On the simulator's traffic
 * (scripts/lib/simulation.ts) with two planted effects, the product with a price typo is
 * ranked first at viewed → added to cart, and mobile visitors from instagram who read the
 * shipping policy and leave are ranked first, as the pair, at added to cart → checkout.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDemoShop } from "../../scripts/lib/demo-shop";
import { startApp, type TestApp } from "../helpers/app-server";
import { adminHeaders } from "../helpers/shopify-auth";
import { seededRandom, seedJourneys, simulatedJourneys, type SeedEvent, type SeedJourney } from "../helpers/funnel-seed";
import { simulateVisitors, SIMULATED_PRODUCTS } from "../../scripts/lib/simulation";
import { csvMeta, csvRecords } from "../helpers/funnel-csv";

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const TZ = "UTC";

/** What the generator did, per session: its device and the furthest Purchase step reached (1..4). */
interface Tally {
  device: string;
  furthest: number;
}

/**
 * Purchase-funnel sessions over the last ~25 days. Step conversions are 70 % (view →
 * cart), 60 % (cart → checkout) and 80 % (checkout → order) for everyone, except that with
 * `plantMobile` mobile sessions go from cart to checkout only 20 % of the time. Sources,
 * landing pages, campaigns and returning visitors vary independently of the outcome.
 */
function traffic(opts: { visitors: number; now: number; seed: number; prefix: string; plantMobile: boolean }): { journeys: SeedJourney[]; tally: Tally[] } {
  const rnd = seededRandom(opts.seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const journeys: SeedJourney[] = [];
  const tally: Tally[] = [];
  for (let v = 0; v < opts.visitors; v++) {
    const clientId = `${opts.prefix}-${v}`;
    const events: SeedEvent[] = [];
    const sessions = rnd() < 0.3 ? 2 : 1;
    // Sessions days apart (each its own unit), all finished well before now.
    let t = opts.now - 26 * DAY + Math.floor(rnd() * 10 * DAY);
    for (let s = 0; s < sessions; s++) {
      t += s * (3 * DAY + Math.floor(rnd() * 5 * DAY));
      let at = t;
      const next = () => (at += MIN + Math.floor(rnd() * 5 * MIN));
      const device = pick(["mobile", "mobile", "desktop", "desktop", "tablet"] as const);
      const product = `p${1 + Math.floor(rnd() * 5)}`;
      const source = pick(["google", "instagram", "newsletter", null] as const);
      const first: SeedEvent = { name: "page_viewed", ts: at, path: pick(["/", `/products/${product}`, "/collections/all"]), device };
      if (source) first.utmSource = source;
      if (source === "instagram") first.utmCampaign = pick(["spring", "summer"]);
      events.push(first);
      events.push({ name: "product_viewed", ts: next(), path: `/products/${product}`, productId: product });
      let furthest = 1;
      if (rnd() < 0.7) {
        furthest = 2;
        events.push({ name: "product_added_to_cart", ts: next(), path: `/products/${product}`, productId: product });
        if (rnd() < (opts.plantMobile && device === "mobile" ? 0.2 : 0.6)) {
          furthest = 3;
          const token = `${clientId}-${s}`;
          events.push({ name: "checkout_started", ts: next(), path: "/checkouts/c", checkoutToken: token });
          if (rnd() < 0.8) {
            furthest = 4;
            events.push({ name: "checkout_completed", ts: next(), path: "/checkouts/c/thank-you", checkoutToken: token, orderId: `o-${token}` });
          }
        }
      }
      tally.push({ device, furthest });
    }
    journeys.push({ clientId, events });
  }
  return { journeys, tally };
}

/** A segment's identity and counts (claims from either path compare on these). */
const counts = (s: { dimension: string; value: string; segment: unknown; rest: unknown }) => ({
  dimension: s.dimension,
  value: s.value,
  segment: s.segment,
  rest: s.rest,
});

describe.each(["sqlite", "postgres"] as const)("segment diagnosis on %s", (kind) => {
  let app: TestApp;
  const now = Date.now();
  const PLANTED = `diag-planted-${kind}.myshopify.com`;
  const PLAIN = `diag-plain-${kind}.myshopify.com`;
  const SIM = `diag-sim-${kind}.myshopify.com`;
  let plantedTally: Tally[] = [];
  const funnelIds: Record<string, string> = {};

  const get = (path: string, shop: string) => fetch(`${app.url}${path}`, { headers: adminHeaders(shop), redirect: "manual" });
  const waitReady = async (funnelId: string) => {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const { resultsState } = await app.db.funnel.findUniqueOrThrow({ where: { id: funnelId }, select: { resultsState: true } });
      if (resultsState === "ready") return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`funnel ${funnelId} not ready after 60 s`);
  };

  beforeAll(async () => {
    app = await startApp({ db: kind });
    for (const [domain, plant, seed] of [
      [PLANTED, true, 11],
      [PLAIN, false, 12],
    ] as const) {
      const shop = await ensureDemoShop(app.db, { domain, ingestKey: `ik_${domain}`, timeZone: TZ });
      const { journeys, tally } = traffic({ visitors: 1200, now, seed, prefix: `${kind}-${seed}`, plantMobile: plant });
      if (plant) plantedTally = tally;
      await seedJourneys(app.db, shop.id, journeys);
      // Listing the funnels creates the shop's Purchase funnel (4 steps), then built in the background.
      const list = await (await get("/app/funnels?_data=routes%2Fapp.funnels._index", domain)).json();
      funnelIds[domain] = list.funnels[0].id;
      await waitReady(funnelIds[domain]);
    }
    const shop = await ensureDemoShop(app.db, { domain: SIM, ingestKey: `ik_${SIM}`, timeZone: TZ });
    // Ending at today's midnight (UTC, the shop's zone): the same journeys all day long.
    const simTo = Math.floor(now / DAY) * DAY;
    const visitors = simulateVisitors({
      shop: SIM,
      visitors: 3000,
      from: simTo - 28 * DAY,
      to: simTo,
      seed: 5,
      effects: { priceTypo: { product: "linen-throw" }, shippingPolicyExit: { source: "instagram", device: "mobile" } },
    });
    await seedJourneys(app.db, shop.id, simulatedJourneys(visitors));
    const list = await (await get("/app/funnels?_data=routes%2Fapp.funnels._index", SIM)).json();
    funnelIds[SIM] = list.funnels[0].id;
    await waitReady(funnelIds[SIM]);
  }, 240_000);
  afterAll(() => app?.stop());

  it("ranks the planted segment first among the worse, with the seeded counts, from the precomputed results", async () => {
    const res = await get(`/app/funnels/${funnelIds[PLANTED]}/report?range=last30`, PLANTED);
    expect(res.status).toBe(200);
    const report = await res.json();
    expect(report.resultsFrom).toBe("unit-days");
    expect(report.biggestLeak.step).toBe(3);
    const d = report.diagnosis;
    expect(d).toMatchObject({
      step: 3,
      isBiggestLeak: true,
      fromLabel: report.steps[1].label,
      toLabel: report.steps[2].label,
      minDetectableDiff: null,
      noClaimSentence: null,
    });
    // The Purchase funnel starts with a product view: the entry's product is scanned too.
    expect(d.dimensions).toEqual(["device", "source", "medium", "campaign", "landingPath", "visitorType", "loggedIn", "product"]);
    expect(d.worse[0]).toMatchObject({ dimension: "device", value: "mobile", label: "Mobile" });
    // Counts straight from the generator: mobile sessions that reached the cart, and those that went no further.
    const mobile = plantedTally.filter((t) => t.device === "mobile" && t.furthest >= 2);
    const others = plantedTally.filter((t) => t.device !== "mobile" && t.furthest >= 2);
    expect(d.worse[0].segment).toEqual({ total: mobile.length, converted: mobile.filter((t) => t.furthest === 2).length });
    expect(d.worse[0].rest).toEqual({ total: others.length, converted: others.filter((t) => t.furthest === 2).length });
    expect(d.settled).toBe(mobile.length + others.length);
    expect(d.worse[0].sentence).toMatch(
      /^Mobile: \d+ % drop here vs \d+ % for everyone else \([\d,]+ of [\d,]+ vs [\d,]+ of [\d,]+; 95 % CI of the difference \d+ to \d+ pp\)$/,
    );
    expect(d.worse[0].diffCi95[0]).toBeGreaterThan(0.25);
    // Other segments may be claimed too when they hold more mobile sessions by chance (they do
    // drop more); none outranks the planted one. Desktop, never affected, is better than the rest.
    expect(d.better.map((c: { dimension: string; value: string }) => `${c.dimension}:${c.value}`)).toContain("device:desktop");
    expect(d.tested).toBeGreaterThan(10);
  });

  it("scans the same counts as each breakdown of the report (one grouped read serves all six)", async () => {
    const id = funnelIds[PLANTED];
    const d = (await (await get(`/app/funnels/${id}/report?range=last30`, PLANTED)).json()).diagnosis;
    // The product is no report breakdown (the diagnosis alone reads it).
    for (const key of (d.dimensions as string[]).filter((k) => k !== "product")) {
      const breakdown = (await (await get(`/app/funnels/${id}/report?range=last30&breakdown=${key}`, PLANTED)).json()).breakdown;
      const groups = breakdown.groups.filter((g: { isOther: boolean }) => !g.isOther);
      const scanned = d.segments.filter((s: { dimension: string }) => s.dimension === key);
      // A two-valued dimension is tested once (the value that drops more).
      expect(scanned.length, key).toBe(groups.length === 2 && breakdown.groups.length === 2 ? 1 : groups.length);
      const total = breakdown.groups.reduce((a: number, g: { steps: { settled: number }[] }) => a + g.steps[d.step - 1].settled, 0);
      for (const s of scanned) {
        const g = groups.find((x: { value: string }) => x.value === s.value);
        expect(s.segment, `${key}=${s.value}`).toEqual({ total: g.steps[d.step - 1].settled, converted: g.steps[d.step - 1].dropOff });
        expect(s.rest.total + s.segment.total).toBe(total);
      }
    }
  });

  it("answers the same diagnosis from the events when the precomputed rows cannot (funnel not ready)", async () => {
    const id = funnelIds[PLANTED];
    const fast = (await (await get(`/app/funnels/${id}/report?range=last30`, PLANTED)).json()).diagnosis;
    // A state the builder leaves alone: reports answer from the events until it is ready again.
    await app.db.funnel.update({ where: { id }, data: { resultsState: "held-by-test" } });
    try {
      const slow = await (await get(`/app/funnels/${id}/report?range=last30`, PLANTED)).json();
      expect(slow.resultsFrom).toBe("events");
      // The events path carries no product: the same scan without it.
      expect(slow.diagnosis.dimensions).toEqual(fast.dimensions.filter((k: string) => k !== "product"));
      const noProduct = (list: Parameters<typeof counts>[0][]) => list.filter((s) => !s.dimension.includes("product"));
      expect(slow.diagnosis.segments.filter((s: { dimension: string }) => s.dimension.includes("product"))).toEqual([]);
      expect(noProduct(slow.diagnosis.segments).map(counts)).toEqual(noProduct(fast.segments).map(counts));
      expect(noProduct(slow.diagnosis.worse).map(counts)[0]).toEqual(noProduct(fast.worse).map(counts)[0]);
    } finally {
      await app.db.funnel.update({ where: { id }, data: { resultsState: "ready" } });
    }
  });

  it("makes no claim at a step without a planted effect, nor on a shop without one, and says what it could have seen", async () => {
    const step2 = (await (await get(`/app/funnels/${funnelIds[PLANTED]}/report?range=last30&diagnose=2`, PLANTED)).json()).diagnosis;
    expect(step2).toMatchObject({ step: 2, isBiggestLeak: false, worse: [], better: [] });
    expect(step2.minDetectableDiff).toBeGreaterThan(0);
    expect(step2.noClaimSentence).toMatch(
      /^No group of visitors stands out \(\d+ segments tested(, \d+ of them pairs)?; the data could have shown a difference of \d+ pp or more\)\.$/,
    );

    const plain = await (await get(`/app/funnels/${funnelIds[PLAIN]}/report?range=last30`, PLAIN)).json();
    expect(plain.diagnosis.step).toBe(plain.biggestLeak.step);
    expect(plain.diagnosis.worse).toEqual([]);
    expect(plain.diagnosis.better).toEqual([]);
    expect(plain.diagnosis.noClaimSentence).toContain("No group of visitors stands out");
    // The picked step is carried in the canonical query (so CSV links keep it).
    expect((await (await get(`/app/funnels/${funnelIds[PLAIN]}/report?range=last30&diagnose=3`, PLAIN)).json()).query).toBe("range=last30&diagnose=3");
  });

  it("CSV table=diagnosis parses, with the header block and the same numbers as the JSON", async () => {
    const id = funnelIds[PLANTED];
    const json = await (await get(`/app/funnels/${id}/report?range=last30`, PLANTED)).json();
    const res = await get(`/app/funnels/${id}/csv?table=diagnosis&range=last30`, PLANTED);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/csv");
    const text = await res.text();
    expect(csvMeta(text)).toMatchObject({
      table: "diagnosis",
      step: "3",
      segments_tested: String(json.diagnosis.tested),
      fdr_q: "0.05",
      min_settled_units_each_side: "30",
    });
    const rows = csvRecords(text);
    expect(rows).toHaveLength(json.diagnosis.segments.length);
    const mobile = rows.find((r) => r.dimension === "device" && r.value === "mobile")!;
    expect(mobile).toMatchObject({
      label: "Mobile",
      verdict: "worse",
      settled: String(json.diagnosis.worse[0].segment.total),
      dropped: String(json.diagnosis.worse[0].segment.converted),
      rest_settled: String(json.diagnosis.worse[0].rest.total),
    });
    expect(Number(mobile.diff_pp)).toBeCloseTo(json.diagnosis.worse[0].diff * 100, 2);
    expect(rows.filter((r) => r.verdict === "worse")).toHaveLength(json.diagnosis.worse.length);
  });

  it("on the simulator's traffic ranks the planted product first at viewed → added to cart, and the planted device × source pair first at added to cart → checkout", async () => {
    const id = funnelIds[SIM];
    const linenThrow = String(SIMULATED_PRODUCTS.find((p) => p.handle === "linen-throw")!.id);
    const step2 = (await (await get(`/app/funnels/${id}/report?range=last30&diagnose=2`, SIM)).json()).diagnosis;
    expect(step2.dimensions).toContain("product");
    expect(step2.worse[0]).toMatchObject({ dimension: "product", value: linenThrow, label: `Product ${linenThrow}` });
    const step3 = (await (await get(`/app/funnels/${id}/report?range=last30&diagnose=3`, SIM)).json()).diagnosis;
    expect(step3.pairsTested).toBeGreaterThan(0);
    expect(step3.worse[0]).toMatchObject({
      dimension: "device × source",
      value: "mobile × instagram",
      label: "Mobile, from instagram",
      pair: { dimensions: ["device", "source"], values: ["mobile", "instagram"] },
    });
    expect(step3.worse[0].sentence).toMatch(/^Mobile, from instagram: \d+ % drop here vs \d+ % for everyone else \(/);
    // The medium is scanned like the source it comes with.
    expect(step3.segments.some((s: { dimension: string; value: string }) => s.dimension === "medium" && s.value === "social")).toBe(true);
  });

  it("answers a bad diagnose step with a 400 and a message", async () => {
    const id = funnelIds[PLANTED];
    for (const q of ["diagnose=1", "diagnose=5", "diagnose=abc"]) {
      const res = await get(`/app/funnels/${id}/report?range=last30&${q}`, PLANTED);
      expect(res.status, q).toBe(400);
      expect((await res.json()).error).toMatch(/diagnose must be a step number/);
    }
  });
});
