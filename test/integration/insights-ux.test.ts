/**
 * Insights and Experiments as a merchant uses them, over real HTTP on the production
 * build, on SQLite and PostgreSQL: each CSV download starts with the header block
 * (report, unit, window, range, time zone, generated at) and its table equals the page's
 * numbers; bad settings report every error by field; a new shop's planner divides its
 * traffic by the days it has data for; the readout's funnel can be chosen; the arrival
 * check counts experiment views; the Insights rows' links open prefilled forms.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSimulation } from "../../scripts/lib/simulate-run";
import { seedDemoExperiment } from "../../scripts/lib/demo-experiment";
import { BROWSER_UA, startApp, type TestApp } from "../helpers/app-server";
import { adminHeaders } from "../helpers/shopify-auth";
import { parseCsv } from "../helpers/funnel-csv";
import { postBatch, visitor } from "../helpers/ingest";

const DAY = 86_400_000;
const ENV = { INGEST_MAX_AGE_HOURS: "840", INGEST_IP_RPS: "100000", INGEST_IP_BURST: "100000" };

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

/** A download split into its header block (rows before the first empty row) and its table. */
async function download(app: TestApp, shop: string, path: string) {
  const before = Date.now();
  const res = await fetch(`${app.url}${path}`, { headers: adminHeaders(shop) });
  const bytes = new Uint8Array(await res.arrayBuffer());
  const text = new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);
  expect(res.status, text).toBe(200);
  expect(res.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
  // UTF-8 BOM first, so Excel reads the labels' non-ASCII characters (→, ≥) right.
  expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  expect(text.endsWith("\r\n")).toBe(true);
  const rows = parseCsv(text);
  const blank = rows.findIndex((r) => r.length === 1 && r[0] === "");
  expect(blank).toBeGreaterThan(5);
  const head = rows.slice(0, blank);
  for (const r of head) expect(r).toHaveLength(2);
  const meta = Object.fromEntries(head.map(([k, v]) => [k, v]));
  expect(Object.keys(meta).slice(0, 6)).toEqual(["Report", "Unit", "Window", "Range", "Time zone", "Generated at"]);
  const generated = Date.parse(meta["Generated at"]);
  expect(meta["Generated at"]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  expect(generated).toBeGreaterThanOrEqual(before - 1000);
  expect(generated).toBeLessThanOrEqual(Date.now() + 1000);
  return { meta, table: rows.slice(blank + 1), disposition: res.headers.get("Content-Disposition") };
}

const num = (s: string) => (s === "" ? null : Number(s));

describe.each(["sqlite", "postgres"] as const)("insights UX on %s", (kind) => {
  let app: TestApp;
  const SHOP = `iux-${kind}.myshopify.com`;
  const OTHER = `iux-other-${kind}.myshopify.com`;
  const FRESH = `iux-fresh-${kind}.myshopify.com`;

  beforeAll(async () => {
    app = await startApp({ db: kind, env: ENV });
    const shop = await openApp(app, SHOP);
    await openApp(app, OTHER);
    const to = Date.now() - 60_000;
    const sim = await runSimulation({
      shop: SHOP,
      ingestKey: shop.ingestKey,
      ingestUrl: `${app.url}/collect`,
      visitors: 160,
      from: to - 30 * DAY,
      to,
      seed: 5,
    });
    expect(sim.dropped).toBe(0);
    const exp = await seedDemoExperiment({ appUrl: app.url, ingestKey: shop.ingestKey, shop: SHOP, visitors: 160 });
    expect(exp.rejected).toBe(0);
  }, 240_000);
  afterAll(() => app?.stop());

  it("Insights micro-value CSV: header block, then one row per micro step equal to the page", async () => {
    const q = "range=last30&goal=purchase&mde=15";
    const page = (await loaderData(app, SHOP, `/app/insights?${q}`, "routes/app.insights")).body.view;
    const { meta, table, disposition } = await download(app, SHOP, `/app/insights/csv?${q}&table=value`);
    expect(meta).toMatchObject({
      Report: "Insights: micro-conversion value (goal: Purchase)",
      Unit: "visitor",
      Range: `${page.range.fromDate} to ${page.range.toDate}`,
      "Time zone": page.range.timeZone,
      Visitors: String(page.microValue.visitors),
    });
    expect(meta.Window).toMatch(/before the visitor's first goal/);
    expect(disposition).toBe(`attachment; filename="insights-micro-value-${page.range.fromDate}-to-${page.range.toDate}.csv"`);
    expect(table[0]).toEqual([
      "micro_key",
      "micro_label",
      "did_visitors",
      "did_reached_goal",
      "did_goal_rate_pct",
      "did_not_visitors",
      "did_not_reached_goal",
      "did_not_goal_rate_pct",
      "lift",
      "lift_ci95_low",
      "lift_ci95_high",
      "lift_shown",
      "note",
    ]);
    const body = table.slice(1);
    expect(body.map((r) => r[0])).toEqual(page.microValue.rows.map((r: any) => r.key));
    for (const [i, r] of page.microValue.rows.entries()) {
      const c = body[i];
      expect([c[1], num(c[2]), num(c[3]), num(c[5]), num(c[6])]).toEqual([r.label, r.did.total, r.did.converted, r.didNot.total, r.didNot.converted]);
      if (r.did.total > 0) expect(num(c[4])).toBeCloseTo((100 * r.did.converted) / r.did.total, 2);
      expect(c[11]).toBe(r.lift.eligible ? "yes" : "no");
      if (r.lift.ratio !== null) expect(num(c[8])).toBeCloseTo(r.lift.ratio, 4);
    }
  });

  it("Insights planner CSV: header block with the settings and the baseline days, rows equal to the page", async () => {
    const q = "mde=20&alpha=0.1&power=0.9";
    const page = (await loaderData(app, SHOP, `/app/insights?${q}`, "routes/app.insights")).body.view;
    const { meta, table } = await download(app, SHOP, `/app/insights/csv?${q}&table=planner`);
    expect(meta).toMatchObject({
      Report: "Insights: A/B test planner",
      Unit: "visitor",
      "MDE (relative %)": "20",
      "Significance (alpha)": "0.1",
      Power: "0.9",
      Visitors: String(page.planner.visitors),
      "Baseline days": "28",
    });
    expect(table[0][0]).toBe("metric_key");
    expect(table.slice(1).map((r) => [r[0], num(r[3]), num(r[4]), num(r[6]), num(r[8])])).toEqual(
      page.planner.rows.map((r: any) => [r.key, r.baseline.converted, r.baseline.total, r.plan.ok ? r.plan.perVariant : null, r.plan.ok ? r.plan.weeks : null]),
    );
  });

  it("Experiments CSV: header block naming the funnel, one row per experiment × variant × step", async () => {
    const page = (await loaderData(app, SHOP, "/app/insights/experiments?range=last30", "routes/app.insights.experiments")).body.view;
    const { meta, table } = await download(app, SHOP, "/app/insights/experiments/csv?range=last30");
    expect(meta).toMatchObject({ Report: "Experiments: readout", Funnel: "Purchase template", Range: `${page.range.fromDate} to ${page.range.toDate}` });
    expect(meta.Unit).toMatch(/^visitor/);
    const x = page.experiments.find((e: any) => e.experiment === "pdp-free-shipping-banner");
    const rows = table.slice(1).filter((r) => r[0] === x.experiment);
    expect(rows).toHaveLength(x.variants.length * x.stepLabels.length);
    for (const v of x.variants) {
      const mine = rows.filter((r) => r[1] === v.variant);
      expect(mine.map((r) => [r[2], num(r[3]), num(r[4]), r[6], num(r[7])])).toEqual(
        x.stepLabels.map((label: string, i: number) => [v.isControl ? "yes" : "no", v.visitors, x.excludedVisitors, label, v.reached[i]]),
      );
      // Control rows carry no comparison; the variant's carry the page's difference.
      if (v.isControl) expect(mine.every((r) => r[9] === "")).toBe(true);
      else expect(num(mine[3][9])).toBeCloseTo(100 * x.comparisons[0].steps[3].comparison.diff, 2);
    }
  });

  it("bad settings: every bad parameter reported by field (page, CSV), not only the first", async () => {
    const { status, body } = await loaderData(app, SHOP, "/app/insights?mde=0&power=2&alpha=x&goal=revenue&range=last3", "routes/app.insights");
    expect(status).toBe(400);
    expect(Object.keys(body.fieldErrors).sort()).toEqual(["alpha", "goal", "mde", "power", "range"]);
    expect(body.fieldErrors.mde).toMatch(/mde must be above 0/);
    expect(body.fieldErrors.power).toMatch(/at most 0.99/);
    expect(body.error).toMatch(/mde: .*power: /s);
    const reversed = await loaderData(app, SHOP, "/app/insights?range=custom&from=2026-03-05&to=2026-03-01&mde=0", "routes/app.insights");
    expect(reversed.status).toBe(400);
    expect(reversed.body.fieldErrors).toEqual({ to: "from (2026-03-05) must be on or before to (2026-03-01)", mde: "mde must be above 0 %" });
    const csv = await fetch(`${app.url}/app/insights/csv?mde=0&table=nope`, { headers: adminHeaders(SHOP) });
    expect(csv.status).toBe(400);
    expect(Object.keys((await csv.json()).fieldErrors).sort()).toEqual(["table"]);
    const exp = await loaderData(app, SHOP, "/app/insights/experiments?power=0.1&funnel=../x", "routes/app.insights.experiments");
    expect(exp.status).toBe(400);
    expect(Object.keys(exp.body.fieldErrors).sort()).toEqual(["funnel", "power"]);
    expect(exp.body.arrivals.last24h).toBeGreaterThanOrEqual(0); // the check still loads
  });

  it("the readout's funnel can be chosen; another shop's funnel id is a 400", async () => {
    const created = await fetch(`${app.url}/app/funnels/new?_data=routes%2Fapp.funnels.new`, {
      method: "POST",
      headers: { ...adminHeaders(SHOP), "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ template: "newsletter" }).toString(),
      redirect: "manual",
    });
    const funnelId = created.headers.get("X-Remix-Redirect")!.split("/").pop()!;
    const steps = await app.db.funnelStep.findMany({ where: { funnelId }, orderBy: { position: "asc" } });
    const chosen = await loaderData(app, SHOP, `/app/insights/experiments?funnel=${funnelId}`, "routes/app.insights.experiments");
    expect(chosen.status).toBe(200);
    expect(chosen.body.view.source).toEqual({ kind: "chosen-funnel", name: "Newsletter signup", id: funnelId });
    expect(chosen.body.view.experiments[0].stepLabels).toEqual(steps.map((s) => s.label));
    expect(chosen.body.funnels.map((f: any) => f.id)).toContain(funnelId);
    const { meta } = await download(app, SHOP, `/app/insights/experiments/csv?funnel=${funnelId}`);
    expect(meta.Funnel).toBe("Newsletter signup");
    const template = await loaderData(app, SHOP, "/app/insights/experiments?funnel=template", "routes/app.insights.experiments");
    expect(template.body.view.source.kind).toBe("purchase-template");
    expect(template.body.view.experiments[0].stepLabels).toEqual(["Viewed a product", "Added to cart", "Started checkout", "Purchased"]);
    const foreign = await loaderData(app, OTHER, `/app/insights/experiments?funnel=${funnelId}`, "routes/app.insights.experiments");
    expect(foreign.status).toBe(400);
    expect(foreign.body.fieldErrors).toEqual({ funnel: "no funnel with this id in this shop" });
  });

  it("arrival check: experiment views of the last 24 h (incomplete ones apart) and the last seen", async () => {
    const shop = await app.db.shop.findUniqueOrThrow({ where: { domain: OTHER } });
    const before = (await loaderData(app, OTHER, "/app/insights/experiments", "routes/app.insights.experiments")).body.arrivals;
    expect(before).toMatchObject({ last24h: 0, last24hIncomplete: 0, lastSeen: null });
    const at = Date.now() - 5 * 60_000;
    const ev = (i: number, props: Record<string, unknown>, ts = at) => ({
      id: `arr-${kind}-${i}`,
      name: "mc:experiment_view",
      ts: new Date(ts).toISOString(),
      seq: i,
      clientId: visitor(`arr-${kind}-v${i}`),
      path: "/",
      props,
    });
    const res = await postBatch(app.url, {
      v: 1,
      shop: OTHER,
      key: shop.ingestKey,
      ua: BROWSER_UA,
      events: [
        ev(1, { experiment: "hero", variant: "control" }),
        ev(2, { experiment: "hero", variant: "b" }),
        ev(3, { experiment: "hero" }),
        ev(4, { experiment: "hero", variant: "b" }, Date.now() - 3 * DAY),
      ],
    });
    expect(res.status, res.text).toBe(202);
    const after = (await loaderData(app, OTHER, "/app/insights/experiments", "routes/app.insights.experiments")).body.arrivals;
    expect(after).toMatchObject({ last24h: 3, last24hIncomplete: 1 });
    expect(after.lastSeen).toBe(Date.parse(new Date(at).toISOString()));
  });

  it("a new shop: no visitors → empty figures; its planner divides by the days since install, not 28", async () => {
    const shop = await openApp(app, FRESH);
    const empty = (await loaderData(app, FRESH, "/app/insights", "routes/app.insights")).body.view;
    expect(empty.microValue.visitors).toBe(0);
    expect(empty.planner.visitors).toBe(0);
    expect(empty.dataSince).toBe(shop.installedAt.getTime());
    // Installed 3 days ago; 6 visitors since.
    const installedAt = new Date(Date.now() - 3 * DAY);
    await app.db.shop.update({ where: { id: shop.id }, data: { installedAt } });
    const events = Array.from({ length: 6 }, (_, i) => ({
      id: `fresh-${kind}-${i}`,
      name: i < 2 ? "checkout_completed" : "product_viewed",
      ts: new Date(Date.now() - (i + 1) * 3_600_000).toISOString(),
      seq: 1,
      clientId: visitor(`fresh-${kind}-v${i}`),
      path: "/products/a",
      ...(i < 2 ? { orderId: String(5_600_000_100 + i) } : {}),
    }));
    const res = await postBatch(app.url, { v: 1, shop: FRESH, key: shop.ingestKey, ua: BROWSER_UA, events });
    expect(res.status, res.text).toBe(202);
    const v = (await loaderData(app, FRESH, "/app/insights", "routes/app.insights")).body.view;
    expect(v.planner.visitors).toBe(6);
    expect(v.planner.sinceInstall).toBe(true);
    expect(v.planner.days).toBeGreaterThan(2.99);
    expect(v.planner.days).toBeLessThan(3.01);
    expect(v.planner.weeklyVisitors).toBeCloseTo((6 * 7) / v.planner.days, 9);
    expect(v.planner.from).toBe(installedAt.getTime());
    expect(v.dataSince).toBe(installedAt.getTime());
    const { meta } = await download(app, FRESH, "/app/insights/csv?table=planner");
    expect(Number(meta["Baseline days"])).toBeCloseTo(3, 1);
    expect(meta.Window).toMatch(/since the shop's data starts/);
  });

  it("Insights rows' links open prefilled forms: funnel (micro then goal), audience, planner", async () => {
    const funnel = await loaderData(app, SHOP, "/app/funnels/new?micro=scroll_75&goal=newsletter", "routes/app.funnels.new");
    expect(funnel.body.prefill).toEqual({
      name: "Scrolled ≥ 75 % of a page → Newsletter signup",
      unit: "visitor",
      windowMinutes: 30 * 24 * 60,
      template: null,
      steps: [
        {
          label: "Scrolled ≥ 75 % of a page",
          anyOf: [
            { event: "mc:scroll_depth", filters: [{ field: "prop", key: "percent", op: "equals", value: "75" }] },
            { event: "mc:scroll_depth", filters: [{ field: "prop", key: "percent", op: "equals", value: "90" }] },
          ],
        },
        { label: "Newsletter signup", anyOf: [{ event: "mc:form_submit", filters: [{ field: "prop", key: "formType", op: "equals", value: "customer" }] }] },
      ],
    });
    // The prefill is a valid definition: creating it as is works.
    const created = await fetch(`${app.url}/app/funnels/new?_data=routes%2Fapp.funnels.new`, {
      method: "POST",
      headers: { ...adminHeaders(SHOP), "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ definition: JSON.stringify(funnel.body.prefill) }).toString(),
      redirect: "manual",
    });
    expect(created.status).toBe(204);
    expect((await loaderData(app, SHOP, "/app/funnels/new?micro=nope&goal=purchase", "routes/app.funnels.new")).body.prefill).toBeNull();
    const custom = await loaderData(app, SHOP, "/app/funnels/new?micro=custom%3Amc%3Aquiz_done&goal=purchase", "routes/app.funnels.new");
    expect(custom.body.prefill.steps[0].anyOf).toEqual([{ event: "mc:quiz_done", filters: [] }]);
    const audience = await loaderData(app, SHOP, "/app/audiences/new?micro=add_to_cart&macro=goal%3Apurchase", "routes/app.audiences.new");
    expect(audience.body.prefill).toEqual({ micro: "add_to_cart", macro: "goal:purchase", name: "Added to cart, not Purchase" });
    expect((await loaderData(app, SHOP, "/app/audiences/new?micro=zzz", "routes/app.audiences.new")).body.prefill).toBeNull();
  });
});
