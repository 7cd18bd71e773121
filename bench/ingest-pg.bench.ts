/**
 * Ingest on PostgreSQL: the same endpoint and load as the SQLite section, on a fresh
 * database of a throwaway PostgreSQL server; then "two ingestion processes on
 * PostgreSQL beat one": two server processes on the same database (different ports),
 * the same total load split between them.
 */
import os from "node:os";
import { createDatabase, pgVersion, startPgServer } from "../scripts/lib/pg-server";
import { onExit, startAppServer, type ServerProcess } from "./lib/app-process";
import { clusterCpuSeconds } from "./lib/cpu";
import { sampleWaits, waitsText } from "./lib/pg-waits";
import { loadNow } from "./lib/machine";
import { acknowledged, bodiesFor, checkOneBatch, prepareIngestDb, runsTable, settledCount } from "./lib/ingest-common";
import { runLoad, type LoadResult } from "./lib/load";
import { fmtInt, fmtMs, ratio, sizeFromEnv, type RatioRow } from "./lib/stats";
import type { BenchContext, SectionResult } from "./lib/types";
import { ingestSettings, writerMarkdown } from "./ingest.bench";
import { migrate } from "../scripts/lib/migrate";
import { countEvents } from "./lib/ingest-common";
import { cpuText } from "./lib/cpu";
import { probeWriter, type WriterProbeResult } from "./lib/writer-probe";

/** Sums two simultaneous runs into one figure (latencies: the worse of the two). */
function combine(label: string, a: LoadResult, b: LoadResult): LoadResult {
  const status: Record<string, number> = { ...a.status };
  for (const [c, n] of Object.entries(b.status)) status[c] = (status[c] ?? 0) + n;
  return {
    label,
    durationS: Math.max(a.durationS, b.durationS),
    connections: a.connections + b.connections,
    overallRate: null,
    status,
    acked: a.acked + b.acked,
    acceptedEvents: a.acceptedEvents + b.acceptedEvents,
    reqPerSec: a.reqPerSec + b.reqPerSec,
    eventsPerSec: a.eventsPerSec + b.eventsPerSec,
    latency: {
      mean: (a.latency.mean * a.acked + b.latency.mean * b.acked) / Math.max(1, a.acked + b.acked),
      p50: Math.max(a.latency.p50, b.latency.p50),
      p90: Math.max(a.latency.p90, b.latency.p90),
      p99: Math.max(a.latency.p99, b.latency.p99),
      max: Math.max(a.latency.max, b.latency.max),
    },
    errors: a.errors + b.errors,
    timeouts: a.timeouts + b.timeouts,
    cpu: a.cpu,
  };
}

