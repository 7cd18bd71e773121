/**
 * Audience → Shopify customer tags (optional scope write_customers).
 *
 * A run tags the audience's identified customers with `tagsAdd` and untags, with
 * `tagsRemove`, customers the last completed run had tagged who have left the audience.
 * - Idempotent: the plan is the difference to what the last completed run left tagged,
 *   so re-running with nothing changed sends nothing.
 * - Resumable: the plan and how far it got live in AudienceSync.cursor (JSON, zod-
 *   validated), written after every mutation; a run that crashed, timed out, was
 *   throttled past its time budget or failed continues from there on the next request.
 * - Bounded: one request works for at most `budgetMs` (default 15 s, under the server's
 *   30 s request timeout) and returns status "running"; the page then asks again.
 * - Exclusive: a lease in the cursor (compare-and-set on the cursor text) keeps two
 *   requests from working on one run; an expired lease (crashed worker) is taken over.
 * - Throttling (GraphQL THROTTLED, HTTP 429) and 5xx: back off (core/insights
 *   throttleDelayMs, from extensions.cost.throttleStatus when given) and retry, up to
 *   MAX_ATTEMPTS per mutation; also paces itself when the bucket runs low.
 * - Per-customer refusals (userErrors, or a top-level error about that customer such as a
 *   deleted one: RESOURCE_NOT_FOUND / "Invalid id"): recorded (id, message, kind, counts)
 *   and the run goes on past that customer, so a resumed run never stops at it again; such
 *   ids are not sent again by later runs while they stay in the audience.
 * - Refusals of the whole app (protected customer data not approved, write_customers
 *   missing): the run stops, resumable, with `blocked` saying what to request; nothing is
 *   recorded against the customers.
 */
import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { Db } from "../../../db/prisma";
import { env } from "../../env.server";
import type { AdminGraphql } from "../admin-graphql.server";
import { customerGid, pacingDelayMs, planSync, throttleDelayMs, type ThrottleStatus } from "../../../core/insights";
import { audienceCustomers, requireAudience } from "./audiences.server";
import { RequestError } from "../request-error";

export const SYNC_SCOPE = "write_customers";
/** Calls per mutation before the run stops as failed (resumable): backoff 0.25 + 0.5 + 1 + 2 s in between when throttled. */
export const MAX_ATTEMPTS = 5;
/** Errors kept in the cursor (and shown); the counts are always complete. */
const MAX_ERRORS_KEPT = 50;
/** Estimated cost of one tagsAdd/tagsRemove (Shopify: 10 points per mutation). */
const MUTATION_COST = 10;

/** Whether a granted-scopes string ("a,b,c") includes write_customers. */
export function hasSyncScope(scope: string | null | undefined): boolean {
  return (scope ?? "")
    .split(",")
    .map((s) => s.trim())
    .includes(SYNC_SCOPE);
}

// ---------------------------------------------------------------------------- cursor

/** Why Shopify refused one customer: "not-found" (deleted or unknown), "user-error" (anything else). */
const kindSchema = z.enum(["not-found", "user-error"]);
type RefusalKind = z.infer<typeof kindSchema>;
const errorSchema = z.object({ id: z.string(), op: z.enum(["add", "remove"]), message: z.string(), kind: kindSchema.optional() });
const kindCountsSchema = z.object({ "not-found": z.number().int().min(0), "user-error": z.number().int().min(0) });
/** What the whole run waits for: protected customer data access, or the write_customers scope. */
const blockedSchema = z.enum(["protected-customer-data", "scope"]).nullable();
const leaseSchema = z.object({ owner: z.string(), until: z.number() }).nullable();
const stateSchema = z.object({
  v: z.literal(1),
  tag: z.string(),
  /** Tagged before this run and staying. */
  keep: z.array(z.string()),
  add: z.array(z.string()),
  remove: z.array(z.string()),
  addNext: z.number().int().min(0),
  removeNext: z.number().int().min(0),
  /** Ids Shopify answered with userErrors in this run. */
  addFailed: z.array(z.string()),
  removeFailed: z.array(z.string()),
  /** Refused by an earlier run and still in the audience: not sent again. */
  skipped: z.array(z.string()),
  errors: z.array(errorSchema),
  errorCount: z.number().int().min(0),
  /** errorCount by kind (runs from before kinds count theirs as user-error). */
  kinds: kindCountsSchema.optional(),
  blocked: blockedSchema.optional(),
  lease: leaseSchema,
});
const doneSchema = z.object({
  v: z.literal(1),
  done: z.literal(true),
  tag: z.string(),
  /** Who this run left tagged: the next run's starting point. */
  tagged: z.array(z.string()),
  /** Refused with userErrors; not sent again while they stay in the audience. */
  rejected: z.array(z.string()),
  errors: z.array(errorSchema),
  errorCount: z.number().int().min(0),
  kinds: kindCountsSchema.optional(),
});
type RunState = z.infer<typeof stateSchema>;
type DoneState = z.infer<typeof doneSchema>;

