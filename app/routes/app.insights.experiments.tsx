import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData, useNavigate, useNavigation, useRouteError, useSearchParams } from "@remix-run/react";
import { useRef } from "react";
import { Banner, BlockStack, Card, EmptyState, InlineStack, List, Page, Select, Text } from "@shopify/polaris";
import { boundary } from "@shopify/shopify-app-remix/server";
import { authenticate } from "../shopify.server";
import { requireShop } from "../services/shops.server";
import {
  experimentsReport,
  exposureArrivals,
  readoutFunnelChoices,
  type ExperimentsView,
  type ExposureArrivals,
} from "../services/insights/experiments.server";
import { safeTimeZone } from "../services/date-range";
import { INSIGHT_RANGES, INSIGHT_RANGE_LABELS } from "../../core/insights/ranges";
import { TEMPLATE_CHOICE } from "../../core/insights/experimentGuide";
import { controlsQuery, InsightsControls, valuesFromSearch } from "../components/insights/InsightsControls";
import { InsightsTabs } from "../components/insights/InsightsTabs";
import { ExperimentReadoutCard } from "../components/insights/ExperimentReadoutCard";
import { ArrivalCheck, ExperimentGuide } from "../components/insights/ExperimentGuide";
import { CsvDownloadButton } from "../components/CsvDownloadButton";
import { RequestError } from "../services/request-error";
import { appContext } from "../context.server";

export const meta: MetaFunction = () => [{ title: "Experiments" }];

interface Common {
  arrivals: ExposureArrivals;
  funnels: { id: string; name: string; isMain: boolean }[];
  timeZone: string;
}
type LoaderData = Common & ({ ok: true; view: ExperimentsView } | { ok: false; error: string; fieldErrors: Record<string, string> });

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = await requireShop(appContext(), session.shop);
  const now = Date.now();
  // The guide's check and the funnel list do not depend on the settings: shown either way.
  const [arrivals, funnels] = await Promise.all([exposureArrivals(appContext().db, shop.id, now), readoutFunnelChoices(appContext().db, shop.id)]);
  const common: Common = { arrivals, funnels, timeZone: safeTimeZone(shop.timeZone) };
  try {
    const view = await experimentsReport(appContext().db, shop, new URL(request.url).searchParams, now);
    return json<LoaderData>({ ...common, ok: true, view });
  } catch (e) {
    if (e instanceof RequestError) return json<LoaderData>({ ...common, ok: false, error: e.message, fieldErrors: e.fieldErrors }, { status: e.status });
    throw e;
  }
};

const RANGE_OPTIONS = INSIGHT_RANGES.map((value) => ({ value, label: INSIGHT_RANGE_LABELS[value] }));

export default function ExperimentsPage() {
  const data = useLoaderData<typeof loader>() as LoaderData;
  const navigate = useNavigate();
  const busy = useNavigation().state === "loading";
  const [search] = useSearchParams();
  // Bad settings keep the page: the last readout that loaded stays until new settings work.
  const lastGood = useRef<ExperimentsView | null>(null);
  if (data.ok) lastGood.current = data.view;
  const view = data.ok ? data.view : lastGood.current;
  const fieldErrors = data.ok ? {} : data.fieldErrors;
  const funnel = search.get("funnel") ?? "";
  const values = {
    ...valuesFromSearch(search, { from: view?.range.fromDate ?? "", to: view?.range.toDate ?? "" }, false),
    extra: funnel ? { funnel } : undefined,
  };
  const query = controlsQuery(values);
  const funnelOptions = [
    { value: "", label: `Default (${data.funnels.find((f) => f.isMain)?.name ?? "Purchase template"})` },
    ...data.funnels.map((f) => ({ value: f.id, label: f.isMain ? `${f.name} (main)` : f.name })),
    { value: TEMPLATE_CHOICE, label: "Purchase template (product → cart → checkout → purchase)" },
  ];
  const noViewsYet = data.arrivals.lastSeen === null && (view?.experiments.length ?? 0) === 0;
  return (
    <Page title="Experiments" subtitle="A/B test readout from mc:experiment_view exposures">
      <BlockStack gap="400">
        <InlineStack align="space-between" blockAlign="center" gap="200">
          <InsightsTabs current="experiments" search={controlsQuery({ ...values, extra: undefined })} />
          {data.ok ? (
            <CsvDownloadButton
              href={`/app/insights/experiments/csv?${query}`}
              filename={`experiments-${data.view.range.fromDate}-to-${data.view.range.toDate}.csv`}
            >
              Download readout
            </CsvDownloadButton>
          ) : null}
        </InlineStack>
        <ArrivalCheck arrivals={data.arrivals} timeZone={data.timeZone} />
        <ExperimentGuide open={noViewsYet} />
        <Card>
          <BlockStack gap="300">
            <InsightsControls
              values={values}
              rangeOptions={RANGE_OPTIONS}
              disabled={busy}
              errors={fieldErrors}
              onApply={(v) => navigate(`/app/insights/experiments?${controlsQuery(v)}`)}
            />
            <div style={{ maxWidth: 420 }}>
              <Select
                label="Funnel for the readout"
                options={funnelOptions}
                value={funnelOptions.some((o) => o.value === funnel) ? funnel : ""}
                error={fieldErrors.funnel}
                disabled={busy}
                helpText="Each variant’s visitors are followed through these steps after their first exposure."
                onChange={(f) => navigate(`/app/insights/experiments?${controlsQuery({ ...values, extra: f ? { funnel: f } : undefined })}`)}
              />
            </div>
          </BlockStack>
        </Card>
        {data.ok ? null : (
          <div data-testid="experiments-errors">
            <Banner tone="critical" title="These settings cannot be used">
              <List>
                {Object.entries(data.fieldErrors).map(([k, v]) => (
                  <List.Item key={k}>
                    {k}: {v}
                  </List.Item>
                ))}
              </List>
              {view ? <p>The readout below is from the last settings that worked.</p> : null}
            </Banner>
          </div>
        )}
        {view ? (
          <Text as="p" tone="subdued">
            <span data-testid="experiment-source">
              Each visitor counts in the variant of their first exposure in the range ({view.range.fromDate} to {view.range.toDate}, {view.range.timeZone});
              visitors who saw more than one variant are excluded. Steps from{" "}
              {view.source.kind === "main-funnel"
                ? `your main funnel “${view.source.name}”`
                : view.source.kind === "chosen-funnel"
                  ? `the funnel “${view.source.name}”`
                  : "the Purchase template"}
              , counting only events at or after exposure.
            </span>{" "}
            Verdicts size the test for a +{view.settings.mde} % relative change at α = {view.settings.alpha}, power {Math.round(view.settings.power * 100)} %.
          </Text>
        ) : null}
        {view && view.experiments.length === 0 ? (
          <Card>
            <EmptyState heading="No experiment exposures in this range" image="">
              <p>
                Once the storefront sends <code>mc:experiment_view</code> events (see “Send experiment views” above), each experiment’s readout appears here:
                visitors per variant right away, a verdict once each variant has the visitors the test needs.
              </p>
            </EmptyState>
          </Card>
        ) : null}
        {view?.experiments.map((x) => (
          <ExperimentReadoutCard key={x.experiment} x={x} timeZone={view.range.timeZone} />
        ))}
      </BlockStack>
    </Page>
  );
}

export function ErrorBoundary() {
  return boundary.error(useRouteError());
}
