import { BlockStack, Text } from "@shopify/polaris";
import { ci, countsRate, int, ratio } from "../insights/format";
import type { AudienceHistory } from "../../../core/insights";
import type { AudienceSizeView } from "../../services/audiences/audiences.server";

/** Size now: identified customers and anonymous visitors, with the population they come from. */
export function AudienceSize({ size, lookbackDays }: { size: AudienceSizeView; lookbackDays: number }) {
  return (
    <BlockStack gap="150">
      <div data-testid="audience-size">
        <Text as="p" variant="headingLg">
          {int(size.identifiedCustomers)} identified customer{size.identifiedCustomers === 1 ? "" : "s"} · {int(size.anonymousVisitors)} anonymous visitor
          {size.anonymousVisitors === 1 ? "" : "s"}
        </Text>
      </div>
      <Text as="p" tone="subdued">
        {int(size.memberVisitors)} of {int(size.activeVisitors)} visitors active in the last {lookbackDays} days are in the audience. Identified customers are
        the distinct customer ids their events carry (logged-in visits); only those can be exported or tagged.
        {size.excludedCustomers > 0
          ? ` ${int(size.excludedCustomers)} customer${size.excludedCustomers === 1 ? " was" : "s were"} left out: they reached the goal on another visit or device.`
          : ""}
      </Text>
    </BlockStack>
  );
}

/** Historical conversion of the same definition one lookback period back, with counts and lift. */
export function AudienceHistoryText({ history, macroLabel, lookbackDays }: { history: AudienceHistory; macroLabel: string; lookbackDays: number }) {
  const l = history.lift;
  return (
    <BlockStack gap="150">
      <div data-testid="audience-history">
        <Text as="p">
          Members {lookbackDays * 2}–{lookbackDays} days ago: {countsRate(history.members)} did “{macroLabel}” in the following {lookbackDays} days, against{" "}
          {countsRate(history.others)} of the other visitors active then who had done neither.
        </Text>
      </div>
      {l.eligible ? (
        <Text as="p" fontWeight="semibold">
          Lift {ratio(l.ratio)} ({l.ci95 ? ci(l.ci95) : (l.reason ?? "no confidence interval")})
          {l.ci95 && l.ci95[0] <= 1 && l.ci95[1] >= 1 ? " — the interval includes 1×: this could be chance" : ""}
        </Text>
      ) : (
        <div data-testid="history-caveat">
          <Text as="p" tone="caution">
            Lift not shown — not enough data: {l.reason}.
          </Text>
        </div>
      )}
      {history.caveat ? (
        <Text as="p" tone="caution">
          Caveat: {history.caveat}.
        </Text>
      ) : null}
    </BlockStack>
  );
}
