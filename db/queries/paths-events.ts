import type { FunnelUnit } from "../../core/types";
import { defineQuery, type Params, type Query } from "../query";
import { memoByKey, namedList } from "../sql";
import { CORE_EVENT_COLUMNS, type EventRow } from "./_event-row";

const build = memoByKey((key: string) => {
  const [unit, count] = key.split("|");
  const range = unit === "session" ? `s."startTs" < :until AND s."endTs" >= :from` : `e."ts" <= :until`;
  // Driven by the visitors' sessions (clientId index), then their events by session
  // (sessionId index). CROSS JOIN keeps that order in SQLite and the unary + keeps it off
  // the (shopId, ts) index; PostgreSQL plans it as any inner join. Left to itself SQLite
  // walks every event or session in range and probes the id list for each (minutes on
  // 100 k sessions).
  return defineQuery<Params, EventRow>(
    "paths-events",
    `SELECT ${CORE_EVENT_COLUMNS}
        FROM "VisitorSession" s CROSS JOIN "Event" e
        WHERE s."shopId" = :shopId AND s."clientId" IN (${namedList("c", Number(count))}) AND ${range}
          AND e."shopId" = s."shopId" AND e."sessionId" = s."id" AND e."isBot" = false AND +e."ts" >= :from`,
  );
});

/**
 * loadReportEvents' rows (app/services/events.server.ts) for `count` visitors :c0…
 * (listParams("c", ids), db/sql.ts): session units — events from :from on of sessions
 * overlapping [:from, :until); visitor units — events in [:from, :until], :until being
 * to + window.
 */
export default function pathsEvents(unit: FunnelUnit, count: number): Query<Params, EventRow> {
  return build(`${unit}|${count}`);
}
