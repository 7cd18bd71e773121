import { Card, EmptyState } from "@shopify/polaris";
import { localDate } from "../../../core/first-run";

export interface CoverageEmptyStateProps {
  dataSince: number | null;
  timeZone: string;
  rangeText: string;
}

/** Coverage with no order and no pixel purchase in the range: what it will show and when. */
export function CoverageEmptyState({ dataSince, timeZone, rangeText }: CoverageEmptyStateProps) {
  return (
    <Card>
      <EmptyState heading="No orders or purchases to compare yet" image="" action={{ content: "Open setup", url: "/app/setup" }}>
        <p>
          {`Coverage matches each online-store order Shopify records with the purchase the web pixel saw, by order id. ${rangeText} holds neither yet`}
          {dataSince === null ? "." : ` (data starts ${localDate(dataSince, timeZone)}, when the app was installed).`}
        </p>
        <p>The first row appears with the first order: it says whether the pixel saw it, and the share of orders it sees builds up from there.</p>
      </EmptyState>
    </Card>
  );
}
