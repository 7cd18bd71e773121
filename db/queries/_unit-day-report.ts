/**
 * Fragments of a report's reads of precomputed rows (report-unit-day-*.ts; files starting
 * with _ are not queries). Parameters: :shopId, :funnelId, local days [:fromDay, :toDay),
 * and :bound, the time after which a unit could still advance (its in-progress test).
 */
import { ATTR_COLUMN } from "../../core/funnel/breakdown-attrs";
import type { BreakdownKey, FunnelUnit } from "../../core/types";
import { boolSql, type Dialect } from "../sql";

/** What a report's read depends on besides its parameters. */
export interface ReportShape {
  unit: FunnelUnit;
  /** Number of steps of the funnel. */
  steps: number;
  breakdown?: BreakdownKey | null;
}

export const shapeKey = (s: ReportShape & { stepTimes?: boolean }): string => `${s.unit}|${s.steps}|${s.breakdown ?? ""}|${s.stepTimes !== false}`;

/** The breakdown column read as `attr`, or NULL. */
export const attrColumn = (breakdown: BreakdownKey | null | undefined): string => (breakdown ? `"${ATTR_COLUMN[breakdown]}"` : "NULL");

/** How many of a group's units could still advance at the report's `now` (a completed one never is: see read.server.ts). */
export const inProgress = (unit: FunnelUnit): string =>
  `SUM(CASE WHEN ${unit === "visitor" ? `"latestStartTs"` : `"lastTs"`} > :bound THEN 1 ELSE 0 END) AS ipn`;

/** Single-day (or several-day) units of the funnel in the range. */
export const rowsWhere = (dialect: Dialect, multi: boolean): string =>
  `"shopId" = :shopId AND "funnelId" = :funnelId AND "multi" = ${boolSql(dialect, multi)} AND "day" >= :fromDay AND "day" < :toDay`;

/** Groups follow the covering index's order (multi, furthest, day). */
export const groupBy = (attr: string): string => ['"furthest"', '"day"', attr].filter((g) => g !== "NULL").join(", ");

/**
 * Units that reached step `min` or further. Steps as a list, not a range: SQLite then seeks
 * each step's days (a range on furthest would stop the index there and scan every day).
 */
export const reached = (steps: number, min: number): string =>
  `"furthest" IN (${Array.from({ length: steps - min + 1 }, (_, i) => min + i).join(", ") || "NULL"})`;

/** Numbers as the drivers give them. */
export type Num = number | bigint;
