/**
 * The refresher's work for one shop: start builds of new funnels, recompute stale
 * visitors for every started funnel, finish builds that are complete (state.server.ts
 * describes the lifecycle). Called by the background refresher (refresher.server.ts),
 * never by a report.
 */
import { visitorBucket } from "../../../core/diagnosis/paths";
import { computeUnitDays, localDayNumber, type UnitDay } from "../../../core/funnel";
import { letEventLoopRun, type SqlExecutor, type SqlTx } from "../../../db/executor";
import { asStoredText, listParams } from "../../../db/sql";
import { readRows, runRows, runStatement } from "../../../db/query";
import claimVisitors, { CLAIM_VISITORS_MAX, claimParams } from "../../../db/queries/results-claim-visitors";
import deleteVisitorRows, { DELETE_VISITOR_ROWS_MAX, deleteVisitorRowsParams, type FromColumn } from "../../../db/queries/results-delete-visitor-rows";
import funnelMarks from "../../../db/queries/results-funnel-marks";
import insertRowsQuery, { INSERT_ROWS_MAX, UNIT_DAY_COLUMNS } from "../../../db/queries/results-insert-rows";
import staleEvents from "../../../db/queries/results-stale-events";
import staleSessions from "../../../db/queries/results-stale-sessions";
import staleVisitors from "../../../db/queries/results-stale-visitors";
import updateMulti, { UPDATE_MULTI_MAX } from "../../../db/queries/results-update-multi";
import { visitorParams } from "../../../db/queries/_stale-visitors";
import { toCoreEvent } from "../events.server";
import { MARK_CHUNK_EVENTS, markVisitors, startBuild } from "./build.server";
import { finishBuilds, loadFunnels, type ResultsDeps, type ShopFunnel } from "./state.server";

const DAY_MS = 86_400_000;

export interface RefreshOutcome {
  /** Visitors recomputed. */
  refreshed: number;
  /** True when stale visitors were left (the cap was reached). */
  remaining: boolean;
  /** The shop's time zone, whose local days the rows are keyed by (null: no such shop). */
  timeZone: string | null;
}

/**
 * Brings the shop's funnel results up to date: starts builds of new funnels, recomputes
 * stale visitors (at most `maxVisitors`, in batches), finishes builds that are complete.
 */
export async function refreshShop(
  deps: ResultsDeps,
  shopId: number,
  opts: { maxVisitors?: number; batch?: number; markChunkEvents?: number; onProgress?: (done: number) => void } = {},
): Promise<RefreshOutcome> {
  const shop = await deps.db.shop.findUnique({ where: { id: shopId }, select: { timeZone: true } });
  if (!shop) return { refreshed: 0, remaining: false, timeZone: null };
  const chunk = opts.markChunkEvents ?? MARK_CHUNK_EVENTS;
  for (const f of await loadFunnels(deps.db, shopId)) {
    if (f.mark === null) await startBuild(deps.exec, shopId, f.id, chunk);
    // Marking cut short (the process stopped): start it again, it is idempotent.
    else if (f.state === "marking") await markVisitors(deps.exec, shopId, f.id, f.mark, chunk);
  }

  const max = opts.maxVisitors ?? Number.POSITIVE_INFINITY;
  const batch = opts.batch ?? 500;
  let refreshed = 0;
  let remaining = false;
  let idle = 0;
  let funnels: ShopFunnel[] = [];
  for (;;) {
    if (refreshed >= max) {
      remaining = true;
      break;
    }
    // Read before the markers: a batch computed for an older list of funnels is refused at
    // write time (see refreshBatch), so reading the list again each time lets it go through.
    funnels = await loadFunnels(deps.db, shopId);
    const stale = await readRows(deps.exec, staleVisitors, { shopId, limit: Math.min(batch, max - refreshed) });
    if (stale.length === 0) break;
    const done = await refreshBatch(
      deps.exec,
      shopId,
      shop.timeZone,
      funnels,
      stale.map((s) => ({ ...s, sinceTs: Number(s.sinceTs) })),
    );
    refreshed += done;
    opts.onProgress?.(refreshed);
    await letEventLoopRun();
    // Nothing written: others (another process, new events) got there first; retry a few times.
    idle = done === 0 ? idle + 1 : 0;
    if (idle >= 3) {
      remaining = true;
      break;
    }
  }
  await finishBuilds(deps.exec, shopId, funnels);
  return { refreshed, remaining, timeZone: shop.timeZone };
}

