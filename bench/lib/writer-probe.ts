/**
 * The ingest writer alone (ingest/writer.server.ts on db/executor.ts),
 * without HTTP, parsing or validation: the same rows submitted as 20-event jobs with as
 * many in flight as the load has connections. Group commits (or, statement by statement,
 * each SQL statement by kind) are timed through a wrapper around the executor (the
 * writer's code is unchanged), which names where the storage path spends its time
 * compared with the bare insert loop.
 */
import { toRow, type EventRow } from "../../ingest/normalize";
import { createSqlExecutor, type SqlExecutor, type SqlTx } from "../../db/executor";
import { IngestWriter } from "../../ingest/writer.server";
import { BATCH_EVENTS, collectBodies } from "./collect-load";
import { progress } from "./progress";

export interface StatementStat {
  kind: string;
  count: number;
  ms: number;
}

export interface WriterProbeResult {
  events: number;
  seconds: number;
  eventsPerSec: number;
  transactions: number;
  /** Time by statement kind, plus "transaction open" and "commit". */
  statements: StatementStat[];
  /** Wall time inside transactions not spent awaiting a statement (the writer's own JS). */
  jsMs: number;
  /**
   * Group-commit durations (open → committed). A request's 202 waits for the commit that
   * holds its rows, so these bound ingestion latency from below.
   */
  commitMs: { mean: number; max: number };
  executor: WriterExecutorKind;
}

/**
 * "app": the app's createSqlExecutor as the server uses it (on SQLite, each group commit is
 * one message to the SQLite thread: timed as a whole). "statements": the same executor
 * without its SQLite procedures, so the writer sends statement by statement (what it does
 * on PostgreSQL), each timed.
 */
export type WriterExecutorKind = "app" | "statements";

/** "INSERT Event", "SELECT VisitorSession", "UPDATE Event"… */
export function statementKind(sql: string): string {
  const verb = /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? "?";
  const table = /(?:INTO|FROM|UPDATE)\s+"?(\w+)"?/i.exec(sql)?.[1] ?? "";
  let kind = `${verb} ${table}`.trim();
  if (verb === "SELECT" && table === "VisitorSession") kind += /LIMIT 1/i.test(sql) ? " (earlier session?)" : " (overlapping)";
  if (verb === "UPDATE" && table === "VisitorSession") kind += " (visitorType)";
  if (verb === "UPDATE" && table === "Event") kind += " (sessionId)";
  if (verb === "SELECT" && table === "Event") kind += " (visitor's events in span)";
  return kind;
}

function timed(
  inner: SqlExecutor,
  stats: Map<string, StatementStat>,
  totals: { txMs: number; stmtMs: number; tx: number; wallMs: number; maxMs: number },
): SqlExecutor {
  const add = (kind: string, ms: number) => {
    const s = stats.get(kind);
    if (s) {
      s.count++;
      s.ms += ms;
    } else stats.set(kind, { kind, count: 1, ms });
  };
  const wrap = (tx: SqlTx): SqlTx => ({
    dialect: tx.dialect,
    async query(sql, ...params) {
      const t = performance.now();
      try {
        return await tx.query(sql, ...params);
      } finally {
        const ms = performance.now() - t;
        totals.stmtMs += ms;
        add(statementKind(sql), ms);
      }
    },
    async execute(sql, ...params) {
      const t = performance.now();
      try {
        return await tx.execute(sql, ...params);
      } finally {
        const ms = performance.now() - t;
        totals.stmtMs += ms;
        add(statementKind(sql), ms);
      }
    },
  });
  const runProcedure = inner.runProcedure;
  return {
    dialect: inner.dialect,
    query: inner.query.bind(inner),
    execute: inner.execute.bind(inner),
    close: inner.close.bind(inner),
    ...(runProcedure && {
      async runProcedure<T>(file: string, name: string, args: unknown): Promise<T> {
        const t0 = performance.now();
        const result = await runProcedure<T>(file, name, args);
        const ms = performance.now() - t0;
        add("group commit (one message to the SQLite thread)", ms);
        totals.wallMs += ms;
        totals.maxMs = Math.max(totals.maxMs, ms);
        totals.txMs += ms;
        totals.stmtMs += ms;
        totals.tx++;
        return result;
      },
    }),
    async transaction(fn) {
      const t0 = performance.now();
      let opened = 0;
      let bodyEnd = 0;
      const result = await inner.transaction(async (tx) => {
        opened = performance.now();
        add("transaction open (BEGIN)", opened - t0);
        try {
          return await fn(wrap(tx));
        } finally {
          bodyEnd = performance.now();
        }
      });
      const end = performance.now();
      add("commit (+ closing the transaction)", end - bodyEnd);
      totals.wallMs += end - t0;
      totals.maxMs = Math.max(totals.maxMs, end - t0);
      totals.txMs += bodyEnd - opened;
      totals.tx++;
      return result;
    },
  };
}

/** Rows of `n` generated events, as the endpoint would make them. */
export function generatedRows(n: number, shopId: number, tag: string): EventRow[][] {
  const bodies = collectBodies({ shop: "bench-shop.myshopify.com", key: "k", tag });
  const jobs: EventRow[][] = [];
  const now = Date.now();
  for (let made = 0; made < n; made += BATCH_EVENTS) {
    const batch = JSON.parse(bodies.next()) as { events: Parameters<typeof toRow>[0][] };
    jobs.push(
      batch.events.map((e) => {
        const r = toRow(e, { shopId, receivedAt: now, isBot: false, maxAgeMs: 72 * 3_600_000 });
        if (!("row" in r)) throw new Error(`generated event refused: ${r.reason}`);
        return r.row;
      }),
    );
  }
  return jobs;
}

export async function probeWriter(
  dbUrl: string,
  opts: { events: number; inFlight: number; shopId: number; executor?: WriterExecutorKind },
): Promise<WriterProbeResult> {
  const kind = opts.executor ?? "app";
  const jobs = generatedRows(opts.events, opts.shopId, "w");
  const stats = new Map<string, StatementStat>();
  const totals = { txMs: 0, stmtMs: 0, tx: 0, wallMs: 0, maxMs: 0 };
  const app = createSqlExecutor(dbUrl);
  const executor = timed(kind === "app" ? app : { ...app, runProcedure: undefined }, stats, totals);
  const writer = new IngestWriter(executor, { maxPendingEvents: 1_000_000 });
  const p = progress(kind === "app" ? "ingest writer alone (no HTTP)" : "ingest writer alone, statement by statement");
  let next = 0;
  let done = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++];
      await writer.submit(job);
      done++;
      if (done % 100 === 0) p.update(`${(done * BATCH_EVENTS).toLocaleString("en-US")}/${opts.events.toLocaleString("en-US")} events`);
    }
  };
  await Promise.all(Array.from({ length: opts.inFlight }, worker));
  const seconds = (performance.now() - started) / 1000;
  await executor.close();
  const events = jobs.length * BATCH_EVENTS;
  p.done(`${Math.round(events / seconds).toLocaleString("en-US")} events/s in ${totals.tx} transactions`);
  return {
    events,
    seconds,
    eventsPerSec: events / seconds,
    transactions: totals.tx,
    statements: [...stats.values()].sort((a, b) => b.ms - a.ms),
    jsMs: Math.max(0, totals.txMs - totals.stmtMs),
    commitMs: { mean: totals.wallMs / Math.max(1, totals.tx), max: totals.maxMs },
    executor: kind,
  };
}
