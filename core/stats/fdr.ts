/**
 * Benjamini–Hochberg false-discovery-rate control: when many segments are tested at
 * once, at most a share `q` of the claims made is expected to be false (instead of 5 %
 * of every test, which over 40 segments would make two false claims on a typical day).
 */

export interface FdrResult {
  /** Per input: is the hypothesis rejected (a claim is made)? `false` for null p-values. */
  rejected: boolean[];
  /** Per input: the BH-adjusted p-value ("q-value"), `null` where the p-value was null. */
  adjusted: (number | null)[];
}

/**
 * The BH step-up procedure over the non-null p-values (m = their count): sort ascending,
 * find the largest rank k with p₍ₖ₎ ≤ k·q/m, reject ranks 1…k. Adjusted p-values are
 * min over j ≥ i of m·p₍ⱼ₎/j, capped at 1; `rejected[i]` equals `adjusted[i] ≤ q`.
 *
 * @example benjaminiHochberg([0.01, 0.04, 0.03, 0.005], 0.05).rejected // [true, true, true, true]
 */
export function benjaminiHochberg(pValues: readonly (number | null)[], q = 0.05): FdrResult {
  if (!(q > 0 && q < 1)) throw new RangeError("q must be between 0 and 1 (exclusive)");
  const ranked = pValues
    .map((p, index) => ({ p, index }))
    .filter((x): x is { p: number; index: number } => x.p !== null && Number.isFinite(x.p))
    .sort((a, b) => a.p - b.p || a.index - b.index);
  const m = ranked.length;
  const adjusted: (number | null)[] = pValues.map(() => null);
  const rejected = pValues.map(() => false);
  let running = 1;
  for (let i = m - 1; i >= 0; i--) {
    running = Math.min(running, (ranked[i].p * m) / (i + 1));
    adjusted[ranked[i].index] = Math.min(1, running);
  }
  for (const { index } of ranked) rejected[index] = (adjusted[index] as number) <= q;
  return { rejected, adjusted };
}
