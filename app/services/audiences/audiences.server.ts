/**
 * Remarketing audiences of a shop: templates, validation, storage (every query carries
 * the shop id, so another shop's audience id behaves like an unknown one), and the
 * report — size, identified customers, historical conversion — and its CSV export.
 */
import { z } from "zod";
import type { Db } from "../../../db/prisma";
import { loadReportEvents } from "../events.server";
import {
  audienceHistory,
  audienceMembership,
  audienceWindow,
  customerGid,
  defaultTag,
  dropOffMembership,
  goalByKey,
  MACRO_GOALS,
  matchersKey,
  MAX_LOOKBACK_DAYS,
  MICRO_CATALOG,
  microByKey,
  MIN_LOOKBACK_DAYS,
  segmentQuery,
  TAG_PATTERN,
  type AudienceCustomer,
  type AudienceHistory,
  type AudienceRule,
  type CsvCell,
} from "../../../core/insights";
import { DAY_MS } from "../../../core/time";
import type { StepMatcher } from "../../../core/types";
import { storedMatcherSchema } from "../insights/experiments.server";
import { reportCsv } from "../../../core/csv";
import { computeUnitResults } from "../../../core/funnel";
import { getFunnel, getFunnelAtVersion, toDefinition } from "../funnels.server";
import { resolveDateRange, safeTimeZone, RANGE_PRESETS, type RangePreset } from "../date-range";
import { RequestError } from "../request-error";

// ---------------------------------------------------------------------------- templates

export interface AudienceTemplate {
  key: string;
  name: string;
  description: string;
  micro: StepMatcher[];
  macro: StepMatcher[];
  lookbackDays: number;
  tag: string;
}

const ev = (event: string, filters: StepMatcher["filters"] = []): StepMatcher => ({ event, filters });

export const AUDIENCE_TEMPLATES: readonly AudienceTemplate[] = [
  {
    key: "carted_not_bought",
    name: "Added to cart, did not buy",
    description: "Visitors who added a product to the cart in the last 14 days and did not complete a purchase.",
    micro: [ev("product_added_to_cart")],
    macro: [ev("checkout_completed")],
    lookbackDays: 14,
    tag: "mc-carted-not-bought",
  },
  {
    key: "pricing_no_demo",
    name: "Viewed pricing, no demo request",
    description: "Visitors who viewed a pricing page (path contains /pricing) or the FAQ (/pages/faq) in the last 14 days and did not send the contact form.",
    micro: [
      ev("page_viewed", [{ field: "path", op: "contains", value: "/pricing" }]),
      ev("page_viewed", [{ field: "path", op: "contains", value: "/pages/faq" }]),
    ],
    macro: [ev("mc:form_submit", [{ field: "prop", key: "formType", op: "equals", value: "contact" }])],
    lookbackDays: 14,
    tag: "mc-pricing-no-demo",
  },
  {
    key: "form_abandoned",
    name: "Started a form, did not submit",
    description: "Visitors who started filling in a form in the last 14 days and did not submit any form.",
    micro: [ev("mc:form_start")],
    macro: [ev("mc:form_submit")],
    lookbackDays: 14,
    tag: "mc-form-abandoned",
  },
];

export const TEMPLATE_KEYS = AUDIENCE_TEMPLATES.map((t) => t.key) as [string, ...string[]];

/** Choices of the custom form: any catalog micro step; the goal any macro goal or micro step. */
export const MICRO_CHOICES = MICRO_CATALOG.map((m) => ({ key: m.key, label: m.label }));
export const MACRO_CHOICES = [
  ...MACRO_GOALS.map((g) => ({ key: `goal:${g.key}`, label: g.label })),
  { key: "any_form_submit", label: "Submitted any form" },
  ...MICRO_CATALOG.map((m) => ({ key: `micro:${m.key}`, label: m.label })),
];

function macroChoice(key: string): StepMatcher[] | null {
  if (key === "any_form_submit") return [ev("mc:form_submit")];
  if (key.startsWith("goal:")) return goalByKey(key.slice(5))?.anyOf ?? null;
  if (key.startsWith("micro:")) return microByKey(key.slice(6))?.anyOf ?? null;
  return null;
}

// ---------------------------------------------------------------------------- validation

function firstIssue(error: z.ZodError): string {
  const i = error.issues[0];
  return `${i.path.length ? `${i.path.join(".")}: ` : ""}${i.message}`;
}

