import { Card, EmptyState, List } from "@shopify/polaris";
import type { StepMatcher } from "../../../core/types";
import { newSinceRangeStart } from "../../../core/first-run";
import { BeforeInstall, WaitingForFirstVisits } from "../first-run/WaitingForFirstVisits";

export interface ReportEmptyStateProps {
  /** Events read for the range (0 = nothing arrived at all). */
  eventsInRange: number | null;
  firstStep: { label: string; anyOf: StepMatcher[] } | undefined;
  rangeText: string;
  unitNoun: string;
  /** When the app was installed, to tell a new shop (waiting for its first visits) from a quiet range. */
  install?: { at: number; now: number; anyEvents: boolean; rangeFrom: number; rangeTo: number; timeZone: string };
}

/** No unit entered the funnel: say why that may be and what to check, instead of an empty chart. */
export function ReportEmptyState({ eventsInRange, firstStep, rangeText, unitNoun, install }: ReportEmptyStateProps) {
  // Installed inside the range with nothing yet: a longer range holds nothing more.
  if (eventsInRange === 0 && install && !install.anyEvents && newSinceRangeStart(install.at, install.rangeFrom)) {
    return <WaitingForFirstVisits installedAt={install.at} now={install.now} timeZone={install.timeZone} unitNoun={unitNoun} />;
  }
  if (eventsInRange === 0 && install && install.rangeTo <= install.at) {
    return <BeforeInstall installedAt={install.at} timeZone={install.timeZone} rangeText={rangeText} />;
  }
  const names = firstStep?.anyOf.map((a) => (a.filters.length ? `${a.event} (with filters)` : a.event)).join(" or ") ?? "—";
  return (
    <Card>
      <EmptyState
        heading={eventsInRange === 0 ? `No events in ${rangeText}` : `No ${unitNoun} reached step 1 in ${rangeText}`}
        image=""
        action={{ content: "Check tracking settings", url: "/app/settings" }}
      >
        <p>What to check:</p>
        <List>
          {eventsInRange === 0 ? (
            <>
              <List.Item>The web pixel is connected (Settings shows “created”).</List.Item>
              <List.Item>The Micro-Conversions app embed is turned on in the theme editor (scroll, form and download events come from it).</List.Item>
              <List.Item>Visitors accepted analytics cookies — without consent nothing is sent.</List.Item>
              <List.Item>Try a longer date range.</List.Item>
            </>
          ) : (
            <>
              <List.Item>{`Step 1 (“${firstStep?.label ?? ""}”) matches ${names}: does your store send that event?`}</List.Item>
              <List.Item>Filters compare exactly and are case-sensitive (paths, property values).</List.Item>
              <List.Item>Try a longer date range.</List.Item>
            </>
          )}
        </List>
      </EmptyState>
    </Card>
  );
}