export async function ingestPgSection(ctx: BenchContext): Promise<SectionResult> {
  const s = ingestSettings(ctx.quick);
  const title = "Ingest (PostgreSQL)";
  const port = sizeFromEnv(process.env.BENCH_PG_PORT, 54360);
  ctx.log(`${title}: PostgreSQL ${pgVersion()} on port ${port}; ${s.connections} connections, ${s.durationS} s runs`);
  const pg = startPgServer(port);
  const forget = onExit(() => pg.stop());
  const servers: ServerProcess[] = [];
  try {
    // Each phase on a fresh database of its own, so both start from the same (empty) state.
    const target = await prepareIngestDb(await createDatabase(pg.baseUrl, `bench_ingest1_${Date.now().toString(36)}`));
    const target2 = await prepareIngestDb(await createDatabase(pg.baseUrl, `bench_ingest2_${Date.now().toString(36)}`));
    const bodies = bodiesFor(target, `g${Date.now().toString(36)}`);
    const runs: LoadResult[] = [];
    const runs2: LoadResult[] = [];
    const pgCpu = () => clusterCpuSeconds(`/tmp/mc-pg-${port}/data`);

    // One process.
    const first = await startAppServer({ appDir: ctx.appDir, dbUrl: target.dbUrl });
    servers.push(first);
    const sanity = await checkOneBatch(first.url, bodies);
    runs.push(await runLoad({ label: "1 process: warm-up", url: first.url, bodies, connections: s.connections, durationS: s.warmupS }));
    const waitsOneSampler = await sampleWaits(target.dbUrl);
    const one = await runLoad({
      label: "1 process",
      url: first.url,
      bodies,
      connections: s.connections,
      durationS: s.durationS,
      cpuPids: { server: first.pid, PostgreSQL: pgCpu },
    });
    runs.push(one);
    const waitsOne = await waitsOneSampler.stop();
    await first.stop();
    servers.splice(0);
    const stored = await settledCount(target.dbUrl, target.shopId);

    // Two processes on one (fresh) database, the load split between them.
    const bodies2 = bodiesFor(target2, `k${Date.now().toString(36)}`);
    const pA = await startAppServer({ appDir: ctx.appDir, dbUrl: target2.dbUrl });
    const pB = await startAppServer({ appDir: ctx.appDir, dbUrl: target2.dbUrl });
    servers.push(pA, pB);
    const half = Math.max(1, Math.floor(s.connections / 2));
    // By default both processes draw from one stream of requests, so a visitor's two batches may land on
    // different processes (as behind a load balancer); BENCH_PG_SPLIT=visitor gives each process its own visitors.
    const byVisitor = process.env.BENCH_PG_SPLIT === "visitor";
    const bodiesB = byVisitor ? bodiesFor(target2, `h${Date.now().toString(36)}`) : bodies2;
    const sanity2 = await checkOneBatch(pA.url, bodies2);
    runs2.push(
      ...(await Promise.all([
        runLoad({ label: "2 processes: warm-up A", url: pA.url, bodies: bodies2, connections: half, durationS: s.warmupS }),
        runLoad({ label: "2 processes: warm-up B", url: pB.url, bodies: bodiesB, connections: s.connections - half, durationS: s.warmupS }),
      ])),
    );
    const waitsTwoSampler = await sampleWaits(target2.dbUrl);
    const [a, b] = await Promise.all([
      runLoad({
        label: "2 processes: A",
        url: pA.url,
        bodies: bodies2,
        connections: half,
        durationS: s.durationS,
        cpuPids: { "server A": pA.pid, "server B": pB.pid, PostgreSQL: pgCpu },
      }),
      runLoad({ label: "2 processes: B", url: pB.url, bodies: bodiesB, connections: s.connections - half, durationS: s.durationS }),
    ]);
    const waitsTwo = await waitsTwoSampler.stop();
    runs2.push(a, b);
    const two = combine("2 processes (A + B)", a, b);

    for (const server of servers.splice(0)) await server.stop();
    const stored2 = await settledCount(target2.dbUrl, target2.shopId);
    const ackEvents = acknowledged(runs).events + sanity + acknowledged(runs2).events + sanity2;
    const storedAll = stored + stored2;
    const missing = Math.max(0, acknowledged(runs).events + sanity - stored) + Math.max(0, acknowledged(runs2).events + sanity2 - stored2);
    const unanswered = Math.max(0, storedAll - ackEvents);

    // The writer alone on PostgreSQL, statements timed (as in the SQLite section).
    let writer: WriterProbeResult | null = null;
    let writerError: string | null = null;
    try {
      const url = await createDatabase(pg.baseUrl, `bench_writer_${Date.now().toString(36)}`);
      await migrate(url, { quiet: true });
      writer = await probeWriter(url, { events: s.writerEvents, inFlight: s.connections, shopId: 1 });
      const storedRows = await countEvents(url, 1);
      if (storedRows !== writer.events) throw new Error(`stored ${storedRows} of ${writer.events} events`);
    } catch (e) {
      writerError = e instanceof Error ? e.message : String(e);
    }

    const http = ctx.shared.httpCeiling as LoadResult | undefined;
    const twoVsOne = ratio(two.eventsPerSec, one.eventsPerSec);
    const rows: RatioRow[] = [
      {
        section: title,
        metric: "events/s, 1 process (vs HTTP ceiling req/s)",
        ours: `${fmtInt(one.eventsPerSec)} ev/s`,
        baseline: http ? `${fmtInt(http.reqPerSec)} req/s` : "(ingest section not run)",
        ratio: ratio(one.reqPerSec, http?.reqPerSec),
        target: "",
        pass: null,
      },
      {
        section: title,
        metric: "2 processes ÷ 1 process (events/s)",
        ours: `${fmtInt(two.eventsPerSec)} ev/s`,
        baseline: `${fmtInt(one.eventsPerSec)} ev/s`,
        ratio: twoVsOne,
        target: "> 1×",
        pass: twoVsOne === null ? null : twoVsOne > 1,
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
    const md = [
      `The same endpoint and load as the SQLite section on a fresh database of a throwaway PostgreSQL ${pgVersion()} server ` +
        `(\`scripts/lib/pg-server.ts\`: local, \`fsync=off\` — commits are not flushed to disk, so this is the CPU and protocol cost, not the disk's), ` +
        `pool of 4 connections per process (db/executor.ts). Two processes: two servers on one database (a fresh one, so both phases start empty) on different ports, ` +
        `the ${s.connections} connections split ${half} + ${s.connections - half}, run at the same time` +
        (byVisitor
          ? " (BENCH_PG_SPLIT=visitor: each process gets its own visitors)."
          : " from one stream of requests, so a visitor's two batches can reach different processes, as behind a load balancer."),
      "",
      runsTable([...runs, ...runs2, two]),
      "",
      `- **1 process**: ${fmtInt(one.reqPerSec)} req/s, ${fmtInt(one.eventsPerSec)} events/s, p50 ${fmtMs(one.latency.p50)}, p99 ${fmtMs(one.latency.p99)}` +
        (http ? ` (${(one.reqPerSec / http.reqPerSec).toFixed(3)}× the HTTP ceiling measured in the SQLite section).` : "."),
      `- **2 processes**: ${fmtInt(two.reqPerSec)} req/s, ${fmtInt(two.eventsPerSec)} events/s = **${twoVsOne === null ? "—" : twoVsOne.toFixed(2)}×** one process ` +
        `(target > 1×). The load generator, both servers and PostgreSQL share this machine's ${os.cpus().length} cores.`,
      `- **Stored vs acknowledged** (both databases): ${fmtInt(ackEvents)} acknowledged, ${fmtInt(storedAll)} stored → **${fmtInt(missing)} missing**` +
        (unanswered > 0 ? `; ${fmtInt(unanswered)} stored without an answer (cut off at the end of a run)` : "") +
        ".",
      `- **What PostgreSQL's backends were doing** (pg_stat_activity every 100 ms, busy backends only) — one process: ${waitsText(waitsOne)}; two processes: ${waitsText(waitsTwo)}.`,
    ];
    if (writer) md.push("", "#### The storage path alone", "", writerMarkdown(writer, null, "postgres"));
    if (writerError) md.push("", `Writer probe failed: ${writerError}`);
    const findings: string[] = [];
    if (twoVsOne !== null && twoVsOne <= 1) {
      const cores = os.cpus().length;
      const cpuTwo = a.cpu
        ? Object.entries(a.cpu)
            .map(([k, v]) => `${k} ${v === null ? "—" : `${Math.round(v * 100)} %`}`)
            .join(", ")
        : "";
      // Statements per resessionized visitor: one "overlapping sessions" query starts each.
      const visits = writer?.statements.find((x) => x.kind === "SELECT VisitorSession (overlapping)")?.count ?? 0;
      const perVisitor =
        writer && visits > 0
          ? writer.statements
              .filter((x) => !x.kind.startsWith("INSERT Event") && !x.kind.startsWith("commit") && !x.kind.startsWith("transaction"))
              .reduce((acc, x) => acc + x.count, 0) / visits
          : null;
      const used = Object.values(a.cpu ?? {}).reduce<number>((acc, v) => acc + (v ?? 0), 0);
      const load = loadNow();
      findings.push(
        `two processes do not beat one here: ${fmtInt(two.eventsPerSec)} against ${fmtInt(one.eventsPerSec)} events/s (${twoVsOne.toFixed(2)}×). ` +
          `CPU during the runs (share of one core) — one process: ${one.cpu ? cpuText(one.cpu) : "—"}; two: ${cpuTwo || "—"}. ` +
          (used >= 0.8 * cores
            ? `Together that is ${Math.round(used * 100)} % of this machine's ${cores} cores: the machine is CPU-bound, so a second process adds contention, not capacity.`
            : `Together that is ${Math.round(used * 100)} % of this machine's ${cores} cores, so the servers are mostly waiting, not computing` +
              (perVisitor !== null
                ? `: each group commit makes about ${perVisitor.toFixed(1)} sequential round trips per visitor to PostgreSQL inside one transaction (resessionizing, see the statement table), and a second process does not shorten anyone's chain of round trips`
                : "") +
              `; with the machine's load average at ${load} on ${cores} cores, every round trip also waits to be scheduled.`) +
          ` PostgreSQL's backends meanwhile — one process: ${waitsText(waitsOne, 3)}; two: ${waitsText(waitsTwo, 3)}.` +
          ` Re-measure on an idle machine with more cores than processes before concluding.`,
      );
    }
    if (missing > 0) findings.push(`${fmtInt(missing)} acknowledged events are missing from the database.`);
    return { title, rows, markdown: md.join("\n"), findings };
  } finally {
    for (const server of servers) await server.stop();
    pg.stop();
    forget();
  }
}
