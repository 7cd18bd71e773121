/**
 * PostgreSQL crashes and comes back during a load: clients get 503 (never a lost
 * acknowledgement), retry, and every acknowledged event is stored exactly once.
 */
import { afterAll, describe, expect, it } from "vitest";
import { ensureDemoShop } from "../../scripts/lib/demo-shop";
import { migrate } from "../../scripts/lib/migrate";
import { createDatabase, startPgServer, type PgServer } from "../../scripts/lib/pg-server";
import { startApp, type TestApp } from "../helpers/app-server";
import { makeBatches, newLoadResult, runLoad, until } from "../helpers/load-client";

const SHOP = "pg-faults.myshopify.com";
const KEY = "ik_pg_faults_key_00000000000";
const env = { INGEST_IP_RPS: "1000000", INGEST_IP_BURST: "1000000", INGEST_SHOP_RPS: "1000000", INGEST_SHOP_BURST: "1000000" };

describe("database crash during load (PostgreSQL)", () => {
  let pg: PgServer;
  let app: TestApp | undefined;
  afterAll(async () => {
    await app?.stop();
    pg?.stop();
  });

  it("answers 503 while the database is down and loses nothing acknowledged", async () => {
    // A server of its own: crashing the shared test server would break other tests.
    pg = startPgServer(54339);
    const dbUrl = await createDatabase(pg.baseUrl, "faults");
    await migrate(dbUrl, { quiet: true });
    app = await startApp({ dbUrl, env });
    await ensureDemoShop(app.db, { domain: SHOP, ingestKey: KEY });

    const batches = makeBatches({ shop: SHOP, key: KEY, visitors: 1_500, eventsPerVisitor: 20, prefix: "pgk" });
    const total = batches.length * 20;
    const live = newLoadResult();
    const load = runLoad({ target: () => app!.url, batches, concurrency: 8, retryDelayMs: 100 }, live);
    // Strike a tenth of the way in (not after a fixed time, which a fast machine outruns)
    // and stay down until clients have seen the outage.
    await until(() => live.acknowledged.size >= total / 10, "a tenth of the load to be acknowledged");
    pg.crash();
    // On a timeout, show the server's last words (a crashed server gives no 503s).
    await until(() => (live.statuses.get(503) ?? 0) > 0, "a 503 while PostgreSQL is down").catch((e: Error) => {
      throw new Error(
        `${e.message}; statuses ${JSON.stringify([...live.statuses])}, network errors ${live.networkErrors}; server log:\n${app!.logs.join("").slice(-3_000)}`,
      );
    });
    // Down longer than the shop lookup cache lives (10 s): lookups fail too, and must answer 503 as well.
    await new Promise((r) => setTimeout(r, 11_000));
    pg.restart();
    const result = await load;

    // The same server process answered throughout: the crash took the database down, not the app.
    expect(() => process.kill(app!.pid, 0)).not.toThrow();
    expect(result.statuses.get(503) ?? 0).toBeGreaterThan(0);
    expect(result.statuses.get(500) ?? 0).toBe(0);
    expect(result.retryAfterMissing).toBe(0);
    expect(result.acknowledged.size).toBe(total);
    const shop = await app.db.shop.findUniqueOrThrow({ where: { domain: SHOP } });
    expect(await app.db.event.count({ where: { shopId: shop.id } })).toBe(total);
  }, 300_000);
});
