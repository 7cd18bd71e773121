import { Link } from "@remix-run/react";
import { BlockStack, Card, InlineStack, List, Text } from "@shopify/polaris";
import { count, percent, plural, ratio } from "../../../core/trust/format";
import type { CoverageSummary } from "../../../core/trust/coverage";

export interface CoverageCardProps {
  /** What coverageReport() (services/trust/coverage.server) returns; `days` is not needed here. */
  coverage: CoverageSummary;
  /** Link to the per-day page; null hides it (e.g. on that page itself). */
  detailsUrl?: string | null;
}

/**
 * Tracking coverage for a range: online-store orders Shopify recorded vs the ones the
 * pixel saw, with the counts beside the rate, the usual causes of the gap and what was
 * excluded. Presentational: all numbers come in the props.
 */
export function CoverageCard({ coverage, detailsUrl }: CoverageCardProps) {
  const t = coverage.total;
  const link = detailsUrl === undefined ? `/app/coverage?${coverage.query}` : detailsUrl;
  return (
    <Card>
      <section aria-label="Tracking coverage">
        <BlockStack gap="300">
          <InlineStack align="space-between" blockAlign="center">
            <Text as="h2" variant="headingMd">Tracking coverage</Text>
            <Text as="span" tone="subdued" variant="bodySm">
              {`${coverage.range.fromDate} – ${coverage.range.toDate} (${coverage.range.timeZone})`}
            </Text>
          </InlineStack>
          <BlockStack gap="100">
            <Text as="p" variant="headingLg">
              <span data-testid="coverage-ratio">{ratio(t.seen, t.onlineOrders)}</span>
            </Text>
            <Text as="p" tone="subdued">online-store orders that the pixel saw as a purchase</Text>
          </BlockStack>
          {t.onlineOrders === 0 ? (
            <Text as="p">
              No online-store orders from Shopify in this range yet, so coverage cannot be measured. Orders arrive through the
              orders/create webhook from the moment the app is installed.
            </Text>
          ) : null}
          <List>
            <List.Item>
              <span data-testid="coverage-pixel-purchases">{`Purchases seen by the pixel: ${count(t.pixelPurchases)}`}</span>
              {" — what the purchase step of your funnels counts."}
            </List.Item>
            <List.Item>
              <span data-testid="coverage-online-orders">{`Orders Shopify recorded from the online store: ${count(t.onlineOrders)}`}</span>
              {t.missed > 0 ? ` — with the ${plural(t.missed, "order")} the pixel missed, the purchase step would count ${count(t.pixelPurchases + t.missed)}.` : "."}
            </List.Item>
            <List.Item>
              <span data-testid="coverage-excluded">{`Excluded: ${plural(t.otherChannelOrders, "order")} from other channels`}</span>
              {" (point of sale, draft orders, other sales channels): the pixel only runs in the online store."}
            </List.Item>
            {t.pixelPurchasesWithoutOrder > 0 ? (
              <List.Item>
                {`${plural(t.pixelPurchasesWithoutOrder, "pixel purchase")} ${t.pixelPurchasesWithoutOrder === 1 ? "has" : "have"} no order from Shopify yet: webhooks can arrive late, and orders placed before the app was installed are never sent.`}
              </List.Item>
            ) : null}
          </List>
          {t.missed > 0 ? (
            <BlockStack gap="100">
              <Text as="h3" variant="headingSm">{`Why the pixel missed ${plural(t.missed, "order")} (${percent(t.rate === null ? null : 1 - t.rate)})`}</Text>
              <List>
                <List.Item>Visitors who declined analytics cookies: Shopify does not load the pixel for them, so their whole visit is invisible, not just the purchase.</List.Item>
                <List.Item>Ad and tracker blockers that stop the pixel's requests.</List.Item>
                <List.Item>Buyers who closed the page before the order confirmation loaded.</List.Item>
              </List>
              <Text as="p" variant="bodySm" tone="subdued">
                The visitors behind missed orders are usually missing from the earlier funnel steps too, so do not add the missed orders to a
                conversion rate: read coverage as the share of your buyers the reports can see.
              </Text>
            </BlockStack>
          ) : null}
          {link ? (
            <Text as="p">
              <Link to={link}>Coverage per day</Link>
            </Text>
          ) : null}
        </BlockStack>
      </section>
    </Card>
  );
}