type Stale = { clientId: string; sinceTs: number; version: number };

/** Recomputes one batch of stale visitors for every started funnel; returns how many were written. */
async function refreshBatch(exec: SqlExecutor, shopId: number, timeZone: string, funnels: ShopFunnel[], stale: Stale[]): Promise<number> {
  const ids = stale.map((s) => s.clientId);
  const minSince = Math.min(...stale.map((s) => s.sinceTs));
  const started = funnels.filter((f) => f.mark !== null);
  const maxWindow = Math.max(0, ...started.filter((f) => f.def.unit === "visitor").map((f) => f.def.windowMs));
  const hasVisitorUnit = started.some((f) => f.def.unit === "visitor");

  // Session units restart at a stored session boundary: the first session still going at `since`.
  // No started funnel (none yet, or all still marking): nothing to compute, only the markers to claim.
  const sessions = started.length === 0 ? [] : await readRows(exec, staleSessions(ids.length), { shopId, since: minSince, ...visitorParams(ids) });
  const sessionStart = new Map<string, number>();
  for (const s of stale) sessionStart.set(s.clientId, s.sinceTs);
  const sinceOf = new Map(stale.map((s) => [s.clientId, s.sinceTs]));
  for (const s of sessions) {
    if (Number(s.endTs) < sinceOf.get(s.clientId)!) continue;
    sessionStart.set(s.clientId, Math.min(sessionStart.get(s.clientId)!, Number(s.startTs)));
  }
  // Visitor units: attempts that can reach the new events start up to a window earlier;
  // their local day is recomputed whole (two days of margin cover any zone offset).
  const visitorLoadFrom = (since: number) => since - maxWindow - 2 * DAY_MS;
  const loadFrom = new Map(
    stale.map((s) => [s.clientId, Math.min(sessionStart.get(s.clientId)!, hasVisitorUnit ? visitorLoadFrom(s.sinceTs) : Number.POSITIVE_INFINITY)]),
  );

  const rows =
    started.length === 0 ? [] : await readRows(exec, staleEvents(ids.length), { shopId, since: Math.min(...loadFrom.values()), ...visitorParams(ids) });
  const events = new Map<string, ReturnType<typeof toCoreEvent>[]>();
  for (const r of rows) {
    const e = toCoreEvent(r);
    if (e.ts < loadFrom.get(e.visitorId)!) continue;
    const list = events.get(e.visitorId);
    if (list) list.push(e);
    else events.set(e.visitorId, [e]);
  }

  // What each funnel's rows become, per visitor: the rows to delete and the new ones.
  // Session units are cut at their entry time, visitor units at a local day (older days are kept).
  type Change = { funnel: ShopFunnel; clientId: string; from: FromColumn; cut: number; rows: UnitDay[] };
  const changes: Change[] = [];
  for (const s of stale) {
    const list = events.get(s.clientId) ?? [];
    for (const f of started) {
      if (f.def.unit === "session") {
        const from = sessionStart.get(s.clientId)!;
        changes.push({
          funnel: f,
          clientId: s.clientId,
          from: "entryTs",
          cut: from,
          rows: computeUnitDays(
            list.filter((e) => e.ts >= from),
            f.def,
            timeZone,
          ),
        });
      } else {
        const fromDay = localDayNumber(s.sinceTs - f.def.windowMs, timeZone);
        const from = s.sinceTs - f.def.windowMs - 2 * DAY_MS;
        const rows = computeUnitDays(
          list.filter((e) => e.ts >= from),
          f.def,
          timeZone,
        ).filter((r) => r.day >= fromDay);
        changes.push({ funnel: f, clientId: s.clientId, from: "day", cut: fromDay, rows });
      }
    }
  }

  return exec.transaction(async (tx) => {
    // Funnels rebuilt or deleted since they were read get no rows (the read holds off a
    // concurrent delete: db/queries/results-funnel-marks.ts).
    const current = await readRows(tx, funnelMarks, { shopId });
    // Removing a marker claims the visitor for every funnel, so the batch must have been
    // computed for exactly the funnels started now. A build started since (it marked the
    // visitor again, maybe after we read the marker) or a funnel deleted since: leave the
    // markers for the next pass, which reads the funnels again.
    const known = new Map(started.map((f) => [f.id, f.mark]));
    const now = current.filter((c) => c.resultsMark !== null);
    if (now.length !== known.size || now.some((c) => known.get(c.id) !== Number(c.resultsMark))) return 0;
    const valid = new Set(now.map((c) => c.id));
    // A visitor not claimed had new events after our read; the next pass redoes it. The
    // database answers text as it stores it (asStoredText), hence the map back.
    const done = new Set<string>();
    const asRead = new Map(stale.map((s) => [asStoredText(tx.dialect, s.clientId), s.clientId]));
    for (let i = 0; i < stale.length; i += CLAIM_VISITORS_MAX) {
      const chunk = stale.slice(i, i + CLAIM_VISITORS_MAX);
      for (const r of await readRows(tx, claimVisitors(chunk.length), { shopId, ...claimParams(chunk) })) done.add(asRead.get(r.clientId) ?? r.clientId);
    }
    // Per funnel: the visitors' cut-offs (one unit kind per funnel) and the rows that replace them.
    const perFunnel = new Map<string, { from: FromColumn; cuts: { clientId: string; cut: number }[]; rows: NewRow[] }>();
    for (const c of changes) {
      if (!done.has(c.clientId) || !valid.has(c.funnel.id)) continue;
      const f = perFunnel.get(c.funnel.id) ?? { from: c.from, cuts: [], rows: [] };
      f.cuts.push({ clientId: c.clientId, cut: c.cut });
      const perUnit = new Map<string, number>();
      for (const r of c.rows) perUnit.set(r.unitId, (perUnit.get(r.unitId) ?? 0) + 1);
      for (const r of c.rows) f.rows.push({ ...r, multi: perUnit.get(r.unitId)! > 1 });
      perFunnel.set(c.funnel.id, f);
    }
    for (const [funnelId, f] of perFunnel) {
      for (let i = 0; i < f.cuts.length; i += DELETE_VISITOR_ROWS_MAX) {
        const chunk = f.cuts.slice(i, i + DELETE_VISITOR_ROWS_MAX);
        await runStatement(tx, deleteVisitorRows(f.from, chunk.length), { shopId, funnelId, ...deleteVisitorRowsParams(chunk) });
      }
      await insertRows(tx, shopId, funnelId, f.rows);
      // A visitor unit's older days were kept: its multi flag counts every row it has.
      if (f.from !== "day") continue;
      for (let i = 0; i < f.cuts.length; i += UPDATE_MULTI_MAX) {
        const units = f.cuts.slice(i, i + UPDATE_MULTI_MAX).map((c) => c.clientId);
        await runStatement(tx, updateMulti(units.length), { shopId, funnelId, ...listParams("u", units) });
      }
    }
    return done.size;
  });
}

type NewRow = UnitDay & { multi: boolean };

async function insertRows(tx: SqlTx, shopId: number, funnelId: string, rows: NewRow[]) {
  for (let i = 0; i < rows.length; i += INSERT_ROWS_MAX) {
    const chunk = rows.slice(i, i + INSERT_ROWS_MAX).map((r) => ({
      shopId,
      funnelId,
      unitId: r.unitId,
      day: r.day,
      clientId: r.visitorId,
      entryTs: r.entryTs,
      furthest: r.furthest,
      msFromPrev: r.msFromPrev.join(","),
      latestStartTs: r.latestStartTs,
      lastTs: r.lastTs,
      multi: r.multi,
      device: r.attrs.device,
      source: r.attrs.source,
      medium: r.attrs.medium,
      campaign: r.attrs.campaign,
      landingPath: r.attrs.landingPath,
      visitorType: r.attrs.visitorType,
      loggedIn: r.attrs.loggedIn,
      productId: r.productId ?? null,
      visitorBucket: visitorBucket(r.visitorId),
    }));
    await runRows(tx, insertRowsQuery(chunk.length), UNIT_DAY_COLUMNS, chunk);
  }
}
