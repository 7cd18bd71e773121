/**
 * Funnels of a shop: validation, templates, CRUD. Every query carries the shop id, so a
 * funnel id from another shop behaves exactly like an unknown one (null / not found).
 */
import { z } from "zod";
import type { Db } from "../../db/prisma";
import { rowsOf } from "../../db/query";
import eventNamesSeenQuery from "../../db/queries/event-names-seen";
import { nudgeResultsRefresher } from "./funnel-results/nudge";
import { EVENT_CATALOG } from "../../core/event-catalog";
import { errorSummary, fieldPlace } from "../../core/funnel/field-errors";
import {
  DEFAULT_VISITOR_WINDOW_MS,
  MAX_STEPS,
  MAX_WINDOW_MS,
  MIN_STEPS,
  MIN_WINDOW_MS,
  type FunnelDefinition,
  type FunnelUnit,
  type StepMatcher,
} from "../../core/types";

// ---------------------------------------------------------------------------- validation

export const MAX_LABEL_CHARS = 80;
export const MAX_ALTERNATIVES = 5;
export const MAX_FILTERS = 10;
export const MIN_WINDOW_MINUTES = MIN_WINDOW_MS / 60_000; // 1
export const MAX_WINDOW_MINUTES = MAX_WINDOW_MS / 60_000; // 129,600 = 90 days
export const DEFAULT_WINDOW_MINUTES = DEFAULT_VISITOR_WINDOW_MS / 60_000; // 10,080 = 7 days
/** A builder submission larger than this is not a funnel (20 × 5 × 10 filters fit easily). */
export const MAX_DEFINITION_BYTES = 100_000;

// Control characters are refused everywhere: PostgreSQL rejects NUL in text (a 500
// otherwise), and labels and filter values are single-line by nature.
const CONTROL = /[\u0000-\u001f\u007f]/;

function text(what: string, max: number) {
  return z
    .string({ error: `${what} is required` })
    .refine((s) => s.trim().length > 0, `${what} must not be empty`)
    .refine((s) => s.length <= max, `${what} is at most ${max} characters`)
    .refine((s) => !CONTROL.test(s), `${what} must not contain control characters (line breaks, tabs…)`);
}

const filterOp = z.enum(["equals", "startsWith", "contains"], { error: "choose a condition: is, starts with or contains" });
/** What a picker chose, for display only (core/types StepFilter). */
const pickedTitle = text("The picked item's name", 256).optional();

/** Mirrors core/types StepFilter exactly; any other shape is refused. */
export const stepFilterSchema = z.discriminatedUnion(
  "field",
  [
    z.strictObject({ field: z.literal("path"), op: filterOp, value: text("Page address", 1024), title: pickedTitle }),
    z.strictObject({
      field: z.literal("productId"),
      op: z.literal("equals", { error: "a product filter matches one product exactly" }),
      value: text("Product", 128),
      title: pickedTitle,
    }),
    z.strictObject({
      field: z.literal("prop"),
      key: text("Property name", 64),
      op: z.literal("equals", { error: "a property filter matches one value exactly" }),
      value: text("Property value", 256),
    }),
  ],
  { error: "choose what to filter on: page, product or event property" },
);

export const stepMatcherSchema = z.strictObject({
  // Event names are ≤ 64 characters on ingest (docs/event-schema.md).
  event: z
    .string({ error: "Choose an event" })
    .refine((s) => s.trim().length > 0 && s !== "mc:", "Choose an event")
    .refine((s) => s.length <= 64, "An event name is at most 64 characters")
    .refine((s) => !CONTROL.test(s), "An event name must not contain control characters (line breaks, tabs…)"),
  filters: z.array(stepFilterSchema).max(MAX_FILTERS, `at most ${MAX_FILTERS} filters per alternative`).default([]),
});

export const funnelStepSchema = z.strictObject({
  label: text("Step label", MAX_LABEL_CHARS),
  anyOf: z.array(stepMatcherSchema).min(1, "a step needs at least one event").max(MAX_ALTERNATIVES, `a step has at most ${MAX_ALTERNATIVES} alternatives`),
});

export const TEMPLATE_KEYS = ["purchase", "newsletter", "lead", "custom"] as const;
export type TemplateKey = (typeof TEMPLATE_KEYS)[number];

