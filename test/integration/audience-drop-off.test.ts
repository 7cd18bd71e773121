/**
 * "Make an audience of these drop-offs" (issue 22, item 3) over real HTTP against the
 * production build, on SQLite and PostgreSQL: the audience made from a report's step has
 * exactly the report's dropOff at that step (sessions or visitors), its visitors and
 * customers are the generator's drop-offs (waiting sessions left out, customers who got
 * past the step another time excluded), the CSV serves them, and another shop cannot use
 * the funnel id.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseReportCsv } from "../../core/csv";
import { ensureDemoShop } from "../../scripts/lib/demo-shop";
import { startApp, type TestApp } from "../helpers/app-server";
import { adminHeaders } from "../helpers/shopify-auth";
import { seededRandom, seedJourneys, type SeedEvent, type SeedJourney } from "../helpers/funnel-seed";

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const NAMES = ["ao_view", "ao_cart", "ao_checkout"];

interface SessionTruth {
  clientId: string;
  customerId: string | null;
  furthest: number;
  waiting: boolean;
}

/** Visitors with 1–2 sessions days apart; every 4th logged in as its own customer; 3 sessions still open. */
function traffic(now: number, prefix: string): { journeys: SeedJourney[]; sessions: SessionTruth[] } {
  const rnd = seededRandom(21);
  const journeys: SeedJourney[] = [];
  const sessions: SessionTruth[] = [];
  for (let v = 0; v < 400; v++) {
    const clientId = `${prefix}-${v}`;
    const customerId = v % 4 === 0 ? `${9000 + v}` : null;
    const events: SeedEvent[] = [];
    const count = v % 5 === 0 ? 2 : 1;
    for (let s = 0; s < count; s++) {
      const start = now - 25 * DAY + Math.floor(rnd() * 8 * DAY) + s * 10 * DAY;
      const r = rnd();
      const furthest = r < 0.35 ? 1 : r < 0.7 ? 2 : 3;
      NAMES.slice(0, furthest).forEach((name, k) => events.push({ name, ts: start + k * MIN, ...(customerId ? { customerId } : {}) }));
      sessions.push({ clientId, customerId, furthest, waiting: false });
    }
    journeys.push({ clientId, events });
  }
  // Open sessions (last event minutes ago): waiting, not drop-offs.
  for (let w = 0; w < 3; w++) {
    const clientId = `${prefix}-open-${w}`;
    journeys.push({
      clientId,
      events: [
        { name: NAMES[0], ts: now - 4 * MIN },
        { name: NAMES[1], ts: now - 3 * MIN },
      ],
    });
    sessions.push({ clientId, customerId: null, furthest: 2, waiting: true });
  }
  return { journeys, sessions };
}

