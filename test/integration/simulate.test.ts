import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDemoShop } from "../../scripts/lib/demo-shop";
import { runSimulation } from "../../scripts/lib/simulate-run";
import { simulateVisitors } from "../../scripts/lib/simulation";
import { startApp, type TestApp } from "../helpers/app-server";

const SHOP = "sim-shop.myshopify.com";
const KEY = "ik_sim_shop_key_000000000000";

describe("traffic simulator → real pixel → /collect", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp({ env: { INGEST_IP_RPS: "100000", INGEST_IP_BURST: "100000" } });
    await ensureDemoShop(app.db, { domain: SHOP, ingestKey: KEY });
  });
  afterAll(() => app?.stop());

  it("stores every consented event once, with repeats collapsed, and the sessions the journeys contain", async () => {
    const to = Date.now() - 60_000;
    const opts = { shop: SHOP, visitors: 120, from: to - 2 * 86_400_000, to, seed: 7 };
    const result = await runSimulation({ ...opts, ingestUrl: `${app.url}/collect`, ingestKey: KEY });

    // Expected from the generated journeys themselves.
    const visitors = simulateVisitors(opts).filter((v) => v.consent);
    const events = visitors.flatMap((v) => v.events);
    const unique = new Set(
      events.map((e) => {
        const checkout = (e.data as { checkout?: { token: string; order?: { id: string } } } | undefined)?.checkout;
        if (e.name === "checkout_started") return `cs:${checkout!.token}`;
        if (e.name === "checkout_completed") return `cc:${checkout!.order!.id}`;
        return e.id;
      }),
    );
    expect(result.dropped).toBe(0);
    expect(result.sent).toBe(events.length);
    expect(result.discardedNoConsent).toBeGreaterThan(0);

    const shop = await app.db.shop.findUniqueOrThrow({ where: { domain: SHOP } });
    expect(await app.db.event.count({ where: { shopId: shop.id } })).toBe(unique.size);
    const repeats = events.length - unique.size;
    expect(repeats).toBeGreaterThan(0); // the journeys do contain platform repeats

    // Sessions: a new one after each gap over 30 minutes, per visitor.
    let sessions = 0;
    for (const v of visitors) {
      const ts = v.events.map((e) => Date.parse(e.timestamp)).sort((a, b) => a - b);
      sessions += ts.filter((t, i) => i === 0 || t - ts[i - 1] > 30 * 60_000).length;
    }
    expect(await app.db.visitorSession.count({ where: { shopId: shop.id } })).toBe(sessions);
    expect(await app.db.visitorSession.count({ where: { shopId: shop.id, visitorType: "new" } })).toBe(visitors.filter((v) => v.events.length > 0).length);
  });

  it("is deterministic for a seed", () => {
    const opts = { shop: SHOP, visitors: 30, from: 0, to: 5 * 86_400_000, seed: 3 };
    expect(simulateVisitors(opts)).toEqual(simulateVisitors(opts));
    expect(simulateVisitors({ ...opts, seed: 4 })).not.toEqual(simulateVisitors(opts));
  });
});
