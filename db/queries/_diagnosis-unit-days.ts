/** Shared by the diagnosis's reads of precomputed rows (a fragment: files starting with _ are not queries). */

/** What shapes the statement: the funnel's unit, its number of steps, whether products are read. */
export interface DiagnosisReadShape {
  unit: "session" | "visitor";
  steps: number;
  product: boolean;
}

export type DiagnosisAttrs = {
  device: string | null;
  source: string | null;
  medium: string | null;
  campaign: string | null;
  landingPath: string | null;
  visitorType: string | null;
  loggedIn: boolean | number | bigint | null;
  productId: string | null;
};

/** The entry attributes every diagnosis read groups or reads (the product apart). */
export const DIAGNOSIS_COLUMNS = `"device", "source", "medium", "campaign", "landingPath", "visitorType", "loggedIn"`;

/** The attribute columns read row by row (the product only when asked; NULL otherwise). */
export const diagnosisAttrs = (shape: DiagnosisReadShape) => `${DIAGNOSIS_COLUMNS}, ${shape.product ? `"productId"` : `NULL AS "productId"`}`;

/**
 * The funnel's rows over local days [:fromDay, :toDay). Every step listed, so each furthest
 * step is one seek of the covering index (shopId, funnelId, multi, furthest, day, …).
 */
export const diagnosisRange = (shape: Pick<DiagnosisReadShape, "steps">) =>
  `"shopId" = :shopId AND "funnelId" = :funnelId AND "day" >= :fromDay AND "day" < :toDay AND "furthest" IN (${Array.from({ length: shape.steps }, (_, i) => i + 1).join(", ")})`;
