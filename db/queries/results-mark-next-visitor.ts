import { defineQuery } from "../query";

/** The visitor :chunk events after visitor :after, in visitor order (where a build's next marking chunk ends). */
export default defineQuery<{ shopId: number; after: string; chunk: number }, { clientId: string }>(
  "results-mark-next-visitor",
  `SELECT "clientId" FROM "Event" WHERE "shopId" = :shopId AND "clientId" > :after ORDER BY "clientId" LIMIT 1 OFFSET :chunk`,
);