export const funnelInputSchema = z.strictObject({
  name: text("Funnel name", MAX_LABEL_CHARS),
  unit: z.enum(["session", "visitor"], { error: "unit must be session or visitor" }).default("session"),
  windowMinutes: z
    .number({ error: "windowMinutes must be a number of minutes" })
    .int("windowMinutes must be a whole number of minutes")
    .min(MIN_WINDOW_MINUTES, `the conversion window is at least ${MIN_WINDOW_MINUTES} minute`)
    .max(MAX_WINDOW_MINUTES, `the conversion window is at most ${MAX_WINDOW_MINUTES} minutes (90 days)`)
    .default(DEFAULT_WINDOW_MINUTES),
  template: z.enum(TEMPLATE_KEYS).nullish(),
  steps: z
    .array(funnelStepSchema, { error: "steps must be a list" })
    .min(MIN_STEPS, `a funnel has ${MIN_STEPS} to ${MAX_STEPS} steps`)
    .max(MAX_STEPS, `a funnel has ${MIN_STEPS} to ${MAX_STEPS} steps`),
});

export type FunnelInput = z.infer<typeof funnelInputSchema>;

/** Validation outcome with messages keyed by field path ("steps.1.anyOf.0.event"), for inline display. */
export type FunnelValidation = { ok: true; value: FunnelInput } | { ok: false; error: string; fieldErrors: Record<string, string> };

export function validateFunnelInput(input: unknown): FunnelValidation {
  const parsed = funnelInputSchema.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };
  const fieldErrors: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const key = issue.path.map(String).join(".") || "_";
    fieldErrors[key] ??= issue.message;
  }
  // In words ("Step 3, event: Choose an event"), every problem, not only the first.
  const list = errorSummary(fieldErrors);
  const first = list[0] ?? `${fieldPlace("")}: ${parsed.error.issues[0].message}`;
  const more = list.length > 1 ? ` (and ${list.length - 1} more: ${list.slice(1).join("; ")})` : "";
  return { ok: false, error: `The funnel was not saved — ${first}${more}`, fieldErrors };
}

/** Parses the builder's JSON field; size and JSON syntax are checked before the schema. */
export function parseFunnelDefinition(raw: unknown): FunnelValidation {
  if (typeof raw !== "string" || raw.length === 0) return { ok: false, error: "Invalid funnel — definition is missing", fieldErrors: {} };
  if (raw.length > MAX_DEFINITION_BYTES) {
    return { ok: false, error: `Invalid funnel — the definition is larger than ${MAX_DEFINITION_BYTES / 1000} kB`, fieldErrors: {} };
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, error: "Invalid funnel — definition is not valid JSON", fieldErrors: {} };
  }
  return validateFunnelInput(json);
}

// ---------------------------------------------------------------------------- templates

export interface FunnelTemplate {
  key: TemplateKey;
  name: string;
  description: string;
  input: FunnelInput;
}

const ev = (event: string, ...filters: StepMatcher["filters"]): StepMatcher => ({ event, filters });

/**
 * Templates mirror macro ↔ micro pairs from docs/funnel-semantics.md. Event names and
 * payloads are what the pixel and theme embed send (extensions/theme-embed:
 * mc:scroll_depth {percent}, mc:form_* {formType: "customer" = newsletter, "contact"}).
 */
export const FUNNEL_TEMPLATES: readonly FunnelTemplate[] = [
  {
    key: "purchase",
    name: "Purchase",
    description: "Product view → add to cart → checkout → purchase, per session.",
    input: {
      name: "Purchase",
      unit: "session",
      windowMinutes: DEFAULT_WINDOW_MINUTES,
      template: "purchase",
      steps: [
        { label: "Viewed a product", anyOf: [ev("product_viewed")] },
        { label: "Added to cart", anyOf: [ev("product_added_to_cart")] },
        { label: "Started checkout", anyOf: [ev("checkout_started")] },
        { label: "Purchased", anyOf: [ev("checkout_completed")] },
      ],
    },
  },
  {
    key: "newsletter",
    name: "Newsletter",
    description: "Read content (75 % scroll or a blog page) → start a form → newsletter signup.",
    input: {
      name: "Newsletter signup",
      unit: "session",
      windowMinutes: DEFAULT_WINDOW_MINUTES,
      template: "newsletter",
      steps: [
        {
          label: "Engaged with content",
          anyOf: [
            ev("mc:scroll_depth", { field: "prop", key: "percent", op: "equals", value: "75" }),
            ev("page_viewed", { field: "path", op: "startsWith", value: "/blogs" }),
          ],
        },
        { label: "Started a form", anyOf: [ev("mc:form_start")] },
        { label: "Signed up for the newsletter", anyOf: [ev("mc:form_submit", { field: "prop", key: "formType", op: "equals", value: "customer" })] },
      ],
    },
  },
  {
    key: "lead",
    name: "Lead / demo request",
    description: "Pricing or FAQ → download or signup → contact form, per visitor over 7 days.",
    input: {
      name: "Lead / demo request",
      // Leads research over several visits before they ask: follow the visitor, not one session.
      unit: "visitor",
      windowMinutes: DEFAULT_WINDOW_MINUTES,
      template: "lead",
      steps: [
        {
          label: "Looked at pricing or FAQ",
          anyOf: [
            ev("page_viewed", { field: "path", op: "contains", value: "/pricing" }),
            ev("page_viewed", { field: "path", op: "contains", value: "/pages/faq" }),
          ],
        },
        {
          label: "Downloaded a file or signed up",
          anyOf: [ev("mc:file_download"), ev("mc:form_submit", { field: "prop", key: "formType", op: "equals", value: "customer" })],
        },
        { label: "Sent the contact form", anyOf: [ev("mc:form_submit", { field: "prop", key: "formType", op: "equals", value: "contact" })] },
      ],
    },
  },
  {
    key: "custom",
    name: "Custom",
    description: "Start from two empty steps and pick the events yourself.",
    input: {
      name: "My funnel",
      unit: "session",
      windowMinutes: DEFAULT_WINDOW_MINUTES,
      template: "custom",
      steps: [
        { label: "Step 1", anyOf: [ev("page_viewed")] },
        { label: "Step 2", anyOf: [ev("product_viewed")] },
      ],
    },
  },
];