const CONTROL = /[\u0000-\u001f\u007f]/;
const nameSchema = z
  .string({ error: "name is required" })
  .trim()
  .min(1, "name must not be empty")
  .max(80, "name is at most 80 characters")
  .refine((s) => !CONTROL.test(s), "name must not contain control characters");
const tagSchema = z.string().trim().regex(TAG_PATTERN, "tag: 1–40 letters, digits, spaces or - _ . : (starting with a letter or digit)");
const lookbackSchema = z.coerce
  .number({ error: "lookbackDays must be a number of days" })
  .int("lookbackDays must be a whole number of days")
  .min(MIN_LOOKBACK_DAYS, `lookbackDays is at least ${MIN_LOOKBACK_DAYS}`)
  .max(MAX_LOOKBACK_DAYS, `lookbackDays is at most ${MAX_LOOKBACK_DAYS}`);

const createSchema = z.discriminatedUnion(
  "kind",
  [
    z.object({ kind: z.literal("template"), template: z.enum(TEMPLATE_KEYS, { error: `template must be one of ${TEMPLATE_KEYS.join(", ")}` }) }),
    z.object({
      kind: z.literal("custom"),
      name: nameSchema,
      micro: z.enum(MICRO_CHOICES.map((c) => c.key) as [string, ...string[]], { error: "micro must be one of the listed micro-conversions" }),
      macro: z.enum(MACRO_CHOICES.map((c) => c.key) as [string, ...string[]], { error: "macro must be one of the listed goals" }),
      lookbackDays: lookbackSchema.default(14),
      tag: tagSchema.optional(),
    }),
  ],
  { error: "kind must be template or custom" },
);

export interface AudienceInput {
  name: string;
  template: string | null;
  micro: StepMatcher[];
  macro: StepMatcher[];
  lookbackDays: number;
  tag: string;
}

/** Form fields → a validated audience, or RequestError(400) saying what is wrong. */
export function parseAudienceForm(form: Record<string, unknown>): AudienceInput {
  const raw = Object.fromEntries(Object.entries(form).map(([k, v]) => [k, v === "" ? undefined : v]));
  const parsed = createSchema.safeParse(raw);
  if (!parsed.success) throw new RequestError(firstIssue(parsed.error));
  const d = parsed.data;
  if (d.kind === "template") {
    const t = AUDIENCE_TEMPLATES.find((x) => x.key === d.template)!;
    return { name: t.name, template: t.key, micro: t.micro, macro: t.macro, lookbackDays: t.lookbackDays, tag: t.tag };
  }
  const micro = microByKey(d.micro)!.anyOf;
  const macro = macroChoice(d.macro)!;
  if (matchersKey(micro) === matchersKey(macro)) throw new RequestError("micro and macro must be different events");
  return { name: d.name, template: null, micro, macro, lookbackDays: d.lookbackDays, tag: d.tag ?? defaultTag(d.name) };
}

// ---------------------------------------------------------------------------- storage

/** A funnel step's settled drop-offs over a report range (kind "funnel-drop-off"). */
export interface FunnelDropOffDef {
  funnelId: string;
  /** k ≥ 2: reached step k−1, never reached step k. */
  step: number;
  /** The report's range as its query carries it: a preset, or "custom" with local dates. */
  range: { range: RangePreset; from: string | null; to: string | null };
  /** The funnel's version it was made from (null: made before versions): its steps are that version's. */
  funnelVersion?: number | null;
}

export interface AudienceView {
  id: string;
  kind: "events" | "funnel-drop-off";
  /** Set for kind "funnel-drop-off". */
  dropOff: FunnelDropOffDef | null;
  name: string;
  template: string | null;
  micro: StepMatcher[];
  macro: StepMatcher[];
  microLabel: string;
  macroLabel: string;
  lookbackDays: number;
  tag: string;
  segmentQuery: string;
  createdAt: string;
}

const storedList = z.union([storedMatcherSchema.transform((m) => [m]), z.array(storedMatcherSchema).min(1)]);

/** Stored matcher JSON: one StepMatcher or an array of alternatives. Unreadable → matches nothing. */
function parseStored(raw: string): StepMatcher[] {
  try {
    const parsed = storedList.safeParse(JSON.parse(raw));
    return parsed.success ? (parsed.data as StepMatcher[]) : [];
  } catch {
    return [];
  }
}

