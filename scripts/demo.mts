/**
 * `npm run demo`: the whole app on this machine with no Shopify account and no network.
 * Migrates a SQLite file, builds, starts the local Shopify stand-in and the real
 * server behind the demo's App Bridge stand-in (scripts/demo/), seeds a demo shop, and
 * prints the URL to open.
 */
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { createDb } from "../db/prisma";
import { demoServerArgs } from "./demo/args";
import { buildApp } from "./lib/build";
import { migrate } from "./lib/migrate";
import { installDemoShop } from "./lib/demo-shop";
import { seedDemoData } from "./lib/demo-data";
import { seedDemoExperiment } from "./lib/demo-experiment";
import { startLocalShopify } from "./local-shopify/server";

const root = path.resolve(import.meta.dirname, "..");
const port = Number(process.env.PORT ?? 3000);
const appUrl = process.env.SHOPIFY_APP_URL ?? `http://localhost:${port}`;
const env = {
  ...process.env,
  DATABASE_URL: process.env.DATABASE_URL ?? `file:${path.join(root, ".data/demo.sqlite")}`,
  SHOPIFY_API_KEY: process.env.SHOPIFY_API_KEY ?? "demo-api-key",
  SHOPIFY_API_SECRET: process.env.SHOPIFY_API_SECRET ?? "demo-api-secret-local-only",
  SHOPIFY_APP_URL: appUrl,
  PORT: String(port),
  // The demo backfills 30 days through the real pixel, and every simulated visitor
  // comes from 127.0.0.1: relax the age rule and per-address limit for it.
  INGEST_MAX_AGE_HOURS: String(24 * 35),
  INGEST_IP_RPS: "100000",
  INGEST_IP_BURST: "100000",
  HOST: process.env.HOST ?? "127.0.0.1",
};

const step = (n: number, text: string) => console.log(`[demo ${n}/5] ${text}`);

mkdirSync(path.join(root, ".data"), { recursive: true });
step(1, `migrating ${env.DATABASE_URL}`);
await migrate(env.DATABASE_URL, { quiet: true });

if (process.env.SKIP_BUILD !== "1") {
  step(2, "building the app (about 20 s)");
  buildApp();
} else step(2, "build skipped (SKIP_BUILD=1)");

step(3, "starting the local Shopify Admin API stand-in");
const shopify = await startLocalShopify({ apiKey: env.SHOPIFY_API_KEY, apiSecret: env.SHOPIFY_API_SECRET });

step(4, `starting the server on ${appUrl}`);
// The production build, with the demo's stand-ins in front (scripts/demo/server.ts).
const server = spawn(process.execPath, demoServerArgs(root), {
  cwd: root,
  env: { ...env, NODE_ENV: "production", LOCAL_SHOPIFY_URL: shopify.url },
  stdio: ["ignore", "pipe", "inherit"],
});
await new Promise<void>((resolve, reject) => {
  server.stdout!.on("data", (chunk: Buffer) => {
    const text = chunk.toString();
    if (process.env.DEMO_VERBOSE) process.stdout.write(text);
    if (text.includes("listening on")) resolve();
  });
  server.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
});
// After start-up too: a server that dies must not leave the demo pretending to run.
server.once("exit", (code, signal) => {
  console.error(`[demo] the server stopped (${signal ?? `exit code ${code}`})`);
  process.exit(1);
});

step(5, "seeding the demo shop");
const { db } = createDb(env.DATABASE_URL);
// Installed on both sides (the local Admin API and the database), as the app's install
// hook would leave it: token, pixel and the orders/create subscription.
const shop = await installDemoShop(db, shopify, appUrl);
await seedDemoData({ db, shop, ingestUrl: `${appUrl}/collect`, appUrl, apiSecret: env.SHOPIFY_API_SECRET });
const experiment = await seedDemoExperiment({ appUrl, ingestKey: shop.ingestKey, shop: shop.domain, webhookSecret: env.SHOPIFY_API_SECRET });
console.log(
  `        demo A/B test: ${experiment.accepted.toLocaleString("en-US")} new events for ${experiment.visitors} exposed visitors, ` +
    `${experiment.orders} orders sent as orders/create webhooks (one per purchase)`,
);
await db.$disconnect();

console.log(`\nMicro-Conversions demo is running. Open:\n\n    ${appUrl}/demo\n\n(Ctrl-C to stop)`);

const stop = () => {
  server.removeAllListeners("exit");
  server.kill("SIGTERM");
  void shopify.close();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
