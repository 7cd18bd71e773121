/**
 * Where a builder error is, in words: validation reports paths like
 * `steps.2.anyOf.0.event`; the merchant reads "Step 3, event". Pure; the builder shows
 * each message beside its field and this list above the form.
 */

const FIELD_NAMES: Record<string, string> = {
  name: "Funnel name",
  unit: "Count per",
  windowMinutes: "Conversion window",
  steps: "Steps",
  template: "Template",
  label: "label",
  anyOf: "events",
  event: "event",
  field: "what to filter on",
  op: "condition",
  key: "property",
  value: "value",
};

/** "steps.2.anyOf.1.filters.0.value" → "Step 3, alternative 2, filter 1, value". */
export function fieldPlace(path: string): string {
  if (path === "" || path === "_") return "The funnel";
  const parts = path.split(".");
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    const next = parts[i + 1];
    const n = next !== undefined && /^\d+$/.test(next) ? Number(next) + 1 : null;
    if (p === "steps" && n !== null) {
      out.push(`Step ${n}`);
      i++;
    } else if (p === "anyOf" && n !== null) {
      // The first alternative is "the event" itself; only further ones are named.
      if (n > 1) out.push(`alternative ${n}`);
      i++;
    } else if (p === "filters" && n !== null) {
      out.push(`filter ${n}`);
      i++;
    } else {
      out.push(FIELD_NAMES[p] ?? p);
    }
  }
  const text = out.join(", ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Every error as "Step 3, event: Choose an event", in the order of the form. */
export function errorSummary(fieldErrors: Readonly<Record<string, string>>): string[] {
  // Fields in the order the form shows them; indexes as numbers.
  const RANK = ["name", "unit", "windowMinutes", "template", "steps", "label", "anyOf", "event", "filters", "field", "key", "op", "value"];
  const order = (path: string) =>
    path
      .split(".")
      .map((p) => (/^\d+$/.test(p) ? p.padStart(4, "0") : `r${String(RANK.indexOf(p) < 0 ? RANK.length : RANK.indexOf(p)).padStart(2, "0")}${p}`))
      .join(".");
  return Object.keys(fieldErrors)
    .sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0))
    .map((path) => `${fieldPlace(path)}: ${fieldErrors[path]}`);
}
