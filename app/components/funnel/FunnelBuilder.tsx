import { useMemo, useState } from "react";
import { Banner, BlockStack, Box, Button, ButtonGroup, Card, Divider, InlineGrid, InlineStack, Select, Text, TextField } from "@shopify/polaris";
import type { FilterOp, FunnelUnit, StepFilter, StepMatcher } from "../../../core/types";

/** Editable filter: every field present so inputs stay controlled; turned into a StepFilter on save. */
export interface DraftFilter {
  field: StepFilter["field"];
  op: FilterOp;
  key: string;
  value: string;
}
export interface DraftStep {
  label: string;
  anyOf: { event: string; filters: DraftFilter[] }[];
}
export interface FunnelDraft {
  name: string;
  unit: FunnelUnit;
  windowMinutes: number;
  template: string | null;
  steps: DraftStep[];
}

/** The shape the server validates (funnelInputSchema); array positions are kept so error paths match. */
export function draftToInput(d: FunnelDraft) {
  return {
    name: d.name,
    unit: d.unit,
    windowMinutes: d.windowMinutes,
    template: d.template,
    steps: d.steps.map((s) => ({
      label: s.label,
      anyOf: s.anyOf.map(
        (a): StepMatcher => ({
          event: a.event,
          filters: a.filters.map((f): StepFilter =>
            f.field === "path"
              ? { field: "path", op: f.op, value: f.value }
              : f.field === "productId"
                ? { field: "productId", op: "equals", value: f.value }
                : { field: "prop", key: f.key, op: "equals", value: f.value },
          ),
        }),
      ),
    })),
  };
}

/** A stored/template definition as an editable draft. */
export function inputToDraft(input: { name: string; unit: FunnelUnit; windowMinutes: number; template?: string | null; steps: { label: string; anyOf: StepMatcher[] }[] }): FunnelDraft {
  return {
    name: input.name,
    unit: input.unit,
    windowMinutes: input.windowMinutes,
    template: input.template ?? null,
    steps: input.steps.map((s) => ({
      label: s.label,
      anyOf: s.anyOf.map((a) => ({
        event: a.event,
        filters: a.filters.map((f) => ({ field: f.field, op: f.op, key: f.field === "prop" ? f.key : "", value: f.value })),
      })),
    })),
  };
}

export interface BuilderTemplate {
  key: string;
  name: string;
  description: string;
  draft: FunnelDraft;
}

export interface FunnelBuilderProps {
  draft: FunnelDraft;
  onChange(d: FunnelDraft): void;
  templates: BuilderTemplate[];
  /** Event names the shop sent, with counts, most frequent first. */
  seenEvents: { name: string; count: number }[];
  knownEvents: string[];
  /** Server validation messages keyed by path ("steps.1.anyOf.0.event"). */
  fieldErrors: Record<string, string>;
  formError: string | null;
  locale: string;
  limits: { maxSteps: number; minSteps: number; maxAlternatives: number; maxFilters: number; maxLabel: number; maxWindowMinutes: number };
}

const OTHER = "__other__";
const WINDOW_UNITS = [
  { label: "minutes", value: "1" },
  { label: "hours", value: "60" },
  { label: "days", value: "1440" },
];

const emptyFilter = (): DraftFilter => ({ field: "path", op: "equals", key: "", value: "" });

/**
 * The funnel builder: template choice, name, unit and window, then ordered steps, each
 * with OR-alternatives (an event plus AND-ed filters). Purely controlled; the route owns
 * the draft and posts it. Server messages show next to the field they concern.
 */
