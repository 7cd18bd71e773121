import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData, useNavigate, useNavigation, useOutlet, useRouteError, useSearchParams } from "@remix-run/react";
import { boundary } from "@shopify/shopify-app-remix/server";
import { Banner, BlockStack, Card, Layout, Page, Text } from "@shopify/polaris";
import { authenticate } from "../shopify.server";
import { requireShop } from "../services/shops.server";
import { insightsReport, InsightsRequestError, type InsightsView } from "../services/insights/insights.server";
import { INSIGHT_RANGES, INSIGHT_RANGE_LABELS } from "../../core/insights/ranges";
import { controlsQuery, InsightsControls, valuesFromSearch } from "../components/insights/InsightsControls";
import { InsightsTabs } from "../components/insights/InsightsTabs";
import { MicroValueTable } from "../components/insights/MicroValueTable";
import { PlannerTable } from "../components/insights/PlannerTable";
import { localDate } from "../components/insights/format";

export const meta: MetaFunction = () => [{ title: "Insights" }];

type LoaderData = { ok: true; view: InsightsView } | { ok: false; error: string } | { ok: "child" };

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  // /app/insights/experiments renders in this route's outlet: skip this page's work there.
  if (new URL(request.url).pathname.replace(/\/$/, "") !== "/app/insights") return json<LoaderData>({ ok: "child" });
  const shop = await requireShop(session.shop);
  try {
    const view = await insightsReport(shop, new URL(request.url).searchParams);
    return json<LoaderData>({ ok: true, view });
  } catch (e) {
    if (e instanceof InsightsRequestError) return json<LoaderData>({ ok: false, error: e.message }, { status: e.status });
    throw e;
  }
};

const RANGE_OPTIONS = INSIGHT_RANGES.map((value) => ({ value, label: INSIGHT_RANGE_LABELS[value] }));

export default function InsightsPage() {
  const outlet = useOutlet();
  const data = useLoaderData<typeof loader>() as LoaderData;
  const navigate = useNavigate();
  const busy = useNavigation().state === "loading";
  const [search] = useSearchParams();
  if (outlet) return outlet;
  const view = data.ok === true ? data.view : null;
  const values = valuesFromSearch(search, { from: view?.range.fromDate ?? "", to: view?.range.toDate ?? "" }, true);
  const tabSearch = controlsQuery({ ...values, goal: null });
  return (
    <Page fullWidth title="Insights" subtitle="Which micro-conversions predict the goal, and which ones you can A/B test in reasonable time">
      <BlockStack gap="400">
        <InsightsTabs current="value" search={tabSearch} />
        <Card>
          <InsightsControls
            values={values}
            rangeOptions={RANGE_OPTIONS}
            goalOptions={view ? view.goals.map((g) => ({ value: g.key, label: g.label })) : [{ value: values.goal ?? "purchase", label: values.goal ?? "purchase" }]}
            disabled={busy}
            onApply={(v) => navigate(`/app/insights?${controlsQuery(v)}`)}
          />
        </Card>
        {data.ok === false ? (
          <Banner tone="critical" title="These settings cannot be used">
            <p>{data.error}</p>
          </Banner>
        ) : null}
        {view ? (
          <Layout>
            <Layout.Section variant="oneHalf">
              <Card>
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">
                    Micro → {view.microValue.goal.label}: value of each micro step
                  </Text>
                  <Text as="p" tone="subdued" variant="bodySm">
                    {localDate(view.range.from, view.range.timeZone)} to {view.range.toDate} ({view.range.timeZone}), per visitor, bots excluded.
                  </Text>
                  <MicroValueTable report={view.microValue} />
                </BlockStack>
              </Card>
            </Layout.Section>
            <Layout.Section variant="oneHalf">
              <Card>
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">
                    A/B test planner
                  </Text>
                  <Text as="p" tone="subdued" variant="bodySm">
                    Per visitor (the unit an A/B test assigns), from the last 28 days up to now.
                  </Text>
                  <PlannerTable report={view.planner} />
                </BlockStack>
              </Card>
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
