import { defineQuery } from "../query";
import { rowLock } from "../sql";

/**
 * A shop's funnels and their build marks, read inside the refresher's write transaction.
 * FOR SHARE holds off a concurrent delete or rebuild on PostgreSQL; SQLite's write lock
 * already does.
 */
export default defineQuery<{ shopId: number }, { id: string; resultsMark: number | bigint | null }>(
  "results-funnel-marks",
  (dialect) => `SELECT "id", "resultsMark" FROM "Funnel" WHERE "shopId" = :shopId${rowLock(dialect, "share")}`,
);
