import { Text } from "@shopify/polaris";
import type { PreviousPeriod } from "../../../core/first-run";
import { localDate } from "../../../core/first-run";

export interface PreviousPeriodNoteProps {
  period: PreviousPeriod;
  timeZone: string;
  /** What the full comparison reads, e.g. "previous 30 days: 1,204". */
  text: string;
}

/**
 * The line under a figure that compares it with the previous period. Days before the
 * shop's data starts hold no data, so a period wholly before it is not compared ("0"
 * would read as "nobody came"), and one it cuts says from when it counts.
 */
export function PreviousPeriodNote({ period, timeZone, text }: PreviousPeriodNoteProps) {
  if (period.kind === "none") {
    return (
      <Text as="p" tone="subdued" variant="bodySm">
        {`No earlier period yet: data starts ${localDate(period.since, timeZone)}`}
      </Text>
    );
  }
  return (
    <Text as="p" tone="subdued" variant="bodySm">
      {period.kind === "partial" ? `${text} (data only from ${localDate(period.since, timeZone)})` : text}
    </Text>
  );
}
