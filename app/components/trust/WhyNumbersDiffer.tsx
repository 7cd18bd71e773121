import { Link } from "@remix-run/react";
import { BlockStack, Card, List, Text } from "@shopify/polaris";
import type { DifferencesView } from "../../../core/trust/differences";
import { count, plural, ratio } from "../../../core/trust/format";

export interface WhyNumbersDifferProps {
  /** What whyNumbersDiffer() (services/trust/differences.server) returns for the shop and range. */
  differences: DifferencesView;
  /** Link to the coverage page; null hides it. */
  coverageUrl?: string | null;
}

/**
 * The reasons our session and conversion figures differ from Shopify's, counted for this
 * shop and range. Meant to sit next to any session or conversion figure.
 */
export function WhyNumbersDiffer({ differences: d, coverageUrl }: WhyNumbersDifferProps) {
  const link = coverageUrl === undefined ? `/app/coverage?${d.query}` : coverageUrl;
  return (
    <Card>
      <section aria-label="Why these numbers differ from Shopify's">
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            Why these numbers differ from Shopify’s
          </Text>
          <Text as="p" tone="subdued" variant="bodySm">{`${d.range.fromDate} – ${d.range.toDate} (${d.range.timeZone})`}</Text>
          <List type="number">
            <List.Item>
              <span data-testid="why-sessions">
                {"Sessions: we end a session after 30 minutes without activity; Shopify also ends every session at midnight UTC. "}
                {d.sessionsCrossingUtcMidnight === 0
                  ? `None of our ${plural(d.sessions, "session")} in this range spans midnight UTC, so that rule changes nothing here.`
                  : `${count(d.sessionsCrossingUtcMidnight)} of our ${plural(d.sessions, "session")} in this range span midnight UTC, ` +
                    `each two or more sessions for Shopify: by its rule there would be ${count(d.sessionsByShopifyRule)} (+${count(d.extraShopifySessions)}).`}
              </span>
            </List.Item>
            <List.Item>
              <span data-testid="why-bots">
                {`Bots: ${plural(d.botSessions, "bot session")} (${plural(d.botEvents, "event")}) were recognised by their user agent and left out of every report. ` +
                  `Shopify filters bots with its own rules, so its counts may include some of these or exclude others.`}
              </span>
            </List.Item>
            <List.Item>
              <span data-testid="why-consent">
                {`Consent and blockers: visitors who decline analytics cookies are not seen at all — the pixel does not run for them — and neither are most visitors with tracker blockers. `}
                {d.consent.onlineOrders > 0
                  ? `Coverage estimates the share we do see: the pixel saw ${ratio(d.consent.seen, d.consent.onlineOrders)} of online-store orders in this range.`
                  : "With no online-store orders in this range there is nothing yet to estimate the gap from."}
              </span>
              {link ? (
                <>
                  {" "}
                  <Link to={link}>See coverage</Link>
                </>
              ) : null}
            </List.Item>
            <List.Item>
              <span data-testid="why-units">
                {`Sessions or visitors: each report counts one unit. A purchase made in a later visit counts for the visitor but not for the session that viewed the product — ` +
                  `${count(d.purchasedInLaterSession)} of ${plural(d.purchasingVisitors, "purchasing visitor")} in this range bought in a later session than the one where they viewed a product.`}
              </span>
            </List.Item>
          </List>
        </BlockStack>
      </section>
    </Card>
  );
}
