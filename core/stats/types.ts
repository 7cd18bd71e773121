/**
 * Shared shapes of the statistics module: conversion counts and the typed error
 * result returned instead of NaN when inputs make a figure meaningless.
 */

/**
 * How many units of a group converted, out of how many. Counts, not rates, so every
 * figure can be shown with its denominator ("350 of 1,000").
 *
 * @example const control: Counts = { converted: 200, total: 1000 };
 */
export interface Counts {
  converted: number;
  total: number;
}

/**
 * Result of a computation whose inputs were invalid; `reason` is shown to the merchant.
 *
 * @example const e: StatsError = { ok: false, reason: "baseline must be between 0 and 1" };
 */
export interface StatsError {
  ok: false;
  reason: string;
}

/**
 * Why `c` is not a usable pair of counts, or `null` when it is: non-negative integers
 * with `converted ≤ total`. `label` names the group in the message.
 *
 * @example countsProblem({ converted: 5, total: 3 }, "control") // "control: converted (5) exceeds total (3)"
 */
export function countsProblem(c: Counts, label: string): string | null {
  const { converted, total } = c;
  if (!Number.isSafeInteger(converted) || !Number.isSafeInteger(total)) {
    return `${label}: counts must be whole numbers`;
  }
  if (converted < 0 || total < 0) return `${label}: counts must not be negative`;
  if (converted > total) return `${label}: converted (${converted}) exceeds total (${total})`;
  return null;
}

/**
 * converted / total, or `null` for an empty group (a zero denominator is "—", not 0).
 *
 * @example rateOf({ converted: 90, total: 1000 }) // 0.09
 * @example rateOf({ converted: 0, total: 0 })     // null
 */
export function rateOf(c: Counts): number | null {
  return c.total > 0 ? c.converted / c.total : null;
}
