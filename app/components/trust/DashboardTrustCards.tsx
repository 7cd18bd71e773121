import { useEffect } from "react";
import { Link, useFetcher } from "@remix-run/react";
import { Banner, BlockStack, Card, InlineGrid, SkeletonBodyText, SkeletonDisplayText, Text } from "@shopify/polaris";
import type { loader as coverageLoader } from "../../routes/app.coverage";
import { CoverageCard } from "./CoverageCard";
import { WhyNumbersDiffer } from "./WhyNumbersDiffer";

/** The Coverage page's data for the dashboard's default range. */
export const DASHBOARD_TRUST_URL = "/app/coverage?range=last30";

function Placeholder({ title }: { title: string }) {
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">{title}</Text>
        <SkeletonDisplayText size="small" />
        <SkeletonBodyText lines={4} />
      </BlockStack>
    </Card>
  );
}

/**
 * "Why these numbers differ" and "Tracking coverage" for the last 30 days, fetched after
 * the first paint from the Coverage page's loader: on a large shop they take longer than
 * the rest of the dashboard (they read purchases event by event), and they are secondary.
 * The dashboard places them last, so their arrival shifts nothing already on screen.
 */
export function DashboardTrustCards() {
  const fetcher = useFetcher<typeof coverageLoader>();
  const { load } = fetcher;
  useEffect(() => {
    load(DASHBOARD_TRUST_URL);
  }, [load]);
  const data = fetcher.data;
  if (data && (data.error !== null || !data.coverage || !data.differences)) {
    return (
      <Banner tone="warning" title="Coverage could not be loaded">
        <p>
          {data.error ?? "No coverage data."} <Link to={DASHBOARD_TRUST_URL}>Open the coverage page</Link>
        </p>
      </Banner>
    );
  }
  return (
    <InlineGrid columns={{ xs: 1, md: 2 }} gap="300">
      {data?.differences ? <WhyNumbersDiffer differences={data.differences} /> : <Placeholder title="Why these numbers differ from Shopify’s" />}
      {data?.coverage ? <CoverageCard coverage={data.coverage} /> : <Placeholder title="Tracking coverage" />}
    </InlineGrid>
  );
}
