import { KEY_EVENTS } from "../../core/activity";
import { defineQuery } from "../query";

const flag = (event: string) =>
  `EXISTS (SELECT 1 FROM "Event" e WHERE e."shopId" = "VisitorSession"."shopId" AND e."sessionId" = "VisitorSession"."id" AND e."name" = '${event}')`;

/** Recomputes every session's key-event flags of a shop from its stored events. */
export default defineQuery<{ shopId: number }>(
  "activity-session-flags",
  `UPDATE "VisitorSession" SET ${[...KEY_EVENTS.map((k) => `"${k.key}" = ${flag(k.event)}`), `"productView" = ${flag("product_viewed")}`].join(", ")}
    WHERE "shopId" = :shopId`,
);
