import { defineQuery, type Query } from "../query";
import { least } from "../sql";

export type Params = { shopId: number; after: string; mark: number; upTo?: string };

const mark = (bounded: boolean) =>
  defineQuery<Params>(
    bounded ? "results-mark-visitors-up-to" : "results-mark-visitors",
    (dialect) => `INSERT INTO "StaleVisitor" ("shopId", "clientId", "sinceTs", "version", "markedAt")
       SELECT "shopId", "clientId", MIN("ts"), 1, :mark FROM "Event" WHERE "shopId" = :shopId AND "clientId" > :after${bounded ? ` AND "clientId" <= :upTo` : ""}
       GROUP BY "shopId", "clientId"
       ON CONFLICT ("shopId", "clientId") DO UPDATE SET "sinceTs" = ${least(dialect, `"StaleVisitor"."sinceTs"`, `excluded."sinceTs"`)},
         "version" = "StaleVisitor"."version" + 1, "markedAt" = ${least(dialect, `"StaleVisitor"."markedAt"`, `excluded."markedAt"`)}`,
  );
const BOUNDED = mark(true);
const LAST = mark(false);

/**
 * Marks a shop's visitors after :after (up to :upTo when `bounded`, else all the rest)
 * stale at :mark, from their first event; a visitor already marked keeps the earlier times
 * and gets a new version.
 */
export default function resultsMarkVisitors(bounded: boolean): Query<Params> {
  return bounded ? BOUNDED : LAST;
}
