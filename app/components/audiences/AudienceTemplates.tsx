import { Form } from "@remix-run/react";
import { BlockStack, Button, Card, InlineGrid, Text } from "@shopify/polaris";

export interface TemplateView {
  key: string;
  name: string;
  description: string;
  lookbackDays: number;
  tag: string;
}

/** One card per template; "Create" posts the template key. */
export function AudienceTemplates({ templates, busy }: { templates: TemplateView[]; busy: boolean }) {
  return (
    <InlineGrid columns={{ xs: 1, md: 3 }} gap="400">
      {templates.map((t) => (
        <Card key={t.key}>
          <BlockStack gap="200">
            <Text as="h3" variant="headingSm">
              {t.name}
            </Text>
            <Text as="p" tone="subdued">
              {t.description}
            </Text>
            <Text as="p" variant="bodySm">
              Tag: <code>{t.tag}</code> · lookback {t.lookbackDays} days
            </Text>
            <Form method="post">
              <input type="hidden" name="kind" value="template" />
              <input type="hidden" name="template" value={t.key} />
              <Button submit loading={busy} accessibilityLabel={`Create “${t.name}”`}>
                Create
              </Button>
            </Form>
          </BlockStack>
        </Card>
      ))}
    </InlineGrid>
  );
}
