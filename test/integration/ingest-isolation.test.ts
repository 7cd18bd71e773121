/**
 * Isolation in the group commit (ingest/writer.server.ts), on a real SQLite file and a
 * real PostgreSQL database: jobs whose rows make a statement fail (a NUL in any text
 * column on PostgreSQL, two client ids the database stores as the same string, values
 * the driver cannot bind or a column cannot hold) are submitted at once with other
 * shops' good jobs, so they share group commits. Every good job is stored and answered;
 * each poison job is answered alone, with its storable rows stored and the others
 * rejected with the database's reason. A database that cannot be reached, or stays
 * locked, gets every job an error (503 at the route), never a data rejection.
 */
import { describe, expect, it } from "vitest";
import Database from "libsql";
import { createDb } from "../../db/prisma";
import { rebuildActivity } from "../../app/services/activity.server";
import { sqliteFilePath } from "../../db/sqlite-thread";
import { dedupeKeyOf, type EventRow } from "../../ingest/normalize";
import { sessionsFor, type SessionEventRow } from "../../ingest/sessions";
import { createSqlExecutor } from "../../db/executor";
import { failureKind } from "../../ingest/write-errors";
import { IngestWriter, type WriteResult } from "../../ingest/writer.server";
import { ensureDemoShop } from "../../scripts/lib/demo-shop";
import { BROWSER_UA, freshDatabase, startApp } from "../helpers/app-server";
import { postBatch, visitor } from "../helpers/ingest";

const MIN = 60_000;
const NOW = Date.now();
const NAMES = ["page_viewed", "product_viewed", "product_added_to_cart", "checkout_started", "checkout_completed"];

let serial = 0;
function row(shopId: number, clientId: string, ts: number, overrides: Partial<EventRow> = {}): EventRow {
  serial++;
  const name = overrides.name ?? NAMES[serial % NAMES.length];
  const r: EventRow = {
    shopId,
    eventId: `iso-${serial}`,
    name,
    ts,
    seq: serial,
    clientId,
    sessionId: "",
    path: "/products/a",
    url: "https://x.example/products/a",
    referrer: "https://google.com/",
    utmSource: "google",
    utmMedium: "cpc",
    utmCampaign: "spring",
    device: "mobile",
    productId: "11",
    variantId: "12",
    quantity: 1,
    value: 9.5,
    currency: "USD",
    checkoutToken: name === "checkout_started" ? `tok-${serial}` : null,
    orderId: name === "checkout_completed" ? String(70_000 + serial) : null,
    customerId: null,
    props: null,
    isBot: false,
    dedupeKey: null,
    receivedAt: NOW,
    ...overrides,
  };
  if (!("dedupeKey" in overrides)) r.dedupeKey = dedupeKeyOf(r);
  return r;
}

/** A visitor's 6 events over 20 minutes, starting `ago` ms before now. */
function visit(shopId: number, clientId: string, ago: number): EventRow[] {
  return Array.from({ length: 6 }, (_, i) => row(shopId, clientId, NOW - ago + i * 4 * MIN));
}

const TEXT_FIELDS = [
  "eventId",
  "name",
  "clientId",
  "path",
  "url",
  "referrer",
  "utmSource",
  "utmMedium",
  "utmCampaign",
  "device",
  "productId",
  "variantId",
  "currency",
  "checkoutToken",
  "orderId",
  "customerId",
  "props",
  "dedupeKey",
] as const;

interface Poison {
  label: string;
  rows: EventRow[];
  /** Positions of the rows the database cannot store. */
  bad: number[];
}

function poisons(kind: "sqlite" | "postgres", shopId: number): Poison[] {
  const out: Poison[] = [];
  const around = (label: string, bad: EventRow) => {
    const c = `poison-${out.length}`;
    out.push({ label, rows: [row(shopId, c, NOW - 50 * MIN), bad, row(shopId, c, NOW - 40 * MIN)], bad: [1] });
  };
  // PostgreSQL refuses a NUL in text (SQLite stores it; the validation refuses it earlier).
  if (kind === "postgres") {
    for (const field of TEXT_FIELDS) {
      const bad = row(shopId, `poison-${out.length}`, NOW - 45 * MIN);
      (bad as unknown as Record<string, string>)[field] = `${bad[field] ?? "x"}\u0000y`;
      around(`NUL in ${field}`, bad);
    }
    around("seq beyond a 32-bit integer", row(shopId, `poison-${out.length}`, NOW - 45 * MIN, { seq: 2 ** 40 }));
  }
  // Both: a quantity the database cannot take (SQLite's driver refuses to bind NaN).
  around("NaN quantity", row(shopId, `poison-${out.length}`, NOW - 45 * MIN, { quantity: Number.NaN }));
  // Two client ids that differ only in a lone surrogate are stored as one ("z\uFFFD"):
  // their sessions collide on the primary key.
  const at = NOW - 30 * MIN;
  out.push({
    label: "client ids equal once stored",
    rows: [row(shopId, "fine-visitor", at), row(shopId, "z\ud800", at, { name: "page_viewed" }), row(shopId, "z\udfff", at, { name: "page_viewed" })],
    bad: [2],
  });
  return out;
}