function parseJson<T>(schema: z.ZodType<T>, raw: string | null): T | null {
  if (!raw) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------- views

export interface SyncView {
  id: string;
  status: "running" | "done" | "failed";
  total: number;
  tagged: number;
  untagged: number;
  /** Customers Shopify refused (userErrors, or a top-level error about that customer). */
  refused: number;
  /** `refused` by kind: deleted/unknown customers, other refusals. */
  refusedByKind: Record<RefusalKind, number>;
  /** Set when the run stopped for something only the developer or merchant can grant. */
  blocked: "protected-customer-data" | "scope" | null;
  /** Customers not sent because Shopify refused them in an earlier run. */
  skipped: number;
  remaining: number;
  errors: { id: string; op: "add" | "remove"; message: string }[];
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
}

type SyncRow = {
  id: string;
  status: string;
  total: number;
  tagged: number;
  untagged: number;
  cursor: string | null;
  error: string | null;
  startedAt: Date;
  finishedAt: Date | null;
};

function toView(row: SyncRow): SyncView {
  const run = parseJson(stateSchema, row.cursor);
  const done = run ? null : parseJson(doneSchema, row.cursor);
  const status = row.status === "done" || row.status === "failed" ? row.status : "running";
  const remaining = run ? run.add.length - run.addNext + (run.remove.length - run.removeNext) : 0;
  return {
    id: row.id,
    status,
    total: row.total,
    tagged: row.tagged,
    untagged: row.untagged,
    refused: run ? run.errorCount : (done?.errorCount ?? 0),
    refusedByKind: (run ?? done)?.kinds ?? { "not-found": 0, "user-error": (run ?? done)?.errorCount ?? 0 },
    blocked: run?.blocked ?? null,
    skipped: run ? run.skipped.length : 0,
    remaining,
    errors: run?.errors ?? done?.errors ?? [],
    error: row.error,
    startedAt: row.startedAt.toISOString(),
    finishedAt: row.finishedAt ? row.finishedAt.toISOString() : null,
  };
}

/** The audience's latest sync run, or null. */
export async function latestSync(db: Db, shopId: number, audienceId: string): Promise<SyncView | null> {
  const row = await db.audienceSync.findFirst({ where: { shopId, audienceId }, orderBy: [{ startedAt: "desc" }, { id: "desc" }] });
  return row ? toView(row) : null;
}

// ---------------------------------------------------------------------------- Admin API

const TAGS_ADD = `#graphql
mutation AudienceTagsAdd($id: ID!, $tags: [String!]!) {
  tagsAdd(id: $id, tags: $tags) { node { id } userErrors { field message } }
}`;
const TAGS_REMOVE = `#graphql
mutation AudienceTagsRemove($id: ID!, $tags: [String!]!) {
  tagsRemove(id: $id, tags: $tags) { node { id } userErrors { field message } }
}`;

const payloadSchema = z.object({
  node: z.object({ id: z.string() }).nullable().optional(),
  userErrors: z.array(z.object({ field: z.array(z.string()).nullable().optional(), message: z.string() })),
});
const throttleSchema = z.object({ maximumAvailable: z.number(), currentlyAvailable: z.number(), restoreRate: z.number() });

type CallResult =
  | { kind: "ok"; userErrors: string[]; throttle: ThrottleStatus | null }
  /** Shopify refused this one customer with a top-level error (deleted, unknown id). */
  | { kind: "refused"; message: string; refusal: RefusalKind; throttle: ThrottleStatus | null }
  | { kind: "retry"; reason: string; throttle: ThrottleStatus | null; throttled: boolean }
  | { kind: "fatal"; reason: string; blocked?: "protected-customer-data" | "scope" };

function throttleOf(extensions: unknown): ThrottleStatus | null {
  const status = (extensions as { cost?: { throttleStatus?: unknown } } | undefined)?.cost?.throttleStatus;
  const parsed = throttleSchema.safeParse(status);
  return parsed.success ? parsed.data : null;
}

type GqlError = { message?: string; extensions?: { code?: string } };
const isThrottled = (errors: GqlError[]) => errors.some((e) => e?.extensions?.code === "THROTTLED");

export const PROTECTED_DATA_HELP =
  "Shopify refused to let the app edit customers: the app has not been granted protected customer data access. " +
  "The app developer requests it in the Partner Dashboard (Apps → Micro-Conversions → API access → Protected customer data access; Level 1, no personal fields), " +
  "then run the sync again: it continues where it stopped.";

/** A top-level error answer (not throttling), classified: the app as a whole, or this customer. */
function classifyTopLevel(errors: GqlError[], throttle: ThrottleStatus | null): CallResult {
  const text = errors
    .map((g) => g.message ?? g.extensions?.code)
    .join("; ")
    .slice(0, 300);
  if (errors.some((e) => /not approved to access the Customer object|protected customer data/i.test(e.message ?? ""))) {
    return { kind: "fatal", reason: `${PROTECTED_DATA_HELP} (Shopify: ${text})`, blocked: "protected-customer-data" };
  }
  if (errors.some((e) => e.extensions?.code === "ACCESS_DENIED")) {
    return {
      kind: "fatal",
      reason: `Shopify denied access (${text}): the app needs the ${SYNC_SCOPE} scope; grant it and run the sync again`,
      blocked: "scope",
    };
  }
  // About this customer only: deleted since it was seen, or an id Shopify does not know.
  if (errors.some((e) => e.extensions?.code === "RESOURCE_NOT_FOUND" || /invalid id|not found|does not exist/i.test(e.message ?? ""))) {
    return { kind: "refused", message: text, refusal: "not-found", throttle };
  }
  return { kind: "fatal", reason: `Admin API error: ${text}` };
}

/**
 * One tagsAdd/tagsRemove, classified. The Admin client (shopify-app-remix) throws a
 * Response for HTTP errors and a GraphqlQueryError (with `body`) for GraphQL errors;
 * a plain fetch-based client returns them in the body. Both are handled.
 */
async function callTags(admin: AdminGraphql, op: "add" | "remove", id: string, tag: string): Promise<CallResult> {
  const field = op === "add" ? "tagsAdd" : "tagsRemove";
  let body: { data?: Record<string, unknown>; errors?: unknown; extensions?: unknown };
  try {
    const response = await admin.graphql(op === "add" ? TAGS_ADD : TAGS_REMOVE, { variables: { id: customerGid(id), tags: [tag] } });
    body = (await response.json()) as typeof body;
  } catch (e) {
    if (e instanceof Response) {
      if (e.status === 429) return { kind: "retry", reason: "HTTP 429 Too Many Requests", throttle: null, throttled: true };
      if (e.status >= 500) return { kind: "retry", reason: `Shopify answered HTTP ${e.status}`, throttle: null, throttled: false };
      if (e.status === 401)
        return {
          kind: "fatal",
          reason: "Shopify refused the app's access token (HTTP 401); it is renewed on the next request — run the sync again to continue",
        };
      if (e.status === 403) return { kind: "fatal", reason: `Shopify refused access (HTTP 403): the app needs the ${SYNC_SCOPE} scope` };
      return { kind: "fatal", reason: `Shopify answered HTTP ${e.status}` };
    }
    const errBody = (e as { body?: { errors?: { graphQLErrors?: GqlError[] }; extensions?: unknown } }).body;
    const gql = errBody?.errors?.graphQLErrors;
    if (Array.isArray(gql)) {
      if (isThrottled(gql))
        return { kind: "retry", reason: "Shopify throttled the request (THROTTLED)", throttle: throttleOf(errBody?.extensions), throttled: true };
      return classifyTopLevel(gql, throttleOf(errBody?.extensions));
    }
    // Network trouble (no response): worth retrying.
    return { kind: "retry", reason: `request failed: ${e instanceof Error ? e.message : String(e)}`.slice(0, 300), throttle: null, throttled: false };
  }
  if (Array.isArray(body.errors) && body.errors.length > 0) {
    const errors = body.errors as GqlError[];
    if (isThrottled(errors))
      return { kind: "retry", reason: "Shopify throttled the request (THROTTLED)", throttle: throttleOf(body.extensions), throttled: true };
    return classifyTopLevel(errors, throttleOf(body.extensions));
  }
  const payload = payloadSchema.safeParse(body.data?.[field]);
  if (!payload.success) return { kind: "fatal", reason: `unexpected ${field} answer from Shopify` };
  return { kind: "ok", userErrors: payload.data.userErrors.map((u) => u.message), throttle: throttleOf(body.extensions) };
}

// ---------------------------------------------------------------------------- the run

export interface SyncOptions {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Longest a request works before handing back (status stays "running"). */
  budgetMs?: number;
  /** How long a claimed run stays claimed without a write. */
  leaseMs?: number;
}

export interface SyncOutcome {
  sync: SyncView;
  /** Another request holds this run: nothing was done here. */
  busy: boolean;
}

/**
 * Starts a sync of the audience's identified customers, or continues the unfinished
 * one, for at most the time budget. Throws RequestError 404 for an unknown
 * audience (or another shop's).
 */
export async function runAudienceSync(db: Db, shopId: number, audienceId: string, admin: AdminGraphql, opts: SyncOptions = {}): Promise<SyncOutcome> {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const budgetMs = opts.budgetMs ?? env.AUDIENCE_SYNC_BUDGET_MS;
  const leaseMs = opts.leaseMs ?? env.AUDIENCE_SYNC_LEASE_MS;
  const started = now();
  const owner = randomBytes(9).toString("base64url");

  const audience = await requireAudience(db, shopId, audienceId);
  let row: SyncRow | null = await db.audienceSync.findFirst({ where: { shopId, audienceId }, orderBy: [{ startedAt: "desc" }, { id: "desc" }] });
  if (!row || row.status === "done" || !parseJson(stateSchema, row.cursor)) {
    row = await startRun(db, shopId, audience.id, audience.tag, row, owner, started + leaseMs);
    if (!row) {
      const current = await db.audienceSync.findFirst({ where: { shopId, audienceId }, orderBy: [{ startedAt: "desc" }, { id: "desc" }] });
      if (!current) throw new RequestError("No audience with this id in this shop", 404);
      return { sync: toView(current), busy: true };
    }
  }
  let cursorText = row.cursor!;
  let state = parseJson(stateSchema, cursorText)!;
  const syncId = row.id;

  // Claim the run unless a live lease says someone else is on it.
  if (state.lease && state.lease.owner !== owner && state.lease.until > now()) return { sync: toView(row), busy: true };
  const counters = { tagged: row.tagged, untagged: row.untagged };

  /** Compare-and-set of the cursor; false when another worker wrote since (we stop). */
  const write = async (next: RunState, extra: { status?: string; error?: string | null; finishedAt?: Date | null; cursor?: string } = {}) => {
    const text = extra.cursor ?? JSON.stringify(next);
    const { count } = await db.audienceSync.updateMany({
      where: { id: syncId, shopId, cursor: cursorText },
      data: {
        cursor: text,
        tagged: counters.tagged,
        untagged: counters.untagged,
        ...(extra.status ? { status: extra.status } : {}),
        ...(extra.error !== undefined ? { error: extra.error } : {}),
        ...(extra.finishedAt !== undefined ? { finishedAt: extra.finishedAt } : {}),
      },
    });
    if (count === 1) {
      cursorText = text;
      state = next;
    }
    return count === 1;
  };
  const finish = async () => {
    const current = await db.audienceSync.findFirst({ where: { id: syncId, shopId } });
    // The audience (and its runs) was deleted while this request worked.
    if (!current) throw new RequestError("No audience with this id in this shop", 404);
    return { sync: toView(current), busy: false };
  };

  if (!(await write({ ...state, blocked: null, lease: { owner, until: now() + leaseMs } }, { status: "running", error: null }))) {
    return { ...(await finish()), busy: true };
  }

  while (state.addNext < state.add.length || state.removeNext < state.remove.length) {
    const op: "add" | "remove" = state.addNext < state.add.length ? "add" : "remove";
    const id = op === "add" ? state.add[state.addNext] : state.remove[state.removeNext];
    let attempt = 0;
    let result: CallResult;
    for (;;) {
      result = await callTags(admin, op, id, state.tag);
      if (result.kind !== "retry") break;
      attempt++;
      if (attempt >= MAX_ATTEMPTS) {
        result = { kind: "fatal", reason: `${result.reason}, ${attempt} attempts for one customer; run the sync again to continue where it stopped` };
        break;
      }
      const delay = throttleDelayMs(attempt, MUTATION_COST, result.throttle);
      if (now() - started + delay > budgetMs) {
        // Out of time for this request: hand back, the next one continues here.
        await write({ ...state, lease: null }, { error: `paused: ${result.reason}; continuing` });
        return finish();
      }
      // Keep the claim while waiting, so nobody takes over a live run.
      if (!(await write({ ...state, lease: { owner, until: now() + delay + leaseMs } }))) return { ...(await finish()), busy: true };
      await sleep(delay);
    }
    if (result.kind === "fatal") {
      await write({ ...state, lease: null, blocked: result.blocked ?? null }, { status: "failed", error: result.reason });
      return finish();
    }
    const next: RunState = { ...state, lease: { owner, until: now() + leaseMs } };
    const refusal: { message: string; kind: RefusalKind } | null =
      result.kind === "refused"
        ? { message: result.message, kind: result.refusal }
        : result.userErrors.length > 0
          ? {
              message: result.userErrors.join("; ").slice(0, 300),
              kind: /not found|does not exist|invalid id/i.test(result.userErrors.join(" ")) ? "not-found" : "user-error",
            }
          : null;
    if (refusal) {
      const { message, kind } = refusal;
      next.errorCount = state.errorCount + 1;
      const kinds = state.kinds ?? { "not-found": 0, "user-error": state.errorCount };
      next.kinds = { ...kinds, [kind]: kinds[kind] + 1 };
      next.errors = state.errors.length < MAX_ERRORS_KEPT ? [...state.errors, { id, op, message, kind }] : state.errors;
      if (op === "add") next.addFailed = [...state.addFailed, id];
      else next.removeFailed = [...state.removeFailed, id];
    } else if (op === "add") counters.tagged++;
    else counters.untagged++;
    if (op === "add") next.addNext = state.addNext + 1;
    else next.removeNext = state.removeNext + 1;
    if (!(await write(next, { error: null }))) return { ...(await finish()), busy: true };

    const pace = pacingDelayMs(MUTATION_COST, result.throttle);
    const more = state.addNext < state.add.length || state.removeNext < state.remove.length;
    if (more && now() - started + pace > budgetMs) {
      await write({ ...state, lease: null });
      return finish();
    }
    if (more && pace > 0) await sleep(pace);
  }

  // Done: keep only what the next run needs.
  const addFailed = new Set(state.addFailed);
  const tagged = [...new Set([...state.keep, ...state.add.filter((x) => !addFailed.has(x)), ...state.removeFailed])].sort();
  const done: DoneState = {
    v: 1,
    done: true,
    tag: state.tag,
    tagged,
    rejected: [...new Set([...state.addFailed, ...state.skipped])].sort(),
    errors: state.errors,
    errorCount: state.errorCount,
    kinds: state.kinds,
  };
  const notFound = state.kinds?.["not-found"] ?? 0;
  const summary =
    state.errorCount > 0 ? `${state.errorCount} customer(s) refused by Shopify${notFound > 0 ? ` (${notFound} deleted or unknown)` : ""}; see the list` : null;
  await write(state, { cursor: JSON.stringify(done), status: "done", error: summary, finishedAt: new Date(now()) });
  return finish();
}

/**
 * A new run: the plan is the audience's identified customers now against what the last
 * completed run left tagged. Returns null when another request started one at the same time.
 */
async function startRun(
  db: Db,
  shopId: number,
  audienceId: string,
  tag: string,
  previous: SyncRow | null,
  owner: string,
  leaseUntil: number,
): Promise<SyncRow | null> {
  const lastDone =
    previous?.status === "done"
      ? previous
      : await db.audienceSync.findFirst({
          where: { shopId, audienceId, status: "done" },
          orderBy: [{ startedAt: "desc" }, { id: "desc" }],
        });
  const before = parseJson(doneSchema, lastDone?.cursor ?? null);
  // Tags written under an older tag name are not ours to remove with the new one.
  const tagged = before && before.tag === tag ? before.tagged : [];
  const rejected = before && before.tag === tag ? before.rejected : [];
  const audience = await requireAudience(db, shopId, audienceId);
  const desired = (await audienceCustomers(db, shopId, audience)).map((c) => c.customerId);
  const plan = planSync(desired, tagged, rejected);
  const state: RunState = {
    v: 1,
    tag,
    keep: plan.keep,
    add: plan.add,
    remove: plan.remove,
    addNext: 0,
    removeNext: 0,
    addFailed: [],
    removeFailed: [],
    skipped: plan.skipped,
    errors: [],
    errorCount: 0,
    lease: { owner, until: leaseUntil },
  };
  const row = await db.audienceSync.create({
    data: { shopId, audienceId, status: "running", total: plan.add.length + plan.remove.length, cursor: JSON.stringify(state) },
  });
  // Two requests may both have seen no unfinished run: the earliest running one wins.
  const running = await db.audienceSync.findMany({
    where: { shopId, audienceId, status: "running" },
    orderBy: [{ startedAt: "asc" }, { id: "asc" }],
    select: { id: true },
  });
  if (running.length > 1 && running[0].id !== row.id) {
    await db.audienceSync.deleteMany({ where: { id: row.id, shopId } });
    return null;
  }
  return row;
}
