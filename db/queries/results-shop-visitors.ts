import { defineQuery } from "../query";

/** Visitors of a shop with a stored session. */
export default defineQuery<{ shopId: number }, { n: number | bigint }>(
  "results-shop-visitors",
  `SELECT COUNT(DISTINCT "clientId") AS n FROM "VisitorSession" WHERE "shopId" = :shopId`,
);
