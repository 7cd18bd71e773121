import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, isRouteErrorResponse, Link, useActionData, useLoaderData, useNavigation, useRouteError } from "@remix-run/react";
import { useState } from "react";
import { Banner, BlockStack, Button, Card, InlineStack, Page, Text } from "@shopify/polaris";
import { boundary } from "@shopify/shopify-app-remix/server";
import { authenticate } from "../shopify.server";
import { readForm } from "../services/admin-form.server";
import { requireShop } from "../services/shops.server";
import {
  eventNamesSeen,
  funnelHistory,
  getFunnel,
  KNOWN_EVENT_NAMES,
  MAX_ALTERNATIVES,
  MAX_FILTERS,
  MAX_LABEL_CHARS,
  MAX_WINDOW_MINUTES,
  parseFunnelDefinition,
  updateFunnel,
} from "../services/funnels.server";
import { MAX_STEPS, MIN_STEPS } from "../../core/types";
import { safeLocale } from "../lib/funnel-format";
import { draftToInput, FunnelBuilder, inputToDraft, type FunnelDraft } from "../components/funnel/FunnelBuilder";
import { useStepCounts } from "../components/funnel/useStepCounts";
import { FunnelInWordsText } from "../components/funnel/FunnelDefinitionCard";
import { appContext } from "../context.server";

export const meta: MetaFunction = () => [{ title: "Edit funnel" }];

const notFound = () => json({ error: "No funnel with this id in this shop" }, { status: 404 });

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = await requireShop(appContext(), session.shop);
  const funnel = await getFunnel(appContext().db, shop.id, params.id ?? "");
  if (!funnel) throw notFound();
  return json({
    funnel,
    history: await funnelHistory(appContext().db, shop.id, funnel.id),
    seenEvents: await eventNamesSeen(appContext().db, shop.id),
    knownEvents: KNOWN_EVENT_NAMES,
    locale: safeLocale(shop.locale),
    limits: {
      minSteps: MIN_STEPS,
      maxSteps: MAX_STEPS,
      maxAlternatives: MAX_ALTERNATIVES,
      maxFilters: MAX_FILTERS,
      maxLabel: MAX_LABEL_CHARS,
      maxWindowMinutes: MAX_WINDOW_MINUTES,
    },
  });
};

/**
 * POST `definition` = the edited funnel as JSON. Saved as the funnel's next version, whose
 * results rebuild in the background (decision 010). Invalid → 400 { error, fieldErrors };
 * another shop's funnel → 404; success → the report.
 */
export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = await requireShop(appContext(), session.shop);
  const form = await readForm(request);
  const result = parseFunnelDefinition(form.get("definition"));
  if (!result.ok) {
    if (!(await getFunnel(appContext().db, shop.id, params.id ?? ""))) return notFound();
    return json({ error: result.error, fieldErrors: result.fieldErrors }, { status: 400 });
  }
  const funnel = await updateFunnel(appContext().db, shop.id, params.id ?? "", result.value);
  if (!funnel) return notFound();
  return redirect(`/app/funnels/${encodeURIComponent(funnel.id)}`);
};

export default function EditFunnelPage() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>() as { error?: string; fieldErrors?: Record<string, string> } | undefined;
  const saving = useNavigation().state !== "idle";
  const [draft, setDraft] = useState<FunnelDraft>(() => inputToDraft(data.funnel));
  const counts = useStepCounts(draft);
  const reportUrl = `/app/funnels/${encodeURIComponent(data.funnel.id)}`;
  const input = draftToInput(draft);
  return (
    <Page title={`Edit “${data.funnel.name}”`} subtitle={`Version ${data.funnel.version}`} backAction={{ content: data.funnel.name, url: reportUrl }}>
      <Form method="post">
        <input type="hidden" name="definition" value={JSON.stringify(input)} />
        <BlockStack gap="400">
          <Banner tone="info" title="Saving makes a new version">
            <p>
              The report is rebuilt for the new definition in the background; until it is ready, it is computed from the events, so its numbers are already the
              new version&apos;s. Audiences made from an earlier version keep that version&apos;s steps.
            </p>
          </Banner>
          <FunnelBuilder
            draft={draft}
            onChange={setDraft}
            templates={[]}
            seenEvents={data.seenEvents}
            knownEvents={[...data.knownEvents]}
            fieldErrors={actionData?.fieldErrors ?? {}}
            formError={actionData?.error ?? null}
            locale={data.locale}
            limits={data.limits}
            counts={counts}
          />
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">
                In words
              </Text>
              <FunnelInWordsText funnel={input} />
            </BlockStack>
          </Card>
          <InlineStack align="end" gap="200">
            <Button url={reportUrl}>Cancel</Button>
            <Button submit variant="primary" loading={saving}>
              Save as new version
            </Button>
          </InlineStack>
          {data.history.length > 0 ? (
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  Versions
                </Text>
                <ul>
                  {data.history.map((h) => (
                    <li key={h.version}>
                      <Text as="span">{`Version ${h.version} (${h.createdAt.slice(0, 10)}): ${h.name} — ${h.stepLabels.join(" → ")}`}</Text>
                    </li>
                  ))}
                </ul>
              </BlockStack>
            </Card>
          ) : null}
        </BlockStack>
      </Form>
    </Page>
  );
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
