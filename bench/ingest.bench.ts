/**
 * Ingest on SQLite: the real POST /collect (production build, real server process) under
 * autocannon on loopback, and in the same run its two ceilings:
 *   - HTTP ceiling: a bare node:http server that reads, parses and answers the same requests;
 *   - storage ceiling: a bare insert loop writing the same rows into the same schema (fresh
 *     migrated file, same driver @libsql/client, same PRAGMAs) in large transactions.
 * Plus p99 at 70 % of our peak rate, and events stored vs acknowledged.
 */
import { createClient } from "@libsql/client";
import { readdirSync, readFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { SQLITE_WRITER_PRAGMAS } from "../db/url";
import { toRow, type EventRow } from "../ingest/normalize";
import { EVENT_COLUMNS } from "../ingest/write-group";
import { spawnListening, startAppServer } from "./lib/app-process";
import { BATCH_EVENTS, collectBodies } from "./lib/collect-load";
import { summarizeProfile, type CpuProfile, type ProfileSummary } from "./lib/cpuprofile";
import { acknowledged, bodiesFor, checkOneBatch, countEvents, prepareIngestDb, runsTable, settledCount } from "./lib/ingest-common";
import { runLoad, type LoadResult } from "./lib/load";
import { progress } from "./lib/progress";
import { connectionProbe, placeholderProbe, type ConnectionProbe, type PlaceholderProbe } from "./lib/sqlite-probes";
import { probeWriter, type WriterProbeResult } from "./lib/writer-probe";
import { fmtInt, fmtMs, markdownTable, ratio, sizeFromEnv, type RatioRow } from "./lib/stats";
import type { BenchContext, SectionResult } from "./lib/types";

export interface IngestSettings {
  warmupS: number;
  durationS: number;
  connections: number;
  ceilingEvents: number;
  /** Events for the writer-alone probe. */
  writerEvents: number;
}

export function ingestSettings(quick: boolean): IngestSettings {
  return {
    warmupS: quick ? 2 : 5,
    durationS: sizeFromEnv(process.env.BENCH_INGEST_SECONDS, quick ? 5 : 20),
    connections: sizeFromEnv(process.env.BENCH_INGEST_CONNECTIONS, quick ? 50 : 100),
    ceilingEvents: sizeFromEnv(process.env.BENCH_CEILING_EVENTS, quick ? 40_000 : 400_000),
    writerEvents: sizeFromEnv(process.env.BENCH_WRITER_EVENTS, quick ? 10_000 : 60_000),
  };
}

/** The rows our endpoint would store for `n` generated events (session ids: visitor + first timestamp). */
function ceilingRows(n: number, shopId: number): EventRow[] {
  const bodies = collectBodies({ shop: "bench-shop.myshopify.com", key: "k", tag: "ceil" });
  const rows: EventRow[] = [];
  const firstTs = new Map<string, number>();
  const now = Date.now();
  while (rows.length < n) {
    const batch = JSON.parse(bodies.next()) as { events: Parameters<typeof toRow>[0][] };
    for (const e of batch.events) {
      const r = toRow(e, { shopId, receivedAt: now, isBot: false, maxAgeMs: 72 * 3_600_000 });
      if (!("row" in r)) throw new Error(`generated event refused: ${r.reason}`);
      const start = firstTs.get(r.row.clientId) ?? r.row.ts;
      firstTs.set(r.row.clientId, start);
      r.row.sessionId = `${r.row.clientId}:${start}`;
      rows.push(r.row);
    }
  }
  return rows.slice(0, n);
}

/** The storage ceiling: plain multi-row INSERTs, 25,000 rows per transaction. Events/s. */
export async function storageCeiling(dbUrl: string, n: number): Promise<{ events: number; seconds: number; eventsPerSec: number }> {
  const shopId = 1;
  const rows = ceilingRows(n, shopId);
  const client = createClient({ url: dbUrl });
  try {
    // The same settings the ingest writer uses (db/url.ts); WAL comes from the migration.
    for (const pragma of SQLITE_WRITER_PRAGMAS) await client.execute(pragma);
    await client.execute("PRAGMA busy_timeout=5000");
    const perStatement = Math.floor(30_000 / EVENT_COLUMNS.length);
    const perTx = 25_000;
    const cols = EVENT_COLUMNS.map((c) => `"${c}"`).join(", ");
    const placeholders = (k: number) => Array.from({ length: k }, () => `(${EVENT_COLUMNS.map(() => "?").join(", ")})`).join(", ");
    const full = placeholders(perStatement);
    const p = progress("storage ceiling (bare inserts)");
    const started = performance.now();
    // BEGIN/COMMIT on the client's one connection: client.transaction() would hand that
    // connection to the transaction and open a new one afterwards, which loses the PRAGMAs.
    for (let i = 0; i < rows.length; i += perTx) {
      await client.execute("BEGIN IMMEDIATE");
      const end = Math.min(rows.length, i + perTx);
      for (let j = i; j < end; j += perStatement) {
        const chunk = rows.slice(j, Math.min(end, j + perStatement));
        const args = chunk.flatMap((r) => EVENT_COLUMNS.map((c) => (c === "isBot" ? (r.isBot ? 1 : 0) : r[c])));
        await client.execute({
          sql: `INSERT INTO "Event" (${cols}) VALUES ${chunk.length === perStatement ? full : placeholders(chunk.length)}`,
          args: args as never,
        });
      }
      await client.execute("COMMIT");
      p.update(`${fmtInt(end)}/${fmtInt(rows.length)} rows`);
    }
    const seconds = (performance.now() - started) / 1000;
    const check = await client.execute(`SELECT COUNT(*) AS n FROM "Event"`);
    if (Number(check.rows[0].n) !== rows.length) throw new Error(`storage ceiling stored ${check.rows[0].n} of ${rows.length} rows`);
    p.done(`${fmtInt(rows.length / seconds)} events/s`);
    return { events: rows.length, seconds, eventsPerSec: rows.length / seconds };
  } finally {
    client.close();
  }
}

/** The HTTP ceiling: the bare server (bench/lib/bare-http-server.mjs) under the same load. */
export async function httpCeiling(ctx: BenchContext, s: IngestSettings): Promise<LoadResult> {
  const server = await spawnListening({
    cwd: ctx.root,
    args: [path.join(ctx.root, "bench/lib/bare-http-server.mjs")],
    env: { ...process.env, PORT: "0" },
    label: "bare HTTP server",
  });
  try {
    const bodies = collectBodies({ shop: "bench-shop.myshopify.com", key: "k", tag: "http" });
    await runLoad({ label: "HTTP ceiling warm-up", url: server.url, bodies, connections: s.connections, durationS: s.warmupS });
    return await runLoad({
      label: "HTTP ceiling",
      url: server.url,
      bodies,
      connections: s.connections,
      durationS: s.durationS,
      cpuPids: { server: server.pid },
    });
  } finally {
    await server.stop();
  }
}

/** An extra peak run under `node --cpu-prof` (so profiling does not slow the measured runs). */
/** The main thread's profile, and how busy each SQLite thread (db/sqlite-thread.ts) was. */
type ServerProfile = ProfileSummary & { sqliteThreadsBusyMs: number[] };

async function profiledRun(ctx: BenchContext, s: IngestSettings): Promise<ServerProfile> {
  const dir = path.join(ctx.tmp, `prof-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  const target = await prepareIngestDb(`file:${path.join(ctx.tmp, `ingest-prof-${Date.now()}.sqlite`)}`);
  const server = await startAppServer({ appDir: ctx.appDir, dbUrl: target.dbUrl, nodeArgs: ["--cpu-prof", `--cpu-prof-dir=${dir}`] });
  let stopMs: number;
  try {
    const bodies = bodiesFor(target, `p${Date.now().toString(36)}`);
    await runLoad({ label: "profiled warm-up", url: server.url, bodies, connections: s.connections, durationS: s.warmupS });
    await runLoad({ label: "profiled run (node --cpu-prof)", url: server.url, bodies, connections: s.connections, durationS: s.durationS });
  } finally {
    const t = Date.now();
    await server.stop();
    stopMs = Date.now() - t;
  }
  // One profile per thread: CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile, thread 0 is the main one.
  const files = readdirSync(dir).filter((f) => f.endsWith(".cpuprofile"));
  const main = files.find((f) => f.split(".")[4] === "0");
  if (!main) throw new Error(`no main-thread .cpuprofile written in ${dir}`);
  // The measured run and the shutdown after it; start-up and warm-up are left out.
  const lastMs = s.durationS * 1000 + stopMs;
  const read = (f: string) => JSON.parse(readFileSync(path.join(dir, f), "utf8")) as CpuProfile;
  const summary = summarizeProfile(read(main), 15, lastMs);
  const sqliteThreadsBusyMs = files.filter((f) => f !== main).map((f) => summarizeProfile(read(f), 1, lastMs).busyMs);
  return { ...summary, sqliteThreadsBusyMs };
}

export function profileMarkdown(p: ServerProfile): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  return [
    `Server CPU profile of one peak run after a warm-up (\`node --cpu-prof\`, a separate server so the measured runs above are not slowed; ` +
      `samples of the run only). The server's main thread: ${fmtMs(p.busyMs)} busy, ${fmtMs(p.idleMs)} idle; shares below are of its busy time. ` +
      `SQLite runs on its own threads (db/sqlite-thread.ts), profiled apart: ${p.sqliteThreadsBusyMs.map(fmtMs).join(", ") || "none"} busy ` +
      `(time inside a native call, SQLite's own work, is counted to the JS function that made it, libsql's \`run\`/\`all\`).`,
    "",
    "Self time by area:",
    "",
    markdownTable(
      ["area", "self time", "share"],
      p.areas.slice(0, 10).map((a) => [a.name, fmtMs(a.ms), pct(a.share)]),
    ),
    "",
    "Self time by function (top 15):",
    "",
    markdownTable(
      ["function", "area", "self time", "share"],
      p.self.map((a) => [a.name, a.area, fmtMs(a.ms), pct(a.share)]),
    ),
    "",
    "Inclusive time of the app's functions (top 15):",
    "",
    markdownTable(
      ["function", "inclusive", "share"],
      p.appInclusive.map((a) => [a.name, fmtMs(a.ms), pct(a.share)]),
    ),
  ].join("\n");
}

export async function ingestSection(ctx: BenchContext): Promise<SectionResult> {
  const s = ingestSettings(ctx.quick);
  const title = "Ingest (SQLite)";
  ctx.log(
    `${title}: ${s.connections} connections, ${s.durationS} s runs (+${s.warmupS} s warm-up), 20-event batches; storage ceiling over ${fmtInt(s.ceilingEvents)} events`,
  );

  const storage = await storageCeiling(await freshSqlite(ctx, "ceiling"), s.ceilingEvents);
  const http = await httpCeiling(ctx, s);
  ctx.shared.httpCeiling = http;
  ctx.shared.storageCeiling = storage;

  const target = await prepareIngestDb(await freshSqliteUrl(ctx, "ingest"));
  const server = await startAppServer({ appDir: ctx.appDir, dbUrl: target.dbUrl });
  const runs: LoadResult[] = [];
  let sanity: number;
  let stored: number;
  try {
    const bodies = bodiesFor(target, `r${Date.now().toString(36)}`);
    sanity = await checkOneBatch(server.url, bodies).catch((e: Error) => {
      throw new Error(`${e.message}\nserver output:\n${server.logs.slice(-20).join("")}`);
    });
    runs.push(await runLoad({ label: "warm-up", url: server.url, bodies, connections: s.connections, durationS: s.warmupS }));
    const peak = await runLoad({ label: "peak", url: server.url, bodies, connections: s.connections, durationS: s.durationS, cpuPids: { server: server.pid } });
    runs.push(peak);
    runs.push(
      await runLoad({
        label: "70 % of peak",
        url: server.url,
        bodies,
        connections: s.connections,
        durationS: s.durationS,
        overallRate: 0.7 * peak.reqPerSec,
        cpuPids: { server: server.pid },
      }),
    );
    stored = await settledCount(target.dbUrl, target.shopId);
  } finally {
    await server.stop();
  }
  stored = await settledCount(target.dbUrl, target.shopId);
  const peak = runs[1];
  const at70 = runs[2];
  const ack = acknowledged(runs);
  const ackEvents = ack.events + sanity;
  const missing = Math.max(0, ackEvents - stored);
  const unanswered = Math.max(0, stored - ackEvents);

  let profile: ServerProfile | null = null;
  let profileError: string | null = null;
  if (ctx.profile) {
    try {
      profile = await profiledRun(ctx, s);
    } catch (e) {
      profileError = e instanceof Error ? e.message : String(e);
    }
  }

  // Diagnostics: the storage path without HTTP, and the driver behaviour it depends on.
  let writer: WriterProbeResult | null = null;
  let statements: WriterProbeResult | null = null;
  let small: WriterProbeResult | null = null;
  let placeholders: PlaceholderProbe[] = [];
  let connection: ConnectionProbe | null = null;
  const diagErrors: string[] = [];
  // The app's writer with as many jobs in flight as the load has connections, the same with 5 in
  // flight (smaller group commits), and the same sending statement by statement (timed each).
  const probes = [
    { key: "app", executor: "app", inFlight: s.connections, events: s.writerEvents },
    { key: "small", executor: "app", inFlight: 5, events: Math.round(s.writerEvents / 2) },
    { key: "statements", executor: "statements", inFlight: s.connections, events: s.writerEvents },
  ] as const;
  for (const probe of probes) {
    try {
      const url = await freshSqlite(ctx, `writer-${probe.key}`);
      const result = await probeWriter(url, { events: probe.events, inFlight: probe.inFlight, shopId: 1, executor: probe.executor });
      const storedRows = await countEvents(url, 1);
      if (storedRows !== result.events) throw new Error(`stored ${storedRows} of ${result.events} events`);
      if (probe.key === "app") writer = result;
      else if (probe.key === "small") small = result;
      else statements = result;
    } catch (e) {
      diagErrors.push(`writer probe (${probe.key}): ${e instanceof Error ? e.message : e}`);
    }
  }
  try {
    placeholders = await placeholderProbe(await freshSqlite(ctx, "placeholders"));
    connection = await connectionProbe(await freshSqlite(ctx, "connection"));
  } catch (e) {
    diagErrors.push(`driver probes: ${e instanceof Error ? e.message : e}`);
  }

  const storageRatio = ratio(peak.eventsPerSec, storage.eventsPerSec);
  const httpRatio = ratio(peak.reqPerSec, http.reqPerSec);
  const writerRatio = writer ? ratio(writer.eventsPerSec, storage.eventsPerSec) : null;
  const rows: RatioRow[] = [
    {
      section: title,
      metric: "events/s vs storage ceiling",
      ours: `${fmtInt(peak.eventsPerSec)} ev/s`,
      baseline: `${fmtInt(storage.eventsPerSec)} ev/s`,
      ratio: storageRatio,
      target: "≥ 0.5×",
      pass: storageRatio === null ? null : storageRatio >= 0.5,
    },
    {
      section: title,
      metric: "req/s vs HTTP ceiling",
      ours: `${fmtInt(peak.reqPerSec)} req/s`,
      baseline: `${fmtInt(http.reqPerSec)} req/s`,
      ratio: httpRatio,
      target: "",
      pass: null,
    },
    ...(writer
      ? [
          {
            section: title,
            metric: "writer alone (no HTTP) vs storage ceiling",
            ours: `${fmtInt(writer.eventsPerSec)} ev/s`,
            baseline: `${fmtInt(storage.eventsPerSec)} ev/s`,
            ratio: writerRatio,
            target: "",
            pass: null,
          },
        ]
      : []),
    ...(statements
      ? [
          {
            section: title,
            metric: "writer alone, statement by statement, vs storage ceiling",
            ours: `${fmtInt(statements.eventsPerSec)} ev/s`,
            baseline: `${fmtInt(storage.eventsPerSec)} ev/s`,
            ratio: ratio(statements.eventsPerSec, storage.eventsPerSec),
            target: "",
            pass: null,
          },
        ]
      : []),
    {
      section: title,
      metric: "p99 at 70 % of peak rate",
      ours: fmtMs(at70.latency.p99),
      baseline: "50 ms",
      ratio: ratio(at70.latency.p99, 50),
      target: "≤ 50 ms",
      pass: at70.acked > 0 ? at70.latency.p99 <= 50 : null,
    },
    {
      section: title,
      metric: "acknowledged events missing",
      ours: fmtInt(missing),
      baseline: `${fmtInt(ackEvents)} acked`,
      ratio: null,
      target: "0",
      pass: missing === 0,
    },
  ];

  const md: string[] = [
    `Real server process (production build) on a fresh migrated SQLite file, ${s.connections} keep-alive connections from autocannon on loopback ` +
      `(in the bench process, sharing the machine's CPUs with the server), runs of ${s.durationS} s after a ${s.warmupS} s warm-up. ` +
      `Each request is one visitor's batch of ${BATCH_EVENTS} compact events (page/product/collection views, scroll depth, video, cart, search, forms, ` +
      `some checkouts), unique event ids, a new visitor every second request. Server env: INGEST_IP_RPS/BURST and INGEST_SHOP_RPS/BURST = 1e9, INGEST_MAX_PENDING = 100000.`,
    "",
    runsTable([http, ...runs]),
    "",
    `- **HTTP ceiling** (bare \`node:http\`, reads + JSON.parse + 202): ${fmtInt(http.reqPerSec)} req/s, p50 ${fmtMs(http.latency.p50)}, p99 ${fmtMs(http.latency.p99)}. Ours at peak: ${fmtInt(peak.reqPerSec)} req/s = **${httpRatio === null ? "—" : httpRatio.toFixed(3)}×** the ceiling.`,
    `- **Storage ceiling** (bare insert loop, @libsql/client, 25,000-row transactions of 1,153-row INSERTs, same schema and PRAGMAs, event rows only): ` +
      `${fmtInt(storage.events)} events in ${storage.seconds.toFixed(2)} s = ${fmtInt(storage.eventsPerSec)} events/s. Ours at peak: ${fmtInt(peak.eventsPerSec)} events/s = **${storageRatio === null ? "—" : storageRatio.toFixed(3)}×** (target ≥ 0.5×). ` +
      `Ours also validates, sessionizes and writes VisitorSession rows, which the ceiling does not.`,
    `- **p99 at 70 % of peak** (${fmtInt(at70.overallRate ?? 0)} req/s offered): ${fmtMs(at70.latency.p99)} (target ≤ 50 ms); p50 ${fmtMs(at70.latency.p50)}.`,
    `- **Stored vs acknowledged**: ${fmtInt(ackEvents)} events acknowledged (202 answers × ${BATCH_EVENTS}, all runs incl. warm-up and one check request), ` +
      `${fmtInt(stored)} rows stored → **${fmtInt(missing)} acknowledged events missing**` +
      (unanswered > 0
        ? `; ${fmtInt(unanswered)} stored without an answer (requests cut off when a run ended: committed, the pixel would retry and the retry dedupes)`
        : "") +
      `. The answers' own \`accepted\` sum: ${fmtInt(ack.accepted + sanity)}.`,
  ];
  if (writer) md.push("", "#### The storage path alone", "", writerMarkdown(writer, storage.eventsPerSec));
  if (writer && small) {
    md.push(
      "",
      `Group size matters: with 5 jobs in flight instead of ${s.connections} the same writer commits ${fmtInt(small.events / Math.max(1, small.transactions))}-event groups ` +
        `and reaches ${fmtInt(small.eventsPerSec)} events/s (${fmtMs(small.commitMs.mean)} per group commit) ` +
        `against ${fmtInt(writer.eventsPerSec)} events/s with ${fmtInt(writer.events / Math.max(1, writer.transactions))}-event groups.`,
    );
  }
  if (statements) md.push("", writerMarkdown(statements, storage.eventsPerSec));
  if (placeholders.length > 0 || connection) md.push("", "#### Driver behaviour the writer depends on", "", probesMarkdown(placeholders, connection));
  if (profile) md.push("", "#### Where the server's time goes", "", profileMarkdown(profile));
  if (profileError) md.push("", `Profiling failed: ${profileError}`);
  for (const e of diagErrors) md.push("", `Diagnostic failed: ${e}`);
  ctx.shared.ingestProfile = profile;
  const findings = ingestFindings({ s, storage, http, peak, at70, missing, writer, small, statements, placeholders, connection, profile });
  return { title, rows, markdown: md.join("\n"), findings };
}

export function writerMarkdown(w: WriterProbeResult, ceiling: number | null, dialect: "sqlite" | "postgres" = "sqlite"): string {
  const speed =
    `${fmtInt(w.events)} events in ${w.seconds.toFixed(2)} s = **${fmtInt(w.eventsPerSec)} events/s**${ceiling ? ` (${(w.eventsPerSec / ceiling).toFixed(3)}× the storage ceiling)` : ""} ` +
    `in ${fmtInt(w.transactions)} group commits (${fmtInt(w.events / Math.max(1, w.transactions))} events each)`;
  const commits = `Group commits took ${fmtMs(w.commitMs.mean)} on average, ${fmtMs(w.commitMs.max)} at most.`;
  if (dialect === "sqlite" && w.executor === "app") {
    return (
      `\`IngestWriter\` on \`createSqlExecutor\` (the app's code, imported, as the server runs it), fed the same generated rows as 20-event jobs with as many in flight as the load's connections, no HTTP: ` +
      `${speed}. Each group commit is one message to the SQLite thread, which runs the writer's statements itself (ingest/write-group-procedure.ts). ${commits}`
    );
  }
  const stmtMs = w.statements.reduce((a, s) => a + s.ms, 0);
  const total = stmtMs + w.jsMs;
  const pct = (x: number) => `${((x / total) * 100).toFixed(1)} %`;
  return [
    dialect === "sqlite"
      ? `Statement by statement (the same writer and executor without the SQLite procedure, so each statement is a round trip to the SQLite thread, as it is to PostgreSQL): ${speed}. Each statement timed through a wrapper around the executor:`
      : `\`IngestWriter\` on \`createSqlExecutor\` (the app's code, imported), fed the same generated rows as 20-event jobs with as many in flight as the load's connections, no HTTP: ${speed}. Each statement timed through a wrapper around the executor:`,
    "",
    markdownTable(
      ["statement", "count", "total", "per statement", "share"],
      [
        ...w.statements.map((s) => [s.kind, fmtInt(s.count), fmtMs(s.ms), fmtMs(s.ms / s.count), pct(s.ms)]),
        ["(the writer's own JS between statements)", "", fmtMs(w.jsMs), "", pct(w.jsMs)],
      ],
    ),
    "",
    commits + (dialect === "sqlite" ? "" : " Every statement is a round trip to PostgreSQL, made one after another inside the group's transaction."),
  ].join("\n");
}

export function probesMarkdown(placeholders: readonly PlaceholderProbe[], c: ConnectionProbe | null): string {
  const out: string[] = [];
  if (placeholders.length > 0) {
    out.push(
      'Multi-row `INSERT INTO "Event"` of generated rows, one transaction of 2,000 rows per cell, per row: numbered placeholders ' +
        "(`?1, ?2, …`: what the writer's `$n` become through `toSqlite` in db/executor.ts) against plain `?`:",
      "",
      markdownTable(
        ["rows per statement", "parameters", "numbered ?NNN", "plain ?", "numbered ÷ plain"],
        placeholders.map((p) => [
          fmtInt(p.rowsPerStatement),
          fmtInt(p.rowsPerStatement * 26),
          `${p.numberedUsPerRow.toFixed(0)} µs/row`,
          `${p.plainUsPerRow.toFixed(0)} µs/row`,
          `${(p.numberedUsPerRow / p.plainUsPerRow).toFixed(1)}×`,
        ]),
      ),
    );
  }
  if (c) {
    const same = c.app.after.synchronous === c.app.before.synchronous && c.app.after.busyTimeout === c.app.before.busyTimeout;
    out.push(
      "",
      `Connection settings through the app's executor (\`createSqlExecutor\`): synchronous = ${c.app.before.synchronous}, busy_timeout = ${c.app.before.busyTimeout} before its first group commit, ` +
        `synchronous = ${c.app.after.synchronous}, busy_timeout = ${c.app.after.busyTimeout} after two (${same ? "kept" : "**lost**"}). ` +
        `For comparison, the driver's own \`client.transaction()\` leaves the client on a new connection with synchronous = ${c.driverAfterTransaction.synchronous}, busy_timeout = ${c.driverAfterTransaction.busyTimeout}, ` +
        `and a small write transaction costs ${c.txMs.toFixed(2)} ms through it against ${c.beginCommitMs.toFixed(2)} ms as BEGIN/COMMIT on one connection.`,
    );
  }
  return out.join("\n");
}

/** Targets missed, with the measured causes (nothing when every target is met). */
export function ingestFindings(m: {
  s: IngestSettings;
  storage: { eventsPerSec: number };
  http: LoadResult;
  peak: LoadResult;
  at70: LoadResult;
  missing: number;
  writer: WriterProbeResult | null;
  small: WriterProbeResult | null;
  statements: WriterProbeResult | null;
  placeholders: PlaceholderProbe[];
  connection: ConnectionProbe | null;
  profile: ServerProfile | null;
}): string[] {
  const out: string[] = [];
  const r = m.peak.eventsPerSec / m.storage.eventsPerSec;
  const serverCpu = m.peak.cpu?.server ?? null;
  if (r < 0.5) {
    const parts = [
      `events/s target missed: ${fmtInt(m.peak.eventsPerSec)} events/s at peak = ${r.toFixed(3)}× the storage ceiling (${fmtInt(m.storage.eventsPerSec)}), target ≥ 0.5×` +
        (serverCpu !== null ? `; the server used ${Math.round(serverCpu * 100)} % of a core meanwhile` : "") +
        `. HTTP is not the limit (the bare HTTP server answered ${fmtInt(m.http.reqPerSec)} req/s = ${fmtInt(m.http.eventsPerSec)} events/s on the same machine).`,
    ];
    if (m.writer) {
      const insert = m.statements?.statements.find((x) => x.kind === "INSERT Event");
      const total = m.statements ? m.statements.statements.reduce((a, x) => a + x.ms, 0) + m.statements.jsMs : 0;
      parts.push(
        `The storage path is the limit: the app's writer alone, without HTTP, stores ${fmtInt(m.writer.eventsPerSec)} events/s (${(m.writer.eventsPerSec / m.storage.eventsPerSec).toFixed(3)}× the ceiling)` +
          (insert && m.statements
            ? `, and \`INSERT INTO "Event"\` is ${((insert.ms / total) * 100).toFixed(0)} % of its time statement by statement (${fmtMs(insert.ms / insert.count)} per statement)`
            : "") +
          (m.small
            ? `; with smaller groups (5 jobs in flight) it stores ${fmtInt(m.small.eventsPerSec)} events/s, so the busier the endpoint, the bigger the group commit and the cheaper each event`
            : "") +
          ".",
      );
    }
    const big = m.placeholders[m.placeholders.length - 1];
    const little = m.placeholders[0];
    if (big && little) {
      parts.push(
        `Numbered \`?NNN\` placeholders would cost ${big.numberedUsPerRow.toFixed(0)} µs per row in a ${fmtInt(big.rowsPerStatement)}-row INSERT against ${big.plainUsPerRow.toFixed(0)} µs with plain \`?\` ` +
          `(${(big.numberedUsPerRow / big.plainUsPerRow).toFixed(0)}×; ${(little.numberedUsPerRow / little.plainUsPerRow).toFixed(1)}× at ${fmtInt(little.rowsPerStatement)} rows); ` +
          `the app's \`toSqlite\` writes plain \`?\` whenever the \`$n\` appear once each in order, as in every multi-row INSERT.`,
      );
    }
    if (m.statements && m.writer) {
      parts.push(
        `Statement by statement (a round trip to the SQLite thread each, as to PostgreSQL) the same writer stores ${fmtInt(m.statements.eventsPerSec)} events/s ` +
          `(${(m.statements.eventsPerSec / m.writer.eventsPerSec).toFixed(2)}× the app's one message per group commit).`,
      );
    }
    out.push(parts.join(" "));
  }
  if (
    m.connection &&
    (m.connection.app.after.synchronous !== m.connection.app.before.synchronous || m.connection.app.after.busyTimeout !== m.connection.app.before.busyTimeout)
  ) {
    out.push(
      `the executor's connection settings are lost after group commits: \`PRAGMA synchronous=NORMAL\` / \`busy_timeout=5000\` read back as synchronous=${m.connection.app.after.synchronous} ` +
        `and busy_timeout=${m.connection.app.after.busyTimeout} (@libsql/client's local \`transaction()\` hands the connection to the transaction and opens a new one with defaults: ` +
        `the WAL is then synced on every commit, and a commit that meets a Prisma write fails at once with SQLITE_BUSY instead of waiting).`,
    );
  }
  if (m.at70.acked > 0 && m.at70.latency.p99 > 50) {
    out.push(
      `p99 at 70 % of peak is ${fmtMs(m.at70.latency.p99)} (target ≤ 50 ms, p50 ${fmtMs(m.at70.latency.p50)}). A 202 waits for its group commit: ` +
        `a request that arrives while one runs waits for it to end and for the next one` +
        (m.writer ? ` (writer probe: ${fmtMs(m.writer.commitMs.mean)} per commit on average, ${fmtMs(m.writer.commitMs.max)} at most)` : "") +
        `, so latency is bounded below by about two commits; faster commits (above) shorten it.`,
    );
  }
  if (m.profile && (r < 0.5 || m.at70.latency.p99 > 50)) {
    const top = m.profile.self
      .slice(0, 4)
      .map((e) => `${e.name} ${(e.share * 100).toFixed(0)} %`)
      .join(", ");
    const areas = m.profile.areas
      .slice(0, 3)
      .map((e) => `${e.name} ${(e.share * 100).toFixed(0)} %`)
      .join(", ");
    out.push(
      `server CPU profile (node --cpu-prof, peak load): hottest functions ${top}; by area ${areas}; the SQLite threads were busy ${m.profile.sqliteThreadsBusyMs.map(fmtMs).join(", ")} of the run.`,
    );
  }
  if (m.missing > 0) out.push(`${fmtInt(m.missing)} acknowledged events are missing from the database: a 202 was sent for events that were not committed.`);
  return out;
}

async function freshSqliteUrl(ctx: BenchContext, name: string): Promise<string> {
  return `file:${path.join(ctx.tmp, `${name}-${Date.now().toString(36)}.sqlite`)}`;
}

/** A fresh migrated SQLite file (no shop). */
async function freshSqlite(ctx: BenchContext, name: string): Promise<string> {
  const { migrate } = await import("../scripts/lib/migrate");
  const url = await freshSqliteUrl(ctx, name);
  await migrate(url, { quiet: true });
  return url;
}