describe.each(["sqlite", "postgres"] as const)("group commit isolation on %s", (kind) => {
  it("stores every good job while poison jobs in the same group commits get their bad rows rejected with reasons", async () => {
    const url = await freshDatabase(kind);
    const { db } = createDb(url);
    const exec = createSqlExecutor(url);
    try {
      const good = await Promise.all(
        [1, 2, 3].map((n) => ensureDemoShop(db, { domain: `iso-good-${n}-${kind}.myshopify.com`, ingestKey: `ik_iso_${n}_${kind}` })),
      );
      const bad = await ensureDemoShop(db, { domain: `iso-bad-${kind}.myshopify.com`, ingestKey: `ik_iso_bad_${kind}` });
      const writer = new IngestWriter(exec);
      // A lone surrogate alone is stored (as U+FFFD) and counted as stored, not as a duplicate.
      expect(await writer.submit([row(bad.id, "y\ud800", NOW - 90 * MIN, { name: "page_viewed" })])).toEqual({ inserted: 1, rejected: [] });

      const goodJobs: EventRow[][] = [];
      for (let v = 0; v < 45; v++) goodJobs.push(visit(good[v % 3].id, `good-${v}`, (20 + v) * MIN));
      const poison = poisons(kind, bad.id);
      // Interleaved and submitted at once: they share group commits.
      const order: ({ good: EventRow[] } | { poison: Poison })[] = [];
      for (let i = 0; i < Math.max(goodJobs.length, poison.length * 2); i++) {
        if (i < goodJobs.length) order.push({ good: goodJobs[i] });
        if (i % 2 === 0 && i / 2 < poison.length) order.push({ poison: poison[i / 2] });
      }
      const settled = await Promise.allSettled(order.map((o) => writer.submit("good" in o ? o.good : o.poison.rows)));

      settled.forEach((s, i) => {
        const o = order[i];
        expect(s.status, "good" in o ? "good job" : o.poison.label).toBe("fulfilled");
        const result = (s as PromiseFulfilledResult<WriteResult>).value;
        if ("good" in o) expect(result).toEqual({ inserted: o.good.length, rejected: [] });
        else {
          expect(
            result.rejected.map((r) => r.row),
            o.poison.label,
          ).toEqual(o.poison.bad);
          for (const r of result.rejected) expect(r.reason).toMatch(/^could not be stored: [\x20-\x7e]+$/);
          expect(result.inserted, o.poison.label).toBe(o.poison.rows.length - o.poison.bad.length);
        }
      });

      // Every good event is stored, in the sessions one writer derives from them.
      for (const shop of good) {
        const stored = await db.event.findMany({ where: { shopId: shop.id }, orderBy: [{ clientId: "asc" }, { ts: "asc" }] });
        const sent = goodJobs.flat().filter((r) => r.shopId === shop.id);
        expect(stored.map((e) => e.eventId).sort()).toEqual(sent.map((r) => r.eventId).sort());
        const byVisitor = new Map<string, SessionEventRow[]>();
        for (const e of stored) byVisitor.set(e.clientId, [...(byVisitor.get(e.clientId) ?? []), { ...e, ts: Number(e.ts) } as unknown as SessionEventRow]);
        const expected = [...byVisitor.values()]
          .flatMap((events) => sessionsFor(events, false))
          .map((s) => s.id)
          .sort();
        const sessions = await db.visitorSession.findMany({ where: { shopId: shop.id }, select: { id: true } });
        expect(sessions.map((s) => s.id).sort()).toEqual(expected);
      }
      // The poison shop holds exactly its storable rows.
      const storable = poison.flatMap((p) => p.rows.filter((_, i) => !p.bad.includes(i))).length + 1;
      expect(await db.event.count({ where: { shopId: bad.id } })).toBe(storable);

      // Rolled-back attempts left no trace in the activity buckets.
      for (const shop of [...good, bad]) {
        const kept = await db.activityBucket.findMany({ where: { shopId: shop.id }, orderBy: { bucket: "asc" } });
        await rebuildActivity(db, shop.id);
        const nonZero = (rows: typeof kept) => rows.filter((r) => Object.entries(r).some(([k, v]) => k !== "bucket" && k !== "shopId" && v !== 0));
        expect(nonZero(kept).length).toBeGreaterThan(0);
        expect(nonZero(kept)).toEqual(nonZero(await db.activityBucket.findMany({ where: { shopId: shop.id }, orderBy: { bucket: "asc" } })));
      }
    } finally {
      await exec.close();
      await db.$disconnect();
    }
  });

  it("a database that cannot take writes fails every job for retry, poison or not", async () => {
    if (kind === "postgres") {
      // Nothing listens on port 1.
      const exec = createSqlExecutor("postgresql://postgres@127.0.0.1:1/none");
      try {
        const writer = new IngestWriter(exec);
        const results = await Promise.allSettled([writer.submit(visit(1, "a", 30 * MIN)), writer.submit(poisons(kind, 1)[0].rows)]);
        for (const r of results) {
          expect(r.status).toBe("rejected");
          expect(failureKind((r as PromiseRejectedResult).reason)).toBe("retry");
        }
      } finally {
        await exec.close();
      }
      return;
    }
    // SQLite: another connection holds the write lock past the busy timeout.
    const url = await freshDatabase(kind);
    const { db } = createDb(url);
    const shop = await ensureDemoShop(db, { domain: "iso-locked.myshopify.com", ingestKey: "ik_iso_locked" });
    const exec = createSqlExecutor(url);
    const holder = new Database(sqliteFilePath(url)!);
    try {
      holder.exec("BEGIN IMMEDIATE");
      const writer = new IngestWriter(exec);
      const results = await Promise.allSettled([writer.submit(visit(shop.id, "a", 30 * MIN)), writer.submit(poisons(kind, shop.id)[0].rows)]);
      for (const r of results) {
        expect(r.status).toBe("rejected");
        expect(failureKind((r as PromiseRejectedResult).reason)).toBe("retry");
      }
      holder.exec("ROLLBACK");
      expect(await db.event.count({ where: { shopId: shop.id } })).toBe(0);
    } finally {
      holder.close();
      await exec.close();
      await db.$disconnect();
    }
  }, 30_000);
});

