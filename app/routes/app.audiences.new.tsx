import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation, useRouteError } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, FormLayout, Page, Select, Text, TextField } from "@shopify/polaris";
import { boundary } from "@shopify/shopify-app-remix/server";
import { useState } from "react";
import { authenticate } from "../shopify.server";
import { readForm } from "../services/admin-form.server";
import { requireShop } from "../services/shops.server";
import { AUDIENCE_TEMPLATES, createAudience, MACRO_CHOICES, MICRO_CHOICES, parseAudienceForm } from "../services/audiences/audiences.server";
import { AudienceTemplates } from "../components/audiences/AudienceTemplates";
import { RequestError } from "../services/request-error";
import { appContext } from "../context.server";

export const meta: MetaFunction = () => [{ title: "New audience" }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  await authenticate.admin(request);
  const search = new URL(request.url).searchParams;
  // From an Insights row (?micro=&macro=): the custom form starts on that pair; unknown keys are ignored.
  const micro = MICRO_CHOICES.find((c) => c.key === search.get("micro"));
  const macro = MACRO_CHOICES.find((c) => c.key === search.get("macro"));
  return json({
    prefill: micro ? { micro: micro.key, macro: macro?.key ?? null, name: macro ? `${micro.label}, not ${macro.label}`.slice(0, 80) : micro.label } : null,
    templates: AUDIENCE_TEMPLATES.map(({ key, name, description, lookbackDays, tag }) => ({ key, name, description, lookbackDays, tag })),
    micro: MICRO_CHOICES,
    macro: MACRO_CHOICES,
  });
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = await requireShop(appContext(), session.shop);
  try {
    const form = Object.fromEntries(await readForm(request));
    const audience = await createAudience(appContext().db, shop.id, parseAudienceForm(form));
    return redirect(`/app/audiences/${audience.id}`);
  } catch (e) {
    if (e instanceof RequestError) return json({ error: e.message }, { status: e.status });
    throw e;
  }
};

export default function NewAudience() {
  const { templates, micro, macro, prefill } = useLoaderData<typeof loader>();
  const error = (useActionData<typeof action>() as { error?: string } | undefined)?.error;
  const busy = useNavigation().state !== "idle";
  const [name, setName] = useState(prefill?.name ?? "");
  const [microKey, setMicro] = useState(prefill?.micro ?? micro[0].key);
  const [macroKey, setMacro] = useState(prefill?.macro ?? macro[0].key);
  const [days, setDays] = useState("14");
  const [tag, setTag] = useState("");
  return (
    <Page title="New audience" backAction={{ content: "Audiences", url: "/app/audiences" }}>
      <BlockStack gap="400">
        {error ? (
          <Banner tone="critical" title="The audience was not created">
            <p>{error}</p>
          </Banner>
        ) : null}
        <Text as="h2" variant="headingMd">
          From a template
        </Text>
        <AudienceTemplates templates={templates} busy={busy} />
        <Card>
          <Form method="post">
            <input type="hidden" name="kind" value="custom" />
            <FormLayout>
              <Text as="h2" variant="headingMd">
                Custom: did a micro-conversion, not the goal
              </Text>
              <TextField label="Name" name="name" autoComplete="off" value={name} onChange={setName} maxLength={80} />
              <FormLayout.Group>
                <Select
                  label="Did (micro-conversion)"
                  name="micro"
                  options={micro.map((m) => ({ label: m.label, value: m.key }))}
                  value={microKey}
                  onChange={setMicro}
                />
                <Select
                  label="Did not (goal)"
                  name="macro"
                  options={macro.map((m) => ({ label: m.label, value: m.key }))}
                  value={macroKey}
                  onChange={setMacro}
                />
              </FormLayout.Group>
              <FormLayout.Group>
                <TextField
                  label="Within the last (days)"
                  name="lookbackDays"
                  type="number"
                  min={1}
                  max={90}
                  autoComplete="off"
                  value={days}
                  onChange={setDays}
                />
                <TextField
                  label="Customer tag"
                  name="tag"
                  autoComplete="off"
                  value={tag}
                  onChange={setTag}
                  helpText="Optional; default mc-<name>. Letters, digits, spaces, - _ . : (max 40)."
                />
              </FormLayout.Group>
              <Button submit variant="primary" loading={busy}>
                Create audience
              </Button>
            </FormLayout>
          </Form>
        </Card>
      </BlockStack>
    </Page>
  );
}

export function ErrorBoundary() {
  return boundary.error(useRouteError());
}
