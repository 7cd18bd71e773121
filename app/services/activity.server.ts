/**
 * Activity buckets (core/activity): the sums the dashboard reads, and their rebuild
 * from the stored events and sessions. The ingestion writer keeps the buckets current;
 * the rebuild is for rows written around it (generated benchmark data, test seeds) and
 * is the reference the tests compare the writer's buckets with. The migration that
 * added the buckets backfilled them with the same SQL for every shop.
 */
import type { Db } from "../db.server";
import { LONG_TRANSACTION } from "../db-client";
import { ACTIVITY_COUNTS, BUCKET_MS, KEY_EVENTS, emptyCounts, type ActivityCounts } from "../../core/activity";
import { DAY_MS } from "../../core/time";

/** Sums over the buckets in [from, to) (epoch ms; a zone's midnights are bucket boundaries). */
export async function activityTotals(db: Db, shopId: number, range?: { from: number; to: number }): Promise<ActivityCounts> {
  const where = range ? `AND "bucket" >= $2 AND "bucket" < $3` : "";
  const args = range ? [shopId, Math.ceil(range.from / BUCKET_MS), Math.ceil(range.to / BUCKET_MS)] : [shopId];
  const rows = await db.$queryRawUnsafe<Record<string, unknown>[]>(
    `SELECT ${ACTIVITY_COUNTS.map((c) => `SUM("${c}") AS "${c}"`).join(", ")} FROM "ActivityBucket" WHERE "shopId" = $1 ${where}`,
    ...args,
  );
  const out = emptyCounts();
  for (const c of ACTIVITY_COUNTS) out[c] = Number(rows[0]?.[c] ?? 0);
  return out;
}

/** The first and last bucket (epoch ms of its start) holding events of a kind, or null. */
export async function activitySpan(db: Db, shopId: number, kind: "standard" | "custom"): Promise<{ first: number; last: number } | null> {
  const has = kind === "custom" ? `"customEvents" > 0` : `"events" > "customEvents"`;
  const rows = await db.$queryRawUnsafe<{ first: unknown; last: unknown }[]>(
    `SELECT MIN("bucket") AS "first", MAX("bucket") AS "last" FROM "ActivityBucket" WHERE "shopId" = $1 AND ${has}`,
    shopId,
  );
  const r = rows[0];
  if (!r || r.first === null || r.first === undefined) return null;
  return { first: Number(r.first) * BUCKET_MS, last: Number(r.last) * BUCKET_MS };
}

/**
 * Recomputes one shop's buckets from its stored events and sessions, in one transaction:
 * all of them (with the sessions' flags) after rows were written around the
 * ingestion writer, or with `before` only the buckets up to the one holding that time,
 * after retention deleted what is older (ingestion never writes that far back).
 */
export async function rebuildActivity(db: Db, shopId: number, opts: { before?: number } = {}): Promise<void> {
  const flag = (event: string) =>
    `EXISTS (SELECT 1 FROM "Event" e WHERE e."shopId" = "VisitorSession"."shopId" AND e."sessionId" = "VisitorSession"."id" AND e."name" = '${event}')`;
  const cols = ACTIVITY_COUNTS.map((c) => `"${c}"`).join(", ");
  // Whole buckets only: the one holding `before` is recounted from all its remaining rows.
  const until = opts.before === undefined ? null : (Math.floor(opts.before / BUCKET_MS) + 1) * BUCKET_MS;
  const limit = (column: string) => (until === null ? "" : `AND "${column}" < ${until}`);
  // Over a big shop this runs for minutes: past Prisma's default 5 s transaction timeout.
  await db.$transaction(async (tx) => {
    if (until === null) {
      const flags = [...KEY_EVENTS.map((k) => `"${k.key}" = ${flag(k.event)}`), `"productView" = ${flag("product_viewed")}`];
      await tx.$executeRawUnsafe(`UPDATE "VisitorSession" SET ${flags.join(", ")} WHERE "shopId" = $1`, shopId);
    }
    await tx.$executeRawUnsafe(`DELETE FROM "ActivityBucket" WHERE "shopId" = $1 ${until === null ? "" : `AND "bucket" < ${until / BUCKET_MS}`}`, shopId);
    await tx.$executeRawUnsafe(
      `INSERT INTO "ActivityBucket" ("shopId", "bucket", ${cols})
       SELECT "shopId", "bucket", ${ACTIVITY_COUNTS.map((c) => `SUM("${c}")`).join(", ")} FROM (
         SELECT "shopId", "ts" / ${BUCKET_MS} AS "bucket", 1 AS "events", CASE WHEN substr("name", 1, 3) = 'mc:' THEN 1 ELSE 0 END AS "customEvents",
           CASE WHEN "isBot" THEN 1 ELSE 0 END AS "botEvents", 0 AS "sessions", 0 AS "botSessions", 0 AS "addToCartSessions",
           0 AS "checkoutStartSessions", 0 AS "purchaseSessions", 0 AS "utcMidnightSessions", 0 AS "extraUtcDays"
         FROM "Event" WHERE "shopId" = $1 ${limit("ts")}
         UNION ALL
         SELECT "shopId", "startTs" / ${BUCKET_MS}, 0, 0, 0,
           CASE WHEN "isBot" THEN 0 ELSE 1 END, CASE WHEN "isBot" THEN 1 ELSE 0 END,
           ${KEY_EVENTS.map((k) => `CASE WHEN "${k.key}" AND NOT "isBot" THEN 1 ELSE 0 END`).join(", ")},
           CASE WHEN NOT "isBot" AND "endTs" / ${DAY_MS} > "startTs" / ${DAY_MS} THEN 1 ELSE 0 END,
           CASE WHEN "isBot" THEN 0 ELSE "endTs" / ${DAY_MS} - "startTs" / ${DAY_MS} END
         FROM "VisitorSession" WHERE "shopId" = $1 ${limit("startTs")}
       ) x GROUP BY "shopId", "bucket"`,
      shopId,
    );
  }, LONG_TRANSACTION);
}
