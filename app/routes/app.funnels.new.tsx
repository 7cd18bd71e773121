import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useState } from "react";
import { BlockStack, Button, InlineStack, Page } from "@shopify/polaris";
import { authenticate } from "../shopify.server";
import { readForm } from "../services/admin-form.server";
import { requireShop } from "../services/shops.server";
import {
  createFunnel,
  eventNamesSeen,
  FUNNEL_TEMPLATES,
  KNOWN_EVENT_NAMES,
  MAX_ALTERNATIVES,
  MAX_FILTERS,
  MAX_LABEL_CHARS,
  MAX_WINDOW_MINUTES,
  parseFunnelDefinition,
  templateByKey,
  validateFunnelInput,
  type FunnelValidation,
} from "../services/funnels.server";
import { MAX_STEPS, MIN_STEPS } from "../../core/types";
import { safeLocale } from "../lib/funnel-format";
import { funnelPrefill } from "../../core/insights/prefill";
import { draftToInput, FunnelBuilder, inputToDraft, type FunnelDraft } from "../components/funnel/FunnelBuilder";
import { useStepCounts } from "../components/funnel/useStepCounts";
import { appContext } from "../context.server";

export const meta: MetaFunction = () => [{ title: "New funnel" }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = await requireShop(appContext(), session.shop);
  const search = new URL(request.url).searchParams;
  const template = templateByKey(search.get("template")) ?? templateByKey("custom")!;
  return json({
    selected: template.key,
    // From an Insights row (?micro=&goal=): "did the micro step, then reached the goal".
    prefill: funnelPrefill(search.get("micro"), search.get("goal")),
    templates: FUNNEL_TEMPLATES.map((t) => ({ key: t.key, name: t.name, description: t.description, input: t.input })),
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
 * POST `definition` = the funnel as JSON (the builder), or `template` = a template key
 * (create it as is). Invalid input → 400 { error, fieldErrors } shown inline; success →
 * redirect to the new funnel's report.
 */
export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = await requireShop(appContext(), session.shop);
  const form = await readForm(request);
  const templateKey = form.get("template");
  let result: FunnelValidation;
  if (form.has("definition")) result = parseFunnelDefinition(form.get("definition"));
  else if (typeof templateKey === "string" && templateByKey(templateKey)) result = validateFunnelInput(templateByKey(templateKey)!.input);
  else result = { ok: false, error: "Invalid funnel — send a definition (JSON) or a known template", fieldErrors: {} };
  if (!result.ok) return json({ error: result.error, fieldErrors: result.fieldErrors }, { status: 400 });
  const funnel = await createFunnel(appContext().db, shop.id, result.value);
  return redirect(`/app/funnels/${encodeURIComponent(funnel.id)}`);
};

export default function NewFunnelPage() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const saving = useNavigation().state !== "idle";
  const templates = data.templates.map((t) => ({ key: t.key, name: t.name, description: t.description, draft: inputToDraft(t.input) }));
  const [draft, setDraft] = useState<FunnelDraft>(() => (data.prefill ? inputToDraft(data.prefill) : templates.find((t) => t.key === data.selected)!.draft));
  const counts = useStepCounts(draft);
  return (
    <Page title="New funnel" backAction={{ content: "Funnels", url: "/app/funnels" }}>
      <Form method="post">
        <input type="hidden" name="definition" value={JSON.stringify(draftToInput(draft))} />
        <BlockStack gap="400">
          <FunnelBuilder
            draft={draft}
            onChange={setDraft}
            templates={templates}
            seenEvents={data.seenEvents}
            knownEvents={[...data.knownEvents]}
            fieldErrors={actionData?.fieldErrors ?? {}}
            formError={actionData?.error ?? null}
            locale={data.locale}
            limits={data.limits}
            counts={counts}
          />
          <InlineStack align="end" gap="200">
            <Button url="/app/funnels">Cancel</Button>
            <Button submit variant="primary" loading={saving}>
              Create funnel and open report
            </Button>
          </InlineStack>
        </BlockStack>
      </Form>
    </Page>
  );
}
