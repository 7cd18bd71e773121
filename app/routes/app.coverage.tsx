import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData, useNavigate, useNavigation } from "@remix-run/react";
import { useEffect, useState } from "react";
import { Banner, BlockStack, Button, Card, DataTable, InlineStack, Layout, Page, Select, Text, TextField } from "@shopify/polaris";
import { authenticate } from "../shopify.server";
import { requireShop } from "../services/shops.server";
import { coveragePageData } from "../services/trust/pages.server";
import { TrustRequestError } from "../services/trust/range";
import { CoverageCard } from "../components/trust/CoverageCard";
import { WhyNumbersDiffer } from "../components/trust/WhyNumbersDiffer";
import { count, ratio } from "../../core/trust/format";

// GET /app/coverage?range=last7|last30|last90|custom&from=YYYY-MM-DD&to=YYYY-MM-DD
// Coverage per day and for the range, with why our numbers differ. A bad range → 400 { error }.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = await requireShop(session.shop);
  try {
    const data = await coveragePageData(shop, new URL(request.url).searchParams);
    return json({ error: null, ...data }, { headers: { "Cache-Control": "private, no-store" } });
  } catch (e) {
    if (e instanceof TrustRequestError) return json({ error: e.message, now: Date.now(), coverage: null, differences: null }, { status: 400 });
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
          <Button onClick={() => navigate(`?${new URLSearchParams({ range: "custom", from, to })}`)} disabled={busy}>Apply dates</Button>
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
  const { coverage, differences } = data;
  const t = coverage.total;
  const row = (label: string, f: typeof t) => [
    label,
    count(f.onlineOrders),
    ratio(f.seen, f.onlineOrders),
    count(f.missed),
    count(f.otherChannelOrders),
    count(f.pixelPurchases),
  ];
  return (
    <Page title="Tracking coverage" subtitle="Orders Shopify recorded against the purchases the pixel saw" backAction={{ content: "Setup", url: "/app/setup" }}>
      <Layout>
        <Layout.Section>
          <Card>
            <RangePicker preset={coverage.range.preset} fromDate={coverage.range.fromDate} toDate={coverage.range.toDate} />
          </Card>
        </Layout.Section>
        <Layout.Section>
          <CoverageCard coverage={coverage} detailsUrl={null} />
        </Layout.Section>
        <Layout.Section>
          <Card padding="0">
            <section aria-label="Coverage per day">
              <BlockStack gap="200">
                <div style={{ padding: "16px 16px 0" }}>
                  <Text as="h2" variant="headingMd">{`Per day (${coverage.range.timeZone})`}</Text>
                </div>
                <DataTable
                  columnContentTypes={["text", "numeric", "numeric", "numeric", "numeric", "numeric"]}
                  headings={["Day", "Online-store orders", "Seen by the pixel", "Missed", "Other channels (excluded)", "Pixel purchases"]}
                  rows={coverage.days.map((d) => row(d.date, d))}
                  totals={row("", t)}
                  showTotalsInFooter
                  totalsName={{ singular: "Range", plural: "Range" }}
                />
              </BlockStack>
            </section>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <WhyNumbersDiffer differences={differences} coverageUrl={null} />
        </Layout.Section>
      </Layout>
    </Page>
  );
}
