import { defineQuery, type Params, type Query } from "../query";
import { MAX_PARAMS, memoByKey, namedList } from "../sql";

/** Units per statement. */
export const UPDATE_MULTI_MAX = MAX_PARAMS - 10;

const build = memoByKey((count: number) =>
  defineQuery<Params>(
    "results-update-multi",
    `UPDATE "FunnelUnitDay" SET "multi" = (SELECT COUNT(*) FROM "FunnelUnitDay" x WHERE x."shopId" = :shopId AND x."funnelId" = :funnelId AND x."unitId" = "FunnelUnitDay"."unitId") > 1
       WHERE "shopId" = :shopId AND "funnelId" = :funnelId AND "unitId" IN (${namedList("u", count)})`,
  ),
);

/**
 * Sets the multi flag of `count` units (:u0 …, listParams("u", …)) of funnel :funnelId:
 * whether the unit has rows on several days (a visitor unit keeps its older days' rows).
 */
export default function resultsUpdateMulti(count: number): Query<Params> {
  if (count < 1 || count > UPDATE_MULTI_MAX) throw new RangeError(`1..${UPDATE_MULTI_MAX} units per statement`);
  return build(count);
}
