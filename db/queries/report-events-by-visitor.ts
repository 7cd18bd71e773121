import { defineQuery } from "../query";
import { CORE_EVENT_COLUMNS, type EventRow } from "./_event-row";

/** A visitor-unit report's events: non-bot events in [:from, :until], with their session's entry attributes. */
export default defineQuery<{ shopId: number; from: number; until: number }, EventRow>(
  "report-events-by-visitor",
  `SELECT ${CORE_EVENT_COLUMNS}
    FROM "Event" e JOIN "VisitorSession" s ON s."shopId" = e."shopId" AND s."id" = e."sessionId"
    WHERE e."shopId" = :shopId AND e."isBot" = false AND e."ts" >= :from AND e."ts" <= :until`,
);
