import { defineQuery } from "../query";

/** Visitors with a session overlapping [:from, :to) (every visitor that can have an attempt in range). */
export default defineQuery<{ shopId: number; from: number; to: number }, { clientId: string }>(
  "paths-visitors-from-sessions",
  `SELECT DISTINCT "clientId" FROM "VisitorSession" WHERE "shopId" = :shopId AND "startTs" < :to AND "endTs" >= :from`,
);
