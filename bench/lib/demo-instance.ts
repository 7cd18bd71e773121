/**
 * A demo instance the way scripts/demo.mts makes one — migrated SQLite file, local
 * Shopify Admin API stand-in, the demo server (scripts/demo/server.ts: the real server
 * with the demo's stand-ins and the fetch intercept), the demo shop seeded through the real pixel and orders webhooks — but
 * running the build snapshot (bench/lib/app-process.ts), so a rebuild of build/ by
 * other work on the machine cannot pull the files from under it.
 */
import { createDb } from "../../db/prisma";
import { demoServerArgs } from "../../scripts/demo/args";
import { ensureDemoShop } from "../../scripts/lib/demo-shop";
import { migrate } from "../../scripts/lib/migrate";
import { startLocalShopify } from "../../scripts/local-shopify/server";
import { freePort, spawnListening, type ServerProcess } from "./app-process";

export const DEMO_API_KEY = "demo-api-key";
export const DEMO_API_SECRET = "demo-api-secret-local-only";

export interface DemoInstance {
  /** http://localhost:<port> */
  url: string;
  shopId: number;
  /** The server's latest output (stdout and stderr). */
  logs(): string[];
  stop(): Promise<void>;
}

export async function startDemoInstance(opts: { root: string; appDir: string; dbUrl: string; visitors: number }): Promise<DemoInstance> {
  await migrate(opts.dbUrl, { quiet: true });
  const shopify = await startLocalShopify({ apiKey: DEMO_API_KEY, apiSecret: DEMO_API_SECRET });
  let server: ServerProcess | null = null;
  try {
    const port = await freePort();
    const appUrl = `http://localhost:${port}`;
    server = await spawnListening({
      cwd: opts.appDir,
      args: demoServerArgs(opts.root),
      label: "demo server",
      env: {
        ...process.env,
        NODE_ENV: "production",
        DATABASE_URL: opts.dbUrl,
        SHOPIFY_API_KEY: DEMO_API_KEY,
        SHOPIFY_API_SECRET: DEMO_API_SECRET,
        SHOPIFY_APP_URL: appUrl,
        PORT: String(port),
        HOST: "127.0.0.1",
        // As scripts/demo.mts: the backfill covers 30 days and comes from one address.
        INGEST_MAX_AGE_HOURS: String(24 * 35),
        INGEST_IP_RPS: "100000",
        INGEST_IP_BURST: "100000",
        LOCAL_SHOPIFY_URL: shopify.url,
      },
    });
    const { db } = createDb(opts.dbUrl);
    try {
      const shop = await ensureDemoShop(db);
      // demo-data reads DEMO_VISITORS when it is first imported.
      process.env.DEMO_VISITORS = String(opts.visitors);
      const { seedDemoData } = await import("../../scripts/lib/demo-data");
      // Loosely typed: the seeding options are still growing in scripts/lib/demo-data.ts.
      await (seedDemoData as unknown as (o: Record<string, unknown>) => Promise<void>)({
        db,
        shop,
        ingestUrl: `${appUrl}/collect`,
        appUrl,
        apiSecret: DEMO_API_SECRET,
      });
      const running = server;
      return {
        url: appUrl,
        shopId: shop.id,
        logs: () => running.logs,
        async stop() {
          await running.stop(20_000);
          await shopify.close();
        },
      };
    } finally {
      await db.$disconnect();
    }
  } catch (e) {
    await server?.stop();
    await shopify.close();
    throw e;
  }
}
