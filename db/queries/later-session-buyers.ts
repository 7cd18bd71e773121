import { defineQuery } from "../query";

/**
 * Visitors with a purchase in [:from, :to) in a session without a product view, and a
 * product view up to :windowMs before it. Started from those sessions (a partial index
 * holds them) instead of from every purchase. Such a session holds no product view, so
 * each one found is in another, earlier session.
 */
export default defineQuery<{ shopId: number; from: number; to: number; windowMs: number }, { later: unknown }>("later-session-buyers", (dialect) => {
  // A session's purchases, by its id. Without statistics (the app never runs ANALYZE) SQLite
  // takes the purchases index for its time range and scans every purchase of the range once
  // per session; PostgreSQL's planner has statistics.
  const bySession = dialect === "sqlite" ? `INDEXED BY "Event_shopId_sessionId_name_idx"` : "";
  return `SELECT COUNT(DISTINCT s."clientId") AS "later" FROM "VisitorSession" s
  WHERE s."shopId" = :shopId AND s."purchase" = true AND s."productView" = false AND s."endTs" >= :from AND s."startTs" < :to
    AND EXISTS (SELECT 1 FROM "Event" p ${bySession} WHERE p."shopId" = s."shopId" AND p."sessionId" = s."id"
      AND p."name" = 'checkout_completed' AND p."isBot" = false AND p."ts" >= :from AND p."ts" < :to
      AND EXISTS (SELECT 1 FROM "Event" v WHERE v."shopId" = p."shopId" AND v."clientId" = p."clientId" AND v."name" = 'product_viewed'
        AND v."isBot" = false AND v."ts" < p."ts" AND v."ts" >= p."ts" - :windowMs))`;
});
