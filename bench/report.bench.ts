/**
 * REPORTS — a 4-step funnel over 30 days of N events per shop, our paths against DuckDB.
 *
 * N events / ~N/10 sessions for one shop (and a second shop of the same size, so the shop
 * filter matters) generated straight into a migrated SQLite file with the app's driver in
 * large transactions, then the shops' funnel results precomputed by the app's own
 * refresher (app/services/funnel-results/refresh.server.ts, the same code the server runs after
 * ingestion; timed), all cached in .tmp/bench/report-cache between runs. Timed in the same
 * run: the report from the precomputed rows (what the admin serves), the report from the
 * events (the fallback while a funnel builds), and the equivalent query in DuckDB over the
 * same events in memory. Both of our reports must be identical; step counts must equal
 * DuckDB's. Targets: ≤ 1.5× DuckDB and ≤ 1 s.
 * The same on a real PostgreSQL server at BENCH_REPORT_PG_EVENTS per shop.
 * Size: BENCH_REPORT_EVENTS (default 10,000,000; --quick 200,000); BENCH_REPORT_PG_EVENTS
 * (default 1,000,000; --quick 100,000).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import path from "node:path";
import { createDb } from "../db/prisma";
import { unitDayReport } from "../app/services/funnel-results/read.server";
import { refreshShop } from "../app/services/funnel-results/refresh.server";
import { loadFunnelStream } from "../app/services/funnel-results/events-sql.server";
import { funnelAggregateSql, reportFromStream } from "../app/services/funnel-results/events-report.server";
import type { FunnelParams, FunnelReport } from "../core/funnel";
import type { FunnelDefinition } from "../core/types";
import { createSqlExecutor, createSqlReader } from "../db/executor";
import { ensureDemoShop } from "../scripts/lib/demo-shop";
import { migrate } from "../scripts/lib/migrate";
import { createDatabase, pgVersion, startPgServer } from "../scripts/lib/pg-server";
import { duckFunnel, loadDuck, openDuck, type DuckFunnel } from "./lib/duckdb-funnel";
import { progress } from "./lib/progress";
import { fmtInt, fmtMs, markdownTable, median, ratio, sizeFromEnv, type RatioRow } from "./lib/stats";
import { FUNNEL_STEPS, writePostgres, writeSqlite, type SynthOptions } from "./lib/synth-events";
import type { BenchContext, SectionResult } from "./lib/types";

/** Bump when the generator or the stored results change: cached data sets of another version are rebuilt. */
export const DATA_VERSION = 3;
const DAY = 86_400_000;
/** A fixed "now": cached data stays valid, and the report always covers the same 30 days. */
export const REPORT_TO = Date.UTC(2026, 0, 31);

export const REPORT_FUNNEL: FunnelDefinition = {
  unit: "session",
  windowMs: 7 * DAY,
  steps: FUNNEL_STEPS.map((event, i) => ({ label: ["Viewed product", "Added to cart", "Started checkout", "Purchased"][i], anyOf: [{ event, filters: [] }] })),
};
export const funnelId = (shopId: number) => `bench-funnel-${shopId}`;

export const shopOptions = (events: number): SynthOptions[] => [
  { shopId: 1, events, to: REPORT_TO, seed: 101, tag: "a" },
  { shopId: 2, events, to: REPORT_TO, seed: 202, tag: "b" },
];

/** Migrates a fresh database and adds the two shops (SQLite or PostgreSQL). */
export async function migrateWithShops(url: string): Promise<void> {
  await migrate(url, { quiet: true });
  const { db } = createDb(url);
  try {
    // UTC: the report and DuckDB's query count UTC days.
    await ensureDemoShop(db, { domain: "bench-report-a.myshopify.com", ingestKey: "ik_bench_report_a", timeZone: "UTC" });
    await ensureDemoShop(db, { domain: "bench-report-b.myshopify.com", ingestKey: "ik_bench_report_b", timeZone: "UTC" });
  } finally {
    await db.$disconnect();
  }
}

