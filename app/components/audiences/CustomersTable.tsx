import { BlockStack, DataTable, Text } from "@shopify/polaris";
import type { AudienceCustomer } from "../../../core/insights";
import { int, utcMinute } from "../insights/format";

/** Identified customers, in the CSV's order; the page shows the first `limit`, the CSV all. */
export function CustomersTable({ customers, total, limit }: { customers: AudienceCustomer[]; total: number; limit: number }) {
  if (total === 0) return <Text as="p">No identified customers in this audience right now.</Text>;
  return (
    <BlockStack gap="200">
      <div data-testid="audience-customers">
        <DataTable
          columnContentTypes={["text", "numeric", "text"]}
          headings={["Shopify customer id", "Member visitors", "Last micro-conversion"]}
          rows={customers.map((c) => [c.customerId, int(c.visitors), utcMinute(c.lastMicroAt)])}
        />
      </div>
      {total > customers.length ? (
        <Text as="p" tone="subdued">
          Showing the {int(customers.length)} most recent of {int(total)} customers; the CSV has all of them.
        </Text>
      ) : null}
      <Text as="p" tone="subdued" variant="bodySm">
        Up to {int(limit)} rows are shown here.
      </Text>
    </BlockStack>
  );
}
