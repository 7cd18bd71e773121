/**
 * Tenant isolation over every admin route, generated from app/routes so new routes are
 * covered automatically; and no secrets or personal data in the server's logs.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDemoShop } from "../../scripts/lib/demo-shop";
import { adminRoutes, type RouteCase } from "../helpers/admin-routes";
import { API_SECRET, BROWSER_UA, startApp, type TestApp } from "../helpers/app-server";
import { seedJourneys } from "../helpers/funnel-seed";
import { createPixelHarness, findPii, withPii } from "../helpers/pixel-harness";
import { recentJourney } from "../helpers/ingest";
import { sessionToken } from "../helpers/shopify-auth";

const A = "tenant-a.myshopify.com";
const B = "tenant-b.myshopify.com";
const B_KEY = "ik_tenant_b_secret_key_123456";
const MARKERS = ["B-SECRET-FUNNEL", "B-SECRET-AUDIENCE", "/b-secret-path", "990099", B];

/** Routes with a loader: each is read with shop A's token. */
const loaderRoutes = () => adminRoutes().filter((r) => r.loader);

describe("tenant isolation on every admin route", () => {
  let app: TestApp;
  const ids: Record<string, { A: Record<string, string>; B: Record<string, string> }> = {};

  beforeAll(async () => {
    app = await startApp();
    const shopA = await ensureDemoShop(app.db, { domain: A, ingestKey: "ik_tenant_a_key_000000000000" });
    const shopB = await ensureDemoShop(app.db, { domain: B, ingestKey: B_KEY });
    const now = Date.now();
    for (const [shop, marker] of [
      [shopA, "/a-path"],
      [shopB, "/b-secret-path"],
    ] as const) {
      await seedJourneys(
        app.db,
        shop.id,
        Array.from({ length: 40 }, (_, i) => ({
          clientId: `${shop.domain}-v${i}`,
          events: [
            { name: "page_viewed", ts: now - 86_400_000 + i * 60_000, path: marker, customerId: shop === shopB ? "990099" : "110011" },
            { name: "product_viewed", ts: now - 86_400_000 + i * 60_000 + 1000, path: marker },
            { name: "product_added_to_cart", ts: now - 86_400_000 + i * 60_000 + 2000, path: marker, customerId: shop === shopB ? "990099" : "110011" },
          ],
        })),
      );
    }
    const matchers = (event: string) => JSON.stringify([{ event, filters: [] }]);
    const funnelIdFor = async (shopId: number, name: string) =>
      (
        await app.db.funnel.create({
          data: {
            shopId,
            name,
            isMain: true,
            steps: {
              create: [1, 2].map((p) => ({ shopId, position: p, label: `S${p}`, matchers: matchers(p === 1 ? "page_viewed" : "product_added_to_cart") })),
            },
          },
        })
      ).id;
    const audienceFor = async (shopId: number, name: string) =>
      (
        await app.db.audience.create({
          data: {
            shopId,
            name,
            tag: `mc-${shopId}`,
            microMatcher: JSON.stringify({ event: "product_added_to_cart", filters: [] }),
            macroMatcher: JSON.stringify({ event: "checkout_completed", filters: [] }),
          },
        })
      ).id;
    ids.funnels = { A: { $id: await funnelIdFor(shopA.id, "A funnel") }, B: { $id: await funnelIdFor(shopB.id, "B-SECRET-FUNNEL") } };
    ids.audiences = { A: { $id: await audienceFor(shopA.id, "A audience") }, B: { $id: await audienceFor(shopB.id, "B-SECRET-AUDIENCE") } };
    const dataRequestFor = async (shopId: number, customerId: string) =>
      (await app.db.dataRequest.create({ data: { shopId, requestKey: `dr:${shopId}`, customerId } })).id;
    ids["data-requests"] = { A: { $id: await dataRequestFor(shopA.id, "110011") }, B: { $id: await dataRequestFor(shopB.id, "990099") } };
  });
  afterAll(() => app?.stop());

  const routes = loaderRoutes();

  it("finds the admin routes (sanity: the generator sees the app)", () => {
    expect(routes.map((r) => r.url)).toEqual(expect.arrayContaining(["/app", "/app/settings", "/app/funnels/$id"]));
  });

  /** Fills a route's params with one shop's ids; every param must have a known owner. */
  const fill = (r: RouteCase, owner: "A" | "B") => {
    let url = r.url;
    for (const p of r.params) {
      const collection = url.split("/")[url.split("/").indexOf(p) - 1];
      const value = ids[collection]?.[owner]?.[p];
      if (!value) throw new Error(`security test: add an id for ${p} under /${collection} (route ${r.id})`);
      url = url.replace(p, value);
    }
    return url;
  };

  /** Required query parameters of some routes (otherwise they rightly answer 400). */
  const QUERY: Record<string, string> = {
    "routes/app.funnels.$id.csv": "table=steps",
    "routes/app.funnels.count": `draft=${encodeURIComponent(JSON.stringify({ unit: "session", windowMinutes: 10080, steps: [{ label: "a", anyOf: [{ event: "product_viewed", filters: [] }] }] }))}`,
  };
  const get = (r: RouteCase, url: string) =>
    fetch(`${app.url}${url}?${[QUERY[r.id], r.resource ? "" : `_data=${encodeURIComponent(r.id)}`].filter(Boolean).join("&")}`, {
      headers: { Authorization: `Bearer ${sessionToken(A)}`, "User-Agent": BROWSER_UA },
      redirect: "manual",
    });

  it.each(routes.map((r) => [r.url, r] as const))("%s shows shop A nothing of shop B", async (_url, r) => {
    const own = await get(r, fill(r, "A"));
    expect(own.status, `${r.id} with A's own ids`).toBeLessThan(400);
    const ownBody = await own.text();
    for (const m of MARKERS) expect(ownBody, `${r.id} leaks ${m}`).not.toContain(m);
    if (r.params.length > 0) {
      const other = await get(r, fill(r, "B"));
      expect(other.status, `${r.id} with B's ids`).toBe(404);
      const otherBody = await other.text();
      for (const m of MARKERS) expect(otherBody, `${r.id} leaks ${m}`).not.toContain(m);
    }
  });

  it("keeps secrets and personal data out of the server's logs", async () => {
    const pixel = await createPixelHarness({
      settings: { ingestUrl: `${app.url}/collect`, ingestKey: B_KEY },
      shop: B,
      customer: { id: "gid://shopify/Customer/990099", email: "jane.doe.pii@example.com" },
    });
    for (const e of recentJourney().map(withPii)) pixel.publish(e);
    await pixel.flush();
    await fetch(`${app.url}/collect`, { method: "POST", body: JSON.stringify({ v: 1, shop: B, key: "ik_wrong_key_attempt", events: [] }) });
    const logs = app.logs.join("");
    for (const secret of [API_SECRET, B_KEY, "ik_wrong_key_attempt", "shpat_"]) expect(logs).not.toContain(secret);
    expect(findPii(logs)).toEqual([]);
  });
});
