// `npm run retention [-- --shop DOMAIN] [--batch-size N]`: applies every shop's data
// retention period once to DATABASE_URL (the server also runs it on a schedule), printing
// per shop the rows deleted so far.
import { parseArgs } from "node:util";
import { z } from "zod";
import { createDb } from "../db/prisma";
import { databaseUrl } from "../db/url";
import { applyRetention, DEFAULT_BATCH_SIZE, type RetentionProgress } from "../app/services/retention.server";

const { values } = parseArgs({ options: { shop: { type: "string" }, "batch-size": { type: "string" } } });
const args = z
  .object({
    shop: z.string().min(1).optional(),
    batchSize: z.coerce.number().int().min(1).max(100_000).default(DEFAULT_BATCH_SIZE),
  })
  .safeParse({ shop: values.shop, batchSize: values["batch-size"] });
if (!args.success) {
  console.error(`usage: npm run retention -- [--shop DOMAIN] [--batch-size 1..100000]\n${args.error.issues.map((i) => i.message).join("\n")}`);
  process.exit(2);
}

const { db } = createDb(databaseUrl(process.env));
try {
  let shopId: number | undefined;
  if (args.data.shop) {
    const shop = await db.shop.findUnique({ where: { domain: args.data.shop }, select: { id: true } });
    if (!shop) throw new Error(`no shop ${args.data.shop}`);
    shopId = shop.id;
  }
  const domains = new Map((await db.shop.findMany({ select: { id: true, domain: true } })).map((s) => [s.id, s.domain]));
  const name = (id: number) => domains.get(id) ?? `shop ${id}`;
  // A line when a shop starts deleting, then at most one a second: a large shop takes many batches.
  let last = { shopId: -1, at: 0 };
  const onProgress = (p: RetentionProgress) => {
    if (p.shopId === last.shopId && Date.now() - last.at < 1_000) return;
    last = { shopId: p.shopId, at: Date.now() };
    console.log(`${name(p.shopId)}: ${p.events} events, ${p.sessions} sessions, ${p.funnelRows} funnel result rows deleted so far…`);
  };
  const started = Date.now();
  const results = await applyRetention(db, { now: started, shopId, batchSize: args.data.batchSize, onProgress });
  for (const r of results) {
    if (r.skipped) console.log(`${name(r.shopId)}: skipped (${r.skipped})`);
    else
      console.log(
        `${name(r.shopId)}: keeps ${r.retentionDays} days (since ${new Date(r.cutoff!).toISOString()}): deleted ${r.events} events, ${r.sessions} sessions, ${r.funnelRows} funnel result rows`,
      );
  }
  console.log(`done: ${results.length} shops in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} catch (error) {
  console.error(`retention failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await db.$disconnect();
}
