import { RANGE_PRESET_LABELS, type RangePreset } from "../../services/date-range";

/** What the audience is, in one line: event audiences by their rule, drop-off audiences by the funnel's range. */
export function audienceSubtitle(a: {
  kind: string;
  microLabel: string;
  macroLabel: string;
  lookbackDays: number;
  dropOff: { step: number; range: { range: string; from: string | null; to: string | null } } | null;
}): string {
  if (a.kind !== "funnel-drop-off") return `${a.microLabel}, not ${a.macroLabel}, within ${a.lookbackDays} days`;
  if (!a.dropOff) return "Funnel step drop-offs (unreadable definition)";
  const r = a.dropOff.range;
  return `Settled drop-offs of funnel step ${a.dropOff.step}, ${r.range === "custom" ? `${r.from} to ${r.to}` : (RANGE_PRESET_LABELS[r.range as RangePreset] ?? r.range)}`;
}
