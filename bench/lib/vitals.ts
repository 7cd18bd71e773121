/**
 * Web-vitals style figures from the entries bench/lib/chromium.ts's OBSERVERS collect in
 * the page (pure; tested in test/unit/bench-vitals.test.ts).
 */

export interface PageVitals {
  lcp: { t: number; size: number; tag: string | null }[];
  shifts: { t: number; value: number; recent: boolean }[];
  longtasks: { t: number; d: number }[];
  events: { name: string; t: number; d: number; id: number }[];
  fcp: number | null;
  firstInputAt: number | null;
}

/** LCP: the last candidate before the first input (as the browser stops reporting). */
export function lcpOf(v: PageVitals, before = Infinity): number | null {
  const c = v.lcp.filter((e) => e.t <= before);
  return c.length ? c[c.length - 1].t : null;
}

/** CLS: the largest session window (gap < 1 s, window ≤ 5 s) of shifts without recent input. */
export function clsOf(v: PageVitals): number {
  const shifts = v.shifts.filter((s) => !s.recent).sort((a, b) => a.t - b.t);
  let best = 0;
  let current = 0;
  let start = -Infinity;
  let last = -Infinity;
  for (const s of shifts) {
    if (s.t - last > 1_000 || s.t - start > 5_000) {
      current = 0;
      start = s.t;
    }
    current += s.value;
    last = s.t;
    best = Math.max(best, current);
  }
  return best;
}

/** Total blocking time approximation: Σ (long task − 50 ms) from FCP until `until`. */
export function tbtOf(v: PageVitals, until = Infinity): number {
  const from = v.fcp ?? 0;
  return v.longtasks.filter((t) => t.t >= from && t.t <= until).reduce((s, t) => s + Math.max(0, t.d - 50), 0);
}

/** INP approximation: the longest event-timing duration among interactions (interactionId > 0). */
export function inpOf(v: PageVitals): number | null {
  const ds = v.events.filter((e) => e.id > 0).map((e) => e.d);
  return ds.length ? Math.max(...ds) : null;
}
