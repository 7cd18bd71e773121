import { defineQuery } from "../query";
import { CORE_EVENT_COLUMNS, type EventRow } from "./_event-row";

/**
 * A session-unit report's events: every non-bot event from :from on of the sessions that
 * have events in [:from, :to), with its session's entry attributes.
 */
export default defineQuery<{ shopId: number; from: number; to: number }, EventRow>(
  "report-events-by-session",
  `SELECT ${CORE_EVENT_COLUMNS}
    FROM "Event" e JOIN "VisitorSession" s ON s."shopId" = e."shopId" AND s."id" = e."sessionId"
    WHERE e."shopId" = :shopId AND e."isBot" = false AND e."ts" >= :from AND s."startTs" < :to AND s."endTs" >= :from`,
);
