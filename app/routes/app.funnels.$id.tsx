import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { defer, json, redirect } from "@remix-run/node";
import { Form, isRouteErrorResponse, Link, useLoaderData, useLocation, useNavigate, useNavigation, useRouteError } from "@remix-run/react";
import { useState } from "react";
import { Badge, Banner, BlockStack, Button, Card, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { boundary } from "@shopify/shopify-app-remix/server";
import { appContext } from "../context.server";
import { authenticate } from "../shopify.server";
import { readForm } from "../services/admin-form.server";
import { requireShop } from "../services/shops.server";
import { hasEvents } from "../services/tracking.server";
import { RANGE_PRESETS, RANGE_PRESET_LABELS } from "../services/date-range";
import { deleteFunnel, getFunnel, setMainFunnel } from "../services/funnels.server";
import {
  csvFilename,
  readReport,
  reportDiagnosis,
  type DiagnosisBasis,
  type FunnelReportView,
  type ReportDeps,
  type ReportDiagnosis,
  type ReportRead,
} from "../services/funnel-report.server";
import { formatter, unitNoun } from "../lib/funnel-format";
import { BREAKDOWN_KEYS, BREAKDOWN_LABELS, nextReportQuery, readReportQuery, reportQuery } from "../lib/funnel-query";
import { FunnelBarChart } from "../components/funnel/FunnelBarChart";
import { FunnelStepsTable } from "../components/funnel/FunnelStepsTable";
import { LeakCallout } from "../components/funnel/LeakCallout";
import { DiagnosisCard } from "../components/funnel/DiagnosisCard";
import { PathsCard } from "../components/funnel/PathsCard";
import { DiagnosisStream, useSettled, type StreamedDiagnosisValue } from "../components/funnel/DiagnosisStream";
import { stepPlanLink } from "../../core/insights/prefill";
import type { StepPaths } from "../../core/diagnosis/paths";
import type { StepDiagnosis } from "../services/diagnosis.server";
import { ReportControls } from "../components/funnel/ReportControls";
import { BreakdownTable } from "../components/funnel/BreakdownTable";
import { TrendChart } from "../components/funnel/TrendChart";
import { CsvDownloadButton } from "../components/CsvDownloadButton";
import { ReportSkeleton } from "../components/funnel/ReportSkeleton";
import { ReportEmptyState } from "../components/funnel/ReportEmptyState";
import { ResultsAsOf } from "../components/funnel/ResultsAsOf";
import { StepAlertBanner } from "../components/alerts/StepAlertBanner";
import { shopAlerts, type AlertWithWords } from "../services/step-alarm-pages.server";
import { ALERT_HISTORY_URL } from "../lib/alert-text";
import { FunnelDefinitionCard, isRebuilding, RebuildingBanner } from "../components/funnel/FunnelDefinitionCard";
import { RequestError } from "../services/request-error";

export const meta: MetaFunction = () => [{ title: "Funnel report" }];

/** The report page's report: the view without its diagnosis, which streams in after it. */
type PageReport = Omit<FunnelReportView, "diagnosis" | "paths"> & { alerts: AlertWithWords[] };

type LoaderData =
  | {
      ok: true;
      report: PageReport;
      filenames: Record<"steps" | "breakdown" | "trend" | "diagnosis" | "paths", string>;
      installedAt: number;
      anyEvents: boolean;
      now: number;
      /** Null when there is nothing to diagnose (no step picked and no leak named, or no unit entered). */
      diagnosis: Promise<StreamedDiagnosisValue<ReportDiagnosis>> | null;
    }
  | { ok: false; error: string; funnel: { id: string; name: string } };

/**
 * The diagnosis of a report already answered, for the stream: `edited` when an edit
 * committed since the report was read; a failure is logged here with its cause (the
 * browser only learns that it failed) and rejects, which the page shows as a banner.
 */
function streamedDiagnosis(deps: ReportDeps, basis: DiagnosisBasis): Promise<StreamedDiagnosisValue<ReportDiagnosis>> {
  return reportDiagnosis(deps, basis).then(
    (d) => (d ? { edited: false as const, ...d } : { edited: true as const }),
    (e: unknown) => {
      console.error(`[funnel-report] diagnosis of funnel ${basis.funnel.id} (shop ${basis.shopId}, step ${basis.step}) failed:`, e);
      throw e;
    },
  );
}

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = await requireShop(appContext(), session.shop);
  const id = params.id ?? "";
  let read: ReportRead;
  try {
    read = await readReport(appContext().reports, shop, id, new URL(request.url).searchParams);
  } catch (e) {
    if (!(e instanceof RequestError)) throw e;
    if (e.status === 404) throw json({ error: e.message }, { status: 404 });
    // Bad parameters: still show the page (with the controls) and say what was wrong.
    const funnel = await getFunnel(appContext().db, shop.id, id);
    if (!funnel) throw json({ error: "No funnel with this id in this shop" }, { status: 404 });
    return json<LoaderData>({ ok: false, error: e.message, funnel: { id: funnel.id, name: funnel.name } }, { status: 400 });
  }
  // The diagnosis (segment scan and paths: seconds on a large shop) streams in after the
  // report: started now, it runs while the rest is read and the page renders.
  const diagnosis = read.basis ? streamedDiagnosis(appContext().reports, read.basis) : null;
  // Handled by Remix once returned; this covers a throw below before that.
  diagnosis?.catch(() => {});
  const { diagnosis: _d, paths: _p, ...report } = read.view;
  const filenames = {
    steps: csvFilename(read.view, "steps"),
    breakdown: csvFilename(read.view, "breakdown"),
    trend: csvFilename(read.view, "trend"),
    diagnosis: csvFilename(read.view, "diagnosis"),
    paths: csvFilename(read.view, "paths"),
  };
  // An empty report of a shop that never got an event waits for first visits (ReportEmptyState).
  const anyEvents = report.totalUnits > 0 || (await hasEvents(appContext().db, shop.id));
  const alerts = await shopAlerts(appContext(), shop, { status: "open", funnelId: report.funnel.id });
  // The JSON API's body is this report (+ alerts) with the diagnosis' two fields.
  return defer({ ok: true as const, report: { ...report, alerts }, filenames, installedAt: shop.installedAt.getTime(), anyEvents, now: Date.now(), diagnosis });
};

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = await requireShop(appContext(), session.shop);
  const intent = (await readForm(request)).get("intent");
  const id = params.id ?? "";
  if (intent === "delete") {
    if (!(await deleteFunnel(appContext().db, shop.id, id))) return json({ error: "No funnel with this id in this shop" }, { status: 404 });
    return redirect("/app/funnels");
  }
  if (intent === "main") {
    if (!(await setMainFunnel(appContext().db, shop.id, id))) return json({ error: "No funnel with this id in this shop" }, { status: 404 });
    return json({ ok: true });
  }
  return json({ error: "intent must be delete or main" }, { status: 400 });
};

