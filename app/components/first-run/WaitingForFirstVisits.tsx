import { Card, EmptyState, List } from "@shopify/polaris";
import { installMoment } from "../../../core/first-run";
import { humanSpan } from "../../../core/trust/time";

export interface WaitingForFirstVisitsProps {
  installedAt: number;
  now: number;
  timeZone: string;
  unitNoun: string;
}

/** A report of a shop that has had no event since its install (within the range): it waits, nothing is wrong with the range. */
export function WaitingForFirstVisits({ installedAt, now, timeZone, unitNoun }: WaitingForFirstVisitsProps) {
  return (
    <Card>
      <EmptyState heading="Waiting for the first visits" image="" action={{ content: "Open setup", url: "/app/setup" }}>
        <p>
          {`The app was installed ${installMoment(installedAt, timeZone)} (${timeZone}, ${humanSpan(Math.max(0, now - installedAt))} ago) and no storefront event has arrived since. `}
          {`This report fills in as soon as visitors who accepted analytics cookies browse your store: ${unitNoun} appear here within seconds.`}
        </p>
        <List>
          <List.Item>Setup shows whether the web pixel and the theme app embed are connected.</List.Item>
          <List.Item>Visit your storefront yourself (accepting cookies) to see the first step fill in.</List.Item>
        </List>
      </EmptyState>
    </Card>
  );
}

/** A range that ends before the install: nothing was collected then, so a report of it is empty by nature. */
export function BeforeInstall({ installedAt, timeZone, rangeText }: { installedAt: number; timeZone: string; rangeText: string }) {
  return (
    <Card>
      <EmptyState heading="This range is before the app was installed" image="">
        <p>{`${rangeText} ends before the app was installed ${installMoment(installedAt, timeZone)} (${timeZone}); the web pixel collects visits from then on. Pick a range from that day on.`}</p>
      </EmptyState>
    </Card>
  );
}
