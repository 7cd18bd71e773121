import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useState } from "react";
import { Badge, Banner, BlockStack, Button, Card, InlineStack, Layout, Page, Text, TextField } from "@shopify/polaris";
import { appContext } from "../context.server";
import { authenticate } from "../shopify.server";
import { readForm } from "../services/admin-form.server";
import { env } from "../env.server";
import { requireShop, syncPixel } from "../services/shops.server";
import { retentionView, updateAllowedQueryParams, updateRetention } from "../services/shop-settings.server";
import { allowedQueryParamsOf, RETENTION_DAYS_DEFAULT, RETENTION_DAYS_MAX, RETENTION_DAYS_MIN } from "../../core/shop-settings";

export const meta: MetaFunction = () => [{ title: "Settings" }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = await requireShop(appContext(), session.shop);
  return json({
    domain: shop.domain,
    timeZone: shop.timeZone,
    currency: shop.currency,
    pixelStatus: shop.pixelStatus,
    pixelError: shop.pixelError,
    webPixelId: shop.webPixelId,
    ingestUrl: env.ingestUrl,
    retention: retentionView(shop.settings),
    allowedQueryParams: allowedQueryParamsOf(shop.settings),
    retentionIntervalHours: env.RETENTION_INTERVAL_HOURS,
  });
};

/**
 * POST without `intent` (or `intent=pixel`): create/update the web pixel again.
 * POST `intent=retention&retentionDays=N`: store the retention period; invalid → 400 { error }.
 * POST `intent=queryParams&allowedQueryParams=a,b`: extra query parameters kept by the pixel and at ingestion;
 *   stored, then the pixel's settings are updated to carry them; invalid → 400 { error }.
 */
export const action = async ({ request }: ActionFunctionArgs) => {
  const { session, admin } = await authenticate.admin(request);
  const shop = await requireShop(appContext(), session.shop);
  const form = await readForm(request);
  const intent = form.get("intent") ?? "pixel";
  if (intent === "retention") {
    const result = await updateRetention(appContext().db, shop.id, { retentionDays: form.get("retentionDays") ?? undefined });
    if (!result.ok) return json({ intent: "retention", error: result.error }, { status: 400 });
    return json({ intent: "retention", retentionDays: result.retentionDays });
  }
  if (intent === "queryParams") {
    const result = await updateAllowedQueryParams(appContext().db, shop.id, { allowedQueryParams: form.get("allowedQueryParams") ?? undefined });
    if (!result.ok) return json({ intent: "queryParams", error: result.error }, { status: 400 });
    // The pixel strips what its settings do not list, so it needs the new list too.
    const updated = await syncPixel(appContext(), shop.id, admin);
    return json({ intent: "queryParams", allowedQueryParams: result.allowedQueryParams, pixelStatus: updated.pixelStatus });
  }
  if (intent !== "pixel") return json({ error: "Unknown form intent" }, { status: 400 });
  const updated = await syncPixel(appContext(), shop.id, admin);
  return json({ pixelStatus: updated.pixelStatus });
};

const STATUS_TONE = { created: "success", failed: "critical", pending: "attention" } as const;