/** The SQLite data set: reused when a complete one of this size and generator version exists. */
export async function reportDataset(
  ctx: BenchContext,
  events: number,
): Promise<{ url: string; reused: boolean; seconds: number; buildSeconds: number; sessions: number; rows: number }> {
  const dir = path.join(ctx.tmp, "report-cache");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `events-${events}-v${DATA_VERSION}.sqlite`);
  const marker = `${file}.json`;
  const url = `file:${file}`;
  if (existsSync(file) && existsSync(marker)) {
    const meta = JSON.parse(readFileSync(marker, "utf8")) as { sessions: number; rows: number; seconds: number; buildSeconds: number };
    await migrate(url, { quiet: true }); // indexes added since the data set was written
    // A migration that resets precomputed results (new columns) leaves them to rebuild.
    const rebuilt = await rebuildResultsIfReset(url, events);
    if (rebuilt !== null) {
      meta.buildSeconds = rebuilt;
      writeFileSync(marker, JSON.stringify({ ...meta, version: DATA_VERSION, created: new Date().toISOString() }));
    }
    return { url, reused: true, ...meta };
  }
  for (const f of [file, `${file}-wal`, `${file}-shm`, marker]) rmSync(f, { force: true });
  const started = Date.now();
  await migrateWithShops(url);
  let rows = 0;
  let sessions = 0;
  for (const opts of shopOptions(events)) {
    const p = progress(`report data set, shop ${opts.shopId} → SQLite`);
    const r = await writeSqlite(url, opts, (e, s) => p.update(`${fmtInt(e)}/${fmtInt(events)} events, ${fmtInt(s)} sessions`));
    p.done(`${fmtInt(r.events)} events, ${fmtInt(r.sessions)} sessions`);
    rows += r.events;
    if (opts.shopId === 1) sessions = r.sessions;
  }
  // The shops' funnel, precomputed by the app's refresher as after a merchant creates it.
  const buildSeconds = await buildResults(url, events);
  const seconds = (Date.now() - started) / 1000;
  const meta = { sessions, rows, seconds, buildSeconds };
  writeFileSync(marker, JSON.stringify({ ...meta, version: DATA_VERSION, created: new Date().toISOString() }));
  return { url, reused: false, ...meta };
}

/** Runs `fn` once untimed, then `times` timed; median ms. Fewer timed runs when one is slow. */
export async function timeIt<T>(label: string, times: number, fn: () => Promise<T>): Promise<{ ms: number; all: number[]; result: T }> {
  const p = progress(label);
  p.update("warm-up run");
  const w0 = performance.now();
  let result = await fn();
  const warmMs = performance.now() - w0;
  const n = warmMs > 30_000 ? 1 : times;
  const all: number[] = [];
  for (let i = 0; i < n; i++) {
    p.update(`timed run ${i + 1}/${n}`);
    const t = performance.now();
    result = await fn();
    all.push(performance.now() - t);
  }
  const ms = median(all)!;
  p.done(`median ${fmtMs(ms)} of ${n} (warm-up ${fmtMs(warmMs)})`);
  return { ms, all, result };
}

/** DuckDB over the same generated events (both shops), and its timed funnel query for shop 1. */
async function duckBaseline(
  events: number,
  params: FunnelParams,
  runs: number,
): Promise<{ loadS: number; timed: { ms: number; all: number[]; result: DuckFunnel } }> {
  const duck = await openDuck();
  try {
    const t = Date.now();
    for (const opts of shopOptions(events)) {
      const p = progress(`report data set, shop ${opts.shopId} → DuckDB`);
      const n = await loadDuck(duck.conn, opts, (e) => p.update(`${fmtInt(e)}/${fmtInt(events)} events`));
      p.done(`${fmtInt(n)} events`);
    }
    const loadS = (Date.now() - t) / 1000;
    return { loadS, timed: await timeIt("DuckDB funnel query", runs, () => duckFunnel(duck.conn, 1, params.from, params.to)) };
  } finally {
    duck.close();
  }
}

interface OurTimes {
  ours: { ms: number; all: number[]; result: FunnelReport };
  fromEvents: { ms: number; all: number[]; result: FunnelReport };
  split: { sqlMs: number; jsMs: number; units: number; events: number };
  unitDayRows: number;
}

