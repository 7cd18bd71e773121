/** Migrations apply forward on a database that already holds data, losing nothing. */
import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createDb } from "../../db/prisma";
import { migrate } from "../../scripts/lib/migrate";
import { rebuildActivity } from "../../app/services/activity.server";
import { createDatabase } from "../../scripts/lib/pg-server";
import { inject } from "vitest";
import { root } from "../helpers/app-server";
import { ensureDemoShop } from "../../scripts/lib/demo-shop";
import { ensureDefaultFunnels } from "../../app/services/funnels.server";
import { refreshShop } from "../../app/services/funnel-results/refresh.server";
import { createSqlExecutor } from "../../db/executor";
import { dialectOf } from "../../db/prisma";
import { visitorBucket } from "../../core/diagnosis/paths";
import { seedJourneys, shopTraffic } from "../helpers/funnel-seed";

const names = readdirSync(path.join(root, "prisma/migrations"))
  .filter((n) => /^\d{14}_/.test(n))
  .sort();

describe.each(["sqlite", "postgres"] as const)("upgrading a %s database with data", (kind) => {
  it.each(names.slice(0, -1))("from %s to the latest keeps every row", async (from) => {
    const url =
      kind === "postgres"
        ? await createDatabase(inject("pgBaseUrl"), `upgrade_${from.slice(0, 14)}_${Date.now() % 100000}`)
        : `file:${path.join(root, ".tmp", `upgrade-${from}-${Date.now()}.sqlite`)}`;
    await migrate(url, { quiet: true, upTo: from });
    const { db } = createDb(url);
    // Rows in the tables every migration since the first has had.
    // Raw SQL: today's client would write today's columns, which an old database lacks.
    await db.$executeRawUnsafe(
      `INSERT INTO "Shop" ("domain", "name", "ingestKey", "updatedAt") VALUES ('old.myshopify.com', 'Old', 'ik_old', CURRENT_TIMESTAMP)`,
    );
    const [row] = await db.$queryRawUnsafe<{ id: number | bigint }[]>(`SELECT "id" FROM "Shop" WHERE "domain" = 'old.myshopify.com'`);
    const shop = { id: Number(row.id) };
    await db.event.createMany({
      data: Array.from({ length: 50 }, (_, i) => ({
        shopId: shop.id,
        eventId: `e${i}`,
        name: i === 7 ? "product_added_to_cart" : i === 3 ? "product_viewed" : "page_viewed",
        ts: BigInt(1_000 + i),
        seq: i,
        clientId: "c",
        sessionId: "c:1000",
        receivedAt: 0n,
      })),
    });
    await db.$executeRawUnsafe(`INSERT INTO "Funnel" ("id", "shopId", "name", "updatedAt") VALUES ('f1', ${shop.id}, 'F', CURRENT_TIMESTAMP)`);
    await db.$executeRawUnsafe(
      `INSERT INTO "VisitorSession" ("shopId", "id", "clientId", "startTs", "endTs", "eventCount", "source", "visitorType") VALUES (${shop.id}, 'c:1000', 'c', 1000, 1049, 50, 'direct', 'new')`,
    );
    await db.$executeRawUnsafe(
      `INSERT INTO "FunnelStep" ("id", "shopId", "funnelId", "position", "label", "matchers") VALUES ('s1', ${shop.id}, 'f1', 1, 'A', '[]')`,
    );
    await db.$disconnect();

    await migrate(url, { quiet: true });
    const after = createDb(url).db;
    expect(await after.shop.count()).toBe(1);
    expect(await after.event.count({ where: { shopId: shop.id } })).toBe(50);
    expect(await after.funnelStep.count({ where: { shopId: shop.id } })).toBe(1);
    // And the latest tables are there.
    expect(await after.order.count()).toBe(0);
    expect(await after.dataRequest.count()).toBe(0);
    // Shops from before the per-shop orders/create subscription subscribe at their next auth.
    expect(await after.shop.findMany({ select: { ordersWebhook: true } })).toEqual([{ ordersWebhook: "pending" }]);
    // Sessions from before the activity buckets get their flags, and the buckets their counts
    // (rows written at or after that migration are the writer's to count, not the backfill's).
    if (from < "20261204161946_activity_buckets") await expectActivityBackfilled(after, shop.id);
    // Every migration before it holds sessions whose product-view flag is backfilled from their events.
    if (from < "20261205013442_session_product_view")
      expect(await after.visitorSession.findMany({ select: { productView: true } })).toEqual([{ productView: true }]);
    // Funnels from before precomputed results get them built.
    expect(await after.funnel.findMany({ select: { resultsState: true, resultsMark: true } })).toEqual([{ resultsState: "building", resultsMark: null }]);
    await after.$disconnect();
  });
});