/** Words for a matcher list: the catalog's label when it is a known metric, else the events and filters. */
export function describeMatchers(anyOf: readonly StepMatcher[]): string {
  if (anyOf.length === 0) return "(unreadable definition)";
  const key = matchersKey(anyOf);
  const known = [...MACRO_GOALS, ...MICRO_CATALOG].find((m) => matchersKey(m.anyOf) === key);
  if (known) return known.label;
  if (key === matchersKey([ev("mc:form_submit")])) return "Submitted any form";
  return anyOf
    .map((m) => {
      const filters = m.filters.map((f) => (f.field === "prop" ? `${f.key} = ${f.value}` : `${f.field} ${f.op} ${f.value}`));
      return filters.length ? `${m.event} (${filters.join(", ")})` : m.event;
    })
    .join(" or ");
}

type AudienceRow = {
  id: string;
  name: string;
  template: string | null;
  microMatcher: string;
  macroMatcher: string;
  lookbackDays: number;
  kind: string;
  funnelId: string | null;
  funnelStep: number | null;
  funnelVersion?: number | null;
  rangeJson: string | null;
  tag: string;
  createdAt: Date;
};

const storedRange = z.object({ range: z.enum(RANGE_PRESETS), from: z.string().nullable(), to: z.string().nullable() });

/** The stored drop-off definition; unreadable → null (the audience then has no members). */
function parseDropOff(row: AudienceRow): FunnelDropOffDef | null {
  if (row.kind !== "funnel-drop-off" || !row.funnelId || !row.funnelStep || !row.rangeJson) return null;
  try {
    const range = storedRange.safeParse(JSON.parse(row.rangeJson));
    return range.success ? { funnelId: row.funnelId, step: row.funnelStep, range: range.data, funnelVersion: row.funnelVersion ?? null } : null;
  } catch {
    return null;
  }
}

function toView(row: AudienceRow): AudienceView {
  const micro = parseStored(row.microMatcher);
  const macro = parseStored(row.macroMatcher);
  const kind = row.kind === "funnel-drop-off" ? "funnel-drop-off" : "events";
  return {
    id: row.id,
    kind,
    dropOff: kind === "funnel-drop-off" ? parseDropOff(row) : null,
    name: row.name,
    template: row.template,
    micro,
    macro,
    microLabel: describeMatchers(micro),
    macroLabel: describeMatchers(macro),
    lookbackDays: row.lookbackDays,
    tag: row.tag,
    segmentQuery: segmentQuery(row.tag),
    createdAt: row.createdAt.toISOString(),
  };
}

