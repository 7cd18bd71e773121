import { defineQuery } from "../query";
import { rowLock } from "../sql";

/**
 * Locks a shop's building funnels, in a statement before results-finish-builds. PostgreSQL:
 * an UPDATE that waits for a build committing meanwhile re-checks the funnel's new mark
 * against the markers of its own older snapshot, which lack that build's markers, and would
 * declare the funnel ready empty; after the lock, the UPDATE's snapshot has them. SQLite's
 * write transaction already holds the database: there it is a plain read.
 */
export default defineQuery<{ shopId: number }, { id: string }>(
  "results-lock-building",
  (dialect) => `SELECT "id" FROM "Funnel" WHERE "shopId" = :shopId AND "resultsState" = 'building'${rowLock(dialect, "update")}`,
);
