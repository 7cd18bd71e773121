/**
 * One model definition, two providers: fails when the PostgreSQL schema, either
 * migrations folder, or a migrated database falls out of step with prisma/schema.prisma.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { createDb } from "../../db/prisma";
import { Prisma } from "../../generated/sqlite/index.js";
import { postgresSchemaFrom } from "../../scripts/lib/schema-transform";
import * as resession from "../../db/resession-sql";
import { spanEventsSql } from "../../db/resession-sql";
import { bindQuery, type Query } from "../../db/query";
import laterSessionBuyers from "../../db/queries/later-session-buyers";
import { reportReads } from "../../app/services/funnel-results/read.server";
import staleEvents from "../../db/queries/results-stale-events";
import sampleVisitors from "../../db/queries/paths-sample-visitors";
import staleSessions from "../../db/queries/results-stale-sessions";
import { visitorParams } from "../../db/queries/_stale-visitors";
import { freshDatabase, root } from "../helpers/app-server";

const read = (p: string) => readFileSync(path.join(root, p), "utf8");

function diffIsEmpty(from: string, to: string, dbUrl: string): boolean {
  try {
    execFileSync(
      path.join(root, "node_modules/.bin/prisma"),
      ["migrate", "diff", "--from-schema-datamodel", from, "--to-schema-datamodel", to, "--exit-code"],
      {
        cwd: root,
        env: { ...process.env, DATABASE_URL: dbUrl },
        stdio: "pipe",
      },
    );
    return true;
  } catch (error) {
    if ((error as { status?: number }).status === 2) return false;
    throw error;
  }
}

/** Tables → sorted "column:type:nullable" lines, read from the live database. */
async function sqliteCatalog(url: string) {
  const { db } = createDb(url);
  const tables = await db.$queryRawUnsafe<{ name: string }[]>(
    `SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE '\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite%'`,
  );
  const out: Record<string, string[]> = {};
  for (const { name } of tables) {
    const cols = await db.$queryRawUnsafe<{ name: string; notnull: number | bigint }[]>(`PRAGMA table_info("${name}")`);
    out[name] = cols.map((c) => `${c.name}:${Number(c.notnull) ? "required" : "optional"}`).sort();
  }
  await db.$disconnect();
  return out;
}

async function postgresCatalog(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query(
    `SELECT table_name, column_name, is_nullable FROM information_schema.columns WHERE table_schema = 'public' AND table_name NOT LIKE '\\_%'`,
  );
  await client.end();
  const out: Record<string, string[]> = {};
  for (const r of rows) (out[r.table_name] ??= []).push(`${r.column_name}:${r.is_nullable === "NO" ? "required" : "optional"}`);
  for (const k of Object.keys(out)) out[k].sort();
  return out;
}

