import { HOUR_MS } from "../../core/time";
import { defineQuery, type Query } from "../query";
import { STEP_WITHIN_MS } from "../../core/diagnosis/watch-run";
import { boolSql, type Dialect } from "../sql";

const WEEK_MS = 168 * HOUR_MS;

/** What the statement's text depends on: the funnel's number of steps. */
export interface AlarmHourGroupsShape {
  steps: number;
}

export type AlarmHourGroupsParams = {
  shopId: number;
  funnelId: string;
  /** Local day numbers bounding the index range (the entry times decide). */
  fromDay: number;
  toDay: number;
  /** Entry times in [:fromTs, :endTs): the check's five weeks. */
  fromTs: number;
  endTs: number;
  /** The check's time: outcomes known by then count, moved back by their week (0 = the latest). */
  asOf: number;
};

/** Per entry hour and device; for each step k ≥ 2, `s<k>` units counted and `c<k>` of them converted. */
export type AlarmHourGroupRow = { h: unknown; device: string | null } & Record<string, unknown>;

const built = new Map<string, Query<AlarmHourGroupsParams, AlarmHourGroupRow>>();

/** The i-th (0-based) time between steps from the comma-separated text, as a number (NULL when absent). */
const msAt = (dialect: Dialect, i: number) =>
  dialect === "sqlite" ? `json_extract('[' || "msFromPrev" || ']', '$[${i}]')` : `CAST(NULLIF(split_part("msFromPrev", ',', ${i + 1}), '') AS BIGINT)`;

/**
 * The step alarm's read (app/services/step-alarm.server.ts): a funnel's units per entry hour
 * and device, and at each step transition k−1 → k how many count and how many converted,
 * by core's rule (core/diagnosis/watch-run.ts stepOutcome): a unit counts once it reached k
 * within STEP_WITHIN_MS of reaching k−1 (converted) or that long has passed since it reached
 * k−1; step times come from its stored msFromPrev. A unit of week j before :endTs (0 = the
 * latest) is judged at :asOf moved back j weeks, so the recent and the baseline weeks count
 * alike. `multi IN (false, true)` and the furthest steps listed keep the index's leading
 * columns in use. Integer division on both databases: the parameters in arithmetic are cast
 * to BIGINT (SQLite would divide a REAL-bound number as REAL).
 */
export default function alarmHourGroups(shape: AlarmHourGroupsShape): Query<AlarmHourGroupsParams, AlarmHourGroupRow> {
  if (!Number.isInteger(shape.steps) || shape.steps < 1) throw new RangeError(`alarm-hour-groups: steps must be a positive integer, not ${shape.steps}`);
  const key = String(shape.steps);
  const hit = built.get(key);
  if (hit) return hit;
  const furthest = Array.from({ length: shape.steps }, (_, i) => i + 1).join(", ");
  const query = defineQuery<AlarmHourGroupsParams, AlarmHourGroupRow>(`alarm-hour-groups(${key})`, (dialect) => {
    const ms = Array.from({ length: shape.steps - 1 }, (_, i) => `${msAt(dialect, i)} AS "m${i}"`);
    const columns: string[] = [];
    for (let k = 2; k <= shape.steps; k++) {
      // When it reached k−1: its entry plus the times between the steps before.
      const prev = ['u."entryTs"', ...Array.from({ length: k - 2 }, (_, i) => `u."m${i}"`)].join(" + ");
      const converted = `u."furthest" >= ${k} AND u."m${k - 2}" <= ${STEP_WITHIN_MS} AND ${prev} + u."m${k - 2}" + u."shift" <= :asOf`;
      columns.push(
        `SUM(CASE WHEN u."furthest" >= ${k - 1} AND ((${converted}) OR ${prev} + ${STEP_WITHIN_MS} + u."shift" <= :asOf) THEN 1 ELSE 0 END) AS "s${k}"`,
        `SUM(CASE WHEN ${converted} THEN 1 ELSE 0 END) AS "c${k}"`,
      );
    }
    return `SELECT (u."entryTs" / ${HOUR_MS}) AS "h", u."device"${columns.map((c) => `, ${c}`).join("")}
    FROM (SELECT "entryTs", "device", "furthest"${ms.map((m) => `, ${m}`).join("")},
            ((CAST(:endTs AS BIGINT) - 1 - "entryTs") / ${WEEK_MS}) * ${WEEK_MS} AS "shift"
          FROM "FunnelUnitDay"
          WHERE "shopId" = :shopId AND "funnelId" = :funnelId AND "multi" IN (${boolSql(dialect, false)}, ${boolSql(dialect, true)})
            AND "furthest" IN (${furthest}) AND "day" >= :fromDay AND "day" <= :toDay
            AND "entryTs" >= :fromTs AND "entryTs" < :endTs) u
    GROUP BY (u."entryTs" / ${HOUR_MS}), u."device"`;
  });
  built.set(key, query);
  return query;
}
