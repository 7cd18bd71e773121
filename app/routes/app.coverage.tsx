import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData, useNavigate, useNavigation } from "@remix-run/react";
import { useEffect, useState } from "react";
import { Banner, BlockStack, Button, Card, DataTable, InlineStack, Layout, Page, Select, Text, TextField } from "@shopify/polaris";
import { authenticate } from "../shopify.server";
import { requireShop } from "../services/shops.server";
import { coveragePageData } from "../services/trust/pages.server";
import { CoverageCard } from "../components/trust/CoverageCard";
import { WhyNumbersDiffer } from "../components/trust/WhyNumbersDiffer";
import { KeyboardScrollable } from "../components/KeyboardScrollable";
import { CsvDownloadButton } from "../components/CsvDownloadButton";
import { CoverageEmptyState } from "../components/first-run/CoverageEmptyState";
import { localDate } from "../../core/first-run";
import { count, plural, ratio } from "../../core/trust/format";
import { LIST_LIMIT, RECENT_MS, type CoverageLists } from "../../core/trust/coverage";
import { RequestError } from "../services/request-error";
import { appContext } from "../context.server";

export const meta: MetaFunction = () => [{ title: "Tracking coverage" }];

// GET /app/coverage?range=last7|last30|last90|custom&from=YYYY-MM-DD&to=YYYY-MM-DD
// Coverage per day and for the range, with why our numbers differ. A bad range → 400 { error }.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = await requireShop(appContext(), session.shop);
  try {
    const data = await coveragePageData(appContext().db, shop, new URL(request.url).searchParams, { lists: true });
    return json({ error: null, ...data }, { headers: { "Cache-Control": "private, no-store" } });
  } catch (e) {
    if (e instanceof RequestError)
      return json({ error: e.message, now: Date.now(), coverage: null, dataSince: null, hiddenDays: 0, differences: null, lists: null }, { status: 400 });
    throw e;
  }
};

const RANGE_OPTIONS = [
  { label: "Last 7 days", value: "last7" },
  { label: "Last 30 days", value: "last30" },
  { label: "Last 90 days", value: "last90" },
  { label: "Custom range", value: "custom" },
];

function RangePicker({ preset, fromDate, toDate }: { preset: string; fromDate: string; toDate: string }) {
  const navigate = useNavigate();
  const busy = useNavigation().state !== "idle";
  const [custom, setCustom] = useState(preset === "custom");
  const [from, setFrom] = useState(fromDate);
  const [to, setTo] = useState(toDate);
  useEffect(() => {
    setCustom(preset === "custom");
    setFrom(fromDate);
    setTo(toDate);
  }, [preset, fromDate, toDate]);
  return (
    <InlineStack gap="300" blockAlign="end" wrap>
      <Select
        label="Date range"
        options={RANGE_OPTIONS}
        value={custom ? "custom" : preset}
        disabled={busy}
        onChange={(v) => (v === "custom" ? setCustom(true) : navigate(`?range=${v}`))}
      />
      {custom ? (
        <>
          <TextField label="From" type="date" autoComplete="off" value={from} onChange={setFrom} disabled={busy} />
          <TextField label="To (included)" type="date" autoComplete="off" value={to} onChange={setTo} disabled={busy} />
          <Button onClick={() => navigate(`?${new URLSearchParams({ range: "custom", from, to })}`)} disabled={busy}>
            Apply dates
          </Button>
        </>
      ) : null}
    </InlineStack>
  );
}

