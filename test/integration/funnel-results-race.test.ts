/**
 * A refresh batch that races a funnel's build (app/services/funnel-results/refresh.server.ts), on a
 * real SQLite file and a real PostgreSQL database: the refresher has read the shop's
 * funnels when a new funnel is created and its build marks every visitor stale — before
 * the refresher reads the markers. The batch, computed for the old list only, must not
 * claim those visitors, or the new funnel would go "ready" without them. Likewise a visitor
 * whose events arrive after the batch read them: its claim must miss, and the next pass
 * count the new events.
 */
import { describe, expect, it } from "vitest";
import { createDb, type Db } from "../../db/prisma";
import { loadReportEvents } from "../../app/services/events.server";
import { unitDayReport, type ReadDeps } from "../../app/services/funnel-results/read.server";
import { refreshShop } from "../../app/services/funnel-results/refresh.server";
import type { ResultsDeps } from "../../app/services/funnel-results/state.server";

type ReportDeps = ResultsDeps & ReadDeps;
import { toDefinition, toView } from "../../app/services/funnels.server";
import { computeFunnel } from "../../core/funnel";
import type { EventRow } from "../../ingest/normalize";
import { createSqlExecutor, createSqlReader, type SqlExecutor } from "../../db/executor";
import { IngestWriter } from "../../ingest/writer.server";
import { ensureDemoShop } from "../../scripts/lib/demo-shop";
import { freshDatabase } from "../helpers/app-server";

const MIN = 60_000;
const DAY = 1_440 * MIN;
const TODAY = Math.floor(Date.now() / DAY) * DAY; // UTC midnight: whole days in the shop's zone
const VISITORS = 30;

function row(shopId: number, clientId: string, name: string, ts: number, seq: number): EventRow {
  return {
    shopId,
    eventId: `${clientId}-${seq}`,
    name,
    ts,
    seq,
    clientId,
    sessionId: `${clientId}:${ts}`,
    path: "/",
    url: null,
    referrer: null,
    utmSource: null,
    utmMedium: null,
    utmCampaign: null,
    device: "desktop",
    productId: null,
    variantId: null,
    quantity: null,
    value: null,
    currency: null,
    checkoutToken: null,
    orderId: name === "checkout_completed" ? String(9_000 + seq * 100 + Number(clientId.slice(1))) : null,
    customerId: null,
    props: null,
    isBot: false,
    dedupeKey: null,
    receivedAt: ts,
  };
}

async function addFunnel(db: Db, shopId: number, name: string, events: string[]) {
  return db.funnel.create({
    data: {
      shopId,
      name,
      unit: "session",
      windowMinutes: 60,
      steps: { create: events.map((event, position) => ({ shopId, position, label: event, matchers: JSON.stringify([{ event, filters: [] }]) })) },
    },
  });
}

/** A fresh database's report dependencies; `use` runs with them, then they are closed. */
async function withDeps(kind: "sqlite" | "postgres", use: (deps: ReportDeps) => Promise<void>) {
  const url = await freshDatabase(kind);
  const { db, dialect } = createDb(url);
  const exec = createSqlExecutor(url);
  const reads = createSqlReader(url);
  try {
    await use({ db, dialect, exec, reads });
  } finally {
    await Promise.all([exec.close(), reads.close()]);
    await db.$disconnect();
  }
}

/** VISITORS journeys three days ago: visitor v goes 1 + v % 4 steps deep. */
function journeys(shopId: number): EventRow[] {
  const journey = ["product_viewed", "product_added_to_cart", "checkout_started", "checkout_completed"];
  const events: EventRow[] = [];
  for (let v = 0; v < VISITORS; v++) {
    const start = TODAY - 3 * DAY + v * 10 * MIN;
    for (let k = 0; k <= v % 4; k++) events.push(row(shopId, `v${v}`, journey[k], start + k * MIN, k));
  }
  return events;
}

/** The funnel is ready, and its report from precomputed rows counts every visitor and equals the engine. */
async function expectReadyAndEqualToEngine(deps: ReportDeps, shopId: number, funnelId: string) {
  const params = { from: TODAY - 10 * DAY, to: TODAY, now: Date.now(), timeZone: "UTC" };
  const funnel = await deps.db.funnel.findUniqueOrThrow({ where: { id: funnelId }, include: { steps: true } });
  expect(funnel.resultsState).toBe("ready");
  const def = toDefinition(toView(funnel));
  const answer = await unitDayReport(deps, shopId, funnelId, def, params);
  const want = computeFunnel(await loadReportEvents(deps.db, shopId, { ...params, unit: def.unit, windowMs: def.windowMs }), def, params);
  if (answer.from !== "unit-days") throw new Error(`answered from ${answer.from}`);
  expect(answer.report.totalUnits).toBe(VISITORS);
  expect({ steps: answer.report.steps, total: answer.report.totalUnits }).toEqual({ steps: want.steps, total: want.totalUnits });
}

