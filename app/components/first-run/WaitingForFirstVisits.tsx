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
