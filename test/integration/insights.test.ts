/**
 * Insights, experiments and audiences over real HTTP on the production build, on SQLite
 * and PostgreSQL. Every figure a loader returns is recomputed here, independently,
 * from the stored Event rows (written straight from docs/insights.md, not with core/).
 * The audience sync runs against the local Admin API: idempotent, departures untagged,
 * throttling (THROTTLED and HTTP 429) and 5xx retried, userErrors recorded, a failed
 * run resumed, and a run killed with SIGKILL mid-way resumed by a fresh server.
 */
import { readdirSync, readFileSync } from "node:fs";
import { parseReportCsv } from "../../core/csv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSimulation } from "../../scripts/lib/simulate-run";
import { seedDemoExperiment } from "../../scripts/lib/demo-experiment";
import { LOCAL_REQUIRED_SCOPES } from "../../scripts/local-shopify/server";
import { BROWSER_UA, startApp, type TestApp } from "../helpers/app-server";
import { adminHeaders } from "../helpers/shopify-auth";
import { postBatch, visitor } from "../helpers/ingest";
import { seedJourneys } from "../helpers/funnel-seed";

const DAY = 86_400_000;
const Z975 = 1.959963984540054;
const Z80 = 0.8416212335729143;
// A 6 s lease: long enough that the restarted server still sees the killed run's claim.
// Due automatic syncs are looked for every second (only audiences switched on are touched).
const ENV = {
  INGEST_MAX_AGE_HOURS: "840",
  INGEST_IP_RPS: "100000",
  INGEST_IP_BURST: "100000",
  AUDIENCE_SYNC_LEASE_MS: "6000",
  AUDIENCE_AUTO_SYNC_CHECK_SECONDS: "1",
};

// ---------------------------------------------------------------------------- HTTP helpers

/**
 * First contact of a shop: one authenticated data request (only the app layout's loader
 * runs, so exactly one token exchange and afterAuth — the install path of auth.test.ts).
 */
async function openApp(app: TestApp, shop: string) {
  const res = await fetch(`${app.url}/app?_data=routes%2Fapp`, { headers: adminHeaders(shop) });
  expect(res.status).toBe(200);
  return app.db.shop.findUniqueOrThrow({ where: { domain: shop } });
}