describe("schema drift", () => {
  it("prisma/postgres/schema.prisma is generated from prisma/schema.prisma (npm run db:sync)", () => {
    expect(read("prisma/postgres/schema.prisma")).toBe(postgresSchemaFrom(read("prisma/schema.prisma")));
  });

  it("both migration folders are up to date with the schema (npm run db:sync -- --new NAME)", async () => {
    const pgUrl = await freshDatabase("postgres");
    const sqliteUrl = await freshDatabase("sqlite");
    expect(diffIsEmpty("prisma/migrations/schema.snapshot.prisma", "prisma/schema.prisma", sqliteUrl)).toBe(true);
    expect(diffIsEmpty("prisma/postgres/migrations/schema.snapshot.prisma", "prisma/postgres/schema.prisma", pgUrl)).toBe(true);
  });

  it("migrated SQLite and PostgreSQL databases have the same tables and columns", async () => {
    const sqlite = await sqliteCatalog(await freshDatabase("sqlite"));
    const postgres = await postgresCatalog(await freshDatabase("postgres"));
    expect(Object.keys(sqlite).sort()).toEqual(Object.values(Prisma.ModelName).sort());
    expect(postgres).toEqual(sqlite);
  });

  it("both providers have the partial indexes the schema cannot state, and purchases and session probes read indexes alone", async () => {
    // The shapes of coverage's and "why numbers differ"'s reads (services/trust).
    const purchases = `SELECT e."orderId", e."clientId", e."sessionId" FROM "Event" e WHERE e."shopId" = 1 AND e."name" = 'checkout_completed' AND e."isBot" = false AND e."ts" >= 0 AND e."ts" < 10`;
    const productView = `SELECT 1 FROM "Event" v WHERE v."shopId" = 1 AND v."sessionId" = 'x' AND v."name" = 'product_viewed'`;
    const { db: lite } = createDb(await freshDatabase("sqlite"));
    const plan = async (q: string) => (await lite.$queryRawUnsafe<{ detail: string }[]>(`EXPLAIN QUERY PLAN ${q}`)).map((r) => r.detail).join("\n");
    const later = bindQuery(laterSessionBuyers, "sqlite", { shopId: 1, from: 0, to: 10, windowMs: 1 }).text;
    const plans = [await plan(purchases), await plan(productView), await plan(later)];
    await lite.$disconnect();
    expect(plans[0]).toContain("COVERING INDEX Event_purchases_idx");
    expect(plans[1]).toContain("COVERING INDEX Event_shopId_sessionId_name_idx");
    // "Bought in a later session": the few sessions with a purchase and no product view, then
    // their purchases by session id (not every purchase of the range per session).
    expect(plans[2]).toContain("SEARCH s USING INDEX VisitorSession_purchase_no_view_idx");
    expect(plans[2]).toContain("SEARCH p USING INDEX Event_shopId_sessionId_name_idx");
    const client = new pg.Client({ connectionString: await freshDatabase("postgres") });
    await client.connect();
    try {
      const { rows } = await client.query(
        `SELECT indexdef FROM pg_indexes WHERE indexname IN ('Event_purchases_idx', 'VisitorSession_purchase_no_view_idx') ORDER BY indexname`,
      );
      expect(rows.map((r) => r.indexdef)).toEqual([
        expect.stringMatching(/\("shopId", ts, "isBot", "orderId", "clientId", "sessionId"\) WHERE \(name = 'checkout_completed'::text\)/),
        expect.stringMatching(/\("shopId", "endTs", "clientId"\) WHERE \(\(purchase = true\) AND \("productView" = false\)\)/),
      ]);
      // The query's conditions imply the partial index's: with sequential scans off (the
      // tables are empty) the planner takes it rather than another index.
      await client.query(`SET enable_seqscan = off`);
      const { text, values } = bindQuery(laterSessionBuyers, "postgres", { shopId: 1, from: 0, to: 10, windowMs: 1 });
      const explained = await client.query(`EXPLAIN ${text}`, values);
      expect(explained.rows.map((r) => r["QUERY PLAN"]).join("\n")).toContain("VisitorSession_purchase_no_view_idx");
    } finally {
      await client.end();
    }
  });

  it("SQLite answers a report's reads of precomputed results by seeking the covering index, with no sort", async () => {
    const def = { unit: "session" as const, windowMs: 0, steps: ["a", "b", "c", "d"].map((event) => ({ label: event, anyOf: [{ event, filters: [] }] })) };
    const { db: lite } = createDb(await freshDatabase("sqlite"));
    const range = { shopId: 1, funnelId: "f", fromDay: 20_000, toDay: 20_030, bound: 1_800_000_000_000 };
    const plan = async (q: Query) => {
      const { text, values } = bindQuery(q, "sqlite", range);
      return (await lite.$queryRawUnsafe<{ detail: string }[]>(`EXPLAIN QUERY PLAN ${text}`, ...values)).map((r) => r.detail).join("\n");
    };
    try {
      const withTimes = reportReads(def, {});
      const countsOnly = reportReads(def, { stepTimes: false });
      for (const q of [withTimes.groups, withTimes.timed!, countsOnly.groups]) {
        const p = await plan(q);
        // Every step's rows of the range are one index seek (the day range is used), read
        // from the index alone and aggregated in its order.
        expect(p).toContain("COVERING INDEX FunnelUnitDay_shopId_funnelId_multi_furthest_day");
        expect(p).toMatch(/furthest=\? AND day>\? AND day<\?/);
        expect(p).not.toContain("TEMP B-TREE");
      }
      expect(await plan(withTimes.multi)).toMatch(/FunnelUnitDay_shopId_funnelId_multi_furthest_day.*furthest=\? AND day>\? AND day<\?/);
    } finally {
      await lite.$disconnect();
    }
  });

  it('"what they did instead" seeks each side\'s sampled buckets in FunnelUnitDay_sample_idx on both providers, with statistics', async () => {
    // One shop, one 4-step funnel, 100 k unit-days over 30 days, analyzed: the sample of
    // 2,000 of ~45 k dropped units is ~3 % of the buckets.
    const sides = [sampleVisitors(1, 1), sampleVisitors(2, 4)];
    const params = { shopId: 1, funnelId: "f", fromDay: 20_000, toDay: 20_030, bound: 2_900 };
    const rows = `SELECT 1, 'f', 'u' || g, 20000 + g % 30, 'c-' || (g / 2), 0, CASE WHEN g % 20 < 9 THEN 1 WHEN g % 20 < 15 THEN 2 ELSE 3 + g % 2 END,
        '', 0, 0, false, 'direct', 'new', false, ((g / 2) * 40503) % 65536 FROM gen`;
    const insert = `INSERT INTO "FunnelUnitDay" ("shopId", "funnelId", "unitId", "day", "clientId", "entryTs", "furthest", "msFromPrev", "latestStartTs", "lastTs", "multi", "source", "visitorType", "loggedIn", "visitorBucket")`;
    const shop = `INSERT INTO "Shop" ("id", "domain", "name", "ingestKey", "updatedAt") VALUES (1, 'plan.myshopify.com', 'Plan', 'ik_plan', CURRENT_TIMESTAMP)`;
    const funnel = `INSERT INTO "Funnel" ("id", "shopId", "name", "updatedAt") VALUES ('f', 1, 'F', CURRENT_TIMESTAMP)`;

    const { db: lite } = createDb(await freshDatabase("sqlite"));
    try {
      await lite.$executeRawUnsafe(shop);
      await lite.$executeRawUnsafe(funnel);
      await lite.$executeRawUnsafe(`WITH RECURSIVE gen(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM gen WHERE g < 100000) ${insert} ${rows}`);
      await lite.$executeRawUnsafe(`ANALYZE`);
      for (const q of sides) {
        const { text, values } = bindQuery(q, "sqlite", params);
        const plan = (await lite.$queryRawUnsafe<{ detail: string }[]>(`EXPLAIN QUERY PLAN ${text}`, ...values)).map((r) => r.detail).join("\n");
        // One seek per step to the buckets below the bound; day and clientId from the index.
        expect(plan).toContain(
          "SEARCH FunnelUnitDay USING COVERING INDEX FunnelUnitDay_sample_idx (shopId=? AND funnelId=? AND furthest=? AND visitorBucket<?)",
        );
      }
    } finally {
      await lite.$disconnect();
    }

    const client = new pg.Client({ connectionString: await freshDatabase("postgres") });
    await client.connect();
    try {
      await client.query(shop);
      await client.query(funnel);
      await client.query(`WITH gen(g) AS (SELECT generate_series(1, 100000)) ${insert} ${rows}`);
      await client.query(`ANALYZE "FunnelUnitDay"`);
      for (const q of sides) {
        const { text, values } = bindQuery(q, "postgres", params);
        const plan = (await client.query(`EXPLAIN ${text}`, values)).rows.map((r) => r["QUERY PLAN"] as string).join("\n");
        // A bitmap scan until a vacuum marks the pages all-visible, then an index-only scan.
        expect(plan).toMatch(/(Index (Only )?Scan using|Bitmap Index Scan on) "FunnelUnitDay_sample_idx"/);
        expect(plan).toMatch(/Index Cond: .*furthest.*"visitorBucket" < /);
        expect(plan).not.toMatch(/Seq Scan/);
      }
    } finally {
      await client.end();
    }
  });

  it("the writer reads visitors' events through the (shopId, clientId, ts) index on both providers, whatever the statistics say", async () => {
    const now = 1_800_000_000_000;
    // Three visitors' spans, then the shop.
    const params = [...["c-7", "c-8", "c-9"].flatMap((c) => [c, now - 3_600_000, now]), 1];
    const { db: lite } = createDb(await freshDatabase("sqlite"));
    const litePlan = (await lite.$queryRawUnsafe<{ detail: string }[]>(`EXPLAIN QUERY PLAN ${spanEventsSql("sqlite", 3).replace(/\$\d+/g, "?")}`, ...params))
      .map((r) => r.detail)
      .join("\n");
    await lite.$disconnect();
    expect(litePlan).toContain("Event_shopId_clientId_ts_idx");
    const client = new pg.Client({ connectionString: await freshDatabase("postgres") });
    await client.connect();
    try {
      // The ingestion-time shape: statistics taken on old events, then a burst of recent ones
      // from many visitors, all inside the span's time range.
      const insert = (from: number, clients: number) =>
        client.query(
          `INSERT INTO "Event" ("shopId", "eventId", "name", "ts", "seq", "clientId", "sessionId", "isBot", "dedupeKey", "receivedAt")
           SELECT 1, 'e' || $1::bigint + g, 'page_viewed', $1::bigint + g * 100, 0, 'c-' || (g % $2), 's', false, 'd' || $1::bigint + g, $1::bigint
           FROM generate_series(1, 20000) g`,
          [from, clients],
        );
      await client.query(`INSERT INTO "Shop" ("id", "domain", "name", "ingestKey", "updatedAt") VALUES (1, 'plan.myshopify.com', 'Plan', 'ik_plan', now())`);
      await insert(now - 400 * 86_400_000, 50);
      await client.query(`ANALYZE "Event"`);
      await insert(now - 2_000_000, 500);
      const { rows } = await client.query(`EXPLAIN ${spanEventsSql("postgres", 3)}`, params);
      const plan = rows.map((r) => r["QUERY PLAN"]).join("\n");
      expect(plan).toContain("Event_shopId_clientId_ts_idx");
      expect(plan).not.toContain("Event_shopId_ts_idx");
    } finally {
      await client.end();
    }
  });

  it("on PostgreSQL, every statement that re-derives sessions or funnel results looks rows up per visitor even in tables never analyzed", async () => {
    // Without statistics the planner takes a shop for 0.5 % of a table. Joined plainly with
    // the visitors' list, it then read every row of the shop and hash-joined them: a cost
    // that grows with the shop, paid on every group commit of a new or bursting shop.
    const client = new pg.Client({ connectionString: await freshDatabase("postgres") });
    await client.connect();
    try {
      await client.query(`ALTER TABLE "Event" SET (autovacuum_enabled = false)`);
      await client.query(`ALTER TABLE "VisitorSession" SET (autovacuum_enabled = false)`);
      await client.query(`INSERT INTO "Shop" ("id", "domain", "name", "ingestKey", "updatedAt") VALUES (1, 'plan.myshopify.com', 'Plan', 'ik_plan', now())`);
      // Enough events that reaching 500 of them by address (ctid) costs less than reading
      // the table, as at any real volume; on a tiny table a scan is the cheaper plan.
      await client.query(
        `INSERT INTO "Event" ("shopId", "eventId", "name", "ts", "seq", "clientId", "sessionId", "isBot", "receivedAt")
         SELECT 1, 'e' || g, 'page_viewed', g * 1000, 0, 'c-' || (g % 2000), 's', false, 0 FROM generate_series(1, 200000) g`,
      );
      await client.query(
        `INSERT INTO "VisitorSession" ("shopId", "id", "clientId", "startTs", "endTs", "eventCount", "source", "visitorType")
         SELECT 1, 's' || g, 'c-' || (g % 2000), g * 1000, g * 1000 + 60000, 1, 'direct', 'new' FROM generate_series(1, 4000) g`,
      );
      const spans = [...["c-7", "c-8", "c-9"].flatMap((c) => [c, 0, 50_000_000]), 1];
      // A group commit moves hundreds of events: enough for the planner to prefer the shop's rows.
      const moved = Array.from({ length: 500 }, (_, i) => `e${i * 7 + 1}`);
      const moves = [...moved.flatMap((e) => [e, "s1"]), 1];
      const staleRead = (q: Query): [string, unknown[]] => {
        const { text, values } = bindQuery(q, "postgres", { shopId: 1, since: 0, ...visitorParams(Array.from({ length: 200 }, (_, i) => `c-${i}`)) });
        return [text, values];
      };
      const statements: [string, string, unknown[]][] = [
        ["overlapping sessions", resession.overlappingSessionsSql("postgres", 3), spans],
        ["events in spans", resession.spanEventsSql("postgres", 3), spans],
        ["replaced sessions", resession.replacedSessionsSql("postgres", 3), spans],
        ["earlier session", resession.earlierSessionSql("postgres", 3), spans],
        ["later sessions returning", resession.laterSessionsReturningSql("postgres", 3), spans],
        ["moved events", resession.moveEventsSql("postgres", moved.length), moves],
        // The funnel-results refresher's reads of 200 stale visitors.
        ["refresher: sessions", ...staleRead(staleSessions(200))],
        ["refresher: events", ...staleRead(staleEvents(200))],
      ];
      for (const [name, sql, params] of statements) {
        const plan = (await client.query(`EXPLAIN ${sql}`, params)).rows.map((r) => r["QUERY PLAN"] as string).join("\n");
        // Each index lookup is bounded by the visitor (or the event, or a session of the
        // visitor), never by the shop alone.
        const conds = plan.split("\n").filter((l) => /Index Cond|Recheck Cond/.test(l));
        expect(conds.length, `${name}:\n${plan}`).toBeGreaterThan(0);
        for (const cond of conds) expect(cond, `${name}:\n${plan}`).toMatch(/"clientId"|"eventId"|"sessionId" = s\.id/);
        expect(plan, name).not.toMatch(/Seq Scan on "Event"|Hash Join/);
      }
    } finally {
      await client.end();
    }
  });
});