export function templateByKey(key: string | null | undefined): FunnelTemplate | null {
  return FUNNEL_TEMPLATES.find((t) => t.key === key) ?? null;
}

/** Events the pixel and theme embed can send, offered in the builder even before any arrived. */
export const KNOWN_EVENT_NAMES: readonly string[] = EVENT_CATALOG.map((e) => e.name);

// ---------------------------------------------------------------------------- storage

/** A stored funnel as routes and reports see it (JSON-safe). */
export interface FunnelView {
  id: string;
  name: string;
  unit: FunnelUnit;
  windowMinutes: number;
  template: string | null;
  isMain: boolean;
  createdAt: string;
  steps: { label: string; anyOf: StepMatcher[] }[];
  /** Definition version: 1 at creation, +1 per edit (FunnelVersion keeps each one). */
  version: number;
  /** Precomputed results: "ready", or still (re)building ("marking" / "building"). */
  resultsState: string;
}

type FunnelRow = {
  id: string;
  name: string;
  unit: string;
  windowMinutes: number;
  template: string | null;
  isMain: boolean;
  createdAt: Date;
  version?: number;
  resultsState?: string;
  steps: { position: number; label: string; matchers: string }[];
};

export function toView(row: FunnelRow): FunnelView {
  return {
    id: row.id,
    name: row.name,
    unit: row.unit === "visitor" ? "visitor" : "session",
    windowMinutes: row.windowMinutes,
    template: row.template,
    isMain: row.isMain,
    createdAt: row.createdAt.toISOString(),
    steps: [...row.steps].sort((a, b) => a.position - b.position).map((s) => ({ label: s.label, anyOf: parseMatchers(s.matchers) })),
    version: row.version ?? 1,
    resultsState: row.resultsState ?? "building",
  };
}

