import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { defer } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Button, Card, InlineGrid, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { appContext } from "../context.server";
import { authenticate } from "../shopify.server";
import { requireShop } from "../services/shops.server";
import { dashboard } from "../services/dashboard.server";
import { formatter, unitNoun } from "../lib/funnel-format";
import { ChangeCell } from "../components/funnel/ChangeCell";
import { ResultsAsOf } from "../components/funnel/ResultsAsOf";
import { dashboardTrustData, dashboardTrustPanels } from "../services/trust/pages.server";
import { SetupChecklist } from "../components/trust/SetupChecklist";
import { DashboardTrustCards } from "../components/trust/DashboardTrustCards";
import { CsvDownloadButton } from "../components/CsvDownloadButton";
import { DashboardEmptyState } from "../components/first-run/DashboardEmptyState";
import { PreviousPeriodNote } from "../components/first-run/PreviousPeriodNote";
import { StepAlertBanner } from "../components/alerts/StepAlertBanner";
import { shopAlerts } from "../services/step-alarm-pages.server";
import { ALERT_HISTORY_URL } from "../lib/alert-text";

export const meta: MetaFunction = () => [{ title: "Dashboard" }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = await requireShop(appContext(), session.shop);
  const [data, trust, stepAlerts] = await Promise.all([
    dashboard(appContext().reports, shop),
    dashboardTrustData(appContext().db, shop),
    shopAlerts(appContext(), shop, { status: "open" }),
  ]);
  // Coverage and "why numbers differ" stream in after the page: on a large shop they take
  // about as long as the rest, and started only now their queries do not delay the
  // figures'. With SQLite's synchronous driver they can still hold back the shell's flush
  // while they run (decision 006). `_data` answers as text/remix-deferred.
  const panels = data.tracking.events === 0 ? null : dashboardTrustPanels(appContext().db, shop);
  return defer({ ...data, trust, panels, stepAlerts });
};