/** Our two report paths on one database, timed the same way, plus where the fallback's time goes. */
async function timeOurPaths(url: string, label: string, params: FunnelParams, runs: number): Promise<OurTimes> {
  const { db, dialect } = createDb(url);
  const exec = createSqlExecutor(url);
  const reads = createSqlReader(url);
  try {
    const deps = { db, dialect, exec, reads };
    const ours = await timeIt(`${label}: report from precomputed funnel results`, runs, async () => {
      const r = await unitDayReport(deps, 1, funnelId(1), REPORT_FUNNEL, params);
      if (r.from !== "unit-days") throw new Error(`the precomputed results could not answer (${r.from}: funnel not ready?)`);
      return r.report;
    });
    const fromEvents = await timeIt(`${label}: report from the events (funnelAggregateSql)`, runs, () =>
      funnelAggregateSql(db, dialect, 1, REPORT_FUNNEL, params),
    );
    const t0 = performance.now();
    const units = await loadFunnelStream(db, dialect, 1, REPORT_FUNNEL, params);
    const t1 = performance.now();
    reportFromStream(units, REPORT_FUNNEL, params);
    const t2 = performance.now();
    const split = { sqlMs: t1 - t0, jsMs: t2 - t1, units: units.length, events: units.reduce((a, u) => a + u.events.length, 0) };
    const unitDayRows = await db.funnelUnitDay.count({ where: { shopId: 1, funnelId: funnelId(1) } });
    return { ours, fromEvents, split, unitDayRows };
  } finally {
    await Promise.all([exec.close(), reads.close()]);
    await db.$disconnect();
  }
}

/** Creates both shops' funnel and lets the app's refresher precompute it; returns seconds. */
/**
 * Rebuilds the shops' precomputed results when a migration since the data set was written
 * reset them (a funnel not "ready"): the funnels are dropped with their rows and built again
 * by the refresher. Answers the build's seconds, or null when the results were intact.
 */
export async function rebuildResultsIfReset(url: string, events: number): Promise<number | null> {
  const { db } = createDb(url);
  try {
    const ready = await db.funnel.count({ where: { resultsState: "ready" } });
    if (ready === shopOptions(events).length) return null;
    console.log(`  precomputed results were reset by a migration: rebuilding them`);
    await db.funnel.deleteMany({});
  } finally {
    await db.$disconnect();
  }
  return buildResults(url, events);
}

export async function buildResults(url: string, events: number): Promise<number> {
  const { db, dialect } = createDb(url);
  const exec = createSqlExecutor(url);
  try {
    const t = Date.now();
    for (const opts of shopOptions(events)) {
      await db.funnel.create({
        data: {
          id: funnelId(opts.shopId),
          shopId: opts.shopId,
          name: "Purchase",
          unit: REPORT_FUNNEL.unit,
          windowMinutes: REPORT_FUNNEL.windowMs / 60_000,
          isMain: true,
          steps: {
            create: REPORT_FUNNEL.steps.map((st, i) => ({ shopId: opts.shopId, position: i + 1, label: st.label, matchers: JSON.stringify(st.anyOf) })),
          },
        },
      });
      const p = progress(`precomputed funnel results, shop ${opts.shopId}`);
      const r = await refreshShop({ db, dialect, exec }, opts.shopId, { batch: 1_000, onProgress: (n) => p.update(`${fmtInt(n)} visitors`) });
      p.done(`${fmtInt(r.refreshed)} visitors`);
    }
    return (Date.now() - t) / 1000;
  } finally {
    await exec.close();
    await db.$disconnect();
  }
}

/**
 * The same report paths on a real PostgreSQL server (its own, started here), on a data
 * set of its own size: generated rows in with multi-row INSERTs, results precomputed by
 * the same refresher, then both paths against DuckDB over the same events.
 */
