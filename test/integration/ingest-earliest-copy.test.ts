/**
 * Of duplicate events (same order id, same checkout token, same event id) the earliest
 * by (ts, seq, id) is kept whatever the order of arrival (docs/funnel-semantics.md), on
 * a real server over SQLite and PostgreSQL: a thank-you page reloaded two hours later, in
 * a new session, reaches the server before the original purchase (a retried batch). The
 * original replaces the stored reload; the sessions, the activity buckets and the
 * precomputed funnel results follow — also when the reload came from another client id.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rebuildActivity } from "../../app/services/activity.server";
import { loadReportEvents } from "../../app/services/events.server";
import { computeFunnel } from "../../core/funnel";
import type { FunnelDefinition } from "../../core/types";
import { createDb } from "../../db/prisma";
import { dedupeKeyOf, type EventRow } from "../../ingest/normalize";
import { sessionsFor, type SessionEventRow } from "../../ingest/sessions";
import { createSqlExecutor } from "../../db/executor";
import { failureKind } from "../../ingest/write-errors";
import { IngestWriter } from "../../ingest/writer.server";
import { ensureDemoShop } from "../../scripts/lib/demo-shop";
import { seededRandom } from "../helpers/funnel-seed";
import { BROWSER_UA, freshDatabase, startApp, type TestApp } from "../helpers/app-server";
import { postBatch, visitor } from "../helpers/ingest";
import { adminHeaders } from "../helpers/shopify-auth";

const SHOP = "earliest-copy.myshopify.com";
const KEY = "ik_earliest_copy_key_123456";
const TZ = "UTC";
const SEC = 1_000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;

type Compact = Record<string, unknown> & { id: string; ts: string };

/** A purchase session at `t`, and the thank-you reload two hours later in a new session (from `reloadClient`). */
function purchaseThenReload(tag: string, clientId: string, reloadClient: string, t: number, order: string) {
  const at = (ms: number) => new Date(t + ms).toISOString();
  const original: Compact[] = [
    { id: `${tag}-1`, name: "product_viewed", ts: at(0), seq: 1, clientId, path: "/products/p1", productId: "1" },
    { id: `${tag}-2`, name: "product_added_to_cart", ts: at(60 * SEC), seq: 2, clientId, path: "/products/p1", productId: "1" },
    { id: `${tag}-3`, name: "checkout_started", ts: at(120 * SEC), seq: 3, clientId, path: "/checkouts/c", checkoutToken: `tok-${tag}` },
    {
      id: `${tag}-4`,
      name: "checkout_completed",
      ts: at(160 * SEC),
      seq: 4,
      clientId,
      path: "/checkouts/c/thank-you",
      checkoutToken: `tok-${tag}`,
      orderId: order,
    },
  ];
  const reload: Compact[] = [
    { id: `${tag}-r1`, name: "product_viewed", ts: at(2 * HOUR), seq: 1, clientId: reloadClient, path: "/products/p2", productId: "2" },
    {
      id: `${tag}-r2`,
      name: "checkout_completed",
      ts: at(2 * HOUR + MIN),
      seq: 2,
      clientId: reloadClient,
      path: "/checkouts/c/thank-you",
      checkoutToken: `tok-${tag}`,
      orderId: order,
    },
  ];
  return { original, reload };
}

