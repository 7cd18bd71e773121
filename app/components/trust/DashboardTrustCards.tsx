import { Suspense } from "react";
import { Await, Link } from "@remix-run/react";
import { Banner, BlockStack, Card, InlineGrid, SkeletonBodyText, SkeletonDisplayText, Text } from "@shopify/polaris";
import type { CoverageSummary } from "../../../core/trust/coverage";
import type { DifferencesView } from "../../../core/trust/differences";
import { CoverageCard } from "./CoverageCard";
import { WhyNumbersDiffer } from "./WhyNumbersDiffer";

function Placeholder({ title }: { title: string }) {
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {title}
        </Text>
        <SkeletonDisplayText size="small" />
        <SkeletonBodyText lines={4} />
      </BlockStack>
    </Card>
  );
}

const PLACEHOLDERS = (
  <InlineGrid columns={{ xs: 1, md: 2 }} gap="300">
    <Placeholder title="Why these numbers differ from Shopify’s" />
    <Placeholder title="Tracking coverage" />
  </InlineGrid>
);

/**
 * "Why these numbers differ" and "Tracking coverage" for the last 30 days, streamed after
 * the rest of the dashboard (the loader defers them). The dashboard places them last, so
 * their arrival shifts nothing already on screen.
 */
export function DashboardTrustCards({ panels }: { panels: Promise<{ coverage: CoverageSummary; differences: DifferencesView }> }) {
  return (
    <Suspense fallback={PLACEHOLDERS}>
      <Await
        resolve={panels}
        errorElement={
          <Banner tone="warning" title="Coverage could not be loaded">
            <p>
              <Link to="/app/coverage">Open the coverage page</Link>
            </p>
          </Banner>
        }
      >
        {(p) => (
          <InlineGrid columns={{ xs: 1, md: 2 }} gap="300">
            <WhyNumbersDiffer differences={p.differences} />
            <CoverageCard coverage={p.coverage} />
          </InlineGrid>
        )}
      </Await>
    </Suspense>
  );
}
