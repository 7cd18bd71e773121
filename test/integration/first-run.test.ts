/**
 * A new shop's first minutes over real HTTP on the production build, on SQLite and
 * PostgreSQL: installed through the app's own path (token exchange + afterAuth against
 * the local Admin API), zero events, then its first visitors. The dashboard and Coverage
 * CSVs are parsed with parseReportCsv and compared with the pages' loader data; every
 * other CSV of the app is checked to start with the same header block.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseReportCsv } from "../../core/csv";
import { BROWSER_UA, startApp, type TestApp } from "../helpers/app-server";
import { adminHeaders, sessionToken } from "../helpers/shopify-auth";
import { loaderData as parseLoader } from "../helpers/loader-data";
import { postBatch, visitor } from "../helpers/ingest";

const SHOP = "first-run.myshopify.com";
const HEADER_KEYS = ["Report", "Unit", "Window", "Range", "Time zone", "Generated at"];

async function data(app: TestApp, path: string, routeId: string) {
  const sep = path.includes("?") ? "&" : "?";
  const res = await fetch(`${app.url}${path}${sep}_data=${encodeURIComponent(routeId)}`, { headers: adminHeaders(SHOP) });
  expect(res.status, path).toBe(200);
  return parseLoader(res);
}

async function csv(app: TestApp, path: string) {
  const res = await fetch(`${app.url}${path}`, { headers: adminHeaders(SHOP) });
  expect(res.status, path).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
  expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="[\w.-]+\.csv"$/);
  const text = await res.text();
  const parsed = parseReportCsv(text);
  // The header block: the standard keys first, in order, each with a value.
  expect(Object.keys(parsed.meta).slice(0, HEADER_KEYS.length), path).toEqual(HEADER_KEYS);
  for (const k of HEADER_KEYS) expect(parsed.meta[k], `${path} ${k}`).not.toBe("");
  expect(parsed.meta["Range"]).toMatch(/^\d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}$/);
  expect(Date.parse(parsed.meta["Generated at"])).toBeGreaterThan(Date.now() - 120_000);
  return parsed;
}

const num = (cell: string) => (cell === "" ? null : Number(cell));

for (const db of ["sqlite", "postgres"] as const) {
  describe(`a new shop's first minutes (${db})`, () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startApp({ db, env: { INGEST_IP_RPS: "100000", INGEST_IP_BURST: "100000" } });
      // What Shopify admin loads when the merchant opens the app right after install.
      const host = Buffer.from(`admin.shopify.com/store/${SHOP.split(".")[0]}`).toString("base64url");
      const res = await fetch(`${app.url}/app?embedded=1&shop=${SHOP}&host=${host}&id_token=${sessionToken(SHOP)}`, { headers: { "User-Agent": BROWSER_UA } });
      expect(res.status).toBe(200);
      expect(await res.text()).not.toContain("has not been created");
    }, 60_000);
    afterAll(() => app?.stop());

    it("zero events: no comparison with days before the install, coverage from the install day, CSVs equal the pages", async () => {
      const shop = await app.db.shop.findUniqueOrThrow({ where: { domain: SHOP } });
      expect(shop.pixelStatus).toBe("created");

      const dash = await data(app, "/app", "routes/app._index");
      expect(dash.tracking.events).toBe(0);
      expect(dash.previousPeriod).toEqual({ kind: "none", since: shop.installedAt.getTime() });
      const d = await csv(app, "/app/dashboard/csv");
      expect(d.meta).toMatchObject({
        Report: "Dashboard",
        Unit: "session",
        Range: `${dash.range.fromDate} to ${dash.range.toDate}`,
        "Time zone": "America/New_York",
        "Events received": "0",
        "Data since": shop.installedAt.toISOString(),
      });
      expect(d.meta["Previous range"]).toMatch(/^none: data starts \d{4}-\d{2}-\d{2}$/);
      expect(d.table[0][0]).toBe("Figure");
      // Sessions 0 this period; the previous period is blank, not 0.
      expect(d.table[1].slice(0, 5)).toEqual(["Sessions", "0", "", "", ""]);

      const cov = await data(app, "/app/coverage", "routes/app.coverage");
      // The install day only: the 29 earlier days of the last 30 are left out.
      expect(cov.coverage.days.map((x: { date: string }) => x.date)).toEqual([cov.coverage.range.toDate]);
      expect(cov.hiddenDays).toBe(29);
      const c = await csv(app, "/app/coverage/csv");
      expect(c.meta).toMatchObject({ Report: "Tracking coverage", "Days before the data start left out": "29" });
      expect(c.table.map((r) => r[0])).toEqual(["Day", cov.coverage.range.toDate, "Range"]);

      // A bad range is the merchant's mistake: 400 with the message, never a file.
      const bad = await fetch(`${app.url}/app/coverage/csv?range=custom&from=2026-02-10&to=2026-01-01`, { headers: adminHeaders(SHOP) });
      expect(bad.status).toBe(400);
      expect((await bad.json()).error).toMatch(/from .* must be on or before to/);
    });

    it("with its first visitors: the dashboard CSV equals the loader's figures and every CSV of the app starts with the header block", async () => {
      const shop = await app.db.shop.findUniqueOrThrow({ where: { domain: SHOP } });
      const now = Date.now();
      const events = [];
      for (let v = 0; v < 30; v++) {
        const clientId = visitor(`first-run-${db}-${v}`);
        const ts = (k: number) => new Date(now - 20 * 60_000 + v * 10_000 + k * 1000).toISOString();
        events.push({ id: `fr-${v}-0`, name: "page_viewed", ts: ts(0), seq: 0, clientId, path: "/" });
        if (v % 2 === 0) events.push({ id: `fr-${v}-1`, name: "product_added_to_cart", ts: ts(1), seq: 1, clientId, path: "/products/a", productId: "101" });
        if (v % 5 === 0) events.push({ id: `fr-${v}-2`, name: "checkout_started", ts: ts(2), seq: 2, clientId, path: "/checkout", checkoutToken: `tok-${v}` });
        if (v % 10 === 0)
          events.push({
            id: `fr-${v}-3`,
            name: "checkout_completed",
            ts: ts(3),
            seq: 3,
            clientId,
            path: "/checkout/thank-you",
            orderId: String(7_000_000 + v),
          });
      }
      for (let i = 0; i < events.length; i += 40) {
        const res = await postBatch(app.url, { v: 1, shop: SHOP, key: shop.ingestKey, events: events.slice(i, i + 40) }, { "User-Agent": BROWSER_UA });
        expect(res.status).toBe(202);
        expect(res.json.rejected).toEqual([]);
      }

      const dash = await data(app, "/app", "routes/app._index");
      expect(dash.sessions.current).toBe(30);
      const d = await csv(app, "/app/dashboard/csv");
      expect(d.meta["Events received"]).toBe(String(dash.tracking.events));
      expect(d.meta["Main funnel"]).toBe(dash.mainFunnel.name);
      expect(d.table[1][1]).toBe("30");
      const byLabel = new Map(d.table.slice(2).map((r) => [r[0], r]));
      expect(byLabel.size).toBe(dash.rates.length);
      for (const r of dash.rates) {
        const row = byLabel.get(r.label)!;
        expect([num(row[1]), num(row[2]), num(row[3])]).toEqual([r.sessions, r.of, r.rate]);
        // Still no earlier period: the shop is minutes old.
        expect(row.slice(4)).toEqual(["", "", "", ""]);
      }
      expect(byLabel.get("Add-to-cart rate")!.slice(1, 3)).toEqual(["15", "30"]);
      expect(byLabel.get("Checkout start rate")!.slice(1, 3)).toEqual(["6", "30"]);

      // Coverage: the CSV's rows are the page's days and total, cell for cell.
      const cov = await data(app, "/app/coverage", "routes/app.coverage");
      expect(cov.coverage.total.pixelPurchases).toBe(3);
      const c = await csv(app, "/app/coverage/csv");
      const figures = (label: string, f: any) =>
        [
          label,
          f.onlineOrders,
          f.seen,
          f.missed,
          f.missedRecent,
          f.rate,
          f.pixelPurchases,
          f.pixelPurchasesWithoutOrder,
          f.unmatched.awaitingOrder,
          f.unmatched.otherChannel,
          f.unmatched.noOrder,
          f.otherChannelOrders,
        ].map((x) => (x === null ? "" : String(x)));
      expect(c.table.slice(1)).toEqual([...cov.coverage.days.map((x: any) => figures(x.date, x)), figures("Range", cov.coverage.total)]);

      // Every other export starts with the same block.
      const funnels = await app.db.funnel.findMany({ where: { shopId: shop.id } });
      expect(funnels.length).toBeGreaterThan(0);
      for (const table of ["steps", "breakdown", "trend"]) {
        const f = await csv(app, `/app/funnels/${funnels[0].id}/csv?table=${table}&range=last7${table === "breakdown" ? "&breakdown=device" : ""}`);
        expect(f.meta.Report).toBeTruthy();
      }
      for (const path of ["/app/insights/csv?table=value", "/app/insights/csv?table=planner", "/app/insights/experiments/csv"]) await csv(app, path);
      const made = await fetch(`${app.url}/app/audiences/new?_data=routes%2Fapp.audiences.new`, {
        method: "POST",
        headers: { ...adminHeaders(SHOP), "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ kind: "template", template: "carted_not_bought" }).toString(),
        redirect: "manual",
      });
      expect(made.status).toBe(204);
      await csv(app, `${made.headers.get("X-Remix-Redirect")}/csv`);
    });
  });
}
