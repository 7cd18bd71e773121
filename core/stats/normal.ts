/**
 * Standard normal distribution: CDF, quantile (inverse CDF) and two-sided critical z.
 *
 * Pure functions, no dependencies. Out-of-domain input gives `null`, never NaN or
 * ±Infinity, so callers must decide explicitly what an undefined value means.
 */

const SQRT_2PI = 2.5066282746310002;
const INV_SQRT_2PI = 0.3989422804014327;

// W. J. Cody (1969), "Rational Chebyshev approximations for the error function",
// in the form used by R's pnorm. Relative error ~1e-16 over the whole line, and the
// lower tail is computed directly (not as 1 − upper) so p-values of 1e-9 keep their digits.
const A = [2.2352520354606839287, 161.02823106855587881, 1067.6894854603709582, 18154.981253343561249, 0.065682337918207449113];
const B = [47.20258190468824187, 976.09855173777669322, 10260.932208618978205, 45507.789335026729956];
const C = [
  0.39894151208813466764, 8.8831497943883759412, 93.506656132177855979, 597.27027639480026226, 2494.5375852903726711, 6848.1904505362823326,
  11602.651437647350124, 9842.7148383839780218, 1.0765576773720192317e-8,
];
const D = [
  22.266688044328115691, 235.38790178262499861, 1519.377599407554805, 6485.558298266760755, 18615.571640885098091, 34900.952721145977266, 38912.003286093271411,
  19685.429676859990727,
];
const P = [0.21589853405795699, 0.1274011611602473639, 0.022235277870649807, 0.001421619193227893466, 2.9112874951168792e-5, 0.02307344176494017303];
const Q = [1.28426009614491121, 0.468238212480865118, 0.0659881378689285515, 0.00378239633202758244, 7.29751555083966205e-5];

/** exp(−y²/2) split as in Cody/R: avoids the cancellation of squaring a large y directly. */
function gaussTail(y: number): number {
  const ysq = Math.trunc(y * 16) / 16;
  const del = (y - ysq) * (y + ysq);
  return Math.exp(-ysq * ysq * 0.5) * Math.exp(-del * 0.5);
}

/**
 * Standard normal CDF Φ(x) = P(Z ≤ x). Accurate to ~1e-15 (relative, both tails).
 * `±Infinity` map to 1/0; NaN gives `null`.
 *
 * @example normalCdf(1.959963984540054) // ≈ 0.975
 * @example normalCdf(-6) // ≈ 9.8659e-10 (tail keeps its relative precision)
 */
export function normalCdf(x: number): number | null {
  if (Number.isNaN(x)) return null;
  const y = Math.abs(x);
  // Φ(−39) is below the smallest double; returning early also keeps y·16 from
  // overflowing in gaussTail for huge |x| (which would give 0·∞ = NaN).
  if (y > 40) return x > 0 ? 1 : 0;
  if (y <= 0.67448975) {
    // Central region: Φ(x) = 1/2 + x·R(x²).
    const xsq = x * x;
    let num = A[4] * xsq;
    let den = xsq;
    for (let i = 0; i < 3; i++) {
      num = (num + A[i]) * xsq;
      den = (den + B[i]) * xsq;
    }
    return 0.5 + (x * (num + A[3])) / (den + B[3]);
  }
  let tail: number; // Φ(−|x|)
  if (y <= Math.sqrt(32)) {
    let num = C[8] * y;
    let den = y;
    for (let i = 0; i < 7; i++) {
      num = (num + C[i]) * y;
      den = (den + D[i]) * y;
    }
    tail = gaussTail(y) * ((num + C[7]) / (den + D[7]));
  } else {
    // Asymptotic region; underflows gracefully to 0 beyond |x| ≈ 38.
    const xsq = 1 / (x * x);
    let num = P[5] * xsq;
    let den = xsq;
    for (let i = 0; i < 4; i++) {
      num = (num + P[i]) * xsq;
      den = (den + Q[i]) * xsq;
    }
    const r = (xsq * (num + P[4])) / (den + Q[4]);
    tail = (gaussTail(y) * (INV_SQRT_2PI - r)) / y;
  }
  return x > 0 ? 1 - tail : tail;
}

// Peter J. Acklam's rational approximation of the normal quantile (relative error
// 1.15e-9), refined below by one Halley step against normalCdf, which brings it to
// close to machine precision.
const AQ = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const BQ = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const CQ = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const DQ = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
const P_LOW = 0.02425;

function acklam(p: number): number {
  if (p < P_LOW) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((CQ[0] * q + CQ[1]) * q + CQ[2]) * q + CQ[3]) * q + CQ[4]) * q + CQ[5]) / ((((DQ[0] * q + DQ[1]) * q + DQ[2]) * q + DQ[3]) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((AQ[0] * r + AQ[1]) * r + AQ[2]) * r + AQ[3]) * r + AQ[4]) * r + AQ[5]) * q) / (((((BQ[0] * r + BQ[1]) * r + BQ[2]) * r + BQ[3]) * r + BQ[4]) * r + 1)
  );
}

/**
 * Standard normal quantile Φ⁻¹(p): the x with P(Z ≤ x) = p. `null` unless 0 < p < 1
 * (the quantiles of 0 and 1 are ∓∞, which this module never returns).
 *
 * @example normalQuantile(0.975) // ≈ 1.959963984540054
 * @example normalQuantile(0.8)   // ≈ 0.8416212335729143
 */
export function normalQuantile(p: number): number | null {
  if (!(p > 0 && p < 1)) return null; // also rejects NaN
  // Work in the lower half and use symmetry: 1 − p is exact for p ≥ 0.5 (Sterbenz),
  // and the lower-tail CDF is the accurate one for the refinement step.
  if (p > 0.5) return -(normalQuantile(1 - p) as number);
  let x = acklam(p);
  // One Halley step: e is the CDF error, u = e / φ(x); x ← x − u / (1 + x·u/2).
  const e = (normalCdf(x) as number) - p;
  const u = e * SQRT_2PI * Math.exp((x * x) / 2);
  // Below p ≈ 1e-308 exp(x²/2) overflows; Acklam's 1e-9 relative error stands there.
  if (Number.isFinite(u)) x = x - u / (1 + (x * u) / 2);
  return Number.isFinite(x) ? x : acklam(p);
}

/**
 * Critical value z₁₋α/₂ of a two-sided test at level `alpha`; `null` unless 0 < alpha < 1.
 *
 * @example zTwoSided(0.05) // ≈ 1.959963984540054
 * @example zTwoSided(0.01) // ≈ 2.5758293035489
 */
export function zTwoSided(alpha: number): number | null {
  if (!(alpha > 0 && alpha < 1)) return null;
  // α/2 is exact in binary, so go through the lower tail and flip the sign.
  const z = normalQuantile(alpha / 2);
  return z === null ? null : -z;
}

/**
 * Two-sided p-value of a z statistic: 2·Φ(−|z|). `null` for NaN.
 *
 * @example twoSidedPValue(1.959963984540054) // ≈ 0.05
 */
export function twoSidedPValue(z: number): number | null {
  const tail = normalCdf(-Math.abs(z));
  return tail === null ? null : Math.min(1, 2 * tail);
}