describe.each(["sqlite", "postgres"] as const)("the refresher racing builds and new events on %s", (kind) => {
  it("leaves the visitors to the next pass, so the new funnel's report equals the engine", () =>
    withDeps(kind, async (deps) => {
      const { db, exec } = deps;
      const shop = await ensureDemoShop(db, { domain: `race-${kind}.myshopify.com`, ingestKey: `ik_race_${kind}`, timeZone: "UTC" });
      const purchase = await addFunnel(db, shop.id, "Product to purchase", ["product_viewed", "checkout_completed"]);
      const writer = new IngestWriter(exec);
      const first = journeys(shop.id);
      await writer.submit(first);
      await refreshShop(deps, shop.id);
      expect((await db.funnel.findUniqueOrThrow({ where: { id: purchase.id } })).resultsState).toBe("ready");

      // New events mark every visitor stale; then the race.
      await writer.submit(first.filter((e) => e.seq === 0).map((e) => row(shop.id, e.clientId, "page_viewed", e.ts + 5 * MIN, 10)));
      let cart: { id: string } | undefined;
      const racing: SqlExecutor = {
        ...exec,
        async query<T>(sql: string, ...params: unknown[]) {
          if (!cart && sql.includes(`FROM "StaleVisitor"`)) {
            cart = await addFunnel(db, shop.id, "Product to checkout", ["product_viewed", "product_added_to_cart", "checkout_started"]);
            await refreshShop(deps, shop.id, { maxVisitors: 0 }); // starts its build only
          }
          return exec.query<T>(sql, ...params);
        },
      };
      await refreshShop({ ...deps, exec: racing }, shop.id);
      expect(cart).toBeDefined();
      await refreshShop(deps, shop.id);
      for (const id of [purchase.id, cart!.id]) await expectReadyAndEqualToEngine(deps, shop.id, id);
    }));

  it("leaves a visitor whose events arrive between its read and its claim to the next pass, which counts them", () =>
    withDeps(kind, async (deps) => {
      const { db, exec } = deps;
      const shop = await ensureDemoShop(db, { domain: `late-${kind}.myshopify.com`, ingestKey: `ik_late_${kind}`, timeZone: "UTC" });
      const purchase = await addFunnel(db, shop.id, "Product to purchase", ["product_viewed", "checkout_completed"]);
      const writer = new IngestWriter(exec);
      const first = journeys(shop.id);
      await writer.submit(first);
      await refreshShop(deps, shop.id);

      // Every visitor stale again; then, after the batch has read their events and before
      // its transaction claims them, the visitors who stopped at step 1 buy.
      await writer.submit(first.filter((e) => e.seq === 0).map((e) => row(shop.id, e.clientId, "page_viewed", e.ts + 5 * MIN, 10)));
      const buyers = first.filter((e) => e.seq === 0 && Number(e.clientId.slice(1)) % 4 === 0);
      let raced = false;
      const racing: SqlExecutor = {
        ...exec,
        async transaction(fn) {
          if (!raced) {
            raced = true;
            await writer.submit(buyers.map((e) => row(shop.id, e.clientId, "checkout_completed", e.ts + 20 * MIN, 11)));
          }
          return exec.transaction(fn);
        },
      };
      const progress: number[] = [];
      const outcome = await refreshShop({ ...deps, exec: racing }, shop.id, { onProgress: (n) => progress.push(n) });
      expect(raced).toBe(true);
      // The first batch claimed everyone but the buyers; a later pass of the same call did them.
      expect(progress[0]).toBe(VISITORS - buyers.length);
      expect(outcome.refreshed).toBe(VISITORS);
      expect(await db.staleVisitor.count({ where: { shopId: shop.id } })).toBe(0);
      await expectReadyAndEqualToEngine(deps, shop.id, purchase.id);
      const rows = await db.funnelUnitDay.findMany({ where: { shopId: shop.id, funnelId: purchase.id, clientId: { in: buyers.map((e) => e.clientId) } } });
      expect(rows.map((r) => r.furthest)).toEqual(buyers.map(() => 2));
    }));

  it("marks a big shop's visitors in chunks, and a marking cut short resumes to a report equal to the engine", () =>
    withDeps(kind, async (deps) => {
      const { db, exec } = deps;
      const shop = await ensureDemoShop(db, { domain: `chunks-${kind}.myshopify.com`, ingestKey: `ik_chunks_${kind}`, timeZone: "UTC" });
      await new IngestWriter(exec).submit(journeys(shop.id));
      await refreshShop(deps, shop.id);
      const purchase = await addFunnel(db, shop.id, "Product to purchase", ["product_viewed", "checkout_completed"]);

      // The process "stops" at the third chunk's transaction (5 events per chunk).
      let chunks = 0;
      const stopping: SqlExecutor = {
        ...exec,
        transaction: (fn) =>
          exec.transaction((tx) =>
            fn({
              dialect: tx.dialect,
              query: (sql, ...p) => tx.query(sql, ...p),
              execute: (sql, ...p) => {
                if (sql.includes(`INSERT INTO "StaleVisitor"`) && ++chunks === 3) throw new Error("process stopped");
                return tx.execute(sql, ...p);
              },
            }),
          ),
      };
      await expect(refreshShop({ ...deps, exec: stopping }, shop.id, { markChunkEvents: 5 })).rejects.toThrow("process stopped");
      const marked = await db.staleVisitor.count({ where: { shopId: shop.id } });
      expect(marked).toBeGreaterThan(0); // two chunks committed, each on its own
      expect(marked).toBeLessThan(VISITORS);
      expect((await db.funnel.findUniqueOrThrow({ where: { id: purchase.id } })).resultsState).toBe("marking");

      await refreshShop(deps, shop.id, { markChunkEvents: 5 });
      await expectReadyAndEqualToEngine(deps, shop.id, purchase.id);
    }));
});
