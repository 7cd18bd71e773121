/** Public API of the funnel engine (pure: no I/O, no clock, no process TZ). */
export { computeFunnel, computeUnitResults, breakdownValue, matchConsecutiveSteps } from "./engine";
export { BREAKDOWN_TOP_VALUES, OTHER_VALUE, NONE_VALUE } from "./engine";
export type { FunnelParams, UnitResult } from "./engine";
export { dedupeEvents, CHECKOUT_STARTED, CHECKOUT_COMPLETED } from "./dedupe";
export { matchesFilter, matchesAlternative, matchesStep, compileStepMask } from "./match";
export {
  aggregateOutcomes,
  biggestLeak,
  compareReports,
  leakEligible,
  MIN_SETTLED_FOR_LEAK,
  noLeakReason,
  figuresFromCounts,
  groupStats,
  worstGroup,
  percentileNearestRank,
  percentilesNearestRank,
  previousPeriod,
  rate,
} from "./report";
export type {
  Breakdown,
  BreakdownGroup,
  FunnelAggregate,
  FunnelComparison,
  FunnelFigures,
  FunnelReport,
  Leak,
  NoLeak,
  StepComparison,
  StepFigures,
  Trend,
  TrendBucket,
  UnitOutcome,
} from "./report";
export { dayKey, isoWeekStartDay, localDayNumber, wallClockToEpoch, zoneOffsetMs } from "./timezone";
export { sessionize, compareEvents, groupByVisitor } from "../sessionize";
export type { Session } from "../sessionize";
export {
  computeUnitDays,
  reportFromUnitDays,
  unitResultsFromUnitDays,
  isWholeDays,
  groupRows,
  timesFromText,
  unitDayGroupRows,
  unitDayMultiRow,
} from "./unit-days";
export type { UnitDayGroupRead, UnitDayMultiRead } from "./unit-days";
export type { UnitDay, UnitDayRow } from "./unit-days";