export default function Settings() {
  const data = useLoaderData<typeof loader>();
  const navigation = useNavigation();
  const submitting = navigation.state === "submitting" ? (navigation.formData?.get("intent") ?? "pixel") : null;
  const busy = submitting === "pixel";
  const tone = STATUS_TONE[data.pixelStatus as keyof typeof STATUS_TONE] ?? "attention";
  return (
    <Page title="Settings">
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <InlineStack gap="200" blockAlign="center">
                <Text as="h2" variant="headingMd">
                  Web pixel
                </Text>
                <Badge tone={tone}>{data.pixelStatus}</Badge>
              </InlineStack>
              {data.pixelStatus === "failed" ? (
                <Banner tone="critical" title="The web pixel could not be connected">
                  <p>{data.pixelError}</p>
                </Banner>
              ) : null}
              <Text as="p">Pixel id: {data.webPixelId ?? "—"}</Text>
              <Text as="p">Sends events to: {data.ingestUrl}</Text>
              <Form method="post">
                <Button submit loading={busy}>
                  {data.pixelStatus === "created" ? "Update pixel settings" : "Retry connecting the pixel"}
                </Button>
              </Form>
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <RetentionCard
            retentionDays={data.retention.retentionDays}
            problem={data.retention.problem}
            intervalHours={data.retentionIntervalHours}
            saving={submitting === "retention"}
          />
        </Layout.Section>
        <Layout.Section>
          <QueryParamsCard allowed={data.allowedQueryParams} saving={submitting === "queryParams"} />
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">
                Shop
              </Text>
              <Text as="p">Domain: {data.domain}</Text>
              <Text as="p">Time zone: {data.timeZone} (all reports use it for days and date ranges)</Text>
              <Text as="p">Currency: {data.currency}</Text>
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

function RetentionCard(props: { retentionDays: number | null; problem: string | null; intervalHours: number; saving: boolean }) {
  const actionData = useActionData<typeof action>();
  const mine = actionData && "intent" in actionData && actionData.intent === "retention" ? actionData : null;
  const error = mine && "error" in mine && typeof mine.error === "string" ? mine.error : null;
  const saved = mine !== null && "retentionDays" in mine;
  const [value, setValue] = useState(String(props.retentionDays ?? RETENTION_DAYS_DEFAULT));
  return (
    <Card>
      <Form method="post">
        <input type="hidden" name="intent" value="retention" />
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            Data retention
          </Text>
          <Text as="p">
            Events and visitor sessions older than this are deleted
            {props.intervalHours > 0 ? ` (checked every ${props.intervalHours} hours)` : " (scheduled deletion is off on this server)"}. Orders, funnels and
            audiences are kept. The default, {RETENTION_DAYS_DEFAULT} days, keeps 13 months so a month can be compared with the same month a year earlier.
          </Text>
          {props.problem ? (
            <Banner tone="warning" title="The stored settings could not be read">
              <p>Nothing is deleted for this shop until a retention period is saved.</p>
            </Banner>
          ) : null}
          {saved && !error ? <Banner tone="success" title="Retention period saved" /> : null}
          <TextField
            label="Keep events for"
            type="number"
            name="retentionDays"
            suffix="days"
            min={RETENTION_DAYS_MIN}
            max={RETENTION_DAYS_MAX}
            step={1}
            value={value}
            onChange={setValue}
            error={error ?? false}
            helpText={`Between ${RETENTION_DAYS_MIN} and ${RETENTION_DAYS_MAX} days.`}
            autoComplete="off"
          />
          <InlineStack>
            <Button submit loading={props.saving}>
              Save retention period
            </Button>
          </InlineStack>
        </BlockStack>
      </Form>
    </Card>
  );
}

function QueryParamsCard(props: { allowed: string[]; saving: boolean }) {
  const actionData = useActionData<typeof action>();
  const mine = actionData && "intent" in actionData && actionData.intent === "queryParams" ? actionData : null;
  const error = mine && "error" in mine && typeof mine.error === "string" ? mine.error : null;
  const saved = mine !== null && "allowedQueryParams" in mine;
  const pixelFailed = saved && "pixelStatus" in mine && mine.pixelStatus === "failed";
  const [value, setValue] = useState(props.allowed.join(", "));
  return (
    <Card>
      <Form method="post">
        <input type="hidden" name="intent" value="queryParams" />
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            Kept query parameters
          </Text>
          <Text as="p">
            Page and referrer addresses are sent and stored without their query string, except utm_* parameters and ad click ids (gclid, fbclid, msclkid,
            ttclid…). Add other parameters your reports need here: the web pixel and the server both keep them. Values that look like an email, phone number,
            card number or street address are dropped whatever the parameter.
          </Text>
          {saved && !error && !pixelFailed ? <Banner tone="success" title="Query parameters saved" /> : null}
          {pixelFailed ? (
            <Banner tone="warning" title="Saved, but the web pixel could not be updated">
              <p>Until it is, the pixel keeps sending only utm_* and click ids. See the Web pixel card above and retry.</p>
            </Banner>
          ) : null}
          <TextField
            label="Also keep"
            name="allowedQueryParams"
            value={value}
            onChange={setValue}
            error={error ?? false}
            helpText="Parameter names separated by commas, e.g. ref, variant_test"
            autoComplete="off"
          />
          <InlineStack>
            <Button submit loading={props.saving}>
              Save query parameters
            </Button>
          </InlineStack>
        </BlockStack>
      </Form>
    </Card>
  );
}
