import { Card, EmptyState } from "@shopify/polaris";
import { installMoment } from "../../../core/first-run";

/** The funnels list of a shop with no event yet: the funnels exist, their reports wait for visitors. */
export function FunnelsWaitingCard({ installedAt, timeZone }: { installedAt: number; timeZone: string }) {
  return (
    <Card>
      <div data-testid="funnels-waiting">
        <EmptyState heading="Your funnels are ready, waiting for visitors" image="" action={{ content: "Open setup", url: "/app/setup" }}>
          <p>
            {`No storefront event has arrived since the app was installed ${installMoment(installedAt, timeZone)} (${timeZone}). `}
            The funnels below (and any you build) count visitors from their first visit on: each report shows how many reach every step and names the step that
            loses the most, as soon as visitors arrive.
          </p>
        </EmptyState>
      </div>
    </Card>
  );
}