/** Stored matchers are written by createFunnel; a row that fails the schema matches nothing rather than failing the page. */
function parseMatchers(raw: string): StepMatcher[] {
  try {
    const parsed = z.array(stepMatcherSchema).safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}

/** The engine's definition of a stored funnel. */
export function toDefinition(f: FunnelView): FunnelDefinition {
  return { steps: f.steps, unit: f.unit, windowMs: f.windowMinutes * 60_000 };
}

const withSteps = { steps: { select: { position: true, label: true, matchers: true } } } as const;

/** Funnels of the shop, main first, then oldest first. */
export async function listFunnels(db: Db, shopId: number): Promise<FunnelView[]> {
  const rows = await db.funnel.findMany({
    where: { shopId },
    include: withSteps,
    orderBy: [{ isMain: "desc" }, { createdAt: "asc" }, { id: "asc" }],
  });
  return rows.map(toView);
}

/** One funnel of the shop, or null (unknown id and another shop's id look the same). */
export async function getFunnel(db: Db, shopId: number, id: string): Promise<FunnelView | null> {
  const row = await db.funnel.findFirst({ where: { id, shopId }, include: withSteps });
  return row ? toView(row) : null;
}

/** The shop's main funnel (the dashboard's headline), or null. */
export async function getMainFunnel(db: Db, shopId: number): Promise<FunnelView | null> {
  const row = await db.funnel.findFirst({ where: { shopId, isMain: true }, include: withSteps, orderBy: { createdAt: "asc" } });
  return row ? toView(row) : null;
}

/** Creates a validated funnel. The first funnel of a shop (or one without a main) becomes the main one. */
export async function createFunnel(db: Db, shopId: number, input: FunnelInput, opts: { id?: string; isMain?: boolean } = {}): Promise<FunnelView> {
  const view = await db.$transaction(async (tx) => {
    const hasMain = (await tx.funnel.count({ where: { shopId, isMain: true } })) > 0;
    const isMain = opts.isMain ?? !hasMain;
    if (isMain && hasMain) await tx.funnel.updateMany({ where: { shopId, isMain: true }, data: { isMain: false } });
    const row = await tx.funnel.create({
      data: {
        ...(opts.id ? { id: opts.id } : {}),
        shopId,
        name: input.name,
        unit: input.unit,
        windowMinutes: input.windowMinutes,
        template: input.template ?? null,
        isMain,
        steps: {
          create: input.steps.map((s, i) => ({ shopId, position: i + 1, label: s.label, matchers: JSON.stringify(s.anyOf) })),
        },
        versions: { create: { shopId, ...versionData(input), version: 1 } },
      },
      include: withSteps,
    });
    return toView(row);
  });
  // Its results build in the background, starting now: reports answer meanwhile.
  nudgeResultsRefresher();
  return view;
}

function versionData(d: { name: string; unit: string; windowMinutes: number; steps: readonly { label: string; anyOf: readonly StepMatcher[] }[] }) {
  return { name: d.name, unit: d.unit, windowMinutes: d.windowMinutes, steps: JSON.stringify(d.steps.map((s) => ({ label: s.label, anyOf: s.anyOf }))) };
}

/**
 * Saves a new definition of one of the shop's funnels as its next version (decision 010).
 * In the same transaction: the old version goes to FunnelVersion (if it predates
 * versions), its precomputed rows are dropped and its results mark cleared, so the
 * refresher starts a fresh build (funnel-results.server.ts: a funnel without a mark is
 * built from scratch) and no report ever reads rows of the old version with the new one.
 * Null when the funnel is not the shop's.
 */
export async function updateFunnel(db: Db, shopId: number, id: string, input: FunnelInput): Promise<FunnelView | null> {
  const view = await db.$transaction(
    async (tx) => {
      const row = await tx.funnel.findFirst({ where: { id, shopId }, include: withSteps });
      if (!row) return null;
      const old = toView(row);
      const known = await tx.funnelVersion.findUnique({
        where: { shopId_funnelId_version: { shopId, funnelId: id, version: old.version } },
        select: { version: true },
      });
      if (!known) await tx.funnelVersion.create({ data: { shopId, funnelId: id, version: old.version, ...versionData(old), createdAt: row.createdAt } });
      const version = old.version + 1;
      // The funnel row first: its lock orders this after (or before) a refresher batch that
      // read the old mark, which then writes nothing (funnel-results.server.ts refreshBatch).
      await tx.funnel.updateMany({
        where: { id, shopId },
        data: {
          name: input.name,
          unit: input.unit,
          windowMinutes: input.windowMinutes,
          template: input.template ?? null,
          version,
          resultsMark: null,
          resultsState: "building",
        },
      });
      await tx.funnelUnitDay.deleteMany({ where: { shopId, funnelId: id } });
      await tx.funnelStep.deleteMany({ where: { shopId, funnelId: id } });
      await tx.funnelStep.createMany({
        data: input.steps.map((s, i) => ({ shopId, funnelId: id, position: i + 1, label: s.label, matchers: JSON.stringify(s.anyOf) })),
      });
      await tx.funnelVersion.create({ data: { shopId, funnelId: id, version, ...versionData(input) } });
      // Open step alerts judged the old steps: closed with the old version (kept as history).
      await tx.alert.updateMany({ where: { shopId, funnelId: id, status: "open" }, data: { status: "cleared", clearedAt: new Date() } });
      return toView(await tx.funnel.findFirstOrThrow({ where: { id, shopId }, include: withSteps }));
    },
    { timeout: 60_000 },
  );
  // The rebuild starts now rather than at the refresher's next pass.
  if (view) nudgeResultsRefresher();
  return view;
}

/** The funnel's current version (null: not the shop's): a report checks it did not change while it read rows. */
export async function funnelVersionNow(db: Db, shopId: number, id: string): Promise<number | null> {
  return (await db.funnel.findFirst({ where: { id, shopId }, select: { version: true } }))?.version ?? null;
}

/** One stored definition of a funnel: its current one, or an earlier version from the history. */
export async function getFunnelAtVersion(db: Db, shopId: number, id: string, version: number): Promise<FunnelView | null> {
  const current = await getFunnel(db, shopId, id);
  if (!current || current.version === version) return current;
  const row = await db.funnelVersion.findUnique({ where: { shopId_funnelId_version: { shopId, funnelId: id, version } } });
  if (!row) return null;
  return {
    ...current,
    name: row.name,
    unit: row.unit === "visitor" ? "visitor" : "session",
    windowMinutes: row.windowMinutes,
    steps: parseVersionSteps(row.steps),
    version: row.version,
  };
}

/** Earlier and current versions, newest first (for the edit page's history). */
export async function funnelHistory(db: Db, shopId: number, id: string): Promise<{ version: number; name: string; createdAt: string; stepLabels: string[] }[]> {
  const rows = await db.funnelVersion.findMany({ where: { shopId, funnelId: id }, orderBy: { version: "desc" }, take: 50 });
  return rows.map((r) => ({
    version: r.version,
    name: r.name,
    createdAt: r.createdAt.toISOString(),
    stepLabels: parseVersionSteps(r.steps).map((s) => s.label),
  }));
}

function parseVersionSteps(raw: string): FunnelView["steps"] {
  try {
    const parsed = z.array(z.object({ label: z.string(), anyOf: z.array(stepMatcherSchema) })).safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}

/** Deletes one of the shop's funnels; if it was the main one, the oldest remaining takes over. */
export async function deleteFunnel(db: Db, shopId: number, id: string): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const row = await tx.funnel.findFirst({ where: { id, shopId }, select: { isMain: true } });
    if (!row) return false;
    // The funnel row first, as an edit does: a refresher batch takes it FOR SHARE before
    // writing rows, so it waits for this delete instead of deadlocking with it on the rows.
    await tx.funnel.updateMany({ where: { id, shopId }, data: { resultsMark: null } });
    // Explicitly, not only by the foreign key's cascade: SQLite enforces it per connection.
    await tx.funnelUnitDay.deleteMany({ where: { funnelId: id, shopId } });
    await tx.funnelVersion.deleteMany({ where: { funnelId: id, shopId } });
    await tx.funnel.deleteMany({ where: { id, shopId } });
    if (row.isMain) {
      const next = await tx.funnel.findFirst({ where: { shopId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }], select: { id: true } });
      if (next) await tx.funnel.update({ where: { id: next.id }, data: { isMain: true } });
    }
    return true;
  });
}