export default function CoveragePage() {
  const data = useLoaderData<typeof loader>();
  if (data.error !== null || !data.coverage || !data.differences) {
    return (
      <Page title="Tracking coverage" backAction={{ content: "Setup", url: "/app/setup" }}>
        <BlockStack gap="400">
          <Banner tone="critical" title="This date range cannot be shown">
            <p>{data.error}</p>
          </Banner>
          <Card>
            <RangePicker preset="last30" fromDate="" toDate="" />
          </Card>
        </BlockStack>
      </Page>
    );
  }
  const { coverage, differences, lists } = data;
  const t = coverage.total;
  const empty = t.onlineOrders === 0 && t.pixelPurchases === 0 && t.otherChannelOrders === 0;
  const row = (label: string, f: typeof t) => [
    label,
    count(f.onlineOrders),
    ratio(f.seen, f.onlineOrders),
    count(f.missed),
    count(f.pixelPurchases),
    count(f.pixelPurchasesWithoutOrder),
    count(f.otherChannelOrders),
  ];
  return (
    <Page
      title="Tracking coverage"
      subtitle="Orders Shopify recorded matched to the purchases the pixel saw, by order id"
      backAction={{ content: "Setup", url: "/app/setup" }}
    >
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <RangePicker preset={coverage.range.preset} fromDate={coverage.range.fromDate} toDate={coverage.range.toDate} />
              <CsvDownloadButton href={`/app/coverage/csv?${coverage.query}`} filename={`coverage-${coverage.range.fromDate}-to-${coverage.range.toDate}.csv`}>
                Download coverage per day
              </CsvDownloadButton>
            </BlockStack>
          </Card>
        </Layout.Section>
        {empty ? (
          <Layout.Section>
            <CoverageEmptyState
              dataSince={data.dataSince}
              timeZone={coverage.range.timeZone}
              rangeText={`${coverage.range.fromDate} to ${coverage.range.toDate}`}
            />
          </Layout.Section>
        ) : null}
        {empty ? null : (
          <Layout.Section>
            <CoverageCard coverage={coverage} detailsUrl={null} />
          </Layout.Section>
        )}
        {empty ? null : (
          <Layout.Section>
            <Card padding="0">
              <section aria-label="Coverage per day">
                <BlockStack gap="200">
                  <div style={{ padding: "16px 16px 0" }}>
                    <Text as="h2" variant="headingMd">{`Per day (${coverage.range.timeZone})`}</Text>
                    <Text as="p" variant="bodySm" tone="subdued">
                      Each row adds up: online-store orders = matched + missed; pixel purchases = matched + no order yet.
                    </Text>
                    {data.hiddenDays > 0 && data.dataSince !== null ? (
                      <Text as="p" variant="bodySm" tone="subdued">
                        {`From ${localDate(data.dataSince, coverage.range.timeZone)}, when the shop's data starts: the ${count(data.hiddenDays)} earlier day${data.hiddenDays === 1 ? "" : "s"} of the range hold nothing and are not listed.`}
                      </Text>
                    ) : null}
                  </div>
                  <KeyboardScrollable label="Coverage per day, scrollable">
                    <DataTable
                      columnContentTypes={["text", "numeric", "numeric", "numeric", "numeric", "numeric", "numeric"]}
                      headings={[
                        "Day",
                        "Online-store orders",
                        "Matched",
                        "Missed by the pixel",
                        "Pixel purchases",
                        "No order yet",
                        "Other channels (excluded)",
                      ]}
                      rows={coverage.days.map((d) => row(d.date, d))}
                      totals={row("", t)}
                      showTotalsInFooter
                      totalsName={{ singular: "Range", plural: "Range" }}
                    />
                  </KeyboardScrollable>
                </BlockStack>
              </section>
            </Card>
          </Layout.Section>
        )}
        {lists && !empty ? (
          <Layout.Section>
            <UnmatchedLists lists={lists} timeZone={coverage.range.timeZone} unmatched={t.pixelPurchasesWithoutOrder} missed={t.missed} />
          </Layout.Section>
        ) : null}
        {empty ? null : (
          <Layout.Section>
            <WhyNumbersDiffer differences={differences} coverageUrl={null} />
          </Layout.Section>
        )}
      </Layout>
    </Page>
  );
}

const REASONS: Record<CoverageLists["unmatchedPurchases"][number]["reason"], string> = {
  awaitingOrder: `In the last ${RECENT_MS / 60_000} minutes: the order webhook has probably not arrived yet`,
  otherChannel: "Order recorded in another channel",
  noOrder: "No order from Shopify",
};

/** "2026-11-03 14:09" in the shop's zone (fixed locale: server and browser print the same). */
function localTime(ts: number, timeZone: string): string {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
      .formatToParts(ts)
      .map((x) => [x.type, x.value]),
  );
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/** Which purchases have no order and which orders the pixel missed, by order id. */
function UnmatchedLists({ lists, timeZone, unmatched, missed }: { lists: CoverageLists; timeZone: string; unmatched: number; missed: number }) {
  const shown = (n: number, total: number) => (total > n ? ` (the latest ${n} of ${count(total)})` : "");
  return (
    <Card>
      <BlockStack gap="400">
        <section aria-label="Pixel purchases with no order">
          <BlockStack gap="200">
            <Text
              as="h2"
              variant="headingMd"
            >{`Pixel purchases with no order yet: ${count(unmatched)}${shown(lists.unmatchedPurchases.length, unmatched)}`}</Text>
            {lists.unmatchedPurchases.length === 0 ? (
              <Text as="p" tone="subdued">
                Every purchase the pixel reported in this range has its online-store order.
              </Text>
            ) : (
              <KeyboardScrollable label="Pixel purchases with no order, scrollable">
                <DataTable
                  columnContentTypes={["text", "text", "text"]}
                  headings={["Order id", `Purchase time (${timeZone})`, "Likely reason"]}
                  rows={lists.unmatchedPurchases.map((p) => [p.orderId ?? "—", localTime(p.ts, timeZone), REASONS[p.reason]])}
                  increasedTableDensity
                />
              </KeyboardScrollable>
            )}
          </BlockStack>
        </section>
        <section aria-label="Orders the pixel missed">
          <BlockStack gap="200">
            <Text as="h2" variant="headingMd">{`Orders the pixel missed: ${count(missed)}${shown(lists.missedOrders.length, missed)}`}</Text>
            {lists.missedOrders.length === 0 ? (
              <Text as="p" tone="subdued">
                The pixel saw every online-store order of this range.
              </Text>
            ) : (
              <>
                <KeyboardScrollable label="Orders the pixel missed, scrollable">
                  <DataTable
                    columnContentTypes={["text", "text", "text"]}
                    headings={["Order id", `Created (${timeZone})`, "Note"]}
                    rows={lists.missedOrders.map((o) => [
                      o.orderId,
                      localTime(o.createdAt, timeZone),
                      o.recent ? "Recent: the purchase event may still arrive" : "No purchase event from the pixel",
                    ])}
                    increasedTableDensity
                  />
                </KeyboardScrollable>
                <Text as="p" variant="bodySm" tone="subdued">
                  {`Usually a visitor without analytics consent or with a tracker blocker. At most ${plural(LIST_LIMIT, "row")} per list.`}
                </Text>
              </>
            )}
          </BlockStack>
        </section>
      </BlockStack>
    </Card>
  );
}
