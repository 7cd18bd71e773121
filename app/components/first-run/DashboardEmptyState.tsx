import { Card, EmptyState, List } from "@shopify/polaris";
import { installMoment } from "../../../core/first-run";

export interface DashboardEmptyStateProps {
  /** When the app was installed (epoch ms), or null when unknown. */
  installedAt: number | null;
  now: number;
  timeZone: string;
  pixelStatus: string;
}

/** A shop installed within this many hours is "new": its empty dashboard waits for first visits rather than asking what is wrong. */
export const NEW_SHOP_HOURS = 24;

/** The dashboard with zero events: what happens next and when, not empty cards. */
export function DashboardEmptyState({ installedAt, now, timeZone, pixelStatus }: DashboardEmptyStateProps) {
  const isNew = installedAt !== null && now - installedAt < NEW_SHOP_HOURS * 3_600_000;
  const installed = installedAt === null ? null : `${installMoment(installedAt, timeZone)} (${timeZone})`;
  return (
    <Card>
      <EmptyState
        heading={isNew ? "Waiting for your first visitors" : "No visitor events yet"}
        image=""
        action={{ content: "Open setup", url: "/app/setup" }}
        secondaryAction={{ content: "See funnels", url: "/app/funnels" }}
      >
        <p>
          {isNew
            ? `The app was installed ${installed}. As soon as a visitor who accepted analytics cookies opens your storefront, their page views, cart adds and checkouts arrive here within seconds, and the sessions, rates and the funnel's biggest leak fill in.`
            : `Nothing has arrived since the app was installed${installed ? ` ${installed}` : ""}. Once the web pixel receives storefront traffic, your funnels and micro-conversions appear here. What to check:`}
        </p>
        <List>
          <List.Item>{`The web pixel is connected (now: ${pixelStatus}).`}</List.Item>
          <List.Item>The Micro-Conversions app embed is turned on in your theme editor (scroll, form and download events come from it).</List.Item>
          <List.Item>Visitors accepted analytics cookies — without consent nothing is sent.</List.Item>
        </List>
      </EmptyState>
    </Card>
  );
}
