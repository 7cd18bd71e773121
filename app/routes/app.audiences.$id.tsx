import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { audienceSubtitle } from "../components/audiences/subtitle";
import { json, redirect } from "@remix-run/node";
import { z } from "zod";
import { Form, isRouteErrorResponse, Link, useLoaderData, useNavigation, useRouteError } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { boundary } from "@shopify/shopify-app-remix/server";
import { authenticate } from "../shopify.server";
import { readForm } from "../services/admin-form.server";
import { requireShop } from "../services/shops.server";
import { audienceReport, csvFilename, deleteAudience, requireAudience, taggableOf } from "../services/audiences/audiences.server";
import { hasSyncScope, latestSync, runAudienceSync, SYNC_SCOPE } from "../services/audiences/sync.server";
import { AudienceHistoryText, AudienceSize } from "../components/audiences/AudienceSummary";
import { CustomersTable } from "../components/audiences/CustomersTable";
import { CsvDownloadButton } from "../components/CsvDownloadButton";
import { SyncCard } from "../components/audiences/SyncCard";
import { getAutoSync, setAutoSync } from "../services/audiences/auto-sync.server";
import { RequestError } from "../services/request-error";
import { appContext } from "../context.server";

export const meta: MetaFunction = () => [{ title: "Audience" }];

const INTENT = z.enum(["sync", "request-scope", "delete", "auto-sync"]);
const AUTO_SYNC = z.enum(["on", "off"], { error: "autoSync must be on or off" });

/** Customers listed on the page; the CSV has every one. */
const PAGE_CUSTOMERS = 250;

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = await requireShop(appContext(), session.shop);
  try {
    const report = await audienceReport(appContext().db, shop.id, params.id ?? "");
    return json({
      audience: report.audience,
      size: report.size,
      taggable: taggableOf(report.size),
      history: report.history,
      dropOff: report.dropOff,
      customers: report.customers.slice(0, PAGE_CUSTOMERS),
      pageLimit: PAGE_CUSTOMERS,
      csvFilename: csvFilename(report.audience, report.now),
      canSync: hasSyncScope(session.scope),
      lastSync: await latestSync(appContext().db, shop.id, report.audience.id),
      autoSync: await getAutoSync(appContext().db, shop.id, report.audience.id),
    });
  } catch (e) {
    if (e instanceof RequestError) throw json({ error: e.message }, { status: e.status });
    throw e;
  }
};

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { session, admin, scopes } = await authenticate.admin(request);
  const shop = await requireShop(appContext(), session.shop);
  const id = params.id ?? "";
  const form = await readForm(request);
  const parsed = INTENT.safeParse(form.get("intent"));
  if (!parsed.success) return json({ error: "intent must be sync, request-scope, delete or auto-sync" }, { status: 400 });
  const intent = parsed.data;
  try {
    if (intent === "delete") {
      if (!(await deleteAudience(appContext().db, shop.id, id))) return json({ error: "No audience with this id in this shop" }, { status: 404 });
      return redirect("/app/audiences");
    }
    if (intent === "auto-sync") {
      const value = AUTO_SYNC.safeParse(form.get("autoSync"));
      if (!value.success) return json({ error: value.error.issues[0].message }, { status: 400 });
      if (!(await setAutoSync(appContext().db, shop.id, id, value.data === "on")))
        return json({ error: "No audience with this id in this shop" }, { status: 404 });
      return json({ autoSync: await getAutoSync(appContext().db, shop.id, id) });
    }
    if (intent === "request-scope") {
      await requireAudience(appContext().db, shop.id, id);
      // Redirects to Shopify's grant screen (App Bridge follows the re-auth header); returns when already granted.
      await scopes.request([SYNC_SCOPE]);
      return json({ granted: true });
    }
    if (intent === "sync") {
      await requireAudience(appContext().db, shop.id, id);
      if (!hasSyncScope(session.scope)) {
        return json({ error: `Syncing needs the ${SYNC_SCOPE} access scope; grant it first` }, { status: 403 });
      }
      const outcome = await runAudienceSync(appContext().db, shop.id, id, admin);
      const retry = outcome.sync.status === "failed" && /HTTP 401/.test(outcome.sync.error ?? "");
      return json({ ...outcome, retry });
    }
    return json({ error: `unknown intent ${intent satisfies never}` }, { status: 400 });
  } catch (e) {
    if (e instanceof RequestError) return json({ error: e.message }, { status: e.status });
    throw e;
  }
};

