/**
 * The builder's live count: how many sessions (or visitors) of the last 30 days would
 * reach each step of the funnel being built, before it is saved. Computed like a report
 * from the events (funnel-results/events-report.server.ts, equal to computeFunnel), over the shop's own
 * events only, for a bounded range and at most MAX_STEPS steps.
 */
import { z } from "zod";
import type { Db, DbDialect } from "../../db/prisma";
import { funnelAggregateSql } from "./funnel-results/events-report.server";
import { resolveDateRange, safeTimeZone } from "./date-range";
import { funnelStepSchema, MAX_DEFINITION_BYTES, MAX_WINDOW_MINUTES, MIN_WINDOW_MINUTES } from "./funnels.server";
import { MAX_STEPS, type FunnelDefinition, type FunnelStepDef } from "../../core/types";
import { fieldPlace } from "../../core/funnel/field-errors";

export const COUNT_DAYS = 30;

/**
 * Recent step counts by shop, range and draft definition. The builder asks again at each
 * pause in typing, often for a draft it already asked about (a step changed and changed
 * back, a re-render); each answer reads 30 days of the shop's events, so an answer is kept
 * for `ttlMs` (the figure is shown as "≈"), and a request for a draft already being
 * counted waits for that count. Drafts are not saved funnels, so there are no precomputed
 * rows to read instead. Bounded: the oldest entries go first.
 */
export class DraftCountCache {
  private readonly entries = new Map<string, { at: number; counts: Promise<number[]> }>();

  constructor(
    readonly ttlMs = 30_000,
    readonly maxEntries = 500,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The counts for `key`, computed at most once per `ttlMs`; a failed count is not kept. */
  counts(key: string, now: number, compute: () => Promise<number[]>): Promise<number[]> {
    const hit = this.entries.get(key);
    if (hit && now - hit.at < this.ttlMs) return hit.counts;
    this.entries.delete(key);
    const counts = compute();
    this.entries.set(key, { at: now, counts });
    counts.catch(() => {
      if (this.entries.get(key)?.counts === counts) this.entries.delete(key);
    });
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(oldest);
    }
    return counts;
  }
}

/** What the live count reads with; without a cache every request reads the events. */
export interface DraftCountDeps {
  db: Db;
  dialect: DbDialect;
  draftCountCache?: DraftCountCache;
}

export class CountRequestError extends Error {
  constructor(
    message: string,
    readonly status: 400 = 400,
  ) {
    super(message);
  }
}

const draftSchema = z.strictObject({
  unit: z.enum(["session", "visitor"], { error: "unit must be session or visitor" }),
  windowMinutes: z
    .number({ error: "windowMinutes must be a number of minutes" })
    .int("windowMinutes must be a whole number of minutes")
    .min(MIN_WINDOW_MINUTES)
    .max(MAX_WINDOW_MINUTES),
  // Steps are checked one by one below: a step still being filled in has no count, the rest do.
  steps: z.array(z.unknown(), { error: "steps must be a list" }).min(1, "a funnel needs a step").max(MAX_STEPS, `a funnel has at most ${MAX_STEPS} steps`),
});

export interface DraftCounts {
  unit: "session" | "visitor";
  days: number;
  fromDate: string;
  toDate: string;
  /** Units that reached each step, in order; null from the first step that is not complete yet. */
  counts: (number | null)[];
  /** Why a step has no count ("Step 3, event: Choose an event"), keyed by its index. */
  incomplete: Record<number, string>;
}

/** Reads `?draft=` (JSON: unit, windowMinutes, steps). Bad input → CountRequestError (400). */
export function parseDraft(raw: string | null): { def: FunnelDefinition; steps: number; incomplete: Record<number, string>; unit: "session" | "visitor" } {
  if (raw === null || raw === "") throw new CountRequestError("draft is missing: send the funnel being built as JSON");
  if (raw.length > MAX_DEFINITION_BYTES) throw new CountRequestError(`draft is larger than ${MAX_DEFINITION_BYTES / 1000} kB`);
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new CountRequestError("draft is not valid JSON");
  }
  const parsed = draftSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CountRequestError(`${fieldPlace(issue.path.map(String).join("."))}: ${issue.message}`);
  }
  const valid: FunnelStepDef[] = [];
  const incomplete: Record<number, string> = {};
  for (const [i, s] of parsed.data.steps.entries()) {
    const step = funnelStepSchema.safeParse(s);
    if (!step.success) {
      const issue = step.error.issues[0];
      incomplete[i] = `${fieldPlace(["steps", i, ...issue.path].map(String).join("."))}: ${issue.message}`;
      break;
    }
    valid.push(step.data);
  }
  return {
    def: { steps: valid, unit: parsed.data.unit, windowMs: parsed.data.windowMinutes * 60_000 },
    steps: parsed.data.steps.length,
    incomplete,
    unit: parsed.data.unit,
  };
}

/** Per-step counts of the shop's last 30 days for the draft (steps after an incomplete one: null). */
export async function draftCounts(deps: DraftCountDeps, shop: { id: number; timeZone: string }, raw: string | null, now = Date.now()): Promise<DraftCounts> {
  const draft = parseDraft(raw);
  const timeZone = safeTimeZone(shop.timeZone);
  const range = resolveDateRange({ preset: "last30" }, timeZone, now);
  const counts: (number | null)[] = Array.from({ length: draft.steps }, () => null);
  if (draft.def.steps.length > 0) {
    const def = draft.def;
    const read = async () => {
      const report = await funnelAggregateSql(deps.db, deps.dialect, shop.id, def, { from: range.from, to: range.to, now, timeZone, stepTimes: false });
      return report.steps.map((s) => s.count);
    };
    // Keyed by everything the count depends on: the shop, its zone and days, the definition.
    const key = JSON.stringify([shop.id, timeZone, range.from, range.to, def]);
    const stepCounts = await (deps.draftCountCache ? deps.draftCountCache.counts(key, now, read) : read());
    stepCounts.forEach((c, i) => (counts[i] = c));
  }
  return { unit: draft.unit, days: COUNT_DAYS, fromDate: range.fromDate, toDate: range.toDate, counts, incomplete: draft.incomplete };
}
