/**
 * The demo server: the production server (build/server.js, unchanged) with the demo
 * layer (./layer.ts) in front of its Remix handler. Started by scripts/demo.mts and the
 * bench's demo instance with `demoServerArgs` (./args.ts), never in production: it mints
 * admin session tokens (for DEMO_SERVER_SHOP, default the demo shop), so it refuses to start unless SHOPIFY_APP_URL is a localhost URL.
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import { DEMO_SHOP } from "../lib/demo-shop";
import { demoLayer } from "./layer";

const appUrl = process.env.SHOPIFY_APP_URL ?? "";
const host = URL.canParse(appUrl) ? new URL(appUrl).hostname : "";
if (!(host === "localhost" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host))) {
  console.error(`[demo] the demo server runs only with a localhost SHOPIFY_APP_URL, not "${appUrl}"`);
  process.exit(1);
}
globalThis.__mcServerLayers = [
  demoLayer({ shop: process.env.DEMO_SERVER_SHOP || DEMO_SHOP, apiKey: process.env.SHOPIFY_API_KEY ?? "", apiSecret: process.env.SHOPIFY_API_SECRET ?? "" }),
];
await import(pathToFileURL(path.join(process.cwd(), "build/server.js")).href);