/**
 * Poison requests as a raw client could post them (JSON escapes keep the NULs and lone
 * surrogates): bad events beside good ones, or a bad envelope string (`ua`).
 */
function poisonRequests(n: number, at: number): { ua?: string; events: Record<string, unknown>[] }[] {
  const base = (i: number, extra: Record<string, unknown>) => ({
    id: `p-${n}-${i}`,
    name: "page_viewed",
    ts: new Date(at).toISOString(),
    seq: i,
    clientId: visitor(`pc-${n}`),
    path: "/",
    ...extra,
  });
  const fine = (i: number) => base(i, {});
  switch (n % 7) {
    case 0:
      return [{ events: [fine(0), base(1, { path: "/a\u0000b" })] }];
    case 1:
      return [{ events: [base(0, { referrer: "https://r.example/\u0000" }), fine(1)] }];
    case 2:
      return [{ events: [fine(0), base(1, { clientId: `${visitor(`pc-${n}`)}\u0000` })] }];
    case 3:
      return [{ events: [base(0, { utm: { source: "goo\u0000gle" } }), fine(1)] }];
    case 4:
      return [{ events: [fine(0), base(1, { url: "https://x.example/\u0000", productId: "1\u00002" })] }];
    case 5:
      return [{ events: [base(0, { clientId: `${visitor(`pc-${n}`)}\ud800` }), base(1, { clientId: `${visitor(`pc-${n}`)}\udfff` })] }];
    default:
      return [{ ua: `${BROWSER_UA}\u0000`, events: [fine(0), fine(1)] }];
  }
}