export default function AudiencePage() {
  const data = useLoaderData<typeof loader>();
  const busy = useNavigation().state === "submitting";
  const a = data.audience;
  return (
    <Page title={a.name} backAction={{ content: "Audiences", url: "/app/audiences" }} subtitle={audienceSubtitle(a)}>
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Size now
              </Text>
              {a.kind === "funnel-drop-off" ? (
                <div data-testid="audience-dropoff" data-units={data.dropOff?.units ?? 0} data-visitors={data.size.memberVisitors}>
                  <Text as="p">
                    {data.dropOff
                      ? `${data.dropOff.units.toLocaleString("en-US")} finished ${data.dropOff.unit}s of “${data.dropOff.funnelName}” reached “${data.dropOff.fromLabel}” and never reached “${
                          data.dropOff.toLabel
                        }” in the range (the report's drop-off at this step)` +
                        (data.dropOff.unit === "session" ? `, from ${data.size.memberVisitors.toLocaleString("en-US")} visitors` : "") +
                        `: ${data.size.identifiedCustomers.toLocaleString("en-US")} identified customers, ${data.size.anonymousVisitors.toLocaleString("en-US")} anonymous visitors` +
                        (data.size.excludedCustomers > 0
                          ? `; ${data.size.excludedCustomers.toLocaleString("en-US")} customers left out because they got past the step another time.`
                          : ".")
                      : "The funnel of this audience was deleted or its range can no longer be read: it has no members."}
                  </Text>
                  {data.dropOff?.madeFromVersion ? (
                    <Text
                      as="p"
                      tone="subdued"
                    >{`The funnel has been edited since this audience was made: it keeps the steps of version ${data.dropOff.madeFromVersion}.`}</Text>
                  ) : null}
                </div>
              ) : (
                <AudienceSize size={data.size} lookbackDays={a.lookbackDays} />
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
        {data.history ? (
          <Layout.Section>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  How this audience converted before
                </Text>
                <AudienceHistoryText history={data.history} macroLabel={a.macroLabel} lookbackDays={a.lookbackDays} />
              </BlockStack>
            </Card>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <InlineStack align="space-between" blockAlign="center">
                <Text as="h2" variant="headingMd">
                  Identified customers
                </Text>
                <CsvDownloadButton href={`/app/audiences/${a.id}/csv`} filename={data.csvFilename}>
                  Export customers (CSV)
                </CsvDownloadButton>
              </InlineStack>
              <CustomersTable customers={data.customers} total={data.size.identifiedCustomers} limit={data.pageLimit} />
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <SyncCard
            tag={a.tag}
            segmentQuery={a.segmentQuery}
            canSync={data.canSync}
            lastSync={data.lastSync}
            identifiedCustomers={data.size.identifiedCustomers}
            taggable={data.taggable}
            autoSync={data.autoSync}
          />
        </Layout.Section>
        <Layout.Section>
          <Form method="post">
            <input type="hidden" name="intent" value="delete" />
            <Button submit tone="critical" variant="plain" loading={busy}>
              Delete audience (tags already in Shopify stay)
            </Button>
          </Form>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  if (isRouteErrorResponse(error) && error.status === 404) {
    return (
      <Page title="Audience not found" backAction={{ content: "Audiences", url: "/app/audiences" }}>
        <Banner tone="critical" title="This audience does not exist in this shop">
          <p>
            It may have been deleted. <Link to="/app/audiences">Back to audiences</Link>
          </p>
        </Banner>
      </Page>
    );
  }
  return boundary.error(error);
}
