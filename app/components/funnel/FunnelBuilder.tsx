import { useMemo, useState } from "react";
import { Badge, Banner, BlockStack, Box, Button, ButtonGroup, Card, Divider, InlineGrid, InlineStack, Select, Text, TextField } from "@shopify/polaris";
import type { FilterOp, FunnelUnit, StepFilter, StepMatcher } from "../../../core/types";
import { catalogEvent, EVENT_CATALOG, eventLabel } from "../../../core/event-catalog";
import { errorSummary } from "../../../core/funnel/field-errors";
import { pickResource } from "./resource-picker";

/**
 * Editable filter: every field present so inputs stay controlled; turned into a StepFilter
 * on save. "collection" is a page-address filter under /collections/<handle> chosen with
 * the picker; `title` is what the picker showed (kept for display only).
 */
export interface DraftFilter {
  field: StepFilter["field"] | "collection";
  op: FilterOp;
  key: string;
  value: string;
  title: string;
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
      anyOf: s.anyOf.map((a): StepMatcher => ({
        event: a.event,
        filters: a.filters.map((f): StepFilter => {
          const title = f.title ? { title: f.title } : {};
          if (f.field === "path") return { field: "path", op: f.op, value: f.value };
          if (f.field === "collection") return { field: "path", op: "startsWith", value: f.value, ...title };
          if (f.field === "productId") return { field: "productId", op: "equals", value: f.value, ...title };
          return { field: "prop", key: f.key, op: "equals", value: f.value };
        }),
      })),
    })),
  };
}

