/**
 * Smallest k with P(X ≥ k) ≤ 1 % for X ~ Binomial(n, p): a method exactly at its stated rate
 * p reaches k events in n trials at most 1 time in 100, so a count at or above it says the
 * stated rate is broken; below it, it may be chance. The false-alarm tests compare with it.
 */
export function binomialCritical(n: number, p: number): number {
  let tail = 1;
  let pmf = (1 - p) ** n;
  for (let k = 0; k <= n; k++) {
    if (tail <= 0.01) return k;
    tail -= pmf;
    pmf = (pmf * (n - k) * p) / ((k + 1) * (1 - p));
  }
  return n + 1;
}
