/**
 * `npm run simulate -- [--url http://localhost:3000] [--shop demo-shop.myshopify.com]
 *   [--key ik_…] [--visitors 1000] [--days 30] [--seed 42]
 *   [--break-device mobile --break-from 2026-12-05T16:00Z|-2h [--break-step purchase|checkout|add-to-cart]]
 *   [--policy-exit-source instagram [--policy-exit-device mobile]] [--price-typo linen-throw]`
 * Sends realistic traffic through the real web pixel into a running server: journeys
 * spread over the last `--days` and ending by now, so a short range (`--days 0.02`) is
 * live traffic. The flags after --seed plant effects the diagnosis should find
 * (scripts/lib/simulation.ts PlantedEffects). Exits 1, saying why, when nothing was
 * published or the server refused events. Events older than the server's
 * INGEST_MAX_AGE_HOURS (default 72) are refused by design, so backfilling many days needs
 * a server started with a larger value (the demo does that).
 */
import { DEMO_INGEST_KEY, DEMO_SHOP } from "./lib/demo-shop";
import { simulationArgs } from "./lib/simulate-args";
import { runSimulation, simulationFailure } from "./lib/simulate-run";

const now = Date.now();
const parsed = simulationArgs(process.argv.slice(2), { now, shop: DEMO_SHOP, key: DEMO_INGEST_KEY });
if ("error" in parsed) {
  console.error(`[simulate] ${parsed.error}`);
  process.exit(2);
}
let lastPct = -1;
const result = await runSimulation({
  ...parsed.simulation,
  onProgress(done, total) {
    const pct = Math.floor((done / total) * 10) * 10;
    if (pct !== lastPct) console.log(`[simulate] ${done}/${total} visitors (${pct} %)`);
    lastPct = pct;
  },
});
console.log(
  `[simulate] ${result.published} events published, ${result.sent} sent in ${result.requests} requests (server: ${result.accepted} stored, ${result.duplicates} duplicates, ${result.rejected} refused), ` +
    `${result.discardedNoConsent} not sent (no analytics consent), ${result.dropped} dropped`,
);
const failure = simulationFailure(result);
if (failure) {
  console.error(`[simulate] failed: ${failure}`);
  process.exit(1);
}