/** A stored/template definition as an editable draft. */
export function inputToDraft(input: {
  name: string;
  unit: FunnelUnit;
  windowMinutes: number;
  template?: string | null;
  steps: { label: string; anyOf: StepMatcher[] }[];
}): FunnelDraft {
  return {
    name: input.name,
    unit: input.unit,
    windowMinutes: input.windowMinutes,
    template: input.template ?? null,
    steps: input.steps.map((s) => ({
      label: s.label,
      anyOf: s.anyOf.map((a) => ({
        event: a.event,
        filters: a.filters.map((f): DraftFilter => ({
          field: f.field === "path" && f.title && f.value.startsWith("/collections/") ? "collection" : f.field,
          op: f.op,
          key: f.field === "prop" ? f.key : "",
          value: f.value,
          title: f.field !== "prop" ? (f.title ?? "") : "",
        })),
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
  /** The live count per step (units of the last `days` days that would reach it); null: not known yet. */
  counts?: { values: (number | null)[]; days: number; unit: FunnelUnit; loading: boolean; error: string | null } | null;
}

const OTHER = "__other__";
const WINDOW_UNITS = [
  { label: "minutes", value: "1" },
  { label: "hours", value: "60" },
  { label: "days", value: "1440" },
];

const emptyFilter = (): DraftFilter => ({ field: "path", op: "equals", key: "", value: "", title: "" });

/** The catalog's choice (scroll depth, form type) as a prop filter of the alternative, if set. */
function choiceIndex(alt: { event: string; filters: DraftFilter[] }): number {
  const choice = catalogEvent(alt.event)?.choice;
  if (!choice) return -1;
  return alt.filters.findIndex((f) => f.field === "prop" && f.key === choice.key && choice.options.some((o) => o.value === f.value));
}

/**
 * The funnel builder: template choice, name, unit and window, then ordered steps, each
 * with OR-alternatives (an event plus AND-ed filters). Purely controlled; the route owns
 * the draft and posts it. Server messages show next to the field they concern.
 */
export function FunnelBuilder({ draft, onChange, templates, seenEvents, knownEvents, fieldErrors, formError, locale, limits, counts }: FunnelBuilderProps) {
  const int = useMemo(() => new Intl.NumberFormat(locale), [locale]);
  const err = (path: string) => fieldErrors[path];
  const setStep = (i: number, s: DraftStep) => onChange({ ...draft, steps: draft.steps.map((x, j) => (j === i ? s : x)) });
  const moveStep = (i: number, by: -1 | 1) => {
    const steps = [...draft.steps];
    [steps[i], steps[i + by]] = [steps[i + by], steps[i]];
    onChange({ ...draft, steps });
  };

  // Events in the merchant's words, grouped as the catalog groups them; how often the
  // store sent each in the last 90 days beside it; the store's own custom events after.
  const eventOptions = useMemo(() => {
    const seen = new Map(seenEvents.map((e) => [e.name, e.count]));
    const known = new Set(knownEvents);
    const option = (name: string) => {
      const n = seen.get(name);
      return { label: `${eventLabel(name)}${n === undefined ? "" : ` (${int.format(n)})`}`, value: name };
    };
    const groups = [...new Set(EVENT_CATALOG.map((e) => e.group))].map((title) => ({
      title,
      options: EVENT_CATALOG.filter((e) => e.group === title && known.has(e.name)).map((e) => option(e.name)),
    }));
    const custom = seenEvents.filter((e) => !catalogEvent(e.name)).map((e) => option(e.name));
    return [
      ...groups.filter((g) => g.options.length > 0),
      ...(custom.length ? [{ title: "Your store's custom events (last 90 days)", options: custom }] : []),
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
          {Object.keys(fieldErrors).length ? (
            <ul>
              {errorSummary(fieldErrors).map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          ) : (
            <p>{formError.replace(/^The funnel was not saved — /, "")}</p>
          )}
        </Banner>
      ) : null}
      {templates.length > 0 ? (
        <Card>
          <BlockStack gap="300">
            <Text as="h2" variant="headingMd">
              Start from
            </Text>
            <InlineGrid columns={{ xs: 1, sm: 2, md: 4 }} gap="300">
              {templates.map((t) => (
                <Box key={t.key} padding="300" borderWidth="025" borderRadius="200" borderColor={draft.template === t.key ? "border-emphasis" : "border"}>
                  <BlockStack gap="200">
                    <Text as="h3" variant="headingSm">
                      {t.name}
                    </Text>
                    <Text as="p" variant="bodySm" tone="subdued">
                      {t.description}
                    </Text>
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
      ) : null}
      <Card>
        <BlockStack gap="300">
          <TextField
            label="Funnel name"
            autoComplete="off"
            value={draft.name}
            maxLength={limits.maxLabel}
            onChange={(name) => onChange({ ...draft, name })}
            error={err("name")}
          />
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
                <Text as="span" tone="subdued">
                  From step 1 to the last step; 1 minute to 90 days.
                </Text>
              </InlineStack>
            ) : (
              <Box paddingBlockStart="600">
                <Text as="p" tone="subdued">
                  A session ends after 30 minutes without activity; no other window applies.
                </Text>
              </Box>
            )}
          </InlineStack>
        </BlockStack>
      </Card>
      {err("steps") ? (
        <Banner tone="critical">
          <p>{err("steps")}</p>
        </Banner>
      ) : null}
      {draft.steps.map((step, i) => (
        <Card key={i}>
          <BlockStack gap="300">
            <InlineStack align="space-between" blockAlign="center">
              <InlineStack gap="200" blockAlign="center">
                <Text as="h2" variant="headingMd">{`Step ${i + 1}`}</Text>
                <StepCount counts={counts ?? null} index={i} int={int} />
              </InlineStack>
              <ButtonGroup>
                <Button disabled={i === 0} onClick={() => moveStep(i, -1)} accessibilityLabel={`Move step ${i + 1} up`}>
                  ↑
                </Button>
                <Button disabled={i === draft.steps.length - 1} onClick={() => moveStep(i, 1)} accessibilityLabel={`Move step ${i + 1} down`}>
                  ↓
                </Button>
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
            {err(`steps.${i}.anyOf`) ? (
              <Text as="p" tone="critical">
                {err(`steps.${i}.anyOf`)}
              </Text>
            ) : null}
            {step.anyOf.map((alt, a) => {
              const setAlt = (next: DraftStep["anyOf"][number]) => setStep(i, { ...step, anyOf: step.anyOf.map((x, k) => (k === a ? next : x)) });
              const custom = alt.event === "" ? false : !listed.has(alt.event);
              const entry = catalogEvent(alt.event);
              const chosen = choiceIndex(alt);
              const place = `step ${i + 1}${step.anyOf.length > 1 ? `, alternative ${a + 1}` : ""}`;
              return (
                <BlockStack key={a} gap="200">
                  {a > 0 ? <Divider /> : null}
                  {a > 0 ? (
                    <Text as="p" fontWeight="semibold">
                      OR
                    </Text>
                  ) : null}
                  <InlineStack gap="200" blockAlign="start" wrap>
                    <Select
                      label={`Event${step.anyOf.length > 1 ? ` (alternative ${a + 1})` : ""}`}
                      options={eventOptions}
                      value={custom ? OTHER : alt.event}
                      placeholder="Choose an event"
                      // A new event keeps only filters that still make sense: no choice of another event.
                      onChange={(v) => setAlt({ event: v === OTHER ? "mc:" : v, filters: alt.filters.filter((_, k) => k !== chosen) })}
                      error={custom ? undefined : err(`steps.${i}.anyOf.${a}.event`)}
                      helpText={entry ? entry.description : undefined}
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
                    {entry?.choice ? (
                      <Select
                        label={entry.choice.label}
                        options={[{ label: entry.choice.anyLabel, value: "" }, ...entry.choice.options.map((o) => ({ label: o.label, value: o.value }))]}
                        value={chosen >= 0 ? alt.filters[chosen].value : ""}
                        onChange={(v) => {
                          const rest = alt.filters.filter((_, k) => k !== chosen);
                          setAlt({
                            ...alt,
                            filters: v === "" ? rest : [{ field: "prop", op: "equals", key: entry.choice!.key, value: v, title: "" }, ...rest],
                          });
                        }}
                        error={chosen >= 0 ? err(`steps.${i}.anyOf.${a}.filters.${chosen}.value`) : undefined}
                      />
                    ) : null}
                    {step.anyOf.length > 1 ? (
                      <Button variant="plain" tone="critical" onClick={() => setStep(i, { ...step, anyOf: step.anyOf.filter((_, k) => k !== a) })}>
                        Remove alternative
                      </Button>
                    ) : null}
                  </InlineStack>
                  {alt.filters.map((f, k) => {
                    if (k === chosen) return null;
                    const setFilter = (next: DraftFilter) => setAlt({ ...alt, filters: alt.filters.map((x, m) => (m === k ? next : x)) });
                    const path = `steps.${i}.anyOf.${a}.filters.${k}`;
                    const picked = f.field === "productId" || f.field === "collection";
                    const pick = async () => {
                      const kind = f.field === "collection" ? "collection" : "product";
                      const item = await pickResource(kind);
                      if (!item || (kind === "collection" && !item.handle)) return;
                      setFilter(
                        kind === "product"
                          ? { ...f, op: "equals", value: item.numericId, title: item.title }
                          : { ...f, op: "startsWith", value: `/collections/${item.handle}`, title: item.title },
                      );
                    };
                    return (
                      <InlineStack key={k} gap="200" blockAlign="end" wrap>
                        <Select
                          label={`Filter ${k + 1 - (chosen >= 0 && chosen < k ? 1 : 0)} on`}
                          options={[
                            { label: "Page address", value: "path" },
                            { label: "Product", value: "productId" },
                            { label: "Collection", value: "collection" },
                            { label: "Event property", value: "prop" },
                          ]}
                          value={f.field}
                          onChange={(field) =>
                            setFilter({ ...emptyFilter(), field: field as DraftFilter["field"], op: field === "collection" ? "startsWith" : "equals" })
                          }
                          error={err(`${path}.field`)}
                        />
                        {picked ? (
                          <BlockStack gap="100">
                            <Text as="p" tone={err(`${path}.value`) || err(path) ? "critical" : undefined}>
                              {f.value
                                ? `${f.field === "collection" ? "Collection" : "Product"}: ${f.title || f.value}`
                                : err(`${path}.value`) || err(path) || `No ${f.field === "collection" ? "collection" : "product"} chosen yet`}
                            </Text>
                            <Button onClick={pick} accessibilityLabel={`Choose a ${f.field === "collection" ? "collection" : "product"} for ${place}`}>
                              {f.value ? "Change…" : f.field === "collection" ? "Choose collection…" : "Choose product…"}
                            </Button>
                          </BlockStack>
                        ) : (
                          <>
                            {f.field === "prop" ? (
                              <TextField
                                label="Property"
                                autoComplete="off"
                                value={f.key}
                                onChange={(key) => setFilter({ ...f, key })}
                                error={err(`${path}.key`)}
                                placeholder="formType"
                              />
                            ) : null}
                            <Select
                              label="Condition"
                              options={
                                f.field === "path"
                                  ? [
                                      { label: "is", value: "equals" },
                                      { label: "starts with", value: "startsWith" },
                                      { label: "contains", value: "contains" },
                                    ]
                                  : [{ label: "is", value: "equals" }]
                              }
                              value={f.op}
                              onChange={(op) => setFilter({ ...f, op: op as FilterOp })}
                              error={err(`${path}.op`)}
                            />
                            <TextField
                              label={f.field === "path" ? "Page address" : "Value"}
                              autoComplete="off"
                              value={f.value}
                              onChange={(value) => setFilter({ ...f, value })}
                              error={err(`${path}.value`) ?? err(path)}
                              placeholder={f.field === "path" ? "/blogs" : undefined}
                            />
                          </>
                        )}
                        <Button variant="plain" tone="critical" onClick={() => setAlt({ ...alt, filters: alt.filters.filter((_, m) => m !== k) })}>
                          Remove filter
                        </Button>
                      </InlineStack>
                    );
                  })}
                  <InlineStack gap="200">
                    <Button
                      variant="plain"
                      disabled={alt.filters.length >= limits.maxFilters}
                      onClick={() => setAlt({ ...alt, filters: [...alt.filters, emptyFilter()] })}
                    >
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

/** "≈ 1,765 sessions in the last 30 days" beside a step, while the merchant builds. */
function StepCount({ counts, index, int }: { counts: FunnelBuilderProps["counts"] | null; index: number; int: Intl.NumberFormat }) {
  if (!counts) return null;
  const value = counts.values[index];
  const text =
    counts.error !== null
      ? "Count unavailable"
      : value === null || value === undefined
        ? counts.loading
          ? "Counting…"
          : "No count until the step is complete"
        : `≈ ${int.format(value)} ${counts.unit}${value === 1 ? "" : "s"} in the last ${counts.days} days`;
  return (
    <span data-testid={`step-count-${index + 1}`} aria-live="polite">
      <Badge tone={value === null || value === undefined ? undefined : "info"}>{text}</Badge>
    </span>
  );
}
