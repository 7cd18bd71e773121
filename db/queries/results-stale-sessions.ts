import { defineQuery, type Params, type Query } from "../query";
import { memoByKey, perVisitor } from "../sql";
import { visitorsCte } from "./_stale-visitors";

export type Row = { clientId: string; startTs: number | bigint; endTs: number | bigint };

const build = memoByKey((count: number) =>
  defineQuery<Params, Row>("results-stale-sessions", (dialect) =>
    perVisitor(
      dialect,
      visitorsCte(count),
      `s."clientId", s."startTs", s."endTs"`,
      `"VisitorSession" s`,
      `s."shopId" = :shopId AND s."endTs" >= :since AND s."clientId" = v."clientId"`,
    ),
  ),
);

/**
 * The sessions still going at :since of `count` stale visitors (:c0…, see _stale-visitors.ts)
 * of shop :shopId, looked up per visitor (perVisitor, db/sql.ts).
 */
export default function resultsStaleSessions(count: number): Query<Params, Row> {
  return build(count);
}
