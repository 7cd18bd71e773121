import { BlockStack, Card, SkeletonBodyText, SkeletonDisplayText } from "@shopify/polaris";

/** Placeholder while a report for new parameters loads (shown via useNavigation). */
export function ReportSkeleton() {
  return (
    <BlockStack gap="400">
      <Card>
        <BlockStack gap="300">
          <SkeletonDisplayText size="small" />
          <SkeletonBodyText lines={6} />
        </BlockStack>
      </Card>
      <Card>
        <SkeletonBodyText lines={8} />
      </Card>
    </BlockStack>
  );
}
