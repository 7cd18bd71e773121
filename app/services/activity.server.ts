/**
 * Activity buckets (core/activity): the sums the dashboard reads, and their rebuild
 * from the stored events and sessions. The ingestion writer keeps the buckets current;
 * the rebuild is for rows written around it (generated benchmark data, test seeds) and
 * is the reference the tests compare the writer's buckets with. The migration that
 * added the buckets backfilled them with the same SQL for every shop.
 */
import { dialectOf, LONG_TRANSACTION, type Db } from "../../db/prisma";
import { executeQuery, rowsOf } from "../../db/query";
import activityDeleteBuckets from "../../db/queries/activity-delete-buckets";
import activityInsertBuckets from "../../db/queries/activity-insert-buckets";
import activitySessionFlags from "../../db/queries/activity-session-flags";
import activitySpanQuery from "../../db/queries/activity-span";
import activityTotalsQuery from "../../db/queries/activity-totals";
import { ACTIVITY_COUNTS, BUCKET_MS, emptyCounts, type ActivityCounts } from "../../core/activity";

// ActivityBucket."bucket" is a 32-bit integer: these bounds stand for "no limit".
const FIRST_BUCKET = -2_147_483_648;
const LAST_BUCKET = 2_147_483_647;

/** Sums over the buckets in [from, to) (epoch ms; a zone's midnights are bucket boundaries). */
export async function activityTotals(db: Db, shopId: number, range?: { from: number; to: number }): Promise<ActivityCounts> {
  const rows = await rowsOf(db, activityTotalsQuery, {
    shopId,
    fromBucket: range ? Math.ceil(range.from / BUCKET_MS) : FIRST_BUCKET,
    toBucket: range ? Math.ceil(range.to / BUCKET_MS) : LAST_BUCKET,
  });
  const out = emptyCounts();
  for (const c of ACTIVITY_COUNTS) out[c] = Number(rows[0]?.[c] ?? 0);
  return out;
}

/** The first and last bucket (epoch ms of its start) holding events of a kind, or null. */
export async function activitySpan(db: Db, shopId: number, kind: "standard" | "custom"): Promise<{ first: number; last: number } | null> {
  const rows = await rowsOf(db, activitySpanQuery, { shopId, kind });
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
  const dialect = dialectOf(db);
  // Whole buckets only: the one holding `before` is recounted from all its remaining rows.
  const until = opts.before === undefined ? null : (Math.floor(opts.before / BUCKET_MS) + 1) * BUCKET_MS;
  // Over a big shop this runs for minutes: past Prisma's default 5 s transaction timeout.
  await db.$transaction(async (tx) => {
    if (until === null) await executeQuery(tx, dialect, activitySessionFlags, { shopId });
    await executeQuery(tx, dialect, activityDeleteBuckets, { shopId, untilBucket: until === null ? LAST_BUCKET : until / BUCKET_MS });
    await executeQuery(tx, dialect, activityInsertBuckets, { shopId, until: until ?? Number.MAX_SAFE_INTEGER });
  }, LONG_TRANSACTION);
}