describe.each(["sqlite", "postgres"] as const)("funnel step drop-off audience on %s", (kind) => {
  let app: TestApp;
  const now = Date.now();
  const SHOP = `dropaud-${kind}.myshopify.com`;
  const OTHER = `dropaud-other-${kind}.myshopify.com`;
  let truth: SessionTruth[] = [];
  const funnels: Record<"session" | "visitor", string> = { session: "", visitor: "" };

  const get = (path: string, shop: string) => fetch(`${app.url}${path}`, { headers: adminHeaders(shop), redirect: "manual" });
  const data = async (path: string, routeId: string, shop = SHOP) => {
    const res = await get(`${path}${path.includes("?") ? "&" : "?"}_data=${encodeURIComponent(routeId)}`, shop);
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  const post = (path: string, routeId: string, form: Record<string, string>, shop = SHOP) =>
    fetch(`${app.url}${path}?_data=${encodeURIComponent(routeId)}`, {
      method: "POST",
      headers: { ...adminHeaders(shop), "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(form).toString(),
      redirect: "manual",
    });
  const makeAudience = async (funnelId: string, form: Record<string, string>, shop = SHOP) =>
    post(`/app/funnels/${funnelId}/audience`, "routes/app.funnels.$id.audience", form, shop);

  beforeAll(async () => {
    app = await startApp({ db: kind });
    const shop = await ensureDemoShop(app.db, { domain: SHOP, ingestKey: `ik_${SHOP}`, timeZone: "UTC" });
    await ensureDemoShop(app.db, { domain: OTHER, ingestKey: `ik_${OTHER}`, timeZone: "UTC" });
    const t = traffic(now, `da-${kind}`);
    truth = t.sessions;
    await seedJourneys(app.db, shop.id, t.journeys);
    for (const unit of ["session", "visitor"] as const) {
      const definition = {
        name: `Drop-offs per ${unit}`,
        unit,
        ...(unit === "visitor" ? { windowMinutes: 60 } : {}),
        steps: NAMES.map((event, i) => ({ label: ["Viewed", "Carted", "Checked out"][i], anyOf: [{ event, filters: [] }] })),
      };
      const res = await post("/app/funnels/new", "routes/app.funnels.new", { definition: JSON.stringify(definition) });
      expect(res.status).toBe(204);
      funnels[unit] = decodeURIComponent(/^\/app\/funnels\/([^/?]+)$/.exec(res.headers.get("X-Remix-Redirect") ?? "")![1]);
    }
  }, 180_000);
  afterAll(() => app?.stop());

  it("a session funnel's step: as many sessions as the report's dropOff, the right visitors and customers, in the CSV", async () => {
    const report = await (await get(`/app/funnels/${funnels.session}/report?range=last30`, SHOP)).json();
    for (const step of [2, 3]) {
      const dropped = truth.filter((s) => s.furthest === step - 1 && !s.waiting);
      expect(report.steps[step - 1].dropOff).toBe(dropped.length);
      const res = await makeAudience(funnels.session, { step: String(step), range: "last30" });
      expect(res.status).toBe(204);
      const id = res.headers.get("X-Remix-Redirect")!.split("/").pop()!;
      const page = await data(`/app/audiences/${id}`, "routes/app.audiences.$id");
      expect(page.status).toBe(200);
      expect(page.body.audience).toMatchObject({ kind: "funnel-drop-off", dropOff: { funnelId: funnels.session, step, range: { range: "last30" } } });
      expect(page.body.dropOff).toMatchObject({
        units: report.steps[step - 1].dropOff,
        unit: "session",
        fromLabel: report.steps[step - 2].label,
        toLabel: report.steps[step - 1].label,
      });
      expect(page.body.history).toBeNull();
      // Visitors of those sessions; customers of them, minus those who got past the step in another session.
      const visitors = new Set(dropped.map((s) => s.clientId));
      expect(page.body.size.memberVisitors).toBe(visitors.size);
      expect(visitors.size).toBeLessThan(dropped.length); // some visitors dropped twice: sessions ≠ visitors
      const passed = new Set(truth.filter((s) => s.furthest >= step && s.customerId).map((s) => s.customerId));
      const customers = [...new Set(dropped.filter((s) => s.customerId && !passed.has(s.customerId)).map((s) => s.customerId!))].sort();
      expect(page.body.size.identifiedCustomers).toBe(customers.length);
      expect(page.body.size.excludedCustomers).toBe(new Set(dropped.filter((s) => s.customerId && passed.has(s.customerId)).map((s) => s.customerId)).size);
      expect(page.body.size.anonymousVisitors).toBe(new Set(dropped.filter((s) => !s.customerId).map((s) => s.clientId)).size);
      const csv = await get(`/app/audiences/${id}/csv`, SHOP);
      expect(csv.status).toBe(200);
      // The app's report header block, then the customers table.
      const { meta, table } = parseReportCsv(await csv.text());
      expect(meta.Unit).toBe("customer");
      expect(meta.Window).toContain(`and not step ${step} of funnel ${funnels.session}`);
      const [header, ...lines] = table.filter((r) => r.some((c) => c !== ""));
      expect(header).toEqual(["customer_id", "shopify_customer_gid", "customer_admin_url", "member_visitors", "last_micro_conversion_at"]);
      expect(lines.map((l) => l[0]).sort()).toEqual(customers);
      // The same click again returns the same audience.
      const again = await makeAudience(funnels.session, { step: String(step), range: "last30" });
      expect(again.headers.get("X-Remix-Redirect")).toBe(`/app/audiences/${id}`);
    }
  });

  it("a visitor funnel's step: as many visitors as the report's dropOff, and the list shows the same size", async () => {
    const report = await (await get(`/app/funnels/${funnels.visitor}/report?range=last30`, SHOP)).json();
    const res = await makeAudience(funnels.visitor, { step: "3", range: "last30" });
    expect(res.status).toBe(204);
    const id = res.headers.get("X-Remix-Redirect")!.split("/").pop()!;
    const page = await data(`/app/audiences/${id}`, "routes/app.audiences.$id");
    expect(report.steps[2].dropOff).toBeGreaterThan(0);
    expect(page.body.dropOff).toMatchObject({ units: report.steps[2].dropOff, unit: "visitor" });
    expect(page.body.size.memberVisitors).toBe(report.steps[2].dropOff);
    const list = await data("/app/audiences", "routes/app.audiences._index");
    expect(list.body.audiences.find((a: { audience: { id: string } }) => a.audience.id === id).size.memberVisitors).toBe(report.steps[2].dropOff);
  });

  it("another shop cannot use the funnel id; bad steps and ranges are 400s with a message", async () => {
    const other = await makeAudience(funnels.session, { step: "2", range: "last30" }, OTHER);
    expect(other.status).toBe(404);
    expect((await other.json()).error).toBe("No funnel with this id in this shop");
    expect(await app.db.audience.count({ where: { shopId: (await app.db.shop.findUniqueOrThrow({ where: { domain: OTHER } })).id } })).toBe(0);
    for (const [form, message] of [
      [{ step: "1", range: "last30" }, /^step must be a step number from 2 to 3/],
      [{ step: "4", range: "last30" }, /^step must be a step number from 2 to 3/],
      [{ step: "x", range: "last30" }, /^step: /],
      [{ step: "2", range: "forever" }, /^range: range must be one of/],
      [{ step: "2", range: "custom", from: "2026-02-30", to: "2026-03-02" }, /from/],
    ] as const) {
      const res = await makeAudience(funnels.session, form as Record<string, string>);
      expect(res.status, JSON.stringify(form)).toBe(400);
      expect((await res.json()).error).toMatch(message);
    }
  });
});
