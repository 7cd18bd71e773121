import { useEffect, useState } from "react";
import { Button, InlineStack, Select, TextField } from "@shopify/polaris";

export interface InsightsControlValues {
  range: string;
  from: string;
  to: string;
  goal: string | null;
  mde: string;
  alpha: string;
  power: string;
  /** Other page parameters kept across applies (e.g. the readout's funnel). */
  extra?: Record<string, string>;
}

export interface InsightsControlsProps {
  values: InsightsControlValues;
  rangeOptions: { label: string; value: string }[];
  goalOptions?: { label: string; value: string }[];
  onApply(values: InsightsControlValues): void;
  disabled?: boolean;
  /** Query parameter → what is wrong with it; each shown beside its control. */
  errors?: Record<string, string>;
}

/**
 * Range, macro goal and the planner's MDE / significance / power. Selects apply at once;
 * typed numbers and custom dates apply with the button, so half-typed input never fires.
 */
export function InsightsControls({ values, rangeOptions, goalOptions, onApply, disabled, errors = {} }: InsightsControlsProps) {
  const [draft, setDraft] = useState(values);
  const key = JSON.stringify(values);
  // Reset the draft when the URL (and so the applied values) changes, not on every render.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(() => setDraft(values), [key]);
  const set = (patch: Partial<InsightsControlValues>) => setDraft((d) => ({ ...d, ...patch }));
  return (
    <InlineStack gap="300" blockAlign="end" wrap>
      <Select
        label="Date range"
        options={rangeOptions}
        value={draft.range}
        error={errors.range}
        disabled={disabled}
        onChange={(range) => (range === "custom" ? set({ range }) : onApply({ ...draft, range }))}
      />
      {draft.range === "custom" ? (
        <>
          <TextField
            label="From"
            type="date"
            autoComplete="off"
            value={draft.from}
            onChange={(from) => set({ from })}
            error={errors.from}
            disabled={disabled}
          />
          <TextField
            label="To (included)"
            type="date"
            autoComplete="off"
            value={draft.to}
            onChange={(to) => set({ to })}
            error={errors.to}
            disabled={disabled}
          />
        </>
      ) : null}
      {goalOptions ? (
        <Select
          label="Macro goal"
          options={goalOptions}
          value={draft.goal ?? ""}
          error={errors.goal}
          disabled={disabled}
          onChange={(goal) => onApply({ ...draft, goal })}
        />
      ) : null}
      <div style={{ maxWidth: 150 }}>
        <TextField
          label="MDE (relative %)"
          type="number"
          autoComplete="off"
          min={0}
          value={draft.mde}
          onChange={(mde) => set({ mde })}
          error={errors.mde}
          disabled={disabled}
        />
      </div>
      <div style={{ maxWidth: 130 }}>
        <TextField
          label="Significance α"
          type="number"
          autoComplete="off"
          step={0.01}
          value={draft.alpha}
          onChange={(alpha) => set({ alpha })}
          error={errors.alpha}
          disabled={disabled}
        />
      </div>
      <div style={{ maxWidth: 130 }}>
        <TextField
          label="Power"
          type="number"
          autoComplete="off"
          step={0.05}
          value={draft.power}
          onChange={(power) => set({ power })}
          error={errors.power}
          disabled={disabled}
        />
      </div>
      <Button onClick={() => onApply(draft)} disabled={disabled}>
        Apply
      </Button>
    </InlineStack>
  );
}

/** Query string of the controls (empty values left out, so defaults apply). */
export function controlsQuery(v: InsightsControlValues): string {
  const p = new URLSearchParams();
  p.set("range", v.range);
  if (v.range === "custom") {
    if (v.from) p.set("from", v.from);
    if (v.to) p.set("to", v.to);
  }
  if (v.goal) p.set("goal", v.goal);
  if (v.mde) p.set("mde", v.mde);
  if (v.alpha) p.set("alpha", v.alpha);
  if (v.power) p.set("power", v.power);
  if (v.extra) for (const [k, val] of Object.entries(v.extra)) p.set(k, val);
  return p.toString();
}

/** The controls' values from the page URL (defaults where absent). */
export function valuesFromSearch(search: URLSearchParams, fallback: { from: string; to: string }, withGoal: boolean): InsightsControlValues {
  return {
    range: search.get("range") || "last30",
    from: search.get("from") || fallback.from,
    to: search.get("to") || fallback.to,
    goal: withGoal ? search.get("goal") || "purchase" : null,
    mde: search.get("mde") || "10",
    alpha: search.get("alpha") || "0.05",
    power: search.get("power") || "0.8",
  };
}