async function postgresPart(ctx: BenchContext, params: FunnelParams, runs: number) {
  const events = sizeFromEnv(process.env.BENCH_REPORT_PG_EVENTS, ctx.quick ? 100_000 : 1_000_000);
  const pg = startPgServer(sizeFromEnv(process.env.BENCH_PG_PORT, 54360) + 1);
  try {
    const url = await createDatabase(pg.baseUrl, `bench_report_${Date.now().toString(36)}`);
    await migrateWithShops(url);
    const t = Date.now();
    for (const opts of shopOptions(events)) {
      const p = progress(`PostgreSQL data set, shop ${opts.shopId}`);
      const r = await writePostgres(url, opts, (e, n) => p.update(`${fmtInt(e)}/${fmtInt(events)} events, ${fmtInt(n)} sessions`));
      p.done(`${fmtInt(r.events)} events, ${fmtInt(r.sessions)} sessions`);
    }
    const loadS = (Date.now() - t) / 1000;
    const buildS = await buildResults(url, events);
    const times = await timeOurPaths(url, "PostgreSQL", params, runs);
    const duck = await duckBaseline(events, params, runs);
    return { events, loadS, buildS, times, duck, version: pgVersion() };
  } finally {
    pg.stop();
  }
}

export async function reportSection(ctx: BenchContext): Promise<SectionResult> {
  const title = "Reports";
  const events = sizeFromEnv(process.env.BENCH_REPORT_EVENTS, ctx.quick ? 200_000 : 10_000_000);
  ctx.log(`${title}: ${fmtInt(events)} events per shop × 2 shops; 4-step session funnel over 30 days`);
  const data = await reportDataset(ctx, events);
  ctx.log(
    `  data set ${data.reused ? "reused from" : "written to"} ${path.relative(ctx.root, data.url.slice(5))} (${fmtInt(data.rows)} events, ${fmtInt(data.sessions)} sessions in shop 1; built in ${Math.round(data.seconds)} s, of which ${Math.round(data.buildSeconds)} s precomputing funnel results)`,
  );

  const from = REPORT_TO - 30 * DAY;
  const params: FunnelParams = { from, to: REPORT_TO, now: REPORT_TO, timeZone: "UTC" };
  const runs = 3;

  const duckRun = await duckBaseline(events, params, runs);
  const duckLoadS = duckRun.loadS;
  const duckResult = duckRun.timed;
  const { ours, fromEvents, split, unitDayRows } = await timeOurPaths(data.url, "SQLite", params, runs);
  const pgRun = await postgresPart(ctx, params, runs);

  const ourCounts = ours.result.steps.map((st) => st.count);
  const same = ourCounts.length === duckResult.result.counts.length && ourCounts.every((c, i) => c === duckResult.result.counts[i]);
  const identical = isDeepStrictEqual(ours.result, fromEvents.result);
  const r = ratio(ours.ms, duckResult.ms);
  const rEvents = ratio(fromEvents.ms, duckResult.ms);
  const eventsPerS = data.rows / Math.max(data.buildSeconds, 0.001);
  const rows: RatioRow[] = [
    {
      section: title,
      metric: "4-step funnel, 30 days: ours ÷ DuckDB",
      ours: fmtMs(ours.ms),
      baseline: fmtMs(duckResult.ms),
      ratio: r,
      target: "≤ 1.5×",
      pass: r === null ? null : r <= 1.5,
    },
    {
      section: title,
      metric: `4-step funnel, 30 days, ${fmtInt(events)} events`,
      ours: fmtMs(ours.ms),
      baseline: "1 s",
      ratio: ratio(ours.ms, 1000),
      target: "≤ 1 s",
      pass: ours.ms <= 1000,
    },
    {
      section: title,
      metric: "same report from the events (fallback while a funnel builds) ÷ DuckDB",
      ours: fmtMs(fromEvents.ms),
      baseline: fmtMs(duckResult.ms),
      ratio: rEvents,
      target: "",
      pass: null,
    },
    {
      section: title,
      metric: "precomputed report identical to the report from the events",
      ours: identical ? "identical" : "DIFFERENT",
      baseline: "",
      ratio: null,
      target: "identical",
      pass: identical,
    },
    {
      section: title,
      metric: "step counts equal DuckDB's",
      ours: ourCounts.map(fmtInt).join(" → "),
      baseline: duckResult.result.counts.map(fmtInt).join(" → "),
      ratio: null,
      target: "equal",
      pass: same,
    },
  ];
  // PostgreSQL: same paths, same checks.
  const pgT = pgRun.times;
  const pgCounts = pgT.ours.result.steps.map((st) => st.count);
  const pgSame = pgCounts.every((c, i) => c === pgRun.duck.timed.result.counts[i]);
  const pgIdentical = isDeepStrictEqual(pgT.ours.result, pgT.fromEvents.result);
  const pgR = ratio(pgT.ours.ms, pgRun.duck.timed.ms);
  rows.push(
    {
      section: title,
      metric: `PostgreSQL, ${fmtInt(pgRun.events)} events: precomputed ÷ DuckDB`,
      ours: fmtMs(pgT.ours.ms),
      baseline: fmtMs(pgRun.duck.timed.ms),
      ratio: pgR,
      target: "≤ 1.5×",
      pass: pgR === null ? null : pgR <= 1.5,
    },
    {
      section: title,
      metric: `PostgreSQL, ${fmtInt(pgRun.events)} events: from the events ÷ DuckDB`,
      ours: fmtMs(pgT.fromEvents.ms),
      baseline: fmtMs(pgRun.duck.timed.ms),
      ratio: ratio(pgT.fromEvents.ms, pgRun.duck.timed.ms),
      target: "",
      pass: null,
    },
    {
      section: title,
      metric: "PostgreSQL: precomputed identical to from-events; counts equal DuckDB's",
      ours: `${pgIdentical ? "identical" : "DIFFERENT"}; ${pgSame ? "equal" : "DIFFERENT"}`,
      baseline: "",
      ratio: null,
      target: "identical; equal",
      pass: pgIdentical && pgSame,
    },
  );
  const md = [
    `Data set: ${fmtInt(events)} generated events per shop × 2 shops (${fmtInt(data.sessions)} sessions in the measured shop; visitors with 1–4 sessions, ~10 events each: ` +
      `page views, scroll depth, and the purchase funnel), written with @libsql/client into a migrated SQLite file in large transactions ` +
      `(${data.reused ? `reused from an earlier run: cached in .tmp/bench/report-cache, built in ${Math.round(data.seconds)} s` : `${Math.round(data.seconds)} s`}), ` +
      `no ANALYZE (the app never runs it). DuckDB: the same rows (regenerated from the same seed) appended into an in-memory database in ${duckLoadS.toFixed(1)} s.`,
    "",
    `Precomputed funnel results: the app's refresher (\`refreshShop\` in app/services/funnel-results/refresh.server.ts — the code the server runs after ingestion and when a funnel is created) ` +
      `built both shops' funnel from all ${fmtInt(data.rows)} events in ${Math.round(data.buildSeconds)} s (${fmtInt(eventsPerS)} events/s, one process); ` +
      `the measured funnel holds ${fmtInt(unitDayRows)} rows (one per session and entry day with a step-1 event).`,
    "",
    `Funnel: product_viewed → product_added_to_cart → checkout_started → checkout_completed, unit session, 30 days ending ${new Date(REPORT_TO).toISOString().slice(0, 10)} (UTC). ` +
      `Ours: \`unitDayReport\` — what the admin serves: it reads the precomputed rows as of the refresher's progress (nothing waits here) through the reports' own read connections ` +
      `(units that stopped at step 1 counted per day in SQL, the rest read as rows) and builds the full report (counts, rates, leak, times to step) with the engine's code. ` +
      `From the events: \`funnelAggregateSql\`, the path used while a funnel's results are building. ` +
      `DuckDB: one query (bench/lib/duckdb-funnel.ts) computing the step counts and median times between steps. Median of ${runs} timed runs after one warm-up run each.`,
    "",
    markdownTable(
      ["", "ours: precomputed (SQLite)", "ours: from events (SQLite)", "DuckDB (in-memory)", "precomputed ÷ DuckDB"],
      [
        ["time (median)", fmtMs(ours.ms), fmtMs(fromEvents.ms), fmtMs(duckResult.ms), r === null ? "—" : `${r.toFixed(2)}×`],
        ["timed runs", ours.all.map(fmtMs).join(", "), fromEvents.all.map(fmtMs).join(", "), duckResult.all.map(fmtMs).join(", "), ""],
        ...ours.result.steps.map((st, i) => [
          `step ${i + 1} (${st.label})`,
          fmtInt(st.count),
          fmtInt(fromEvents.result.steps[i].count),
          fmtInt(duckResult.result.counts[i]),
          st.count === duckResult.result.counts[i] ? "equal" : "DIFFERENT",
        ]),
      ],
    ),
    "",
    (same
      ? "Step counts equal DuckDB's. "
      : "**The step counts differ from DuckDB's**: one of the two is not computing the funnel of docs/funnel-semantics.md. ") +
      (identical
        ? "The precomputed report is identical to the report from the events (every figure, deep equality)."
        : "**The precomputed report differs from the report from the events.**"),
    "",
    `Where the fallback's time goes (one more run, in two parts): the SQL part (\`loadFunnelStream\`) ${fmtMs(split.sqlMs)}, returning ${fmtInt(split.units)} units with ${fmtInt(split.events)} step events; ` +
      `the engine over that stream (\`reportFromStream\`) ${fmtMs(split.jsMs)}.`,
  ];
  md.push(
    "",
    `**PostgreSQL ${pgRun.version}** (a server of its own, default settings, fsync off as in the tests): ${fmtInt(pgRun.events)} events per shop × 2 shops loaded with multi-row INSERTs in ` +
      `${Math.round(pgRun.loadS)} s (then ANALYZE, as autovacuum would), results precomputed by the same refresher in ${Math.round(pgRun.buildS)} s; ` +
      `${fmtInt(pgT.unitDayRows)} rows for the measured funnel. DuckDB over the same events: ${fmtMs(pgRun.duck.timed.ms)}.`,
    "",
    markdownTable(
      ["", "ours: precomputed (PostgreSQL)", "ours: from events (PostgreSQL)", "DuckDB (in-memory)", "precomputed ÷ DuckDB"],
      [
        ["time (median)", fmtMs(pgT.ours.ms), fmtMs(pgT.fromEvents.ms), fmtMs(pgRun.duck.timed.ms), pgR === null ? "—" : `${pgR.toFixed(2)}×`],
        ["timed runs", pgT.ours.all.map(fmtMs).join(", "), pgT.fromEvents.all.map(fmtMs).join(", "), pgRun.duck.timed.all.map(fmtMs).join(", "), ""],
        ...pgT.ours.result.steps.map((st, i) => [
          `step ${i + 1} (${st.label})`,
          fmtInt(st.count),
          fmtInt(pgT.fromEvents.result.steps[i].count),
          fmtInt(pgRun.duck.timed.result.counts[i]),
          st.count === pgRun.duck.timed.result.counts[i] ? "equal" : "DIFFERENT",
        ]),
      ],
    ),
    "",
    `From the events on PostgreSQL: SQL part ${fmtMs(pgT.split.sqlMs)} (${fmtInt(pgT.split.units)} units, ${fmtInt(pgT.split.events)} step events), engine ${fmtMs(pgT.split.jsMs)}.`,
  );
  const findings: string[] = [];
  if (!pgIdentical || !pgSame) findings.push("on PostgreSQL the precomputed report differs from the report from the events or from DuckDB's counts.");
  if (pgR !== null && pgR > 1.5)
    findings.push(`on PostgreSQL the precomputed report takes ${fmtMs(pgT.ours.ms)} against DuckDB's ${fmtMs(pgRun.duck.timed.ms)} (${pgR.toFixed(1)}×).`);
  if ((r !== null && r > 1.5) || ours.ms > 1000) {
    findings.push(
      `the 4-step funnel over 30 days of ${fmtInt(events)} events takes ${fmtMs(ours.ms)} from the precomputed results against ${fmtMs(duckResult.ms)} in DuckDB ` +
        `(${r === null ? "—" : r.toFixed(1)}×; targets ≤ 1.5× and ≤ 1 s). The report reads ${fmtInt(unitDayRows)} precomputed rows through Prisma; see the table for the split.`,
    );
  }
  if (!same) findings.push("the step counts differ from DuckDB's equivalent query (see the table).");
  if (!identical) findings.push("the precomputed report differs from the report computed from the events.");
  return { title, rows, markdown: md.join("\n"), findings };
}
