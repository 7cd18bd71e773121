/**
 * Pure statistics for the funnel app: normal distribution, testing planner, lift of
 * micro-conversions, experiment readout, sample-ratio mismatch and verdicts.
 * No I/O, no clock, no dependencies; undefined figures are `null`, never NaN.
 *
 * @example import { planTest, lift, verdict } from "../core/stats";
 */

export { normalCdf, normalQuantile, zTwoSided, twoSidedPValue } from "./normal";
export { lnGamma, regularizedGammaP, regularizedGammaQ, chiSquareSurvival } from "./gamma";
export { countsProblem, rateOf, type Counts, type StatsError } from "./types";
export {
  DEFAULT_ALPHA,
  DEFAULT_POWER,
  sampleSizePerArm,
  sampleSizePerArmPooled,
  planTest,
  type SampleSizeInput,
  type SampleSize,
  type SampleSizeResult,
  type PlanInput,
  type TestPlan,
  type TestPlanResult,
} from "./sampleSize";
export { MIN_LIFT_GROUP, lift, type LiftResult } from "./lift";
export { compareProportions, diffConfidenceInterval, type ProportionComparison } from "./twoProportion";
export { SRM_THRESHOLD, sampleRatioMismatch, type SrmResult, type SrmCheck } from "./srm";
export { verdict, type Verdict, type VerdictInput } from "./verdict";
export { MIN_UNITS_TO_COMPARE, wilsonInterval, diffWilsonInterval, rateChange, type ChangeVerdict, type RateChange } from "./wilson";
