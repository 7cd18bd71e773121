import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData, useLocation, useNavigate, useNavigation, useOutlet, useRouteError, useSearchParams } from "@remix-run/react";
import { useRef } from "react";
import { boundary } from "@shopify/shopify-app-remix/server";
import { Banner, BlockStack, Card, EmptyState, InlineStack, Layout, List, Page, Text } from "@shopify/polaris";
import { authenticate } from "../shopify.server";
import { requireShop } from "../services/shops.server";
import { insightsReport, type InsightsView } from "../services/insights/insights.server";
import { INSIGHT_RANGES, INSIGHT_RANGE_LABELS } from "../../core/insights/ranges";
import { readStepPlan, rowLinks } from "../../core/insights";
import { MIN_LIFT_GROUP } from "../../core/stats";
import { controlsQuery, InsightsControls, valuesFromSearch } from "../components/insights/InsightsControls";
import { CsvDownloadButton } from "../components/CsvDownloadButton";
import { InsightsTabs } from "../components/insights/InsightsTabs";
import { MicroValueTable } from "../components/insights/MicroValueTable";
import { PlannerTable } from "../components/insights/PlannerTable";
import { StepPlanBanner } from "../components/insights/StepPlanBanner";
import { int, localDate } from "../components/insights/format";
import { RequestError } from "../services/request-error";
import { appContext } from "../context.server";

export const meta: MetaFunction = () => [{ title: "Insights" }];

type LoaderData = { ok: true; view: InsightsView } | { ok: false; error: string; fieldErrors: Record<string, string> } | { ok: "child" };

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  // /app/insights/experiments renders in this route's outlet: skip this page's work there.
  if (new URL(request.url).pathname.replace(/\/$/, "") !== "/app/insights") return json<LoaderData>({ ok: "child" });
  const shop = await requireShop(appContext(), session.shop);
  try {
    const view = await insightsReport(appContext().db, shop, new URL(request.url).searchParams);
    return json<LoaderData>({ ok: true, view });
  } catch (e) {
    if (e instanceof RequestError) return json<LoaderData>({ ok: false, error: e.message, fieldErrors: e.fieldErrors }, { status: e.status });
    throw e;
  }
};

const RANGE_OPTIONS = INSIGHT_RANGES.map((value) => ({ value, label: INSIGHT_RANGE_LABELS[value] }));

/**
 * First run: no visitor yet. Says what happens next and when, instead of a table of
 * zeros ("0 did it… needs ≥ 30") and a planner of "0 of 0 · —".
 */
function FirstRun({ view }: { view: InsightsView }) {
  const since = view.dataSince;
  return (
    <Card>
      <div data-testid="insights-empty">
        <EmptyState heading="No visitors recorded yet" image="">
          <BlockStack gap="200">
            <p>
              {since ? `Data collection started on ${localDate(since, view.range.timeZone)} (${view.range.timeZone}). ` : ""}
              The web pixel records each storefront visit within seconds; this page counts visitors as soon as the first one arrives.
            </p>
            <List type="number">
              <List.Item>First visits: counts appear here (reload the page; nothing to set up if the web pixel shows as connected on Setup).</List.Item>
              <List.Item>
                After {MIN_LIFT_GROUP} visitors did a micro-conversion and {MIN_LIFT_GROUP} did not — usually within the first days of normal traffic — its lift
                on “{view.microValue.goal.label}” is shown with a confidence interval.
              </List.Item>
              <List.Item>
                Once someone reaches the goal, the A/B test planner sizes tests from your own traffic, counting only the days since data started.
              </List.Item>
            </List>
          </BlockStack>
        </EmptyState>
      </div>
    </Card>
  );
}

