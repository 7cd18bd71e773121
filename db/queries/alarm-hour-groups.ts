import { HOUR_MS } from "../../core/time";
import { defineQuery, type Query } from "../query";
import { boolSql } from "../sql";

const WEEK_MS = 168 * HOUR_MS;

/** What the statement's text depends on: the funnel's unit (which column says it ended) and its number of steps. */
export interface AlarmHourGroupsShape {
  unit: "session" | "visitor";
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
  /** A unit counts when it had ended by this time, moved back by its week (0 = the latest). */
  endedBy: number;
};

export interface AlarmHourGroupRow {
  h: unknown;
  device: string | null;
  furthest: unknown;
  n: unknown;
}

const built = new Map<string, Query<AlarmHourGroupsParams, AlarmHourGroupRow>>();

/**
 * The step alarm's read (app/services/step-alarm.server.ts): ended units of a funnel per
 * entry hour, device and furthest step. A unit of week j before :endTs (0 = the latest)
 * counts when it had ended j weeks before :endedBy — a session with no event in the 30
 * minutes before that moment, a visitor whose latest attempt's window had closed
 * (:endedBy is the check's time minus that gap) — so the recent and the baseline weeks
 * count alike. `multi IN (false, true)` and the furthest steps listed keep the index's
 * leading columns in use. Integer division on both databases: the parameters in
 * arithmetic are cast to BIGINT (SQLite would divide a REAL-bound number as REAL).
 */
export default function alarmHourGroups(shape: AlarmHourGroupsShape): Query<AlarmHourGroupsParams, AlarmHourGroupRow> {
  if (!Number.isInteger(shape.steps) || shape.steps < 1) throw new RangeError(`alarm-hour-groups: steps must be a positive integer, not ${shape.steps}`);
  const key = `${shape.unit}:${shape.steps}`;
  const hit = built.get(key);
  if (hit) return hit;
  const ended = shape.unit === "visitor" ? `"latestStartTs"` : `"lastTs"`;
  const furthest = Array.from({ length: shape.steps }, (_, i) => i + 1).join(", ");
  const query = defineQuery<AlarmHourGroupsParams, AlarmHourGroupRow>(
    `alarm-hour-groups(${key})`,
    (dialect) => `SELECT ("entryTs" / ${HOUR_MS}) AS "h", "device", "furthest", COUNT(*) AS "n" FROM "FunnelUnitDay"
    WHERE "shopId" = :shopId AND "funnelId" = :funnelId AND "multi" IN (${boolSql(dialect, false)}, ${boolSql(dialect, true)})
      AND "furthest" IN (${furthest}) AND "day" >= :fromDay AND "day" <= :toDay
      AND "entryTs" >= :fromTs AND "entryTs" < :endTs
      AND ${ended} + ((CAST(:endTs AS BIGINT) - 1 - "entryTs") / ${WEEK_MS}) * ${WEEK_MS} <= :endedBy
    GROUP BY ("entryTs" / ${HOUR_MS}), "device", "furthest"`,
  );
  built.set(key, query);
  return query;
}
