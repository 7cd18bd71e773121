/**
 * `npm run simulate -- [--url http://localhost:3000] [--shop demo-shop.myshopify.com]
 *   [--key ik_…] [--visitors 1000] [--days 30] [--seed 42]`
 * Sends realistic traffic through the real web pixel into a running server. Events
 * older than the server's INGEST_MAX_AGE_HOURS (default 72) are refused by design, so
 * backfilling many days needs a server started with a larger value (the demo does that).
 */
import { parseArgs } from "node:util";
import { DEMO_INGEST_KEY, DEMO_SHOP } from "./lib/demo-shop";
import { runSimulation } from "./lib/simulate-run";

const { values } = parseArgs({
  options: {
    url: { type: "string", default: "http://localhost:3000" },
    shop: { type: "string", default: DEMO_SHOP },
    key: { type: "string", default: DEMO_INGEST_KEY },
    visitors: { type: "string", default: "1000" },
    days: { type: "string", default: "30" },
    seed: { type: "string", default: String(Date.now() % 100_000) },
  },
});
const visitors = Number(values.visitors);
const days = Number(values.days);
if (!Number.isInteger(visitors) || visitors < 1 || !Number.isFinite(days) || days <= 0) {
  console.error("--visitors must be a positive integer and --days a positive number");
  process.exit(2);
}
const to = Date.now() - 60_000;
let lastPct = -1;
const result = await runSimulation({
  shop: values.shop!, ingestKey: values.key!, ingestUrl: new URL("/collect", values.url).toString(),
  visitors, from: to - days * 86_400_000, to, seed: Number(values.seed),
  onProgress(done, total) {
    const pct = Math.floor((done / total) * 10) * 10;
    if (pct !== lastPct) console.log(`[simulate] ${done}/${total} visitors (${pct} %)`);
    lastPct = pct;
  },
});
console.log(`[simulate] ${result.published} events published, ${result.sent} sent in ${result.requests} requests, ${result.discardedNoConsent} not sent (no analytics consent), ${result.dropped} dropped`);
