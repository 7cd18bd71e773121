/** Pieces shared by the SQLite and PostgreSQL ingest sections. */
import { createClient } from "@libsql/client";
import pg from "pg";
import { createDb } from "../../db/prisma";
import { isPostgresUrl } from "../../db/url";
import { ensureDemoShop } from "../../scripts/lib/demo-shop";
import { migrate } from "../../scripts/lib/migrate";
import { BATCH_EVENTS, collectBodies, type CollectBodies } from "./collect-load";
import type { LoadResult } from "./load";
import { fmtInt, fmtMs, markdownTable } from "./stats";
import { statusText } from "./load";
import { cpuText } from "./cpu";

export interface IngestTarget {
  dbUrl: string;
  shopId: number;
  domain: string;
  ingestKey: string;
}

/** Migrates `dbUrl` (a fresh database) and creates the shop the load posts for. */
export async function prepareIngestDb(dbUrl: string): Promise<IngestTarget> {
  await migrate(dbUrl, { quiet: true });
  const { db } = createDb(dbUrl);
  try {
    const shop = await ensureDemoShop(db, { domain: "bench-shop.myshopify.com", ingestKey: "ik_bench_0000000000000000000000000000000000000" });
    return { dbUrl, shopId: shop.id, domain: shop.domain, ingestKey: shop.ingestKey };
  } finally {
    await db.$disconnect();
  }
}

export function bodiesFor(target: IngestTarget, tag: string): CollectBodies {
  return collectBodies({ shop: target.domain, key: target.ingestKey, tag });
}

/** Stored events of the shop. */
export async function countEvents(dbUrl: string, shopId: number): Promise<number> {
  if (isPostgresUrl(dbUrl)) {
    const client = new pg.Client({ connectionString: dbUrl });
    await client.connect();
    try {
      const r = await client.query(`SELECT COUNT(*)::int AS n FROM "Event" WHERE "shopId" = $1`, [shopId]);
      return r.rows[0].n as number;
    } finally {
      await client.end();
    }
  }
  const client = createClient({ url: dbUrl });
  try {
    const r = await client.execute({ sql: `SELECT COUNT(*) AS n FROM "Event" WHERE "shopId" = ?`, args: [shopId] });
    return Number(r.rows[0].n);
  } finally {
    client.close();
  }
}

/**
 * One request through the real endpoint before any load: the generated batch must be
 * accepted whole (realistic events, nothing rejected or deduplicated), or the
 * acknowledged-vs-stored accounting below would be meaningless.
 */
export async function checkOneBatch(url: string, bodies: CollectBodies): Promise<number> {
  const res = await fetch(`${url}/collect`, { method: "POST", headers: { "Content-Type": "text/plain" }, body: bodies.next() });
  const text = await res.text();
  if (res.status !== 202) throw new Error(`POST /collect answered ${res.status}: ${text}`);
  const answer = JSON.parse(text) as { accepted: number; duplicates: number; rejected: unknown[] };
  if (answer.accepted !== BATCH_EVENTS || answer.duplicates !== 0 || answer.rejected.length !== 0) {
    throw new Error(`a generated batch was not accepted whole: ${text}`);
  }
  return answer.accepted;
}

/** Events acknowledged (202 × 20) over runs, and the sum of `accepted` the answers reported. */
export function acknowledged(runs: readonly LoadResult[]): { events: number; accepted: number } {
  return {
    events: runs.reduce((s, r) => s + r.acked * BATCH_EVENTS, 0),
    accepted: runs.reduce((s, r) => s + r.acceptedEvents, 0),
  };
}

export const RUN_HEADERS = ["run", "connections", "offered rate", "req/s (202)", "events/s", "p50", "p90", "p99", "max", "answers", "CPU (1 core = 100 %)"];

export function runCells(r: LoadResult): string[] {
  return [
    r.label,
    String(r.connections),
    r.overallRate ? `${fmtInt(r.overallRate)} req/s` : "max",
    fmtInt(r.reqPerSec),
    fmtInt(r.eventsPerSec),
    fmtMs(r.latency.p50),
    fmtMs(r.latency.p90),
    fmtMs(r.latency.p99),
    fmtMs(r.latency.max),
    statusText(r.status) + (r.errors ? `; ${r.errors} socket errors` : "") + (r.timeouts ? `; ${r.timeouts} timeouts` : ""),
    r.cpu ? cpuText(r.cpu) : "",
  ];
}

export const runsTable = (runs: readonly LoadResult[]) => markdownTable(RUN_HEADERS, runs.map(runCells));

/** Waits until the shop's row count stops changing (commits of requests cut off at the end of a run). */
export async function settledCount(dbUrl: string, shopId: number): Promise<number> {
  let last = -1;
  for (let i = 0; i < 20; i++) {
    const n = await countEvents(dbUrl, shopId);
    if (n === last) return n;
    last = n;
    await new Promise((r) => setTimeout(r, 500));
  }
  return last;
}