export default function Dashboard() {
  const data = useLoaderData<typeof loader>();
  const { shopName, pixelStatus, tracking, trust, panels } = data;
  // Until setup is all green, the checklist is the first thing a merchant sees.
  const checklist = trust.checklist.complete ? null : <SetupChecklist checklist={trust.checklist} />;
  if (tracking.events === 0) {
    return (
      <Page title="Dashboard">
        <BlockStack gap="400">
          {checklist}
          <DashboardEmptyState installedAt={data.installedAt} now={trust.checklist.now} timeZone={data.range.timeZone} pixelStatus={pixelStatus} />
        </BlockStack>
      </Page>
    );
  }
  const f = formatter(data.locale);
  const rangeText = `${f.date(data.range.fromDate)} – ${f.date(data.range.toDate)}`;
  const main = data.mainFunnel;
  const leak = main?.report.biggestLeak ?? null;
  const latest = tracking.latestEventAt
    ? new Intl.DateTimeFormat(f.locale, {
        year: "numeric",
        month: "short",
        day: "numeric",
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
        timeZone: data.range.timeZone,
      }).format(new Date(tracking.latestEventAt))
    : "—";
  return (
    <Page title="Dashboard" subtitle={`${shopName} · last 30 days (${rangeText}, ${data.range.timeZone})`}>
      <Layout>
        {checklist ? <Layout.Section>{checklist}</Layout.Section> : null}
        {data.stepAlerts.length > 0 ? (
          <Layout.Section>
            <StepAlertBanner alerts={data.stepAlerts} historyUrl={ALERT_HISTORY_URL} showFunnel />
          </Layout.Section>
        ) : null}
        <Layout.Section>
          {main ? (
            <Card>
              <BlockStack gap="300">
                <InlineStack gap="200" blockAlign="center">
                  <Text as="h2" variant="headingMd">
                    Where you lose people
                  </Text>
                  <Badge tone="success">{main.name}</Badge>
                </InlineStack>
                {leak && main.report.leakSentence ? (
                  <>
                    <Text as="p" variant="headingLg">
                      {`${f.percent(leak.dropOffRate)} of ${unitNoun(main.report.unit)} that reach “${leak.fromLabel}” never reach “${leak.toLabel}”`}
                    </Text>
                    <Text as="p" tone="subdued">
                      {`${f.count(leak.dropOff)} of ${f.count(leak.settled)} finished ${unitNoun(main.report.unit)} dropped off at this step, the largest share of any step of the funnel.`}
                      {leak.waiting > 0 ? ` ${f.count(leak.waiting)} more are still in progress there and not counted.` : ""}
                    </Text>
                  </>
                ) : (
                  <Text as="p">
                    {main.report.totalUnits === 0
                      ? `No ${unitNoun(main.report.unit)} reached “${main.report.steps[0]?.label ?? "step 1"}” in the last 30 days.`
                      : (main.report.noLeakSentence ?? "No drop-off to report yet.")}
                  </Text>
                )}
                <ResultsAsOf view={main.report} />
                <InlineStack>
                  <Button variant="primary" url={main.reportUrl}>
                    See the funnel report
                  </Button>
                </InlineStack>
              </BlockStack>
            </Card>
          ) : null}
        </Layout.Section>
        <Layout.Section>
          <BlockStack gap="200">
            <InlineGrid columns={{ xs: 1, md: 4 }} gap="300">
              <Card>
                <BlockStack gap="100">
                  <Text as="h3" variant="headingSm">
                    Sessions
                  </Text>
                  <Text as="p" variant="headingLg">
                    {f.count(data.sessions.current)}
                  </Text>
                  <PreviousPeriodNote
                    period={data.previousPeriod}
                    timeZone={data.range.timeZone}
                    text={`previous 30 days: ${f.count(data.sessions.previous)}`}
                  />
                </BlockStack>
              </Card>
              {data.rates.map((r) => (
                <Card key={r.key}>
                  <BlockStack gap="100">
                    <Text as="h3" variant="headingSm">
                      {r.label}
                    </Text>
                    <Text as="p" variant="headingLg">
                      {f.percent(r.rate)}
                    </Text>
                    <Text as="p" variant="bodySm">{`${f.count(r.sessions)} of ${f.count(r.of)} sessions`}</Text>
                    {data.previousPeriod.kind === "none" ? null : (
                      <Text as="p" variant="bodySm">
                        <ChangeCell change={r.change} locale={f.locale} higherIsBetter noun="sessions" />
                      </Text>
                    )}
                    <PreviousPeriodNote
                      period={data.previousPeriod}
                      timeZone={data.range.timeZone}
                      text={`vs previous 30 days: ${f.count(r.previous.sessions)} of ${f.count(r.previous.of)} · ${f.percent(r.previous.rate)}`}
                    />
                  </BlockStack>
                </Card>
              ))}
            </InlineGrid>
            <Text as="p" variant="bodySm" tone="subdued">
              Per session: a visit ends after 30 minutes without activity and counts in the day it starts.
            </Text>
            <CsvDownloadButton href="/app/dashboard/csv" filename={`dashboard-${data.range.fromDate}-to-${data.range.toDate}.csv`}>
              Download the dashboard figures
            </CsvDownloadButton>
          </BlockStack>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">
                Tracking status
              </Text>
              <Text as="p">{`${f.count(tracking.events)} events received (${f.count(tracking.customEvents)} page-level), latest ${latest}`}</Text>
              <Text as="p" tone="subdued">
                <Link to="/app/funnels">All funnels</Link> · <Link to={ALERT_HISTORY_URL}>Step alerts</Link> · <Link to="/app/settings">Pixel settings</Link>
              </Text>
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>{panels ? <DashboardTrustCards panels={panels} /> : null}</Layout.Section>
      </Layout>
    </Page>
  );
}
