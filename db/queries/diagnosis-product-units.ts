import { defineQuery, type Query } from "../query";
import { diagnosisRange } from "./_diagnosis-unit-days";

/**
 * A product funnel's single-day units over local days [:fromDay, :toDay) per entry product
 * (null: none): what ranks the products a diagnosis keeps apart (diagnosis-unit-groups).
 */
export default function diagnosisProductUnits(
  steps: number,
): Query<{ shopId: number; funnelId: string; fromDay: number; toDay: number }, { productId: string | null; n: number | bigint }> {
  return defineQuery(
    `diagnosis-product-units-${steps}`,
    `SELECT "productId", COUNT(*) AS n FROM "FunnelUnitDay"
     WHERE ${diagnosisRange({ steps })} AND "multi" = false GROUP BY "productId"`,
  );
}
