/**
 * The purchase queries of "why numbers differ" ($1 shop, $2…$3 the range), apart from the
 * service so the schema test can check their plans on both providers.
 */
import { DAY_MS } from "../../../core/time";
import type { DbDialect } from "../../db-client";

/** The visitor-unit conversion window we use by default: a product view up to 7 days before still leads to the purchase. */
export const VISITOR_WINDOW_MS = 7 * DAY_MS;

/** Visitors with a purchase in the range, from the partial index of purchases alone. */
export const PURCHASING_VISITORS_SQL = `SELECT COUNT(DISTINCT p."clientId") AS "visitors" FROM "Event" p
  WHERE p."shopId" = $1 AND p."name" = 'checkout_completed' AND p."isBot" = false AND p."ts" >= $2 AND p."ts" < $3`;

/**
 * Visitors with a purchase in a session without a product view, and a product view up to
 * 7 days before it. Started from those sessions (a partial index holds them) instead of
 * from every purchase. Such a session holds no product view, so each one found is in
 * another, earlier session: the rule the tests' reference states on events.
 */
export function laterSessionBuyersSql(dialect: DbDialect): string {
  // A session's purchases, by its id. Without statistics (the app never runs ANALYZE) SQLite
  // takes the purchases index for its time range and scans every purchase of the range once
  // per session; PostgreSQL's planner has statistics.
  const bySession = dialect === "sqlite" ? `INDEXED BY "Event_shopId_sessionId_name_idx"` : "";
  return `SELECT COUNT(DISTINCT s."clientId") AS "later" FROM "VisitorSession" s
  WHERE s."shopId" = $1 AND s."purchase" = true AND s."productView" = false AND s."endTs" >= $2 AND s."startTs" < $3
    AND EXISTS (SELECT 1 FROM "Event" p ${bySession} WHERE p."shopId" = s."shopId" AND p."sessionId" = s."id"
      AND p."name" = 'checkout_completed' AND p."isBot" = false AND p."ts" >= $2 AND p."ts" < $3
      AND EXISTS (SELECT 1 FROM "Event" v WHERE v."shopId" = p."shopId" AND v."clientId" = p."clientId" AND v."name" = 'product_viewed'
        AND v."isBot" = false AND v."ts" < p."ts" AND v."ts" >= p."ts" - ${VISITOR_WINDOW_MS}))`;
}