async function loaderData<T = any>(app: TestApp, shop: string, path: string, routeId: string): Promise<{ status: number; body: T }> {
  const sep = path.includes("?") ? "&" : "?";
  const res = await fetch(`${app.url}${path}${sep}_data=${encodeURIComponent(routeId)}`, { headers: adminHeaders(shop) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function post(app: TestApp, shop: string, path: string, routeId: string, form: Record<string, string>) {
  return fetch(`${app.url}${path}?_data=${encodeURIComponent(routeId)}`, {
    method: "POST",
    headers: { ...adminHeaders(shop), "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form).toString(),
    redirect: "manual",
  });
}

async function createAudience(app: TestApp, shop: string, form: Record<string, string>): Promise<string> {
  const res = await post(app, shop, "/app/audiences/new", "routes/app.audiences.new", form);
  expect(res.status).toBe(204); // Remix data redirect
  const to = res.headers.get("X-Remix-Redirect")!;
  expect(to).toMatch(/^\/app\/audiences\/[\w-]+$/);
  return to.split("/").pop()!;
}

/** POST intent=sync until the run is no longer "running" (the page does the same). */
async function syncUntilSettled(app: TestApp, shop: string, id: string) {
  for (let i = 0; i < 40; i++) {
    const res = await post(app, shop, `/app/audiences/${id}`, "routes/app.audiences.$id", { intent: "sync" });
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(200);
    if (body.sync.status !== "running") return body;
    if (body.busy) await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error("sync did not settle");
}

// ---------------------------------------------------------------------------- independent computation

interface Row {
  id: string;
  name: string;
  ts: number;
  seq: number;
  visitor: string;
  path: string | null;
  customerId: string | null;
  props: Record<string, unknown>;
}

async function storedEvents(app: TestApp, shopId: number): Promise<Row[]> {
  const rows = await app.db.event.findMany({ where: { shopId, isBot: false } });
  return rows.map((r) => ({
    id: r.eventId,
    name: r.name,
    ts: Number(r.ts),
    seq: r.seq,
    visitor: r.clientId,
    path: r.path,
    customerId: r.customerId,
    props: r.props ? JSON.parse(r.props) : {},
  }));
}

function byVisitor(rows: Row[], from: number, to: number): Map<string, Row[]> {
  const map = new Map<string, Row[]>();
  for (const r of rows) {
    if (r.ts < from || r.ts >= to) continue;
    (map.get(r.visitor) ?? map.set(r.visitor, []).get(r.visitor)!).push(r);
  }
  for (const list of map.values()) list.sort((a, b) => a.ts - b.ts || a.seq - b.seq || (a.id < b.id ? -1 : 1));
  return map;
}

type Pred = (e: Row) => boolean;
const named =
  (n: string): Pred =>
  (e) =>
    e.name === n;
const PURCHASE: Pred = named("checkout_completed");
/** The micro-conversions as docs/insights.md defines them. */
const MICROS: Record<string, Pred> = {
  product_view: named("product_viewed"),
  add_to_cart: named("product_added_to_cart"),
  wishlist_add: named("mc:wishlist_add"),
  checkout_start: named("checkout_started"),
  contact_info: named("checkout_contact_info_submitted"),
  scroll_75: (e) => e.name === "mc:scroll_depth" && Number(e.props.percent) >= 75,
  video_play: named("mc:video_play"),
  file_download: named("mc:file_download"),
  form_start: named("mc:form_start"),
  email_signup: (e) => e.name === "mc:form_submit" && e.props.formType === "customer",
  pricing_view: (e) => e.name === "page_viewed" && !!e.path && (e.path.includes("/pricing") || e.path.includes("/pages/faq")),
  outbound_click: named("mc:outbound_click"),
};

function microValue(rows: Row[], from: number, to: number, goal: Pred, micro: Pred) {
  const did = { converted: 0, total: 0 };
  const didNot = { converted: 0, total: 0 };
  for (const list of byVisitor(rows, from, to).values()) {
    const g = list.findIndex(goal);
    const group = list.some((e, i) => i !== g && micro(e) && (g < 0 || e.ts <= list[g].ts)) ? did : didNot;
    group.total++;
    if (g >= 0) group.converted++;
  }
  return { did, didNot };
}

function katz(a: { converted: number; total: number }, b: { converted: number; total: number }) {
  const ratio = a.converted / a.total / (b.converted / b.total);
  const se = Math.sqrt(1 / a.converted - 1 / a.total + 1 / b.converted - 1 / b.total);
  return { ratio, ci: [ratio * Math.exp(-Z975 * se), ratio * Math.exp(Z975 * se)] };
}

function perArm(p1: number, mde: number) {
  const p2 = p1 * (1 + mde);
  return Math.ceil(((Z975 + Z80) ** 2 * (p1 * (1 - p1) + p2 * (1 - p2))) / (p2 - p1) ** 2 - 1e-9);
}

function audience(rows: Row[], from: number, to: number, micro: Pred, macro: Pred) {
  const visitors = byVisitor(rows, from, to);
  const excluded = new Set<string>();
  const linked = new Map<string, { visitors: number; last: number }>();
  let members = 0;
  let anonymous = 0;
  for (const list of visitors.values()) {
    const customers = new Set(list.map((e) => e.customerId).filter((c): c is string => !!c));
    if (list.some(macro)) {
      customers.forEach((c) => excluded.add(c));
      continue;
    }
    const ms = list.filter((e) => micro(e));
    if (ms.length === 0) continue;
    members++;
    if (customers.size === 0) anonymous++;
    const last = Math.max(...ms.map((e) => e.ts));
    for (const c of customers) {
      const x = linked.get(c) ?? { visitors: 0, last: -Infinity };
      linked.set(c, { visitors: x.visitors + 1, last: Math.max(x.last, last) });
    }
  }
  const customers = [...linked].filter(([c]) => !excluded.has(c)).sort((a, b) => b[1].last - a[1].last || (a[0] < b[0] ? -1 : 1));
  return { active: visitors.size, members, anonymous, customers };
}

// ---------------------------------------------------------------------------- the suite, per database

describe.each(["sqlite", "postgres"] as const)("insights and audiences on %s", (kind) => {
  let app: TestApp;
  const SHOP = `insights-${kind}.myshopify.com`;
  const OTHER = `other-${kind}.myshopify.com`;
  let shopId: number;
  let rows: Row[];

  beforeAll(async () => {
    app = await startApp({ db: kind, env: ENV });
    const shop = await openApp(app, SHOP);
    shopId = shop.id;
    await openApp(app, OTHER);
    const to = Date.now() - 60_000;
    const sim = await runSimulation({
      shop: SHOP,
      ingestKey: shop.ingestKey,
      ingestUrl: `${app.url}/collect`,
      visitors: 260,
      from: to - 30 * DAY,
      to,
      seed: 11,
    });
    expect(sim.dropped).toBe(0);
    const exp = await seedDemoExperiment({ appUrl: app.url, ingestKey: shop.ingestKey, shop: SHOP, visitors: 240 });
    expect(exp.rejected).toBe(0);
    expect(exp.accepted).toBe(exp.events);
    // Idempotent: a second call stores nothing new.
    const again = await seedDemoExperiment({ appUrl: app.url, ingestKey: shop.ingestKey, shop: SHOP, visitors: 240 });
    expect(again.accepted).toBe(0);
    rows = await storedEvents(app, shopId);
  }, 240_000);
  afterAll(() => app?.stop());

  it("micro → macro value: every row equals an independent count, lift and Katz CI; small groups hidden", async () => {
    const { status, body } = await loaderData(app, SHOP, "/app/insights?range=last30&goal=purchase", "routes/app.insights");
    expect(status).toBe(200);
    const v = body.view;
    const { from, to } = v.range;
    expect(v.microValue.visitors).toBe(byVisitor(rows, from, to).size);
    let shown = 0;
    let hidden = 0;
    for (const [key, pred] of Object.entries(MICROS)) {
      const row = v.microValue.rows.find((r: any) => r.key === key);
      expect(row, key).toBeTruthy();
      const expected = microValue(rows, from, to, PURCHASE, pred);
      expect({ key, did: row.did, didNot: row.didNot }).toEqual({ key, ...expected });
      const eligible = Math.min(expected.did.total, expected.didNot.total) >= 30 && expected.didNot.converted > 0;
      expect(row.lift.eligible, key).toBe(eligible);
      if (eligible) {
        shown++;
        expect(row.lift.ratio).toBeCloseTo(katz(expected.did, expected.didNot).ratio, 9);
        if (expected.did.converted > 0) {
          const k = katz(expected.did, expected.didNot);
          expect(row.lift.ci95[0]).toBeCloseTo(k.ci[0], 9);
          expect(row.lift.ci95[1]).toBeCloseTo(k.ci[1], 9);
        }
      } else {
        hidden++;
        expect(row.lift.reason).toBeTruthy();
      }
    }
    expect(shown).toBeGreaterThan(2);
    expect(hidden).toBeGreaterThan(0);
    // Shown rows come first, by lift.
    const ratios = v.microValue.rows.filter((r: any) => r.lift.eligible).map((r: any) => r.lift.ratio ?? -1);
    expect(ratios).toEqual([...ratios].sort((a: number, b: number) => b - a));
    // Another goal changes the conversions and drops the goal's own micro step.
    const news = await loaderData(app, SHOP, "/app/insights?range=last30&goal=newsletter", "routes/app.insights");
    expect(news.body.view.microValue.rows.map((r: any) => r.key)).not.toContain("email_signup");
    const cart = news.body.view.microValue.rows.find((r: any) => r.key === "add_to_cart");
    const newsletter: Pred = (e) => e.name === "mc:form_submit" && e.props.formType === "customer";
    expect({ did: cart.did, didNot: cart.didNot }).toEqual(microValue(rows, from, to, newsletter, MICROS.add_to_cart));
  });

  it("planner: 28-day per-visitor baselines and weekly traffic from the stored events, sized like the spec's formula", async () => {
    const { body } = await loaderData(app, SHOP, "/app/insights?mde=10&alpha=0.05&power=0.8", "routes/app.insights");
    const p = body.view.planner;
    expect(p.to - p.from).toBe(28 * DAY);
    const visitors = byVisitor(rows, p.from, p.to);
    expect(p.visitors).toBe(visitors.size);
    expect(p.weeklyVisitors).toBeCloseTo(visitors.size / 4, 9);
    const check = (key: string, pred: Pred) => {
      const row = p.rows.find((r: any) => r.key === key);
      const converted = [...visitors.values()].filter((l) => l.some(pred)).length;
      expect(row.baseline, key).toEqual({ converted, total: visitors.size });
      const n = perArm(converted / visitors.size, 0.1);
      expect(row.plan.perVariant, key).toBe(n);
      expect(row.plan.weeks, key).toBe(Math.ceil((2 * n) / (visitors.size / 4) - 1e-9));
      expect(row.exactWeeks).toBeCloseTo((2 * n) / (visitors.size / 4), 9);
    };
    expect(p.rows[0].key).toBe("purchase");
    check("purchase", PURCHASE);
    check("add_to_cart", MICROS.add_to_cart);
    check("scroll_75", MICROS.scroll_75);
  });

  it("answers bad parameters with 400 and the reason", async () => {
    for (const [q, msg] of [
      ["goal=revenue", /goal must be one of/],
      ["range=last3", /range must be one of/],
      ["range=custom&from=2026-02-30&to=2026-03-01", /not a calendar date/],
      ["mde=0", /mde must be above 0/],
      ["power=2", /power is at most 0.99/],
    ] as const) {
      const { status, body } = await loaderData(app, SHOP, `/app/insights?${q}`, "routes/app.insights");
      expect(status, q).toBe(400);
      expect(body.error, q).toMatch(msg);
    }
  });

  it("experiment readout: first exposure assigns, two-variant visitors excluded, funnel after exposure, stats", async () => {
    const { status, body } = await loaderData(app, SHOP, "/app/insights/experiments?range=last30", "routes/app.insights.experiments");
    expect(status).toBe(200);
    const view = body.view;
    const x = view.experiments.find((e: any) => e.experiment === "pdp-free-shipping-banner");
    expect(x).toBeTruthy();
    expect(x.stepLabels).toHaveLength(4);
    const steps = ["product_viewed", "product_added_to_cart", "checkout_started", "checkout_completed"];
    // Independent readout.
    const visitors = byVisitor(rows, view.range.from, view.range.to);
    const arms = new Map<string, number[]>();
    let excluded = 0;
    for (const list of visitors.values()) {
      const exposures = list.filter((e) => e.name === "mc:experiment_view" && e.props.experiment === x.experiment);
      if (exposures.length === 0) continue;
      if (new Set(exposures.map((e) => e.props.variant)).size > 1) {
        excluded++;
        continue;
      }
      const variant = String(exposures[0].props.variant);
      const at = exposures[0].ts;
      let next = 0;
      for (const e of list) if (e.ts >= at && next < steps.length && e.name === steps[next]) next++;
      const counts = arms.get(variant) ?? [0, 0, 0, 0, 0];
      counts[0]++;
      for (let k = 0; k < next; k++) counts[k + 1]++;
      arms.set(variant, counts);
    }
    expect(excluded).toBeGreaterThan(0);
    expect(x.excludedVisitors).toBe(excluded);
    expect(x.control).toBe("control");
    for (const v of x.variants) expect([v.visitors, ...v.reached]).toEqual(arms.get(v.variant));
    // Difference, CI and p-value of the last step, recomputed.
    const c = x.comparisons[0].steps[3];
    const [nA, nB] = [c.control.total, c.variant.total];
    const [pA, pB] = [c.control.converted / nA, c.variant.converted / nB];
    const pooled = (c.control.converted + c.variant.converted) / (nA + nB);
    const z = (pB - pA) / Math.sqrt(pooled * (1 - pooled) * (1 / nA + 1 / nB));
    expect(c.comparison.diff).toBeCloseTo(pB - pA, 12);
    expect(c.comparison.z).toBeCloseTo(z, 9);
    const se = Math.sqrt((pA * (1 - pA)) / nA + (pB * (1 - pB)) / nB);
    expect(c.comparison.diffCi95[0]).toBeCloseTo(pB - pA - Z975 * se, 9);
    // SRM: chi-square on the arm sizes, df 1.
    const sizes = x.variants.map((v: any) => v.visitors);
    const e = (sizes[0] + sizes[1]) / 2;
    expect(x.srm.chiSquare).toBeCloseTo(((sizes[0] - e) ** 2 + (sizes[1] - e) ** 2) / e, 9);
    expect(typeof x.comparisons[0].headline.message).toBe("string");
    expect(x.comparisons[0].headline.kind).toBe("not-enough-data"); // a few hundred visitors cannot power +10 %
  });

  it("audience from a template: size, customers and history equal an independent count; the CSV equals the page", async () => {
    const id = await createAudience(app, SHOP, { kind: "template", template: "carted_not_bought" });
    const { status, body } = await loaderData(app, SHOP, `/app/audiences/${id}`, "routes/app.audiences.$id");
    expect(status).toBe(200);
    const { size, customers, history } = body;
    expect(size.to - size.from).toBe(14 * DAY);
    const expected = audience(rows, size.from, size.to, MICROS.add_to_cart, PURCHASE);
    expect(size.activeVisitors).toBe(expected.active);
    expect(size.memberVisitors).toBe(expected.members);
    expect(size.anonymousVisitors).toBe(expected.anonymous);
    expect(size.identifiedCustomers).toBe(expected.customers.length);
    expect(customers.map((c: any) => [c.customerId, c.visitors, c.lastMicroAt])).toEqual(expected.customers.map(([id, x]) => [id, x.visitors, x.last]));
    expect(expected.customers.length).toBeGreaterThan(0);

    // History: members 28–14 days ago, conversions in the 14 days after, vs visitors who did neither.
    const then = byVisitor(rows, history.window.from, history.window.to);
    const after = byVisitor(rows, history.followUp.from, history.followUp.to);
    const hm = { converted: 0, total: 0 };
    const ho = { converted: 0, total: 0 };
    for (const [v, list] of then) {
      if (list.some(PURCHASE)) continue;
      const g = list.some(MICROS.add_to_cart) ? hm : ho;
      g.total++;
      if ((after.get(v) ?? []).some(PURCHASE)) g.converted++;
    }
    expect(history.members).toEqual(hm);
    expect(history.others).toEqual(ho);

    // CSV = the page's rows, RFC 4180.
    const res = await fetch(`${app.url}/app/audiences/${id}/csv`, { headers: adminHeaders(SHOP) });
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^text\/csv/);
    expect(res.headers.get("Content-Disposition")).toMatch(/^attachment; filename="mc-carted-not-bought-customers-\d{4}-\d{2}-\d{2}\.csv"$/);
    const text = await res.text();
    expect(text.endsWith("\r\n")).toBe(true);
    // The app's report header block first (what, which window, counts), then the table.
    const { meta, table } = parseReportCsv(text);
    expect(meta.Report).toBe("Audience: Added to cart, did not buy (tag mc-carted-not-bought)");
    expect(meta.Unit).toBe("customer");
    expect(meta.Window).toMatch(/^did "Added to cart" and not "Purchase" in the 14 days/);
    expect(meta.Range).toBe(`${new Date(size.from).toISOString().slice(0, 10)} to ${new Date(size.to).toISOString().slice(0, 10)}`);
    expect(meta["Time zone"]).toBe("UTC");
    expect(meta["Member visitors"]).toBe(String(expected.members));
    expect(meta["Taggable customers (logged in)"]).toBe(String(expected.customers.length));
    expect(meta["Anonymous member visitors (not taggable)"]).toBe(String(expected.anonymous));
    expect(meta["Segment query"]).toBe("customer_tags CONTAINS 'mc-carted-not-bought'");
    expect(table[0]).toEqual(["customer_id", "shopify_customer_gid", "customer_admin_url", "member_visitors", "last_micro_conversion_at"]);
    // The admin URL's store handle is the myshopify subdomain.
    const handle = SHOP.replace(/\.myshopify\.com$/, "");
    expect(table.slice(1)).toEqual(
      customers.map((c: any) => [
        c.customerId,
        `gid://shopify/Customer/${c.customerId}`,
        `https://admin.shopify.com/store/${handle}/customers/${c.customerId}`,
        String(c.visitors),
        new Date(c.lastMicroAt).toISOString(),
      ]),
    );

    // Taggable N of M: the logged-in customers among the members, with the anonymous rest counted.
    expect(body.taggable).toEqual({
      taggable: expected.customers.length,
      members: expected.members,
      anonymous: expected.anonymous,
      excluded: size.excludedCustomers,
    });
    expect(expected.anonymous).toBeGreaterThan(0);

    // The list page shows the same size.
    const list = await loaderData(app, SHOP, "/app/audiences", "routes/app.audiences._index");
    expect(list.body.audiences.find((a: any) => a.audience.id === id).size.identifiedCustomers).toBe(size.identifiedCustomers);
  });

  it("another shop's audience id is a 404 everywhere; bad input is a 400/409 with the reason", async () => {
    const id = await createAudience(app, SHOP, { kind: "template", template: "pricing_no_demo" });
    expect((await loaderData(app, OTHER, `/app/audiences/${id}`, "routes/app.audiences.$id")).status).toBe(404);
    const csv = await fetch(`${app.url}/app/audiences/${id}/csv`, { headers: adminHeaders(OTHER) });
    expect(csv.status).toBe(404);
    expect(await csv.json()).toEqual({ error: "No audience with this id in this shop" });
    for (const intent of ["sync", "delete", "request-scope"]) {
      const res = await post(app, OTHER, `/app/audiences/${id}`, "routes/app.audiences.$id", { intent });
      expect(res.status, intent).toBe(404);
    }
    expect(await app.db.audience.count({ where: { id } })).toBe(1);
    expect((await loaderData(app, OTHER, "/app/audiences", "routes/app.audiences._index")).body.audiences).toEqual([]);

    const bad = async (form: Record<string, string>, status: number, msg: RegExp) => {
      const res = await post(app, SHOP, "/app/audiences/new", "routes/app.audiences.new", form);
      expect(res.status, JSON.stringify(form)).toBe(status);
      expect((await res.json()).error).toMatch(msg);
    };
    await bad({ kind: "template", template: "nope" }, 400, /template must be one of/);
    await bad({ kind: "custom", name: "x", micro: "add_to_cart", macro: "goal:purchase", lookbackDays: "91" }, 400, /at most 90/);
    await bad({ kind: "custom", name: "x", micro: "add_to_cart", macro: "goal:purchase", tag: "a,b" }, 400, /tag/);
    await bad({ kind: "custom", name: "", micro: "add_to_cart", macro: "goal:purchase" }, 400, /name/);
    await bad({ kind: "template", template: "pricing_no_demo" }, 409, /already used/);
    expect((await post(app, SHOP, `/app/audiences/${id}`, "routes/app.audiences.$id", { intent: "nope" })).status).toBe(400);
    expect((await post(app, SHOP, `/app/audiences/${id}`, "routes/app.audiences.$id", { intent: "delete" })).status).toBe(204);
    expect(await app.db.audience.count({ where: { id } })).toBe(0);
  });

  // ------------------------------------------------------------------------ sync against the local Admin API

  describe("sync to Shopify customer tags", () => {
    const SYNC = `sync-${kind}.myshopify.com`;
    const TAG = "mc-wishlisted";
    let key: string;
    let audienceId: string;
    let seq = 0;
    const gid = (n: number | string) => `gid://shopify/Customer/${n}`;

    /** Visitors who wishlisted (logged in as `customer`) a day ago; `buy` adds a purchase. */
    async function wishlist(customers: (number | string)[], opts: { buy?: boolean; hoursAgo?: number } = {}) {
      const events = customers.flatMap((c) => {
        const ts = Date.now() - (opts.hoursAgo ?? 24) * 3_600_000;
        const base = { clientId: visitor(`w-${c}`), customerId: String(c), path: "/products/mug" };
        const list = [{ ...base, id: `w-${c}-${++seq}`, seq, name: "mc:wishlist_add", ts: new Date(ts).toISOString() }];
        if (opts.buy)
          list.push({
            ...base,
            id: `w-${c}-${++seq}`,
            seq,
            name: "checkout_completed",
            ts: new Date(ts + 60_000).toISOString(),
            orderId: String(9_000_000 + seq),
          } as any);
        return list;
      });
      for (let i = 0; i < events.length; i += 50) {
        const res = await postBatch(app.url, { v: 1, shop: SYNC, key, ua: BROWSER_UA, events: events.slice(i, i + 50) });
        expect(res.status).toBe(202);
        expect(res.json.rejected).toEqual([]);
      }
    }
    const tagged = () => {
      const shop = app.shopify.shops.get(SYNC)!;
      return [...shop.customerTags]
        .filter(([, tags]) => tags.has(TAG))
        .map(([id]) => id)
        .sort();
    };
    const opsSince = (start: number, op: string) =>
      app.shopify.calls
        .slice(start)
        .filter((c) => c.operation === op && c.shop === SYNC)
        .map((c: any) => c.variables.id);
    const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

    beforeAll(async () => {
      const shop = await openApp(app, SYNC);
      key = shop.ingestKey;
      await wishlist(range(5000, 5040));
      // "abc" is not a customer id Shopify knows (userErrors). /collect refuses it now, but rows
      // stored before ids were validated can hold one, so it is written to the database directly.
      await seedJourneys(app.db, shop.id, [
        { clientId: visitor("w-abc"), events: [{ name: "mc:wishlist_add", ts: Date.now() - 24 * 3_600_000, path: "/products/mug", customerId: "abc" }] },
      ]);
      audienceId = await createAudience(app, SYNC, {
        kind: "custom",
        name: "Wishlisted",
        micro: "wishlist_add",
        macro: "goal:purchase",
        lookbackDays: "7",
        tag: TAG,
      });
    });

    it("tags every identified customer once through throttling, 429s and 5xx, and records userErrors", async () => {
      app.shopify.failNext("throttle", 2, "tagsAdd");
      app.shopify.failNext("http429", 1, "tagsAdd");
      app.shopify.failNext("http500", 1, "tagsAdd");
      const start = app.shopify.calls.length;
      const t0 = Date.now();
      const body = await syncUntilSettled(app, SYNC, audienceId);
      expect(Date.now() - t0).toBeGreaterThan(250 + 500 + 1000 + 1000); // it did back off
      expect(body.sync).toMatchObject({ status: "done", total: 41, tagged: 40, untagged: 0, refused: 1, remaining: 0 });
      expect(body.sync.errors).toEqual([{ id: "abc", op: "add", message: "Invalid id", kind: "not-found" }]);
      expect(body.sync.refusedByKind).toEqual({ "not-found": 1, "user-error": 0 });
      expect(body.sync.error).toMatch(/1 customer\(s\) refused/);
      expect(tagged()).toEqual(range(5000, 5040).map(gid).sort());
      const adds = opsSince(start, "tagsAdd");
      expect(adds.sort()).toEqual([...range(5000, 5040).map(gid), gid("abc")].sort()); // each exactly once
      const page = await loaderData(app, SYNC, `/app/audiences/${audienceId}`, "routes/app.audiences.$id");
      expect(page.body.canSync).toBe(true);
      expect(page.body.lastSync.status).toBe("done");
      expect(page.body.audience.segmentQuery).toBe("customer_tags CONTAINS 'mc-wishlisted'");
    });

    it("re-running with nothing changed sends nothing; departures are untagged, newcomers tagged, nobody twice", async () => {
      let start = app.shopify.calls.length;
      const same = await syncUntilSettled(app, SYNC, audienceId);
      expect(same.sync).toMatchObject({ status: "done", total: 0, tagged: 0, untagged: 0, skipped: 0 });
      expect(app.shopify.calls.slice(start).filter((c) => c.shop === SYNC)).toEqual([]);

      await wishlist([5001, 5002, 5003], { buy: true, hoursAgo: 12 }); // they bought: they leave the audience
      await wishlist([5100, 5101]);
      start = app.shopify.calls.length;
      const next = await syncUntilSettled(app, SYNC, audienceId);
      expect(next.sync).toMatchObject({ status: "done", total: 5, tagged: 2, untagged: 3 });
      expect(opsSince(start, "tagsAdd").sort()).toEqual([gid(5100), gid(5101)]);
      expect(opsSince(start, "tagsRemove").sort()).toEqual([gid(5001), gid(5002), gid(5003)]);
      expect(tagged()).toEqual([...range(5000, 5040).filter((n) => ![5001, 5002, 5003].includes(n)), 5100, 5101].map(gid).sort());
    });

    it("a run that fails (Shopify erroring past the retry budget) is resumed where it stopped", async () => {
      await wishlist(range(5200, 5210));
      app.shopify.failNext("throttle", 5, "tagsAdd");
      const start = app.shopify.calls.length;
      const failed = await syncUntilSettled(app, SYNC, audienceId);
      expect(failed.sync.status).toBe("failed");
      expect(failed.sync.error).toMatch(/THROTTLED\), 5 attempts for one customer; run the sync again to continue/);
      expect(failed.sync.remaining).toBe(10);
      const page = await loaderData(app, SYNC, `/app/audiences/${audienceId}`, "routes/app.audiences.$id");
      expect(page.body.lastSync).toMatchObject({ status: "failed", remaining: 10 });
      const resumed = await syncUntilSettled(app, SYNC, audienceId);
      expect(resumed.sync).toMatchObject({ id: failed.sync.id, status: "done", tagged: 10, total: 10 });
      expect(opsSince(start, "tagsAdd").sort()).toEqual(range(5200, 5210).map(gid).sort());
    });

    it("a server killed mid-run (SIGKILL) is resumed by a fresh server from the cursor: nobody is tagged twice", async () => {
      await wishlist(range(5300, 5360));
      // Deterministic mid-run point: right after the 5th tagsAdd of this run, Shopify starts throttling.
      const calls = app.shopify.calls;
      const startAt = calls.length;
      const shopify = app.shopify;
      calls.push = function (...items) {
        const n = Array.prototype.push.apply(this, items);
        if (this.slice(startAt).filter((c) => c.operation === "tagsAdd").length === 5 && items.some((c) => c.operation === "tagsAdd")) {
          shopify.failNext("throttle", 4, "tagsAdd"); // 0.25 + 0.5 + 1 + 2 s of backoff: time to kill it
        }
        return n;
      };
      const pending = post(app, SYNC, `/app/audiences/${audienceId}`, "routes/app.audiences.$id", { intent: "sync" }).catch(() => null);
      // Wait until the run is backing off after its 5th customer, then kill the server.
      const syncRow = async () => app.db.audienceSync.findFirst({ where: { audienceId }, orderBy: [{ startedAt: "desc" }, { id: "desc" }] });
      for (let i = 0; i < 200 && calls.slice(startAt).filter((c) => c.operation === "tagsAdd").length < 5; i++) await new Promise((r) => setTimeout(r, 25));
      await new Promise((r) => setTimeout(r, 400));
      const pid = serverPid(app);
      process.kill(pid, "SIGKILL");
      await pending;
      delete (calls as { push?: unknown }).push;
      const row = await syncRow();
      expect(row!.status).toBe("running");
      const cursor = JSON.parse(row!.cursor!);
      expect(cursor.addNext).toBe(5);
      expect(cursor.lease.until).toBeGreaterThan(Date.now()); // claimed by the worker that died
      const first = opsSince(startAt, "tagsAdd");
      expect(first).toEqual(cursor.add.slice(0, 5).map(gid));

      // A fresh server on the same database; Shopify keeps its state.
      const state = app.shopify.shops.get(SYNC)!;
      const old = app;
      await old.shopify.close();
      await old.db.$disconnect();
      app = await startApp({ dbUrl: old.dbUrl, env: ENV });
      app.shopify.shops.set(SYNC, state);
      app.shopify.shops.set(SHOP, old.shopify.shops.get(SHOP)!);
      await app.db.session.deleteMany({}); // tokens of the old stand-in mean nothing to the new one

      // While the dead worker's lease is live (its expiry is in the cursor), a request finds the
      // run busy and does nothing; once it expires a request takes over and finishes from customer 6 on.
      const sentAt = Date.now();
      const retry = await (await post(app, SYNC, `/app/audiences/${audienceId}`, "routes/app.audiences.$id", { intent: "sync" })).json();
      expect(retry.sync.id).toBe(row!.id);
      if (sentAt < cursor.lease.until - 1000) {
        expect(retry).toMatchObject({ busy: true, sync: { status: "running" } });
        expect(app.shopify.calls.filter((c) => c.operation === "tagsAdd")).toEqual([]);
      }
      const done = retry.sync.status === "done" ? retry : await syncUntilSettled(app, SYNC, audienceId);
      expect(done.sync).toMatchObject({ id: row!.id, status: "done", tagged: 60, total: 60 });
      const second = app.shopify.calls.filter((c) => c.operation === "tagsAdd").map((c: any) => c.variables.id);
      expect(second).toEqual(cursor.add.slice(5).map(gid));
      expect(second.filter((id: string) => first.includes(id))).toEqual([]);
      expect(
        tagged()
          .filter((id) => range(5300, 5360).map(gid).includes(id))
          .sort(),
      ).toEqual(range(5300, 5360).map(gid).sort());
    });

    it("a customer deleted mid-run is recorded with its count and the run goes on; a resumed run does not stop at it", async () => {
      await wishlist(range(5400, 5410));
      const shopState = app.shopify.shops.get(SYNC)!;
      shopState.deletedCustomers = new Set(["5403", "5407"]);
      // Stop the run after its 5th tagsAdd (throttled past the retry budget), then resume it.
      const start = app.shopify.calls.length;
      const calls = app.shopify.calls;
      const shopify = app.shopify;
      calls.push = function (...items) {
        const n = Array.prototype.push.apply(this, items);
        if (this.slice(start).filter((c) => c.operation === "tagsAdd").length === 5 && items.some((c) => c.operation === "tagsAdd"))
          shopify.failNext("throttle", 5, "tagsAdd");
        return n;
      };
      const stopped = await syncUntilSettled(app, SYNC, audienceId);
      delete (calls as { push?: unknown }).push;
      expect(stopped.sync).toMatchObject({ status: "failed", refused: 1, refusedByKind: { "not-found": 1, "user-error": 0 }, remaining: 5, blocked: null });
      const resumed = await syncUntilSettled(app, SYNC, audienceId);
      expect(resumed.sync).toMatchObject({
        id: stopped.sync.id,
        status: "done",
        total: 10,
        tagged: 8,
        refused: 2,
        refusedByKind: { "not-found": 2, "user-error": 0 },
        remaining: 0,
      });
      expect(resumed.sync.errors).toEqual([
        { id: "5403", op: "add", message: "Invalid id: gid://shopify/Customer/5403", kind: "not-found" },
        { id: "5407", op: "add", message: "Invalid id: gid://shopify/Customer/5407", kind: "not-found" },
      ]);
      expect(resumed.sync.error).toBe("2 customer(s) refused by Shopify (2 deleted or unknown); see the list");
      // Each customer was asked for once; the deleted ones were not retried by the resumed run.
      expect(opsSince(start, "tagsAdd").sort()).toEqual(range(5400, 5410).map(gid).sort());
      expect(tagged().filter((id) => range(5400, 5410).map(gid).includes(id))).toEqual(
        range(5400, 5410)
          .filter((n) => n !== 5403 && n !== 5407)
          .map(gid)
          .sort(),
      );
      // A later run does not send them again while they stay in the audience.
      const again = await syncUntilSettled(app, SYNC, audienceId);
      expect(again.sync).toMatchObject({ status: "done", total: 0 });
      shopState.deletedCustomers = undefined;
    });

    it("protected customer data not approved (stand-in unapproved mode): the run stops with what to request, nothing counted against customers; after approval it resumes at the same customer", async () => {
      await wishlist(range(5500, 5504));
      app.shopify.protectedData = "unapproved";
      const start = app.shopify.calls.length;
      const blocked = await syncUntilSettled(app, SYNC, audienceId);
      expect(blocked.sync).toMatchObject({ status: "failed", blocked: "protected-customer-data", refused: 0, remaining: 4, tagged: 0 });
      expect(blocked.sync.error).toContain("Protected customer data access");
      expect(blocked.sync.error).toContain("This app is not approved to access the Customer object");
      const page = await loaderData(app, SYNC, `/app/audiences/${audienceId}`, "routes/app.audiences.$id");
      expect(page.body.lastSync).toMatchObject({ status: "failed", blocked: "protected-customer-data" });
      expect(opsSince(start, "tagsAdd")).toHaveLength(1); // stopped at the first refusal, no crash
      app.shopify.protectedData = "approved";
      const resumed = await syncUntilSettled(app, SYNC, audienceId);
      expect(resumed.sync).toMatchObject({ id: blocked.sync.id, status: "done", tagged: 4, refused: 0, blocked: null });
      expect(opsSince(start, "tagsAdd").sort()).toEqual([...range(5500, 5504).map(gid), opsSince(start, "tagsAdd")[0]].sort());
    });

    it("daily automatic sync: switched on per audience, run by the server's schedule through the same plan; run again it tags nobody twice and untags members who left", async () => {
      const AUTO = `auto-${kind}.myshopify.com`;
      const AUTO_TAG = "mc-auto";
      const autoKey = (await openApp(app, AUTO)).ingestKey;
      let n = 0;
      const join = async (customers: number[], buy = false) => {
        const ts = Date.now() - 6 * 3_600_000;
        const events = customers.flatMap((c) => {
          const base = { clientId: visitor(`a-${c}`), customerId: String(c), path: "/products/mug" };
          const list: any[] = [{ ...base, id: `a-${c}-${++n}`, seq: n, name: "mc:wishlist_add", ts: new Date(ts).toISOString() }];
          if (buy)
            list.push({
              ...base,
              id: `a-${c}-${++n}`,
              seq: n,
              name: "checkout_completed",
              ts: new Date(ts + 60_000).toISOString(),
              orderId: String(8_000_000 + n),
            });
          return list;
        });
        const res = await postBatch(app.url, { v: 1, shop: AUTO, key: autoKey, ua: BROWSER_UA, events });
        expect(res.status).toBe(202);
        expect(res.json.rejected).toEqual([]);
      };
      const autoTagged = () =>
        [...app.shopify.shops.get(AUTO)!.customerTags]
          .filter(([, t]) => t.has(AUTO_TAG))
          .map(([id]) => id)
          .sort();
      const autoOps = (start: number, op: string) =>
        app.shopify.calls
          .slice(start)
          .filter((c) => c.operation === op && c.shop === AUTO)
          .map((c: any) => c.variables.id)
          .sort();
      await join([7001, 7002, 7003, 7004]);
      const id = await createAudience(app, AUTO, {
        kind: "custom",
        name: "Auto",
        micro: "wishlist_add",
        macro: "goal:purchase",
        lookbackDays: "7",
        tag: AUTO_TAG,
      });
      const row = () => app.db.audience.findFirstOrThrow({ where: { id } });
      /** Waits for the schedule to record a run after `after` (the check runs every second). */
      const ranAfter = async (after: Date | null) => {
        for (let i = 0; i < 150; i++) {
          const r = await row();
          if (r.autoSyncLastAt && (!after || r.autoSyncLastAt > after)) return r;
          await new Promise((ok) => setTimeout(ok, 100));
        }
        throw new Error("no automatic run");
      };
      /** "A day later": the last scheduled run is moved back 25 hours, so the audience is due. */
      const dayPasses = async () => {
        const r = await row();
        await app.db.audience.update({ where: { id }, data: { autoSyncLastAt: new Date(r.autoSyncLastAt!.getTime() - 25 * 3_600_000) } });
        return (await row()).autoSyncLastAt;
      };

      // Off by default: nothing is sent.
      const page = await loaderData(app, AUTO, `/app/audiences/${id}`, "routes/app.audiences.$id");
      expect(page.body.autoSync).toEqual({ enabled: false, lastRunAt: null, lastStatus: null, lastResult: null, nextDueAt: null });
      await new Promise((ok) => setTimeout(ok, 1500));
      expect(autoTagged()).toEqual([]);
      const bad = await post(app, AUTO, `/app/audiences/${id}`, "routes/app.audiences.$id", { intent: "auto-sync", autoSync: "daily" });
      expect(bad.status).toBe(400);
      expect((await bad.json()).error).toBe("autoSync must be on or off");
      expect((await post(app, OTHER, `/app/audiences/${id}`, "routes/app.audiences.$id", { intent: "auto-sync", autoSync: "on" })).status).toBe(404);

      // On: the first scheduled run tags every member once.
      let start = app.shopify.calls.length;
      const on = await post(app, AUTO, `/app/audiences/${id}`, "routes/app.audiences.$id", { intent: "auto-sync", autoSync: "on" });
      expect(on.status).toBe(200);
      expect((await on.json()).autoSync).toMatchObject({ enabled: true, lastRunAt: null });
      let r = await ranAfter(null);
      expect(r).toMatchObject({ autoSyncStatus: "done", autoSyncResult: "4 tagged, 0 untagged, 0 refused by Shopify" });
      expect(autoTagged()).toEqual([7001, 7002, 7003, 7004].map(gid));
      expect(autoOps(start, "tagsAdd")).toEqual([7001, 7002, 7003, 7004].map(gid));
      const shown = await loaderData(app, AUTO, `/app/audiences/${id}`, "routes/app.audiences.$id");
      expect(shown.body.autoSync).toMatchObject({
        enabled: true,
        lastRunAt: r.autoSyncLastAt!.toISOString(),
        lastStatus: "done",
        lastResult: "4 tagged, 0 untagged, 0 refused by Shopify",
      });
      expect(shown.body.autoSync.nextDueAt).toBe(new Date(r.autoSyncLastAt!.getTime() + DAY).toISOString());
      expect(shown.body.lastSync).toMatchObject({ status: "done", tagged: 4 }); // the same runs as the button's

      // Not due again within the day: the checks send nothing.
      start = app.shopify.calls.length;
      await new Promise((ok) => setTimeout(ok, 2500));
      expect((await row()).autoSyncLastAt).toEqual(r.autoSyncLastAt);
      expect(app.shopify.calls.slice(start).filter((c) => c.shop === AUTO)).toEqual([]);

      // A day later, two members bought (they leave) and one joined: only those change.
      await join([7002, 7003], true);
      await join([7005]);
      start = app.shopify.calls.length;
      r = await ranAfter(await dayPasses());
      expect(r).toMatchObject({ autoSyncStatus: "done", autoSyncResult: "1 tagged, 2 untagged, 0 refused by Shopify" });
      expect(autoOps(start, "tagsAdd")).toEqual([gid(7005)]);
      expect(autoOps(start, "tagsRemove")).toEqual([gid(7002), gid(7003)]);
      expect(autoTagged()).toEqual([7001, 7004, 7005].map(gid));
      // The audiences list shows the same state beside each audience.
      const list = await loaderData(app, AUTO, "/app/audiences", "routes/app.audiences._index");
      expect(list.body.autoSync[id]).toMatchObject({
        enabled: true,
        lastRunAt: r.autoSyncLastAt!.toISOString(),
        lastStatus: "done",
        lastResult: "1 tagged, 2 untagged, 0 refused by Shopify",
      });

      // Run again with nothing changed: nobody is tagged twice, nothing is sent.
      start = app.shopify.calls.length;
      r = await ranAfter(await dayPasses());
      expect(r).toMatchObject({ autoSyncStatus: "done", autoSyncResult: "0 tagged, 0 untagged, 0 refused by Shopify" });
      expect(app.shopify.calls.slice(start).filter((c) => c.shop === AUTO)).toEqual([]);

      // Off: a due audience is left alone.
      expect((await post(app, AUTO, `/app/audiences/${id}`, "routes/app.audiences.$id", { intent: "auto-sync", autoSync: "off" })).status).toBe(200);
      const before = await dayPasses();
      await new Promise((ok) => setTimeout(ok, 2500));
      expect((await row()).autoSyncLastAt).toEqual(before);
      expect(autoTagged()).toEqual([7001, 7004, 7005].map(gid));
    });

    it("without write_customers: the page explains, sync is refused, and the request goes to Shopify's grant screen", async () => {
      const LIMITED = `limited-${kind}.myshopify.com`;
      app.shopify.shops.set(LIMITED, {
        name: "Limited",
        ianaTimezone: "UTC",
        currencyCode: "USD",
        pixel: null,
        customerTags: new Map(),
        scopes: [...LOCAL_REQUIRED_SCOPES],
      });
      await openApp(app, LIMITED);
      const id = await createAudience(app, LIMITED, { kind: "template", template: "form_abandoned" });
      const page = await loaderData(app, LIMITED, `/app/audiences/${id}`, "routes/app.audiences.$id");
      expect(page.body.canSync).toBe(false);
      const sync = await post(app, LIMITED, `/app/audiences/${id}`, "routes/app.audiences.$id", { intent: "sync" });
      expect(sync.status).toBe(403);
      expect((await sync.json()).error).toMatch(/write_customers/);
      const request = await post(app, LIMITED, `/app/audiences/${id}`, "routes/app.audiences.$id", { intent: "request-scope" });
      expect(request.status).toBe(401);
      const reauth = new URL(request.headers.get("X-Shopify-API-Request-Failure-Reauthorize-Url")!);
      expect(reauth.pathname).toBe("/admin/oauth/install");
      expect(reauth.searchParams.get("optional_scopes")).toBe("write_customers");
      // A shop that already granted it is not sent anywhere.
      const granted = await post(app, SYNC, `/app/audiences/${audienceId}`, "routes/app.audiences.$id", { intent: "request-scope" });
      expect(granted.status).toBe(200);
    });
  });
});

/** The server process of a TestApp: its pid when the helper exposes it, else found by its database URL. */
function serverPid(app: TestApp): number {
  const known = (app as { pid?: number }).pid;
  if (known) return known;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      const env = readFileSync(`/proc/${entry}/environ`, "utf8").split("\0");
      if (cmd.includes("build/server.js") && env.includes(`DATABASE_URL=${app.dbUrl}`)) return Number(entry);
    } catch {
      /* gone or not ours */
    }
  }
  throw new Error("server process not found");
}
