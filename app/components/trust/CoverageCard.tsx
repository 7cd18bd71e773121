import { Link } from "@remix-run/react";
import { BlockStack, Card, InlineStack, List, Text } from "@shopify/polaris";
import { count, percent, plural, ratio } from "../../../core/trust/format";
import { RECENT_MS, type CoverageSummary } from "../../../core/trust/coverage";

export interface CoverageCardProps {
  /** What coverageReport() (services/trust/coverage.server) returns; `days` is not needed here. */
  coverage: CoverageSummary;
  /** Link to the per-day page; null hides it (e.g. on that page itself). */
  detailsUrl?: string | null;
}

const RECENT_MIN = RECENT_MS / 60_000;

/**
 * Tracking coverage for a range: online-store orders Shopify recorded matched to the
 * pixel's purchases by order id, shown so the numbers add up on screen (orders = matched +
 * missed; pixel purchases = matched + without an order, by likely reason), with the usual
 * causes of the gap and what was excluded. Presentational: all numbers come in the props.
 */
export function CoverageCard({ coverage, detailsUrl }: CoverageCardProps) {
  const t = coverage.total;
  const u = t.unmatched;
  const link = detailsUrl === undefined ? `/app/coverage?${coverage.query}` : detailsUrl;
  return (
    <Card>
      <section aria-label="Tracking coverage">
        <BlockStack gap="300">
          <InlineStack align="space-between" blockAlign="center">
            <Text as="h2" variant="headingMd">
              Tracking coverage
            </Text>
            <Text as="span" tone="subdued" variant="bodySm">
              {`${coverage.range.fromDate} – ${coverage.range.toDate} (${coverage.range.timeZone})`}
            </Text>
          </InlineStack>
          <BlockStack gap="100">
            <Text as="p" variant="headingLg">
              <span data-testid="coverage-ratio">{ratio(t.seen, t.onlineOrders)}</span>
            </Text>
            <Text as="p" tone="subdued">
              online-store orders that the pixel saw as a purchase (matched by order id)
            </Text>
          </BlockStack>
          {t.onlineOrders === 0 && t.pixelPurchases === 0 ? (
            <Text as="p">
              No online-store orders from Shopify and no purchases from the pixel in this range yet, so coverage cannot be measured. Orders arrive through the
              orders/create webhook from the moment the app is installed.
            </Text>
          ) : null}
          <BlockStack gap="100">
            <Text as="h3" variant="headingSm">
              How the numbers add up
            </Text>
            <List>
              <List.Item>
                <span data-testid="coverage-matched">{`Matched: ${count(t.seen)}`}</span>
                {" — a pixel purchase and Shopify’s order with the same order id."}
              </List.Item>
              <List.Item>
                <span data-testid="coverage-missed">{`Orders the pixel missed: ${count(t.missed)}`}</span>
                {" — online-store orders with no purchase from the pixel."}
              </List.Item>
              <List.Item>
                <span data-testid="coverage-unmatched">{`Pixel purchases with no order yet: ${count(t.pixelPurchasesWithoutOrder)}`}</span>
                {" — purchases the pixel reported that have no online-store order from Shopify."}
              </List.Item>
            </List>
            <Text as="p">
              <span data-testid="coverage-online-orders">
                {`Orders Shopify recorded from the online store: ${count(t.onlineOrders)} = ${count(t.seen)} matched + ${count(t.missed)} missed`}
              </span>
            </Text>
            <Text as="p">
              <span data-testid="coverage-pixel-purchases">
                {`Purchases seen by the pixel: ${count(t.pixelPurchases)} = ${count(t.seen)} matched + ${count(t.pixelPurchasesWithoutOrder)} with no order yet`}
              </span>
              {" — what the purchase step of your funnels counts."}
            </Text>
            <Text as="p" variant="bodySm" tone="subdued">
              A matched order counts on the day of its purchase event, a missed order on the day Shopify created it.
            </Text>
          </BlockStack>
          {t.pixelPurchasesWithoutOrder > 0 ? (
            <BlockStack gap="100">
              <Text
                as="h3"
                variant="headingSm"
              >{`Why ${plural(t.pixelPurchasesWithoutOrder, "pixel purchase")} ${t.pixelPurchasesWithoutOrder === 1 ? "has" : "have"} no order`}</Text>
              <List>
                {u.awaitingOrder > 0 ? (
                  <List.Item>
                    <span data-testid="coverage-unmatched-awaiting">{`${count(u.awaitingOrder)} in the last ${RECENT_MIN} minutes`}</span>
                    {": Shopify’s order webhook has probably not arrived yet."}
                  </List.Item>
                ) : null}
                {u.otherChannel > 0 ? (
                  <List.Item>
                    <span data-testid="coverage-unmatched-other-channel">{`${count(u.otherChannel)} with an order from another channel`}</span>
                    {": Shopify recorded the order outside the online store (for example a draft order paid through checkout)."}
                  </List.Item>
                ) : null}
                {u.noOrder > 0 ? (
                  <List.Item>
                    <span data-testid="coverage-unmatched-no-order">{`${count(u.noOrder)} with no order from Shopify`}</span>
                    {
                      ": the order webhook was not delivered (Shopify retries for 48 hours), the order was a test or deleted, or the event did not come from a real checkout."
                    }
                  </List.Item>
                ) : null}
              </List>
            </BlockStack>
          ) : null}
          {t.missed > 0 ? (
            <BlockStack gap="100">
              <Text as="h3" variant="headingSm">{`Why the pixel missed ${plural(t.missed, "order")} (${percent(t.rate === null ? null : 1 - t.rate)})`}</Text>
              <List>
                {t.missedRecent > 0 ? (
                  <List.Item>
                    <span data-testid="coverage-missed-recent">{`${count(t.missedRecent)} placed in the last ${RECENT_MIN} minutes`}</span>
                    {": the pixel’s purchase event may still be on its way."}
                  </List.Item>
                ) : null}
                <List.Item>
                  Visitors who declined analytics cookies: Shopify does not load the pixel for them, so their whole visit is invisible, not just the purchase.
                </List.Item>
                <List.Item>Ad and tracker blockers that stop the pixel's requests.</List.Item>
                <List.Item>Buyers who closed the page before the order confirmation loaded.</List.Item>
              </List>
              <Text as="p" variant="bodySm" tone="subdued">
                The visitors behind missed orders are usually missing from the earlier funnel steps too, so do not add the missed orders to a conversion rate:
                read coverage as the share of your buyers the reports can see.
              </Text>
            </BlockStack>
          ) : null}
          <Text as="p">
            <span data-testid="coverage-excluded">{`Excluded: ${plural(t.otherChannelOrders, "order")} from other channels`}</span>
            {" (point of sale, draft orders, other sales channels): the pixel only runs in the online store."}
          </Text>
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