const RANGE_OPTIONS = RANGE_PRESETS.map((value) => ({ value, label: RANGE_PRESET_LABELS[value] }));
const BREAKDOWN_OPTIONS = BREAKDOWN_KEYS.map((value) => ({ value, label: BREAKDOWN_LABELS[value] }));

export default function FunnelReportPage() {
  const data = useLoaderData<typeof loader>() as unknown as LoaderData;
  const navigation = useNavigation();
  const location = useLocation();
  const navigate = useNavigate();
  // Skeleton only while this page reloads with other parameters, not for other pages.
  const reloading = navigation.state === "loading" && navigation.location?.pathname === location.pathname;
  const pendingSearch = reloading ? navigation.location!.search : null;
  const [confirmDelete, setConfirmDelete] = useState(false);
  // A rebuilding report reloads itself, but only once its diagnosis arrived (else it never would).
  const diagnosisSettled = useSettled(data.ok ? data.diagnosis : null);

  if (!data.ok) {
    return (
      <Page title={data.funnel.name} backAction={{ content: "Funnels", url: "/app/funnels" }}>
        <Banner tone="critical" title="These report settings are not valid">
          <p>{data.error}</p>
          <p>
            <Link to={`/app/funnels/${encodeURIComponent(data.funnel.id)}`}>Show the last 30 days instead</Link>
          </p>
        </Banner>
      </Page>
    );
  }

  const { report: r, filenames } = data;
  const f = formatter(r.locale);
  const noun = unitNoun(r.unit);
  const base = `/app/funnels/${encodeURIComponent(r.funnel.id)}`;
  const rangeText = `${f.date(r.range.fromDate)} – ${f.date(r.range.toDate)}`;
  const csv = (table: "steps" | "breakdown" | "trend" | "diagnosis" | "paths") => `${base}/csv?${reportQuery(r.params, { table })}`;

  // The two diagnosis cards; their actions (audience, test plan) come with the diagnosis.
  const diagnosisCards = (d: StepDiagnosis | null, paths: StepPaths | null) => (
    <>
      <DiagnosisCard
        diagnosis={d}
        steps={r.steps}
        onPick={(step) => navigate(`${base}?${nextReportQuery(r.params, pendingSearch, { diagnose: step })}`)}
        csvHref={csv("diagnosis")}
        csvFilename={filenames.diagnosis}
        noun={noun}
        planHref={
          d
            ? stepPlanLink({
                label: `${d.fromLabel} → ${d.toLabel}`,
                unit: r.unit,
                settled: d.settled,
                converted: d.settled - d.dropOff,
                days: r.range.days,
              })
            : null
        }
        audienceForm={
          d
            ? {
                action: `${base}/audience`,
                fields: {
                  step: String(d.step),
                  range: r.params.range,
                  ...(r.params.range === "custom" ? { from: r.params.from ?? "", to: r.params.to ?? "" } : {}),
                },
              }
            : null
        }
      />
      {paths ? <PathsCard paths={paths} csvHref={csv("paths")} csvFilename={filenames.paths} noun={noun} locale={r.locale} /> : null}
    </>
  );

  return (
    <Page
      title={r.funnel.name}
      titleMetadata={r.funnel.isMain ? <Badge tone="success">Main funnel</Badge> : undefined}
      subtitle={`${r.steps.length} steps · per ${r.unit}${r.unit === "visitor" ? ` · ${f.duration(r.funnel.windowMinutes * 60_000)} window` : ""} · ${RANGE_PRESET_LABELS[r.range.preset]}: ${rangeText} (${r.range.timeZone})`}
      backAction={{ content: "Funnels", url: "/app/funnels" }}
    >
      <BlockStack gap="400">
        <StepAlertBanner alerts={r.alerts} historyUrl={ALERT_HISTORY_URL} />
        <Card>
          <ReportControls
            values={pendingSearch === null ? r.params : readReportQuery(pendingSearch, r.params)}
            rangeOptions={RANGE_OPTIONS}
            breakdownOptions={BREAKDOWN_OPTIONS}
            resolvedFrom={r.range.fromDate}
            resolvedTo={r.range.toDate}
            onChange={(patch) => navigate(`${base}?${nextReportQuery(r.params, pendingSearch, patch)}`)}
          />
        </Card>
        {reloading ? null : <ResultsAsOf view={r} />}
        <RebuildingBanner active={isRebuilding(r)} paused={!diagnosisSettled} />
        {reloading ? (
          <ReportSkeleton />
        ) : r.totalUnits === 0 ? (
          <ReportEmptyState
            eventsInRange={r.eventsInRange}
            firstStep={r.funnel.steps[0]}
            rangeText={rangeText}
            unitNoun={noun}
            install={{
              at: data.installedAt,
              now: data.now,
              anyEvents: data.anyEvents,
              rangeFrom: r.range.from,
              rangeTo: r.range.to,
              timeZone: r.range.timeZone,
            }}
          />
        ) : (
          <Layout>
            <Layout.Section>
              <BlockStack gap="400">
                <LeakCallout
                  leak={r.biggestLeak}
                  sentence={r.leakSentence}
                  noLeak={r.noLeak}
                  noLeakSentence={r.noLeakSentence}
                  // The diagnosis sits under the steps (see below): a link down to it.
                  diagnosisId={r.steps.length >= 2 && (r.params.diagnose ?? r.biggestLeak?.step) === r.biggestLeak?.step ? "diagnosis" : null}
                />
                <Card>
                  <BlockStack gap="400">
                    <InlineStack align="space-between" blockAlign="center">
                      <Text as="h2" variant="headingMd">{`${f.count(r.totalUnits)} ${noun} entered the funnel`}</Text>
                      {r.inProgressUnits > 0 ? <Badge tone="info">{`${f.count(r.inProgressUnits)} still in progress (waiting)`}</Badge> : null}
                    </InlineStack>
                    <FunnelBarChart steps={r.steps} unit={r.unit} locale={r.locale} leakStep={r.biggestLeak?.step ?? null} />
                  </BlockStack>
                </Card>
                <Card>
                  <BlockStack gap="300">
                    <InlineStack align="space-between" blockAlign="center">
                      <Text as="h2" variant="headingMd">
                        Steps
                      </Text>
                      <CsvDownloadButton href={csv("steps")} filename={filenames.steps}>
                        Download steps CSV
                      </CsvDownloadButton>
                    </InlineStack>
                    {r.comparison && r.previousRange ? (
                      <Text as="p" tone="subdued">
                        {`Compared with ${f.date(r.previousRange.fromDate)} – ${f.date(r.previousRange.toDate)}: ${f.count(r.comparison.totalUnits.previous)} ${noun} entered then (now ${f.count(r.comparison.totalUnits.current)}).`}
                      </Text>
                    ) : null}
                    <FunnelStepsTable steps={r.steps} locale={r.locale} comparison={r.comparison} />
                  </BlockStack>
                </Card>
                {/* Below the steps, not under the leak: at 1280×800 this is under the fold, so the
                    cards arriving (taller or shorter than the placeholder) move nothing on
                    screen, and their text is never the page's largest contentful paint. */}
                <div id="diagnosis" />
                {r.steps.length < 2 ? null : data.diagnosis ? (
                  <DiagnosisStream
                    resolve={data.diagnosis}
                    reportKey={`${r.funnel.id}:${r.funnel.version}:${r.query}`}
                    stepText={diagnosedStepText(r)}
                    noun={noun}
                  >
                    {(d) => diagnosisCards(d.diagnosis, d.paths)}
                  </DiagnosisStream>
                ) : (
                  diagnosisCards(null, null)
                )}
                {r.breakdown ? (
                  <Card>
                    <BlockStack gap="300">
                      <InlineStack align="space-between" blockAlign="center">
                        <Text as="h2" variant="headingMd">{`By ${BREAKDOWN_LABELS[r.breakdown.key].toLowerCase()}`}</Text>
                        <CsvDownloadButton href={csv("breakdown")} filename={filenames.breakdown}>
                          Download breakdown CSV
                        </CsvDownloadButton>
                      </InlineStack>
                      <BreakdownTable breakdown={r.breakdown} title={BREAKDOWN_LABELS[r.breakdown.key]} locale={r.locale} />
                    </BlockStack>
                  </Card>
                ) : null}
                <Card>
                  <BlockStack gap="300">
                    <InlineStack align="space-between" blockAlign="center">
                      <Text as="h2" variant="headingMd">{`Trend by ${r.trend.granularity} (${r.trend.timeZone})`}</Text>
                      <CsvDownloadButton href={csv("trend")} filename={filenames.trend}>
                        Download trend CSV
                      </CsvDownloadButton>
                    </InlineStack>
                    <TrendChart trend={r.trend} previousTrend={r.previousTrend} stepLabels={r.steps.map((s) => s.label)} unit={r.unit} locale={r.locale} />
                  </BlockStack>
                </Card>
              </BlockStack>
            </Layout.Section>
          </Layout>
        )}
        <FunnelDefinitionCard funnel={r.funnel} editUrl={`${base}/edit`} />
        <Card>
          <BlockStack gap="200">
            <Text as="h2" variant="headingMd">
              Funnel
            </Text>
            <Text as="p" tone="subdued">
              {r.unit === "session"
                ? "Counted per session: a visit ends after 30 minutes without activity. Steps must happen in this order; other events in between are fine."
                : `Counted per visitor: the last step must follow step 1 within ${f.duration(r.funnel.windowMinutes * 60_000)}. Steps must happen in this order.`}
            </Text>
            <Text as="p" variant="bodySm" tone="subdued">
              Our session counts differ slightly from Shopify’s: bots are excluded, visitors who declined analytics cookies or block trackers are not seen, and
              sessions do not end at midnight UTC.
            </Text>
            <InlineStack gap="200">
              {!r.funnel.isMain ? (
                <Form method="post">
                  <input type="hidden" name="intent" value="main" />
                  <Button submit>Make main funnel</Button>
                </Form>
              ) : null}
              {confirmDelete ? (
                <Form method="post">
                  <input type="hidden" name="intent" value="delete" />
                  <InlineStack gap="200" blockAlign="center">
                    <Text as="span">{`Delete “${r.funnel.name}”? The events stay; only this funnel goes.`}</Text>
                    <Button submit tone="critical" variant="primary">
                      Yes, delete
                    </Button>
                    <Button onClick={() => setConfirmDelete(false)}>Keep it</Button>
                  </InlineStack>
                </Form>
              ) : (
                // Confirmed inline: window.confirm may be blocked inside the admin's sandboxed iframe.
                <Button tone="critical" variant="secondary" onClick={() => setConfirmDelete(true)}>
                  Delete funnel
                </Button>
              )}
            </InlineStack>
          </BlockStack>
        </Card>
      </BlockStack>
    </Page>
  );
}

/** “Carted” → “Checked out”: the step the diagnosis is about (picked, else the biggest leak). */
function diagnosedStepText(r: Pick<FunnelReportView, "params" | "biggestLeak" | "steps">): string {
  const step = r.params.diagnose ?? r.biggestLeak?.step ?? 2;
  return `“${r.steps[step - 2]?.label ?? ""}” → “${r.steps[step - 1]?.label ?? ""}”`;
}

export function ErrorBoundary() {
  const error = useRouteError();
  if (isRouteErrorResponse(error) && error.status === 404) {
    return (
      <Page title="Funnel not found" backAction={{ content: "Funnels", url: "/app/funnels" }}>
        <Banner tone="critical" title="This funnel does not exist in this shop">
          <p>
            It may have been deleted. <Link to="/app/funnels">Back to funnels</Link>
          </p>
        </Banner>
      </Page>
    );
  }
  return boundary.error(error);
}