/** Makes one of the shop's funnels the main one (the dashboard headline). */
export async function setMainFunnel(db: Db, shopId: number, id: string): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const row = await tx.funnel.findFirst({ where: { id, shopId }, select: { id: true } });
    if (!row) return false;
    await tx.funnel.updateMany({ where: { shopId, isMain: true }, data: { isMain: false } });
    await tx.funnel.update({ where: { id }, data: { isMain: true } });
    return true;
  });
}

/**
 * Gives a shop without funnels the Purchase funnel as its main one. The row id is
 * derived from the shop, so two first page loads racing each other cannot create two:
 * the loser hits the primary key and is ignored.
 */
export async function ensureDefaultFunnels(db: Db, shopId: number): Promise<void> {
  if ((await db.funnel.count({ where: { shopId } })) > 0) return;
  const purchase = templateByKey("purchase")!;
  try {
    await createFunnel(db, shopId, purchase.input, { id: `default-purchase-${shopId}`, isMain: true });
  } catch (e) {
    if ((e as { code?: string }).code !== "P2002") throw e;
  }
}

/** Event name with how often the shop sent it, for the builder's picker. */
export interface SeenEvent {
  name: string;
  count: number;
}

/** How far back the picker looks: recent enough to be cheap, long enough to include rare events. */
export const EVENT_NAMES_LOOKBACK_DAYS = 90;

/** Distinct event names this shop actually sent (bots excluded) in the last 90 days, most frequent first. */
export async function eventNamesSeen(db: Db, shopId: number, now = Date.now()): Promise<SeenEvent[]> {
  const since = now - EVENT_NAMES_LOOKBACK_DAYS * 24 * 60 * 60 * 1000;
  const rows = await rowsOf(db, eventNamesSeenQuery, { shopId, since });
  return rows.map((r) => ({ name: r.name, count: Number(r.n) }));
}