describe.each(["sqlite", "postgres"] as const)("the visitor-bucket migration on %s", (kind) => {
  const BUCKETS = names.find((n) => n.endsWith("_add_visitor_bucket"))!;
  it("drops a built funnel's precomputed rows, which the refresher rebuilds with each visitor's bucket", async () => {
    const before = names[names.indexOf(BUCKETS) - 1];
    const url =
      kind === "postgres"
        ? await createDatabase(inject("pgBaseUrl"), `bucket_${Date.now() % 100000}`)
        : `file:${path.join(root, ".tmp", `bucket-${Date.now()}.sqlite`)}`;
    await migrate(url, { quiet: true, upTo: before });
    const old = createDb(url).db;
    // Tables other than FunnelUnitDay are today's: the client writes them.
    const shopId = (await ensureDemoShop(old, { domain: `bucket-${kind}.myshopify.com`, ingestKey: `ik_bucket_${kind}`, timeZone: "UTC" })).id;
    const now = Date.now();
    await seedJourneys(old, shopId, shopTraffic({ visitors: 80, from: now - 10 * 86_400_000, to: now - 3_600_000, seed: 5, prefix: `bucket-${kind}` }));
    await ensureDefaultFunnels(old, shopId);
    const funnels = await old.funnel.findMany({ where: { shopId }, select: { id: true } });
    // A built funnel with a row of the old shape (no bucket).
    const funnelId = funnels[0].id;
    await old.$executeRawUnsafe(
      `INSERT INTO "FunnelUnitDay" ("shopId", "funnelId", "unitId", "day", "clientId", "entryTs", "furthest", "msFromPrev", "latestStartTs", "lastTs", "multi", "source", "visitorType", "loggedIn")
       VALUES (${shopId}, '${funnelId}', 'bucket-${kind}-0', ${Math.floor(now / 86_400_000) - 1}, 'bucket-${kind}-0', ${now - 86_400_000}, 1, '', ${now - 86_400_000}, ${now - 86_400_000}, false, 'direct', 'new', false)`,
    );
    await old.funnel.updateMany({ where: { shopId }, data: { resultsState: "ready", resultsMark: BigInt(now) } });
    await old.$disconnect();

    await migrate(url, { quiet: true });
    const db = createDb(url).db;
    const exec = createSqlExecutor(url);
    try {
      expect(await db.funnelUnitDay.count()).toBe(0);
      expect(await db.funnel.findMany({ where: { shopId }, select: { resultsState: true, resultsMark: true } })).toEqual(
        funnels.map(() => ({ resultsState: "building", resultsMark: null })),
      );
      await refreshShop({ db, dialect: dialectOf(db), exec }, shopId);
      expect((await db.funnel.findMany({ where: { shopId }, select: { resultsState: true } })).map((f) => f.resultsState)).toEqual(funnels.map(() => "ready"));
      const rows = await db.funnelUnitDay.findMany({ where: { shopId }, select: { clientId: true, visitorBucket: true } });
      expect(new Set(rows.map((r) => r.clientId)).size).toBeGreaterThan(40);
      expect(rows.filter((r) => r.visitorBucket !== visitorBucket(r.clientId))).toEqual([]);
    } finally {
      await exec.close();
      await db.$disconnect();
    }
  }, 120_000);
});

async function expectActivityBackfilled(after: ReturnType<typeof createDb>["db"], shopId: number) {
  expect(await after.visitorSession.findMany({ select: { addToCart: true, checkoutStart: true, purchase: true } })).toEqual([
    { addToCart: true, checkoutStart: false, purchase: false },
  ]);
  const bucketRows = () => after.activityBucket.findMany({ where: { shopId }, orderBy: { bucket: "asc" } });
  const backfilled = await bucketRows();
  expect(backfilled).toMatchObject([{ bucket: 0, events: 50, sessions: 1, addToCartSessions: 1, purchaseSessions: 0 }]);
  await rebuildActivity(after, shopId);
  expect(await bucketRows()).toEqual(backfilled);
}