describe.each(["sqlite", "postgres"] as const)("POST /collect isolation on %s", (kind) => {
  it("another shop's steady load gets only 202 and loses no event while poison requests are refused with reasons (400 for a bad envelope)", async () => {
    const app = await startApp({
      db: kind,
      env: { INGEST_IP_RPS: "1000000", INGEST_IP_BURST: "1000000", INGEST_SHOP_RPS: "1000000", INGEST_SHOP_BURST: "1000000" },
    });
    try {
      const steady = await ensureDemoShop(app.db, { domain: "steady.myshopify.com", ingestKey: "ik_steady_key_123456" });
      await ensureDemoShop(app.db, { domain: "attacker.myshopify.com", ingestKey: "ik_attacker_key_123456" });
      const until = Date.now() + 4_000;
      const statuses = new Map<number, number>();
      const sent: string[] = [];
      let batch = 0;
      const steadyLoop = async (lane: number) => {
        while (Date.now() < until) {
          const b = batch++;
          const events = Array.from({ length: 10 }, (_, i) => ({
            id: `s-${b}-${i}`,
            name: i % 3 === 1 ? "product_viewed" : "page_viewed",
            ts: new Date(NOW - 60 * MIN + b * 100 + i).toISOString(),
            seq: i,
            clientId: visitor(`steady-${lane}-${b % 7}`),
            path: i % 3 === 1 ? "/products/p" : "/",
          }));
          const res = await postBatch(app.url, { v: 1, shop: "steady.myshopify.com", key: "ik_steady_key_123456", events }, { "User-Agent": BROWSER_UA });
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          if (res.status === 202) {
            expect(res.json).toEqual({ accepted: 10, duplicates: 0, rejected: [] });
            sent.push(...events.map((e) => e.id));
          }
        }
      };
      const poisonAnswers: { status: number; json: any; ua?: string; events: Record<string, unknown>[] }[] = [];
      let p = 0;
      const poisonLoop = async () => {
        while (Date.now() < until) {
          const n = p++;
          for (const { ua, events } of poisonRequests(n, NOW - 30 * MIN)) {
            const res = await postBatch(
              app.url,
              { v: 1, shop: "attacker.myshopify.com", key: "ik_attacker_key_123456", ...(ua ? { ua } : {}), events },
              { "User-Agent": BROWSER_UA },
            );
            poisonAnswers.push({ status: res.status, json: res.json, ua, events });
          }
        }
      };
      await Promise.all([...[0, 1, 2, 3, 4, 5].map(steadyLoop), poisonLoop(), poisonLoop(), poisonLoop()]);

      expect([...statuses.keys()]).toEqual([202]);
      expect(sent.length).toBeGreaterThan(100);
      const stored = await app.db.event.findMany({ where: { shopId: steady.id }, select: { eventId: true } });
      expect(stored.map((e) => e.eventId).sort()).toEqual([...sent].sort());

      // The poison requests, never a 5xx: a bad envelope string refuses the batch (400 with
      // the reason); bad events are refused with a reason each (by the validation, or by the
      // writer once the database refused the rows) and the request's good events are stored.
      expect(poisonAnswers.length).toBeGreaterThan(14);
      for (const a of poisonAnswers) {
        expect([202, 400], JSON.stringify(a.json)).toContain(a.status);
        const rejected: { index: number; reason: string }[] = a.json.rejected ?? [];
        if (a.ua) {
          expect(a.status).toBe(400);
          expect(a.json).toEqual({ error: "ua: contains a control character" });
          expect(await app.db.event.count({ where: { eventId: { in: a.events.map((e) => e.id as string) } } })).toBe(0);
        } else if (a.status === 400 && !a.json.rejected) expect(a.json.error).toBeTruthy();
        else {
          expect(rejected.length, JSON.stringify(a.json)).toBeGreaterThan(0);
          for (const r of rejected) expect(r.reason).toBeTruthy();
          const storedIds = new Set(
            (await app.db.event.findMany({ where: { eventId: { in: a.events.map((e) => e.id as string) } }, select: { eventId: true } })).map((e) => e.eventId),
          );
          // The answer's counts describe what was stored.
          expect(storedIds.size).toBe(a.json.accepted);
          for (const r of rejected) expect(storedIds.has(a.events[r.index].id as string)).toBe(false);
        }
      }
      expect(poisonAnswers.some((a) => a.status === 400)).toBe(true);
    } finally {
      await app.stop();
    }
  });
});