export async function listAudiences(db: Db, shopId: number): Promise<AudienceView[]> {
  const rows = await db.audience.findMany({ where: { shopId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
  return rows.map(toView);
}

/** Route ids are cuids; anything else cannot be one of ours. */
const idSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/);

/** One of the shop's audiences, or null (unknown ids and other shops' ids look the same). */
export async function getAudience(db: Db, shopId: number, id: string): Promise<AudienceView | null> {
  if (!idSchema.safeParse(id).success) return null;
  const row = await db.audience.findFirst({ where: { id, shopId } });
  return row ? toView(row) : null;
}

export async function requireAudience(db: Db, shopId: number, id: string): Promise<AudienceView> {
  const a = await getAudience(db, shopId, id);
  if (!a) throw new RequestError("No audience with this id in this shop", 404);
  return a;
}

/** Creates an audience; a tag another audience of the shop already writes is refused (409). */
export async function createAudience(db: Db, shopId: number, input: AudienceInput): Promise<AudienceView> {
  const clash = await db.audience.findFirst({ where: { shopId, tag: input.tag }, select: { name: true } });
  if (clash) throw new RequestError(`the tag "${input.tag}" is already used by the audience "${clash.name}"; choose another tag`, 409);
  const row = await db.audience.create({
    data: {
      shopId,
      name: input.name,
      template: input.template,
      microMatcher: JSON.stringify(input.micro),
      macroMatcher: JSON.stringify(input.macro),
      lookbackDays: input.lookbackDays,
      tag: input.tag,
    },
  });
  return toView(row);
}

/**
 * One click from a funnel report: the settled drop-offs of `step` over the report's range.
 * The funnel must be the shop's (another shop's id is "not found"); the same definition
 * asked twice returns the audience already made.
 */
export async function createDropOffAudience(
  db: Db,
  shop: { id: number; timeZone: string },
  input: { funnelId: string; step: number; range: FunnelDropOffDef["range"] },
): Promise<AudienceView> {
  const funnel = idSchema.safeParse(input.funnelId).success ? await getFunnel(db, shop.id, input.funnelId) : null;
  if (!funnel) throw new RequestError("No funnel with this id in this shop", 404);
  if (!Number.isSafeInteger(input.step) || input.step < 2 || input.step > funnel.steps.length) {
    throw new RequestError(`step must be a step number from 2 to ${funnel.steps.length} (this funnel has ${funnel.steps.length} steps)`);
  }
  resolveDateRange(
    { preset: input.range.range, from: input.range.from ?? undefined, to: input.range.to ?? undefined },
    safeTimeZone(shop.timeZone),
    Date.now(),
  );
  const range = {
    range: input.range.range,
    from: input.range.range === "custom" ? input.range.from : null,
    to: input.range.range === "custom" ? input.range.to : null,
  };
  const rangeJson = JSON.stringify(range);
  const same = await db.audience.findFirst({ where: { shopId: shop.id, kind: "funnel-drop-off", funnelId: funnel.id, funnelStep: input.step, rangeJson } });
  if (same) return toView(same);
  const from = funnel.steps[input.step - 2].label;
  const to = funnel.steps[input.step - 1].label;
  const name = `${from}, never ${to} (${funnel.name})`.replace(/[\u0000-\u001f\u007f]/g, " ").slice(0, 80);
  // Tags must be unique per shop: the funnel and step make this one so.
  const tag = `mc-drop-${funnel.id.slice(-10)}-s${input.step}${range.range === "custom" ? `-${range.from}` : `-${range.range}`}`.slice(0, 40);
  const clash = await db.audience.findFirst({ where: { shopId: shop.id, tag }, select: { name: true } });
  const row = await db.audience.create({
    data: {
      shopId: shop.id,
      name,
      template: null,
      microMatcher: "[]",
      macroMatcher: "[]",
      lookbackDays: 30,
      kind: "funnel-drop-off",
      funnelId: funnel.id,
      funnelStep: input.step,
      funnelVersion: funnel.version,
      rangeJson,
      tag: clash ? `${tag.slice(0, 33)}-${Date.now().toString(36).slice(-6)}` : tag,
    },
  });
  return toView(row);
}

/** Deletes one of the shop's audiences and its sync history. Tags already written in Shopify stay. */
export async function deleteAudience(db: Db, shopId: number, id: string): Promise<boolean> {
  if (!idSchema.safeParse(id).success) return false;
  return db.$transaction(async (tx) => {
    const { count } = await tx.audience.deleteMany({ where: { id, shopId } });
    if (count > 0) await tx.audienceSync.deleteMany({ where: { shopId, audienceId: id } });
    return count > 0;
  });
}

// ---------------------------------------------------------------------------- report

export function ruleOf(a: AudienceView): AudienceRule {
  return { micro: a.micro, macro: a.macro, lookbackDays: a.lookbackDays };
}

export interface AudienceSizeView {
  from: number;
  to: number;
  activeVisitors: number;
  memberVisitors: number;
  identifiedCustomers: number;
  anonymousVisitors: number;
  excludedCustomers: number;
}

export interface AudienceReport {
  audience: AudienceView;
  size: AudienceSizeView;
  /** Every identified customer, in page/CSV order. */
  customers: AudienceCustomer[];
  /** Event audiences only: a funnel step's drop-offs have no "one period back". */
  history: AudienceHistory | null;
  /** Funnel drop-off audiences: the funnel step's dropOff units (sessions or visitors) and the funnel, if it still exists. */
  dropOff: { units: number; unit: "session" | "visitor"; funnelName: string; fromLabel: string; toLabel: string; madeFromVersion: number | null } | null;
  now: number;
}

/** First stored (non-bot) event of the shop, for the history's completeness caveat. */
async function dataSince(db: Db, shopId: number): Promise<number | null> {
  const row = await db.event.findFirst({ where: { shopId, isBot: false }, orderBy: { ts: "asc" }, select: { ts: true } });
  return row ? Number(row.ts) : null;
}

function sizeOf(m: Omit<ReturnType<typeof audienceMembership>, "customers"> & { customers: readonly unknown[] }): AudienceSizeView {
  return {
    from: m.from,
    to: m.to,
    activeVisitors: m.activeVisitors,
    memberVisitors: m.memberVisitors,
    identifiedCustomers: m.customers.length,
    anonymousVisitors: m.anonymousVisitors,
    excludedCustomers: m.excludedCustomers,
  };
}

/**
 * A drop-off audience's members now: the funnel engine over the report's events path
 * (loadReportEvents → computeUnitResults, which the report's SQL and precomputed rows
 * equal), range resolved in the shop's zone as the report resolves it. A deleted funnel or
 * an unreadable definition has no members.
 */
async function dropOffNow(db: Db, shopId: number, d: FunnelDropOffDef | null, now: number) {
  // The definition the audience was made from: an edit that moved or removed steps does
  // not move the audience to another step (decision 010).
  const funnel = !d ? null : d.funnelVersion ? await getFunnelAtVersion(db, shopId, d.funnelId, d.funnelVersion) : await getFunnel(db, shopId, d.funnelId);
  if (!d || !funnel || d.step > funnel.steps.length) return null;
  const current = d.funnelVersion ? await getFunnel(db, shopId, d.funnelId) : funnel;
  const shop = await db.shop.findUnique({ where: { id: shopId }, select: { timeZone: true } });
  const timeZone = safeTimeZone(shop?.timeZone ?? "UTC");
  let range;
  try {
    range = resolveDateRange({ preset: d.range.range, from: d.range.from ?? undefined, to: d.range.to ?? undefined }, timeZone, now);
  } catch (e) {
    if (e instanceof RequestError) return null;
    throw e;
  }
  const def = toDefinition(funnel);
  const events = await loadReportEvents(db, shopId, { from: range.from, to: range.to, unit: def.unit, windowMs: def.windowMs });
  const results = computeUnitResults(events, def, { from: range.from, to: range.to, now, timeZone });
  const units = results.map((r) => ({ visitorId: r.entry.visitorId, furthest: r.furthest, inProgress: r.inProgress, entryTs: r.entry.ts }));
  const membership = dropOffMembership(units, d.step, events, { from: range.from, to: range.to });
  return {
    membership,
    info: {
      units: membership.memberUnits,
      unit: def.unit,
      funnelName: current?.name ?? funnel.name,
      fromLabel: funnel.steps[d.step - 2].label,
      toLabel: funnel.steps[d.step - 1].label,
      // Set when the funnel was edited since: the audience keeps the steps of this version.
      madeFromVersion: current && current.version !== funnel.version ? funnel.version : null,
    },
  };
}

const EMPTY_SIZE = (now: number): AudienceSizeView => ({
  from: now,
  to: now,
  activeVisitors: 0,
  memberVisitors: 0,
  identifiedCustomers: 0,
  anonymousVisitors: 0,
  excludedCustomers: 0,
});

/** The audience now (window [now − N days, now)) and its history one period back. */
export async function audienceReport(db: Db, shopId: number, id: string, now = Date.now()): Promise<AudienceReport> {
  const audience = await requireAudience(db, shopId, id);
  if (audience.kind === "funnel-drop-off") {
    const r = await dropOffNow(db, shopId, audience.dropOff, now);
    return r
      ? { audience, size: sizeOf(r.membership), customers: r.membership.customers, history: null, dropOff: r.info, now }
      : { audience, size: EMPTY_SIZE(now), customers: [], history: null, dropOff: null, now };
  }
  const rule = ruleOf(audience);
  const events = await loadReportEvents(db, shopId, { from: now - 2 * rule.lookbackDays * DAY_MS, to: now, unit: "visitor", windowMs: 0 });
  const membership = audienceMembership(events, rule, audienceWindow(now, rule.lookbackDays));
  const history = audienceHistory(events, rule, now, await dataSince(db, shopId));
  return { audience, size: sizeOf(membership), customers: membership.customers, history, dropOff: null, now };
}

/** The audience's identified customers now (what the sync tags). */
export async function audienceCustomers(db: Db, shopId: number, audience: AudienceView, now = Date.now()): Promise<AudienceCustomer[]> {
  if (audience.kind === "funnel-drop-off") return (await dropOffNow(db, shopId, audience.dropOff, now))?.membership.customers ?? [];
  const rule = ruleOf(audience);
  const w = audienceWindow(now, rule.lookbackDays);
  const events = await loadReportEvents(db, shopId, { from: w.from, to: w.to, unit: "visitor", windowMs: 0 });
  return audienceMembership(events, rule, w).customers;
}

/** Every audience of the shop with its current size (one event load for the longest lookback). */
export async function listAudiencesWithSize(db: Db, shopId: number, now = Date.now()): Promise<{ audience: AudienceView; size: AudienceSizeView }[]> {
  const all = await listAudiences(db, shopId);
  const audiences = all.filter((a) => a.kind === "events");
  const longest = Math.max(0, ...audiences.map((a) => a.lookbackDays));
  const events = audiences.length ? await loadReportEvents(db, shopId, { from: now - longest * DAY_MS, to: now, unit: "visitor", windowMs: 0 }) : [];
  return Promise.all(
    all.map(async (audience) => {
      if (audience.kind === "funnel-drop-off") {
        const r = await dropOffNow(db, shopId, audience.dropOff, now);
        return { audience, size: r ? sizeOf(r.membership) : EMPTY_SIZE(now) };
      }
      return { audience, size: sizeOf(audienceMembership(events, ruleOf(audience), audienceWindow(now, audience.lookbackDays))) };
    }),
  );
}

// ---------------------------------------------------------------------------- taggable

/**
 * Who the sync can reach: Shopify tags live on customer records, so only members whose
 * events carry a customer id (they were logged in) can be tagged. Members are counted
 * per visitor; one customer may stand behind several member visitors.
 */
export interface TaggableView {
  /** Distinct customers the sync would tag now. */
  taggable: number;
  /** Member visitors (everyone in the audience). */
  members: number;
  /** Member visitors with no customer id: never logged in, nothing in Shopify to tag. */
  anonymous: number;
  /** Customers of member visitors left out because they reached the goal on another visit or device. */
  excluded: number;
}

export function taggableOf(size: AudienceSizeView): TaggableView {
  return { taggable: size.identifiedCustomers, members: size.memberVisitors, anonymous: size.anonymousVisitors, excluded: size.excludedCustomers };
}

// ---------------------------------------------------------------------------- CSV

export const CUSTOMER_CSV_HEADER = ["customer_id", "shopify_customer_gid", "customer_admin_url", "member_visitors", "last_micro_conversion_at"] as const;

/** The store handle of the Shopify admin URL: the myshopify subdomain. */
export function storeHandle(shopDomain: string): string {
  return shopDomain.toLowerCase().replace(/\.myshopify\.com$/, "");
}

/** The customer's page in the Shopify admin; null for ids that are not Shopify customer ids. */
export function customerAdminUrl(shopDomain: string, customerId: string): string | null {
  const m = /^(?:gid:\/\/shopify\/Customer\/)?(\d+)$/.exec(customerId);
  return m ? `https://admin.shopify.com/store/${encodeURIComponent(storeHandle(shopDomain))}/customers/${m[1]}` : null;
}

/** One customer as a CSV row: numeric ids get their gid and admin URL, other stored ids none. */
export function customerRow(c: AudienceCustomer, shopDomain: string): CsvCell[] {
  const numeric = /^\d+$/.test(c.customerId);
  return [
    c.customerId,
    numeric ? customerGid(c.customerId) : null,
    customerAdminUrl(shopDomain, c.customerId),
    c.visitors,
    new Date(c.lastMicroAt).toISOString(),
  ];
}

const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The customers CSV: the app's report header block (what, which window, counts), then one row per customer. */
export function audienceCsv(report: Pick<AudienceReport, "audience" | "size" | "customers" | "now">, shopDomain: string): string {
  const { audience: a, size } = report;
  const t = taggableOf(size);
  return reportCsv(
    {
      report: `Audience: ${a.name} (tag ${a.tag})`,
      unit: "customer",
      window: a.dropOff
        ? `reached step ${a.dropOff.step - 1} and not step ${a.dropOff.step} of funnel ${a.dropOff.funnelId}, settled, over the report range ${a.dropOff.range.range}${a.dropOff.range.from ? ` ${a.dropOff.range.from} to ${a.dropOff.range.to}` : ""}`
        : `did "${a.microLabel}" and not "${a.macroLabel}" in the ${a.lookbackDays} days (rolling, ${a.lookbackDays * 24} hours) before Generated at`,
      from: utcDay(size.from),
      to: utcDay(size.to),
      timeZone: "UTC",
      generatedAt: report.now,
      extra: [
        ["Member visitors", t.members],
        ["Taggable customers (logged in)", t.taggable],
        ["Anonymous member visitors (not taggable)", t.anonymous],
        ["Customers left out (reached the goal elsewhere)", t.excluded],
        ["Segment query", a.segmentQuery],
      ],
    },
    [[...CUSTOMER_CSV_HEADER], ...report.customers.map((c) => customerRow(c, shopDomain))],
  );
}

export function csvFilename(a: AudienceView, now: number): string {
  const slug =
    a.tag
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "") || "audience";
  return `${slug}-customers-${new Date(now).toISOString().slice(0, 10)}.csv`;
}
