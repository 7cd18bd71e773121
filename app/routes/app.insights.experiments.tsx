import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData, useNavigate, useNavigation, useRouteError, useSearchParams } from "@remix-run/react";
import { Banner, BlockStack, Card, EmptyState, Page, Text } from "@shopify/polaris";
import { boundary } from "@shopify/shopify-app-remix/server";
import { authenticate } from "../shopify.server";
import { requireShop } from "../services/shops.server";
import { experimentsReport, type ExperimentsView } from "../services/insights/experiments.server";
import { InsightsRequestError } from "../services/insights/range.server";
import { INSIGHT_RANGES, INSIGHT_RANGE_LABELS } from "../../core/insights/ranges";
import { controlsQuery, InsightsControls, valuesFromSearch } from "../components/insights/InsightsControls";
import { InsightsTabs } from "../components/insights/InsightsTabs";
import { ExperimentReadoutCard } from "../components/insights/ExperimentReadoutCard";

export const meta: MetaFunction = () => [{ title: "Experiments" }];

type LoaderData = { ok: true; view: ExperimentsView } | { ok: false; error: string };

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = await requireShop(session.shop);
  try {
    const view = await experimentsReport(shop, new URL(request.url).searchParams);
    return json<LoaderData>({ ok: true, view });
  } catch (e) {
    if (e instanceof InsightsRequestError) return json<LoaderData>({ ok: false, error: e.message }, { status: e.status });
    throw e;
  }
};

const RANGE_OPTIONS = INSIGHT_RANGES.map((value) => ({ value, label: INSIGHT_RANGE_LABELS[value] }));

export default function ExperimentsPage() {
  const data = useLoaderData<typeof loader>() as LoaderData;
  const navigate = useNavigate();
  const busy = useNavigation().state === "loading";
  const [search] = useSearchParams();
  const view = data.ok ? data.view : null;
  const values = valuesFromSearch(search, { from: view?.range.fromDate ?? "", to: view?.range.toDate ?? "" }, false);
  return (
    <Page title="Experiments" subtitle="A/B test readout from mc:experiment_view exposures">
      <BlockStack gap="400">
        <InsightsTabs current="experiments" search={controlsQuery(values)} />
        <Card>
          <InsightsControls values={values} rangeOptions={RANGE_OPTIONS} disabled={busy} onApply={(v) => navigate(`/app/insights/experiments?${controlsQuery(v)}`)} />
        </Card>
        {data.ok ? null : (
          <Banner tone="critical" title="These settings cannot be used">
            <p>{data.error}</p>
          </Banner>
        )}
        {view ? (
          <Text as="p" tone="subdued">
            Each visitor counts in the variant of their first exposure in the range ({view.range.fromDate} to {view.range.toDate},{" "}
            {view.range.timeZone}); visitors who saw more than one variant are excluded. Steps from{" "}
            {view.source.kind === "main-funnel" ? `your main funnel “${view.source.name}”` : "the Purchase template (no main funnel set)"}, counting
            only events at or after exposure. Verdicts size the test for a +{view.settings.mde} % relative change at α = {view.settings.alpha}, power{" "}
            {Math.round(view.settings.power * 100)} %.
          </Text>
        ) : null}
        {view && view.experiments.length === 0 ? (
          <Card>
            <EmptyState heading="No experiment exposures in this range" image="">
              <p>
                Send a custom event <code>mc:experiment_view</code> with properties <code>experiment</code> and <code>variant</code> when a visitor
                sees a variant (for example from your theme or A/B testing tool), and the readout appears here.
              </p>
            </EmptyState>
          </Card>
        ) : null}
        {view?.experiments.map((x) => <ExperimentReadoutCard key={x.experiment} x={x} timeZone={view.range.timeZone} />)}
      </BlockStack>
    </Page>
  );
}

export function ErrorBoundary() {
  return boundary.error(useRouteError());
}
