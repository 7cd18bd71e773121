import { Text } from "@shopify/polaris";
import type { RateChange } from "../../../core/stats/wilson";
import { formatter } from "../../lib/funnel-format";

export interface ChangeCellProps {
  change: RateChange | null;
  locale: string;
  /** True when a rise is good news (conversion), false when it is bad (drop-off). */
  higherIsBetter: boolean;
  /** What the counts are, e.g. "reached" → "(was 9 reached)". */
  noun?: string;
}

/**
 * A rate change as the small-numbers rules allow (docs/funnel-semantics.md): "too few to
 * compare" under 30 units on either side (no colour, no arrow); a change whose 95 %
 * interval includes 0 is neutral; only a change clear of 0 gets an arrow and a colour.
 */
export function ChangeCell({ change, locale, higherIsBetter, noun = "units" }: ChangeCellProps) {
  const f = formatter(locale);
  if (!change || change.verdict === null) return <span data-verdict="none">—</span>;
  const counts = `${f.count(change.previous.total)} → ${f.count(change.current.total)} ${noun}`;
  if (change.verdict === "too-few") {
    return (
      <span data-verdict="too-few">
        <Text as="span" tone="subdued">{`too few to compare (${counts})`}</Text>
      </span>
    );
  }
  const ci = change.changeCi95Pp;
  const interval = ci ? ` (95 %: ${f.pp(ci[0])} to ${f.pp(ci[1])})` : "";
  if (change.verdict === "neutral") {
    return (
      <span data-verdict="neutral">
        <Text as="span" tone="subdued">{`${f.pp(change.changePp)} · no clear change${interval}`}</Text>
      </span>
    );
  }
  const good = (change.verdict === "up") === higherIsBetter;
  return (
    <span data-verdict={change.verdict}>
      <Text as="span" tone={good ? "success" : "critical"}>{`${change.verdict === "up" ? "▲" : "▼"} ${f.pp(change.changePp)}${interval}`}</Text>
    </span>
  );
}
