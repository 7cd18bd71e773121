import type { Db } from "../../app/db-client";

/**
 * Fills the demo shop with realistic traffic. Until event capture lands this only
 * reports what is there; afterwards it drives the real pixel through /collect.
 */
export async function seedDemoData(opts: { db: Db; shop: { id: number }; ingestUrl: string }) {
  const events = await opts.db.event.count({ where: { shopId: opts.shop.id } });
  console.log(`        ${events.toLocaleString()} events stored for the demo shop`);
}
