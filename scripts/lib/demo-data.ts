import type { Db } from "../../app/db-client";
import { runSimulation } from "./simulate-run";

export const DEMO_VISITORS = Number(process.env.DEMO_VISITORS ?? 1500);
export const DEMO_DAYS = 30;

/**
 * Fills the demo shop with 30 days of realistic traffic, sent through the real web
 * pixel into the real /collect endpoint. Skipped when the shop already has events, so
 * restarting the demo keeps its data.
 */
export async function seedDemoData(opts: { db: Db; shop: { id: number; domain: string; ingestKey: string }; ingestUrl: string }) {
  const existing = await opts.db.event.count({ where: { shopId: opts.shop.id } });
  if (existing > 0) {
    console.log(`        ${existing.toLocaleString("en-US")} events already stored; not seeding again`);
    return;
  }
  const to = Date.now() - 60_000;
  let shown = -1;
  const result = await runSimulation({
    shop: opts.shop.domain,
    ingestKey: opts.shop.ingestKey,
    ingestUrl: opts.ingestUrl,
    visitors: DEMO_VISITORS,
    from: to - DEMO_DAYS * 86_400_000,
    to,
    seed: 2026,
    onProgress(done, total) {
      const pct = Math.floor((done / total) * 4) * 25;
      if (pct !== shown) console.log(`        visitors ${done.toLocaleString("en-US")}/${total.toLocaleString("en-US")} (${pct} %)`);
      shown = pct;
    },
  });
  const stored = await opts.db.event.count({ where: { shopId: opts.shop.id } });
  console.log(
    `        ${result.sent.toLocaleString("en-US")} events sent by the pixel (${result.discardedNoConsent.toLocaleString("en-US")} withheld: no analytics consent), ` +
      `${stored.toLocaleString("en-US")} stored after dedupe`,
  );
}
