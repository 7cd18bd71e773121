/** Date-range presets of the insights pages (resolved in app/services/insights/range.server.ts). */
export const INSIGHT_RANGES = ["last7", "last14", "last30", "last90", "custom"] as const;
export type InsightRangePreset = (typeof INSIGHT_RANGES)[number];
export const INSIGHT_RANGE_LABELS: Record<InsightRangePreset, string> = {
  last7: "Last 7 days",
  last14: "Last 14 days",
  last30: "Last 30 days",
  last90: "Last 90 days",
  custom: "Custom range",
};
/** Length in days of each preset (custom ranges carry their own). */
export const INSIGHT_RANGE_DAYS: Record<Exclude<InsightRangePreset, "custom">, number> = { last7: 7, last14: 14, last30: 30, last90: 90 };