describe.each(["sqlite", "postgres"] as const)("the earliest copy of a duplicate is kept on %s", (kind) => {
  let app: TestApp;
  let shopId: number;
  const t = Date.now() - 5 * HOUR;
  const buyer1 = visitor("buyer-1");
  const buyer2 = visitor("buyer-2");
  const buyer2Other = visitor("buyer-2-other-device");
  const buyer3 = visitor("buyer-3");
  const retrier = visitor("retrier");
  const same = purchaseThenReload("same", buyer1, buyer1, t, "9001");
  const other = purchaseThenReload("other", buyer2, buyer2Other, t + 10 * MIN, "9002");
  const inOneBatch = purchaseThenReload("batch", buyer3, buyer3, t + 20 * MIN, "9003");
  const get = (path: string) => fetch(`${app.url}${path}`, { headers: adminHeaders(SHOP) });
  const send = async (events: Compact[]) => {
    const res = await postBatch(app.url, { v: 1, shop: SHOP, key: KEY, events }, { "User-Agent": BROWSER_UA });
    expect(res.status, res.text).toBe(202);
    return res.json as { accepted: number; duplicates: number };
  };
  /** The refresher has caught up: every funnel ready, no stale visitor left. */
  const settled = async () => {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const states = (await app.db.funnel.findMany({ where: { shopId }, select: { resultsState: true } })).map((f) => f.resultsState);
      if (states.length > 0 && states.every((s) => s === "ready") && (await app.db.staleVisitor.count({ where: { shopId } })) === 0) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error("funnel results never caught up");
  };

  beforeAll(async () => {
    app = await startApp({ db: kind, env: { FUNNEL_RESULTS_INTERVAL_MS: "200" } });
    shopId = (await ensureDemoShop(app.db, { domain: SHOP, ingestKey: KEY, timeZone: TZ })).id;
  });
  afterAll(() => app?.stop());

  it("a reload that arrived first gives way to the original purchase: sessions, buckets and precomputed reports follow", async () => {
    expect((await get("/app/funnels?_data=routes%2Fapp.funnels._index")).status).toBe(200); // creates the Purchase funnel
    // A funnel the reload sessions would complete on their own (a view, then a purchase).
    const created = await fetch(`${app.url}/app/funnels/new?_data=routes%2Fapp.funnels.new`, {
      method: "POST",
      headers: adminHeaders(SHOP),
      redirect: "manual",
      body: new URLSearchParams({
        definition: JSON.stringify({
          name: "View then buy",
          unit: "session",
          windowMinutes: 60,
          steps: [
            { label: "Product", anyOf: [{ event: "product_viewed" }] },
            { label: "Purchase", anyOf: [{ event: "checkout_completed" }] },
          ],
        }),
      }),
    });
    const viewThenBuy = /\/app\/funnels\/([^/?]+)$/.exec(created.headers.get("x-remix-redirect") ?? "")![1];
    // The reloads arrive first, and the precomputed results are built from them.
    expect(await send([...same.reload, ...other.reload])).toEqual({ accepted: 4, duplicates: 0, rejected: [] });
    await settled();
    // The retried batches with the original purchases: each original replaces a stored
    // reload, which the answer counts as a duplicate (nothing new stored).
    expect(await send(same.original)).toEqual({ accepted: 3, duplicates: 1, rejected: [] });
    expect(await send(other.original)).toEqual({ accepted: 3, duplicates: 1, rejected: [] });
    // Both copies in one batch, the reload first.
    expect(await send([...inOneBatch.reload, ...inOneBatch.original])).toEqual({ accepted: 5, duplicates: 1, rejected: [] });

    // The same event id with two timestamps: across requests and within one.
    const page = (id: string, ms: number) => ({ id, name: "page_viewed", ts: new Date(t + ms).toISOString(), seq: 1, clientId: retrier, path: "/" });
    expect(await send([page("same-id-1", 3 * HOUR)])).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(await send([page("same-id-1", 30 * MIN), page("same-id-2", 3 * HOUR), page("same-id-2", 40 * MIN)])).toMatchObject({ accepted: 1, duplicates: 2 });
    const pages = await app.db.event.findMany({ where: { shopId, clientId: retrier }, orderBy: { eventId: "asc" } });
    expect(pages.map((e) => [e.eventId, Number(e.ts)])).toEqual([
      ["same-id-1", t + 30 * MIN],
      ["same-id-2", t + 40 * MIN],
    ]);
    expect(
      (await app.db.visitorSession.findMany({ where: { shopId, clientId: retrier } })).map((s) => [Number(s.startTs), Number(s.endTs), s.eventCount]),
    ).toEqual([[t + 30 * MIN, t + 40 * MIN, 2]]);

    const purchases = await app.db.event.findMany({ where: { shopId, name: "checkout_completed" }, orderBy: { orderId: "asc" } });
    expect(purchases.map((e) => e.eventId)).toEqual(["same-4", "other-4", "batch-4"]);
    // Each purchase sits in the session that made it; the reload sessions hold no purchase.
    const sessions = await app.db.visitorSession.findMany({
      where: { shopId, clientId: { not: retrier } },
      orderBy: [{ clientId: "asc" }, { startTs: "asc" }],
    });
    const shape = sessions.map((s) => ({ clientId: s.clientId, start: Number(s.startTs), events: s.eventCount, purchase: s.purchase }));
    expect(shape).toEqual(
      [
        { clientId: buyer1, start: t, events: 4, purchase: true },
        { clientId: buyer1, start: t + 2 * HOUR, events: 1, purchase: false },
        { clientId: buyer2, start: t + 10 * MIN, events: 4, purchase: true },
        { clientId: buyer2Other, start: t + 10 * MIN + 2 * HOUR, events: 1, purchase: false },
        { clientId: buyer3, start: t + 20 * MIN, events: 4, purchase: true },
        { clientId: buyer3, start: t + 20 * MIN + 2 * HOUR, events: 1, purchase: false },
      ].sort((a, b) => (a.clientId < b.clientId ? -1 : a.clientId > b.clientId ? 1 : a.start - b.start)),
    );
    for (const e of await app.db.event.findMany({ where: { shopId, clientId: { not: retrier } } })) {
      const mine = sessions.find((s) => s.clientId === e.clientId && Number(s.startTs) <= Number(e.ts) && Number(e.ts) <= Number(s.endTs));
      expect(e.sessionId).toBe(mine?.id);
    }

    // Activity buckets equal a rebuild from the stored rows.
    const nonZero = (rows: Record<string, unknown>[]) => rows.filter((r) => Object.entries(r).some(([k, v]) => k !== "bucket" && k !== "shopId" && v !== 0));
    const kept = nonZero(await app.db.activityBucket.findMany({ where: { shopId }, orderBy: { bucket: "asc" } }));
    expect(kept.reduce((a, b) => a + (b.purchaseSessions as number), 0)).toBe(3);
    await rebuildActivity(app.db, shopId);
    expect(nonZero(await app.db.activityBucket.findMany({ where: { shopId }, orderBy: { bucket: "asc" } }))).toEqual(kept);

    // The session funnel from the precomputed rows: each purchase session goes 1/1/1/1
    // with its own step times; each reload session only views a product.
    await settled();
    /** The report from the precomputed rows, checked against the engine over the stored events. */
    const report = async (funnelId: string) => {
      const json = await (await get(`/app/funnels/${funnelId}/report?range=last7`)).json();
      expect(json.resultsFrom).toBe("unit-days");
      const def: FunnelDefinition = { unit: json.funnel.unit, windowMs: json.funnel.windowMinutes * MIN, steps: json.funnel.steps };
      const params = { from: json.range.from, to: json.range.to, now: json.now, timeZone: TZ };
      const want = computeFunnel(await loadReportEvents(app.db, shopId, { ...params, unit: def.unit, windowMs: def.windowMs }), def, params);
      expect({ steps: json.steps, total: json.totalUnits }).toEqual({ steps: want.steps, total: want.totalUnits });
      return json;
    };
    const purchase = await report((await app.db.funnel.findFirstOrThrow({ where: { shopId, name: "Purchase" } })).id);
    expect(purchase.steps.map((s: { count: number }) => s.count)).toEqual([6, 3, 3, 3]);
    expect(purchase.steps.slice(1).map((s: { medianMsFromPrev: number; p90MsFromPrev: number }) => [s.medianMsFromPrev, s.p90MsFromPrev])).toEqual([
      [60 * SEC, 60 * SEC],
      [60 * SEC, 60 * SEC],
      [40 * SEC, 40 * SEC],
    ]);
    // The reload sessions (including the other client id's) no longer buy.
    const viewBuy = await report(viewThenBuy);
    expect(viewBuy.steps.map((s: { count: number }) => s.count)).toEqual([6, 3]);
    expect(viewBuy.steps[1].medianMsFromPrev).toBe(160 * SEC);
  });
});

