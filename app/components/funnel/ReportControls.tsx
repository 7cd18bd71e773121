import { useEffect, useState } from "react";
import { Button, Checkbox, InlineStack, Select, TextField } from "@shopify/polaris";
import type { BreakdownKey } from "../../../core/types";
import type { RangePreset } from "../../services/date-range";
import type { ReportParams } from "../../lib/funnel-query";

export type ReportControlValues = ReportParams;

export interface ReportControlsProps {
  values: ReportControlValues;
  rangeOptions: { label: string; value: string }[];
  breakdownOptions: { label: string; value: string }[];
  /** Resolved first/last day of the current range, to prefill the custom date fields. */
  resolvedFrom: string;
  resolvedTo: string;
  /** Called with only what changed, so a change builds on any navigation still pending. */
  onChange(patch: Partial<ReportControlValues>): void;
  disabled?: boolean;
}

/**
 * Range presets, custom dates, compare toggle, breakdown and trend granularity. Presets
 * and toggles apply at once; custom dates apply with the button so a half-typed date
 * never fires a request.
 */
export function ReportControls({ values, rangeOptions, breakdownOptions, resolvedFrom, resolvedTo, onChange, disabled }: ReportControlsProps) {
  const [from, setFrom] = useState(values.from ?? resolvedFrom);
  const [to, setTo] = useState(values.to ?? resolvedTo);
  const [custom, setCustom] = useState(values.range === "custom");
  useEffect(() => {
    setFrom(values.from ?? resolvedFrom);
    setTo(values.to ?? resolvedTo);
    setCustom(values.range === "custom");
  }, [values.from, values.to, values.range, resolvedFrom, resolvedTo]);

  return (
    <InlineStack gap="300" blockAlign="end" wrap>
      <Select
        label="Date range"
        options={rangeOptions}
        value={custom ? "custom" : values.range}
        disabled={disabled}
        onChange={(range) => {
          if (range === "custom") setCustom(true);
          else onChange({ range: range as RangePreset, from: null, to: null });
        }}
      />
      {custom ? (
        <>
          <TextField label="From" type="date" autoComplete="off" value={from} onChange={setFrom} disabled={disabled} />
          <TextField label="To (included)" type="date" autoComplete="off" value={to} onChange={setTo} disabled={disabled} />
          <Button onClick={() => onChange({ range: "custom", from, to })} disabled={disabled}>
            Apply dates
          </Button>
        </>
      ) : null}
      <Select
        label="Breakdown"
        options={[{ label: "None", value: "none" }, ...breakdownOptions]}
        value={values.breakdown ?? "none"}
        disabled={disabled}
        onChange={(b) => onChange({ breakdown: b === "none" ? null : (b as BreakdownKey) })}
      />
      <Select
        label="Trend by"
        options={[
          { label: "Day", value: "day" },
          { label: "Week", value: "week" },
        ]}
        value={values.trend}
        disabled={disabled}
        onChange={(t) => onChange({ trend: t === "week" ? "week" : "day" })}
      />
      <Checkbox label="Compare to previous period" checked={values.compare} disabled={disabled} onChange={(compare) => onChange({ compare })} />
    </InlineStack>
  );
}