export function FunnelBuilder({ draft, onChange, templates, seenEvents, knownEvents, fieldErrors, formError, locale, limits }: FunnelBuilderProps) {
  const int = useMemo(() => new Intl.NumberFormat(locale), [locale]);
  const err = (path: string) => fieldErrors[path];
  const setStep = (i: number, s: DraftStep) => onChange({ ...draft, steps: draft.steps.map((x, j) => (j === i ? s : x)) });
  const moveStep = (i: number, by: -1 | 1) => {
    const steps = [...draft.steps];
    [steps[i], steps[i + by]] = [steps[i + by], steps[i]];
    onChange({ ...draft, steps });
  };

  const eventOptions = useMemo(() => {
    const seen = new Set(seenEvents.map((e) => e.name));
    return [
      ...(seenEvents.length
        ? [{ title: "Sent by your store (last 90 days)", options: seenEvents.map((e) => ({ label: `${e.name} (${int.format(e.count)})`, value: e.name })) }]
        : []),
      { title: seenEvents.length ? "Other known events" : "Known events (none received yet)", options: knownEvents.filter((n) => !seen.has(n)).map((n) => ({ label: n, value: n })) },
      { title: "Custom", options: [{ label: "Another event name…", value: OTHER }] },
    ];
  }, [seenEvents, knownEvents, int]);
  const listed = useMemo(() => new Set([...seenEvents.map((e) => e.name), ...knownEvents]), [seenEvents, knownEvents]);

  const [unitFactor, setUnitFactor] = useState(() => (draft.windowMinutes % 1440 === 0 ? "1440" : draft.windowMinutes % 60 === 0 ? "60" : "1"));
  const windowErr = err("windowMinutes");

  return (
    <BlockStack gap="400">
      {formError ? (
        <Banner tone="critical" title="The funnel was not saved">
          <p>{formError}</p>
        </Banner>
      ) : null}
      <Card>
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">Start from</Text>
          <InlineGrid columns={{ xs: 1, sm: 2, md: 4 }} gap="300">
            {templates.map((t) => (
              <Box key={t.key} padding="300" borderWidth="025" borderRadius="200" borderColor={draft.template === t.key ? "border-emphasis" : "border"}>
                <BlockStack gap="200">
                  <Text as="h3" variant="headingSm">{t.name}</Text>
                  <Text as="p" variant="bodySm" tone="subdued">{t.description}</Text>
                  {/* The visible text names the template: a speech-input user says what they see. */}
                  <Button pressed={draft.template === t.key} onClick={() => onChange(t.draft)}>
                    {draft.template === t.key ? `${t.name} template selected` : `Use ${t.name} template`}
                  </Button>
                </BlockStack>
              </Box>
            ))}
          </InlineGrid>
        </BlockStack>
      </Card>
      <Card>
        <BlockStack gap="300">
          <TextField label="Funnel name" autoComplete="off" value={draft.name} maxLength={limits.maxLabel} onChange={(name) => onChange({ ...draft, name })} error={err("name")} />
          <InlineStack gap="300" blockAlign="start" wrap>
            <Select
              label="Count per"
              options={[
                { label: "Session (one visit)", value: "session" },
                { label: "Visitor (across visits)", value: "visitor" },
              ]}
              value={draft.unit}
              onChange={(u) => onChange({ ...draft, unit: u === "visitor" ? "visitor" : "session" })}
              error={err("unit")}
            />
            {draft.unit === "visitor" ? (
              <InlineStack gap="200" blockAlign="end">
                <TextField
                  label="Conversion window"
                  type="number"
                  autoComplete="off"
                  min={1}
                  value={String(draft.windowMinutes / Number(unitFactor))}
                  onChange={(v) => onChange({ ...draft, windowMinutes: Math.round(Number(v) * Number(unitFactor)) })}
                  error={windowErr}
                />
                <Select label="Window unit" labelHidden options={WINDOW_UNITS} value={unitFactor} onChange={setUnitFactor} />
                <Text as="span" tone="subdued">From step 1 to the last step; 1 minute to 90 days.</Text>
              </InlineStack>
            ) : (
              <Box paddingBlockStart="600">
                <Text as="p" tone="subdued">A session ends after 30 minutes without activity; no other window applies.</Text>
              </Box>
            )}
          </InlineStack>
        </BlockStack>
      </Card>
      {err("steps") ? <Banner tone="critical"><p>{err("steps")}</p></Banner> : null}
      {draft.steps.map((step, i) => (
        <Card key={i}>
          <BlockStack gap="300">
            <InlineStack align="space-between" blockAlign="center">
              <Text as="h2" variant="headingMd">{`Step ${i + 1}`}</Text>
              <ButtonGroup>
                <Button disabled={i === 0} onClick={() => moveStep(i, -1)} accessibilityLabel={`Move step ${i + 1} up`}>↑</Button>
                <Button disabled={i === draft.steps.length - 1} onClick={() => moveStep(i, 1)} accessibilityLabel={`Move step ${i + 1} down`}>↓</Button>
                <Button
                  tone="critical"
                  disabled={draft.steps.length <= limits.minSteps}
                  onClick={() => onChange({ ...draft, steps: draft.steps.filter((_, j) => j !== i) })}
                  accessibilityLabel={`Remove step ${i + 1}`}
                >
                  Remove
                </Button>
              </ButtonGroup>
            </InlineStack>
            <TextField
              label="Step label"
              autoComplete="off"
              value={step.label}
              maxLength={limits.maxLabel}
              showCharacterCount
              onChange={(label) => setStep(i, { ...step, label })}
              error={err(`steps.${i}.label`)}
            />
            {err(`steps.${i}.anyOf`) ? <Text as="p" tone="critical">{err(`steps.${i}.anyOf`)}</Text> : null}
            {step.anyOf.map((alt, a) => {
              const setAlt = (next: DraftStep["anyOf"][number]) => setStep(i, { ...step, anyOf: step.anyOf.map((x, k) => (k === a ? next : x)) });
              const custom = alt.event === "" ? false : !listed.has(alt.event);
              return (
                <BlockStack key={a} gap="200">
                  {a > 0 ? <Divider /> : null}
                  {a > 0 ? <Text as="p" fontWeight="semibold">OR</Text> : null}
                  <InlineStack gap="200" blockAlign="end" wrap>
                    <Select
                      label={`Event${step.anyOf.length > 1 ? ` (alternative ${a + 1})` : ""}`}
                      options={eventOptions}
                      value={custom ? OTHER : alt.event}
                      placeholder="Choose an event"
                      onChange={(v) => setAlt({ ...alt, event: v === OTHER ? "mc:" : v })}
                      error={custom ? undefined : err(`steps.${i}.anyOf.${a}.event`)}
                    />
                    {custom ? (
                      <TextField
                        label="Event name"
                        autoComplete="off"
                        value={alt.event}
                        onChange={(event) => setAlt({ ...alt, event })}
                        error={err(`steps.${i}.anyOf.${a}.event`)}
                        helpText="As sent by your store, e.g. mc:quiz_completed"
                      />
                    ) : null}
                    {step.anyOf.length > 1 ? (
                      <Button variant="plain" tone="critical" onClick={() => setStep(i, { ...step, anyOf: step.anyOf.filter((_, k) => k !== a) })}>
                        Remove alternative
                      </Button>
                    ) : null}
                  </InlineStack>
                  {alt.filters.map((f, k) => {
                    const setFilter = (next: DraftFilter) => setAlt({ ...alt, filters: alt.filters.map((x, m) => (m === k ? next : x)) });
                    const path = `steps.${i}.anyOf.${a}.filters.${k}`;
                    return (
                      <InlineStack key={k} gap="200" blockAlign="end" wrap>
                        <Select
                          label="Filter on"
                          options={[
                            { label: "Page path", value: "path" },
                            { label: "Product id", value: "productId" },
                            { label: "Event property", value: "prop" },
                          ]}
                          value={f.field}
                          onChange={(field) => setFilter({ ...f, field: field as DraftFilter["field"], op: "equals" })}
                          error={err(`${path}.field`)}
                        />
                        {f.field === "prop" ? (
                          <TextField label="Property" autoComplete="off" value={f.key} onChange={(key) => setFilter({ ...f, key })} error={err(`${path}.key`)} placeholder="formType" />
                        ) : null}
                        <Select
                          label="Condition"
                          options={
                            f.field === "path"
                              ? [
                                  { label: "equals", value: "equals" },
                                  { label: "starts with", value: "startsWith" },
                                  { label: "contains", value: "contains" },
                                ]
                              : [{ label: "equals", value: "equals" }]
                          }
                          value={f.op}
                          onChange={(op) => setFilter({ ...f, op: op as FilterOp })}
                          error={err(`${path}.op`)}
                        />
                        <TextField label="Value" autoComplete="off" value={f.value} onChange={(value) => setFilter({ ...f, value })} error={err(`${path}.value`) ?? err(path)} />
                        <Button variant="plain" tone="critical" onClick={() => setAlt({ ...alt, filters: alt.filters.filter((_, m) => m !== k) })}>
                          Remove filter
                        </Button>
                      </InlineStack>
                    );
                  })}
                  <InlineStack gap="200">
                    <Button variant="plain" disabled={alt.filters.length >= limits.maxFilters} onClick={() => setAlt({ ...alt, filters: [...alt.filters, emptyFilter()] })}>
                      + Add filter
                    </Button>
                  </InlineStack>
                </BlockStack>
              );
            })}
            <InlineStack>
              <Button
                disabled={step.anyOf.length >= limits.maxAlternatives}
                onClick={() => setStep(i, { ...step, anyOf: [...step.anyOf, { event: "", filters: [] }] })}
              >
                + Add alternative (OR)
              </Button>
            </InlineStack>
          </BlockStack>
        </Card>
      ))}
      <InlineStack>
        <Button
          disabled={draft.steps.length >= limits.maxSteps}
          onClick={() => onChange({ ...draft, steps: [...draft.steps, { label: `Step ${draft.steps.length + 1}`, anyOf: [{ event: "", filters: [] }] }] })}
        >
          + Add step
        </Button>
      </InlineStack>
    </BlockStack>
  );
}
