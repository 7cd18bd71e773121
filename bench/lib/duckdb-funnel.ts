/**
 * The DuckDB baseline of the report benchmark: the same generated events in an in-memory
 * DuckDB (@duckdb/node-api), and the equivalent 4-step session funnel as one SQL query.
 *
 * Equivalence with the app's report (docs/funnel-semantics.md) for this definition —
 * session unit, four steps with distinct event names, no filters, no bot events in
 * clean sessions: a unit is a stored session overlapping [from, to) (its non-bot events
 * from `from` on); an attempt starts at a step-1 event in [from, to); steps must follow in
 * order with ts(e1) ≤ ts(e2) ≤ …, one event per step. The earliest attempt reaches
 * the furthest step (any chain from a later start also works from an earlier one), and
 * taking each next step's earliest event at or after the previous one finds that chain,
 * so count[k] = units whose greedy chain from their first step-1 event in range reaches k.
 */
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { FUNNEL_STEPS, synthesize, type SynthOptions } from "./synth-events";

export interface DuckFunnel {
  counts: number[];
  /** Nearest-rank-ish medians (quantile_disc) of ms between consecutive steps, index k ↔ step k+1 (null for step 1). */
  medians: (number | null)[];
}

export async function openDuck(): Promise<{ conn: DuckDBConnection; close(): void }> {
  const instance = await DuckDBInstance.create(":memory:");
  const conn = await instance.connect();
  await conn.run(
    `CREATE TABLE events (shopId INTEGER, eventId VARCHAR, name VARCHAR, ts BIGINT, seq INTEGER, clientId VARCHAR, sessionId VARCHAR, isBot BOOLEAN, checkoutToken VARCHAR, orderId VARCHAR)`,
  );
  await conn.run(`CREATE TABLE sessions (shopId INTEGER, id VARCHAR, clientId VARCHAR, startTs BIGINT, endTs BIGINT, isBot BOOLEAN)`);
  return {
    conn,
    close() {
      conn.closeSync();
      instance.closeSync();
    },
  };
}

/** Appends one shop's generated data set (the same rows the SQLite file holds). */
export async function loadDuck(conn: DuckDBConnection, opts: SynthOptions, onProgress: (events: number) => void): Promise<number> {
  const ev = await conn.createAppender("events");
  const ss = await conn.createAppender("sessions");
  let events = 0;
  try {
    for (const chunk of synthesize(opts, 25_000)) {
      for (const e of chunk.events) {
        ev.appendInteger(opts.shopId);
        ev.appendVarchar(e.eventId);
        ev.appendVarchar(e.name);
        ev.appendBigInt(BigInt(e.ts));
        ev.appendInteger(e.seq);
        ev.appendVarchar(e.clientId);
        ev.appendVarchar(e.sessionId);
        ev.appendBoolean(e.isBot);
        if (e.checkoutToken === null) ev.appendNull();
        else ev.appendVarchar(e.checkoutToken);
        if (e.orderId === null) ev.appendNull();
        else ev.appendVarchar(e.orderId);
        ev.endRow();
      }
      for (const s of chunk.sessions) {
        ss.appendInteger(opts.shopId);
        ss.appendVarchar(s.id);
        ss.appendVarchar(s.clientId);
        ss.appendBigInt(BigInt(s.startTs));
        ss.appendBigInt(BigInt(s.endTs));
        ss.appendBoolean(s.isBot);
        ss.endRow();
      }
      events += chunk.events.length;
      onProgress(events);
    }
  } finally {
    ev.flushSync();
    ev.closeSync();
    ss.flushSync();
    ss.closeSync();
  }
  return events;
}

/** The 4-step session funnel over [from, to) for one shop, in one query. */
export function duckFunnelSql(shopId: number, from: number, to: number, steps: readonly string[] = FUNNEL_STEPS): string {
  const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
  const [s1, s2, s3, s4] = steps.map(q);
  return `WITH s AS (
      SELECT id FROM sessions WHERE shopId = ${shopId} AND startTs < ${to} AND endTs >= ${from}
    ),
    e AS (
      SELECT ev.sessionId AS unit, ev.ts, ev.name FROM events ev JOIN s ON s.id = ev.sessionId
      WHERE ev.shopId = ${shopId} AND NOT ev.isBot AND ev.ts >= ${from} AND ev.name IN (${[s1, s2, s3, s4].join(", ")})
    ),
    f1 AS (SELECT unit, MIN(ts) AS t1 FROM e WHERE name = ${s1} AND ts < ${to} GROUP BY unit),
    f2 AS (SELECT f1.unit, f1.t1, MIN(e.ts) AS t2 FROM f1 LEFT JOIN e ON e.unit = f1.unit AND e.name = ${s2} AND e.ts >= f1.t1 GROUP BY ALL),
    f3 AS (SELECT f2.unit, f2.t1, f2.t2, MIN(e.ts) AS t3 FROM f2 LEFT JOIN e ON e.unit = f2.unit AND e.name = ${s3} AND e.ts >= f2.t2 GROUP BY ALL),
    f4 AS (SELECT f3.unit, f3.t1, f3.t2, f3.t3, MIN(e.ts) AS t4 FROM f3 LEFT JOIN e ON e.unit = f3.unit AND e.name = ${s4} AND e.ts >= f3.t3 GROUP BY ALL)
    SELECT COUNT(*) AS c1, COUNT(t2) AS c2, COUNT(t3) AS c3, COUNT(t4) AS c4,
      quantile_disc(t2 - t1, 0.5) AS m2, quantile_disc(t3 - t2, 0.5) AS m3, quantile_disc(t4 - t3, 0.5) AS m4
    FROM f4`;
}

export async function duckFunnel(conn: DuckDBConnection, shopId: number, from: number, to: number): Promise<DuckFunnel> {
  const reader = await conn.runAndReadAll(duckFunnelSql(shopId, from, to));
  const row = reader.getRowObjectsJS()[0] as Record<string, number | bigint | null>;
  const num = (v: number | bigint | null | undefined) => (v === null || v === undefined ? null : Number(v));
  return {
    counts: [num(row.c1) ?? 0, num(row.c2) ?? 0, num(row.c3) ?? 0, num(row.c4) ?? 0],
    medians: [null, num(row.m2), num(row.m3), num(row.m4)],
  };
}
