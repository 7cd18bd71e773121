/**
 * Numbers as the trust views print them, the same way the funnel reports do: every rate
 * beside its counts ("171 of 190 · 90.0 %"), a rate without a denominator as "—". The UI
 * is English; a fixed locale keeps server render and hydration identical.
 */
export const DASH = "—";

const int = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const one = new Intl.NumberFormat("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** 1234 → "1,234". */
export function count(n: number): string {
  return int.format(n);
}

/** 0.9 → "90.0 %"; null (zero denominator) → "—". */
export function percent(rate: number | null): string {
  return rate === null || !Number.isFinite(rate) ? DASH : `${one.format(rate * 100)} %`;
}

/** "171 of 190 · 90.0 %", or "0 of 0 · —". */
export function ratio(numerator: number, denominator: number): string {
  return `${count(numerator)} of ${count(denominator)} · ${percent(denominator === 0 ? null : numerator / denominator)}`;
}

/** "1 order" / "2 orders". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${count(n)} ${n === 1 ? one : many}`;
}
