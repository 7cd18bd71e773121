import { defineQuery, type Params, type Query } from "../query";
import { memoByKey, perVisitor } from "../sql";
import { CORE_EVENT_COLUMNS, type EventRow } from "./_event-row";
import { visitorsCte } from "./_stale-visitors";

const build = memoByKey((count: number) =>
  defineQuery<Params, EventRow>("results-stale-events", (dialect) =>
    perVisitor(
      dialect,
      visitorsCte(count),
      CORE_EVENT_COLUMNS,
      // A session belongs to its visitor: saying so lets the session side be looked up per visitor too.
      `"Event" e JOIN "VisitorSession" s ON s."shopId" = e."shopId" AND s."id" = e."sessionId" AND s."clientId" = e."clientId"`,
      `e."shopId" = :shopId AND e."isBot" = false AND e."ts" >= :since AND e."clientId" = v."clientId"`,
    ),
  ),
);

/**
 * The non-bot events from :since on of `count` stale visitors (:c0…, see _stale-visitors.ts)
 * of shop :shopId, with their sessions' attributes, looked up per visitor (perVisitor, db/sql.ts).
 */
export default function resultsStaleEvents(count: number): Query<Params, EventRow> {
  return build(count);
}
