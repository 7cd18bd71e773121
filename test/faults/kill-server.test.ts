/**
 * kill -9 of the server in the middle of a 100k-event load from retrying clients:
 * after a restart, every acknowledged event is stored exactly once.
 */
import { afterAll, describe, expect, it } from "vitest";
import { ensureDemoShop } from "../../scripts/lib/demo-shop";
import { freshDatabase, startApp, type TestApp } from "../helpers/app-server";
import { makeBatches, newLoadResult, runLoad, until } from "../helpers/load-client";

const SHOP = "faults-shop.myshopify.com";
const KEY = "ik_faults_shop_key_0000000000";
const env = { INGEST_IP_RPS: "1000000", INGEST_IP_BURST: "1000000", INGEST_SHOP_RPS: "1000000", INGEST_SHOP_BURST: "1000000" };

describe("kill -9 during load (SQLite)", () => {
  const apps: TestApp[] = [];
  afterAll(async () => {
    for (const app of apps) await app.stop();
  });

  it("stores every acknowledged event exactly once after a restart", async () => {
    const dbUrl = await freshDatabase("sqlite");
    let app = await startApp({ dbUrl, env });
    apps.push(app);
    await ensureDemoShop(app.db, { domain: SHOP, ingestKey: KEY });
    const port = new URL(app.url).port;
    let url = app.url;

    const batches = makeBatches({ shop: SHOP, key: KEY, visitors: 5_000, eventsPerVisitor: 20, prefix: "k9" });
    const total = batches.length * 20;
    const live = newLoadResult();
    const load = runLoad({ target: () => url, batches, concurrency: 16, retryDelayMs: 50 }, live);

    // Kill the server hard twice while the load runs (at a third and two thirds of it,
    // not at fixed times a fast machine outruns), restart it on the same port.
    for (const share of [1 / 3, 2 / 3]) {
      await until(() => live.acknowledged.size >= total * share, `${Math.round(share * 100)} % of the load to be acknowledged`, 120_000);
      process.kill(app.pid, "SIGKILL");
      await new Promise((r) => setTimeout(r, 300));
      app = await startApp({ dbUrl, env: { ...env, PORT: port } });
      apps.push(app);
      url = app.url;
    }
    const result = await load;

    expect(result.networkErrors).toBeGreaterThan(0); // the kills did hit in-flight requests
    expect(result.acknowledged.size).toBe(total);
    const shop = await app.db.shop.findUniqueOrThrow({ where: { domain: SHOP } });
    expect(await app.db.event.count({ where: { shopId: shop.id } })).toBe(total);
    // Sessions are consistent with the events after the crash too: every event in one.
    const orphan = await app.db.$queryRawUnsafe<{ n: number | bigint }[]>(
      `SELECT COUNT(*) AS n FROM "Event" e LEFT JOIN "VisitorSession" s ON s."shopId" = e."shopId" AND s."id" = e."sessionId" WHERE e."shopId" = $1 AND s."id" IS NULL`,
      shop.id,
    );
    expect(Number(orphan[0].n)).toBe(0);
  }, 300_000);
});