export default function InsightsPage() {
  const outlet = useOutlet();
  const data = useLoaderData<typeof loader>() as LoaderData;
  const navigate = useNavigate();
  const busy = useNavigation().state === "loading";
  const [search] = useSearchParams();
  const location = useLocation();
  // Bad settings keep the page: the last report that loaded stays until new settings work.
  const lastGood = useRef<InsightsView | null>(null);
  if (data.ok === true) lastGood.current = data.view;
  if (outlet) return outlet;
  const view = data.ok === true ? data.view : lastGood.current;
  const fieldErrors = data.ok === false ? data.fieldErrors : {};
  const values = valuesFromSearch(search, { from: view?.range.fromDate ?? "", to: view?.range.toDate ?? "" }, true);
  const tabSearch = controlsQuery({ ...values, goal: null });
  const pageQuery = controlsQuery(values);
  const empty = view !== null && view.microValue.visitors === 0 && view.planner.visitors === 0;
  const focus = search.get("plan");
  const stepPlan = readStepPlan(search);
  return (
    <Page fullWidth title="Insights" subtitle="Which micro-conversions predict the goal, and which ones you can A/B test in reasonable time">
      <BlockStack gap="400">
        <InlineStack align="space-between" blockAlign="center" gap="200">
          <InsightsTabs current="value" search={tabSearch} />
          {data.ok === true ? (
            <InlineStack gap="200">
              <CsvDownloadButton
                href={`/app/insights/csv?${pageQuery}&table=value`}
                filename={`insights-micro-value-${data.view.range.fromDate}-to-${data.view.range.toDate}.csv`}
              >
                Download micro value
              </CsvDownloadButton>
              <CsvDownloadButton
                href={`/app/insights/csv?${pageQuery}&table=planner`}
                filename={`insights-planner-${localDate(data.view.planner.to, data.view.range.timeZone)}.csv`}
              >
                Download planner
              </CsvDownloadButton>
            </InlineStack>
          ) : null}
        </InlineStack>
        <Card>
          <InsightsControls
            values={values}
            rangeOptions={RANGE_OPTIONS}
            goalOptions={
              view ? view.goals.map((g) => ({ value: g.key, label: g.label })) : [{ value: values.goal ?? "purchase", label: values.goal ?? "purchase" }]
            }
            disabled={busy}
            errors={fieldErrors}
            onApply={(v) => navigate(`/app/insights?${controlsQuery(v)}`)}
          />
        </Card>
        {data.ok === false ? (
          <div data-testid="insights-errors">
            <Banner
              tone="critical"
              title={`These settings cannot be used (${Object.keys(data.fieldErrors).length || 1} problem${Object.keys(data.fieldErrors).length > 1 ? "s" : ""})`}
            >
              {Object.keys(data.fieldErrors).length ? (
                <List>
                  {Object.entries(data.fieldErrors).map(([k, v]) => (
                    <List.Item key={k}>
                      {k}: {v}
                    </List.Item>
                  ))}
                </List>
              ) : (
                <p>{data.error}</p>
              )}
              {view ? <p>The figures below are from the last settings that worked.</p> : null}
            </Banner>
          </div>
        ) : null}
        {view && empty ? <FirstRun view={view} /> : null}
        {view && !empty ? (
          <Layout>
            <Layout.Section variant="oneHalf">
              <Card>
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">
                    Micro → {view.microValue.goal.label}: value of each micro step
                  </Text>
                  <Text as="p" tone="subdued" variant="bodySm">
                    {localDate(view.range.from, view.range.timeZone)} to {view.range.toDate} ({view.range.timeZone}), per visitor, bots excluded
                    {view.dataSince !== null && view.dataSince > view.range.from
                      ? ` — the shop’s data starts on ${localDate(view.dataSince, view.range.timeZone)}, so the range holds fewer days`
                      : ""}
                    .
                  </Text>
                  <MicroValueTable
                    report={view.microValue}
                    etaDays={view.firstLiftEtaDays}
                    links={(key) => rowLinks(key, view.microValue.goal.key, location.search.replace(/^\?/, "") || pageQuery)}
                  />
                </BlockStack>
              </Card>
            </Layout.Section>
            <Layout.Section variant="oneHalf">
              <div id="planner">
                <Card>
                  <BlockStack gap="300">
                    <Text as="h2" variant="headingMd">
                      A/B test planner
                    </Text>
                    <Text as="p" tone="subdued" variant="bodySm">
                      Per visitor (the unit an A/B test assigns), from {localDate(view.planner.from, view.range.timeZone)} up to now
                      {view.planner.sinceInstall ? " (the shop’s data is younger than 28 days)" : " (the last 28 days)"}.
                    </Text>
                    {stepPlan ? <StepPlanBanner prefill={stepPlan} report={view.planner} /> : null}
                    <PlannerTable
                      report={view.planner}
                      focus={focus}
                      window={{ from: view.dataSince ?? view.planner.from, sinceInstall: view.planner.sinceInstall, timeZone: view.range.timeZone }}
                    />
                    {view.planner.visitors > 0 && view.planner.visitors < 2 * MIN_LIFT_GROUP ? (
                      <Text as="p" tone="caution" variant="bodySm">
                        Only {int(view.planner.visitors)} visitors so far: plans from so little traffic are rough and change quickly.
                      </Text>
                    ) : null}
                  </BlockStack>
                </Card>
              </div>
            </Layout.Section>
          </Layout>
        ) : null}
      </BlockStack>
    </Page>
  );
}

// Shopify's boundary handles the auth responses (re-auth headers, bounce page) it throws.
export function ErrorBoundary() {
  return boundary.error(useRouteError());
}
