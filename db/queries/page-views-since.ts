import { EMBED_SILENCE_PAGE_VIEWS } from "../../core/trust/checklist";
import { defineQuery } from "../query";

/** Page views after :after, counted up to the number that makes a silent theme embed notable. */
export default defineQuery<{ shopId: number; after: number }, { n: unknown }>(
  "page-views-since",
  `SELECT COUNT(*) AS "n" FROM (SELECT 1 FROM "Event" WHERE "shopId" = :shopId AND "name" = 'page_viewed' AND "ts" > :after LIMIT ${EMBED_SILENCE_PAGE_VIEWS}) x`,
);