/** An EventRow as /collect would make it from a compact event. */
function toRow(shopId: number, e: Compact): EventRow {
  const r: EventRow = {
    shopId,
    eventId: e.id,
    name: e.name as string,
    ts: Date.parse(e.ts),
    seq: e.seq as number,
    clientId: e.clientId as string,
    sessionId: "",
    path: (e.path as string) ?? null,
    url: null,
    referrer: null,
    utmSource: null,
    utmMedium: null,
    utmCampaign: null,
    device: "desktop",
    productId: (e.productId as string) ?? null,
    variantId: null,
    quantity: null,
    value: null,
    currency: null,
    checkoutToken: (e.checkoutToken as string) ?? null,
    orderId: (e.orderId as string) ?? null,
    customerId: null,
    props: null,
    isBot: false,
    dedupeKey: null,
    receivedAt: Date.now(),
  };
  r.dedupeKey = dedupeKeyOf(r);
  return r;
}

describe.each(["sqlite", "postgres"] as const)("two writers racing copies of the same purchases on %s", (kind) => {
  it("keep each order's earliest copy, the sessions one writer derives from the stored events, and buckets equal to a rebuild", async () => {
    const url = await freshDatabase(kind);
    const { db } = createDb(url);
    const execs = [createSqlExecutor(url), createSqlExecutor(url)];
    try {
      const shopId = (await ensureDemoShop(db, { domain: `race-copies-${kind}.myshopify.com`, ingestKey: `ik_race_copies_${kind}` })).id;
      const rnd = seededRandom(20);
      const t = Date.now() - 6 * HOUR;
      const jobs: EventRow[][] = [];
      for (let v = 0; v < 30; v++) {
        const { original, reload } = purchaseThenReload(
          `race${v}`,
          visitor(`rv-${v}`),
          visitor(v % 3 === 0 ? `rv-${v}-other` : `rv-${v}`),
          t + v * 3 * MIN,
          String(8000 + v),
        );
        jobs.push(
          reload.map((e) => toRow(shopId, e)),
          original.map((e) => toRow(shopId, e)),
        );
      }
      for (let i = jobs.length - 1; i > 0; i--) {
        const j = Math.floor(rnd() * (i + 1));
        [jobs[i], jobs[j]] = [jobs[j], jobs[i]];
      }
      const writers = execs.map((e) => new IngestWriter(e));
      // Like the pixel: a job the database could not take now (a lost lock race) is sent again.
      const deliver = async (rows: EventRow[], w: IngestWriter) => {
        for (let attempt = 0; attempt < 20; attempt++) {
          try {
            return await w.submit(rows);
          } catch (e) {
            expect(failureKind(e)).toBe("retry");
          }
        }
        throw new Error("never stored");
      };
      await Promise.all(jobs.map((rows, i) => deliver(rows, writers[i % 2])));

      const purchases = await db.event.findMany({ where: { shopId, name: "checkout_completed" }, orderBy: { orderId: "asc" } });
      expect(purchases.map((e) => e.eventId)).toEqual(Array.from({ length: 30 }, (_, v) => `race${v}-4`));
      const stored = await db.event.findMany({ where: { shopId }, orderBy: [{ clientId: "asc" }, { ts: "asc" }] });
      expect(stored).toHaveLength(30 * 5);
      const byVisitor = new Map<string, SessionEventRow[]>();
      for (const e of stored) byVisitor.set(e.clientId, [...(byVisitor.get(e.clientId) ?? []), { ...e, ts: Number(e.ts) } as unknown as SessionEventRow]);
      const expected = [...byVisitor.values()].flatMap((events) => sessionsFor(events, false));
      const shape = (x: { id: string; startTs: number | bigint; endTs: number | bigint; eventCount: number; purchase: boolean; visitorType: string }) => ({
        id: x.id,
        start: Number(x.startTs),
        end: Number(x.endTs),
        events: x.eventCount,
        purchase: x.purchase,
        visitorType: x.visitorType,
      });
      const sessions = await db.visitorSession.findMany({ where: { shopId }, orderBy: { id: "asc" } });
      expect(sessions.map(shape)).toEqual(expected.map(shape).sort((a, b) => (a.id < b.id ? -1 : 1)));
      for (const e of stored)
        expect(e.sessionId).toBe(expected.find((x) => x.clientId === e.clientId && x.startTs <= Number(e.ts) && Number(e.ts) <= x.endTs)?.id);

      const nonZero = (rows: Record<string, unknown>[]) => rows.filter((r) => Object.entries(r).some(([k, v]) => k !== "bucket" && k !== "shopId" && v !== 0));
      const kept = nonZero(await db.activityBucket.findMany({ where: { shopId }, orderBy: { bucket: "asc" } }));
      await rebuildActivity(db, shopId);
      expect(nonZero(await db.activityBucket.findMany({ where: { shopId }, orderBy: { bucket: "asc" } }))).toEqual(kept);
      // Every visitor that lost or gained a copy is marked for the results refresher.
      const marked = new Set((await db.staleVisitor.findMany({ where: { shopId } })).map((m) => m.clientId));
      expect([...byVisitor.keys()].filter((c) => !marked.has(c))).toEqual([]);
    } finally {
      await Promise.all(execs.map((e) => e.close()));
      await db.$disconnect();
    }
  });
});
