/**
 * DIAGNOSIS — the report card's two diagnosis reads on the report data set (10 M events
 * per shop, bench/report.bench.ts), on SQLite and on PostgreSQL, at the funnel's biggest
 * leak:
 * - the segment scan: `unitDayBreakdowns` (app/services/diagnosis-reads.server.ts, one read
 *   of the precomputed rows grouped by every dimension) + `diagnoseStep` (core/diagnosis
 *   segments: two-proportion tests, Benjamini–Hochberg);
 * - "what they did instead": `stepPaths` (app/services/diagnosis-paths.server.ts: the
 *   candidate visitors from the precomputed rows, the events of a sample of ≤ 2,000 units
 *   a side, core/diagnosis/paths).
 * Same-run baseline: the report read of the same range (`unitDayReport`, what the admin
 * serves before either). Target: each ≤ 2 s at p95 (issue #22).
 *
 * The SQLite data set is the report section's (cached in .tmp/bench/report-cache). The
 * PostgreSQL one is the same generated rows on a server of its own whose files are cached
 * there too (report-cache/pg-<events>-v<version>), so a later run only starts it.
 * Sizes: BENCH_REPORT_EVENTS (SQLite, default 10,000,000; --quick 200,000),
 * BENCH_DIAGNOSIS_PG_EVENTS (PostgreSQL, default the same as SQLite), BENCH_DIAGNOSIS_RUNS
 * (timed runs per read, default 10; --quick 5).
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createDb } from "../db/prisma";
import { createSqlExecutor, createSqlReader } from "../db/executor";
import { unitDayReport } from "../app/services/funnel-results/read.server";
import { diagnoseStep, diagnosisDimensions, productTitles, type StepDiagnosis } from "../app/services/diagnosis.server";
import { unitDayUnits } from "../app/services/diagnosis-reads.server";
import { stepPaths } from "../app/services/diagnosis-paths.server";
import type { StepPaths } from "../core/diagnosis/paths";
import type { FunnelParams, FunnelReport } from "../core/funnel";
import { migrate } from "../scripts/lib/migrate";
import { createDatabase, pgVersion, startPgServer } from "../scripts/lib/pg-server";
import { progress } from "./lib/progress";
import { fmtInt, fmtMs, markdownTable, median, percentile, ratio, sizeFromEnv, type RatioRow } from "./lib/stats";
import { writePostgres } from "./lib/synth-events";
import type { BenchContext, SectionResult } from "./lib/types";
import {
  buildResults,
  DATA_VERSION,
  rebuildResultsIfReset,
  funnelId,
  migrateWithShops,
  REPORT_FUNNEL,
  REPORT_TO,
  reportDataset,
  shopOptions,
} from "./report.bench";

const DAY = 86_400_000;
const TARGET_MS = 2_000;

/** Statistics on the precomputed rows, as autovacuum would have gathered them by now. */
async function analyzeUnitDays(url: string) {
  const exec = createSqlExecutor(url);
  try {
    await exec.execute(`ANALYZE "FunnelUnitDay"`);
  } finally {
    await exec.close();
  }
}

/** The report data set on PostgreSQL, in a server whose files are kept between runs. */
export async function pgDataset(ctx: BenchContext, events: number) {
  const dir = path.join(ctx.tmp, "report-cache", `pg-${events}-v${DATA_VERSION}`);
  const marker = `${dir}.json`;
  // With PG_TEST_URL the server is that one (startPgServer), not these files: a fresh
  // database, no cache. Files without the marker are from a run that stopped half-way.
  const shared = Boolean(process.env.PG_TEST_URL);
  const cached = !shared && existsSync(marker);
  if (!shared && !cached) rmSync(dir, { recursive: true, force: true });
  const pg = startPgServer(sizeFromEnv(process.env.BENCH_PG_PORT, 54360) + 3, { dir });
  const name = shared ? `bench_diagnosis_${Date.now().toString(36)}` : "bench_report";
  const url = `${pg.baseUrl}/${name}`;
  try {
    if (cached) {
      await migrate(url, { quiet: true }); // indexes added since the data set was written
      const meta = JSON.parse(readFileSync(marker, "utf8")) as { loadS: number; buildS: number; sessions: number };
      // A migration that resets precomputed results (new columns) leaves them to rebuild.
      const rebuilt = await rebuildResultsIfReset(url, events);
      if (rebuilt !== null) {
        meta.buildS = rebuilt;
        await analyzeUnitDays(url);
        writeFileSync(marker, JSON.stringify({ ...meta, events, version: DATA_VERSION, created: new Date().toISOString() }));
      }
      return { pg, url, reused: true, ...meta };
    }
    await createDatabase(pg.baseUrl, name);
    await migrateWithShops(url);
    const t = Date.now();
    let sessions = 0;
    for (const opts of shopOptions(events)) {
      const p = progress(`PostgreSQL data set, shop ${opts.shopId}`);
      const r = await writePostgres(url, opts, (e, n) => p.update(`${fmtInt(e)}/${fmtInt(events)} events, ${fmtInt(n)} sessions`));
      p.done(`${fmtInt(r.events)} events, ${fmtInt(r.sessions)} sessions`);
      if (opts.shopId === 1) sessions = r.sessions;
    }
    const loadS = (Date.now() - t) / 1000;
    const buildS = await buildResults(url, events);
    await analyzeUnitDays(url);
    const meta = { loadS, buildS, sessions };
    if (!shared) writeFileSync(marker, JSON.stringify({ ...meta, events, version: DATA_VERSION, created: new Date().toISOString() }));
    return { pg, url, reused: false, ...meta };
  } catch (e) {
    pg.stop();
    throw e;
  }
}

interface Timed<T> {
  p50: number;
  p95: number;
  all: number[];
  result: T;
}

/** One warm-up run, then `runs` timed ones; p50 and p95 (nearest rank). */
async function timeRuns<T>(label: string, runs: number, fn: () => Promise<T>): Promise<Timed<T>> {
  const p = progress(label);
  p.update("warm-up run");
  const w0 = performance.now();
  let result = await fn();
  const warmMs = performance.now() - w0;
  const all: number[] = [];
  for (let i = 0; i < runs; i++) {
    p.update(`timed run ${i + 1}/${runs} (last ${fmtMs(all.at(-1) ?? warmMs)})`);
    const t = performance.now();
    result = await fn();
    all.push(performance.now() - t);
  }
  const p50 = median(all)!;
  const p95 = percentile(all, 95)!;
  p.done(`p50 ${fmtMs(p50)}, p95 ${fmtMs(p95)} of ${runs} (warm-up ${fmtMs(warmMs)})`);
  return { p50, p95, all, result };
}

interface DbTimes {
  label: string;
  events: number;
  report: Timed<FunnelReport>;
  step: number;
  scan: Timed<StepDiagnosis>;
  paths: Timed<StepPaths>;
  both: Timed<unknown>;
  unitDayRows: number;
}

/** The report read, then the segment scan and the paths at its biggest leak, on one database. */
async function timeDiagnosis(url: string, label: string, events: number, params: FunnelParams, runs: number, log: (m: string) => void): Promise<DbTimes> {
  const { db, dialect } = createDb(url);
  const reads = createSqlReader(url);
  try {
    const deps = { db, dialect, reads };
    const read = async () => {
      const r = await unitDayReport(deps, 1, funnelId(1), REPORT_FUNNEL, params);
      if (r.from !== "unit-days") throw new Error(`the precomputed results could not answer (${r.from}: funnel not ready?)`);
      return r.report;
    };
    const report = await timeRuns(`${label}: report read (baseline)`, runs, read);
    const leak = report.result.biggestLeak;
    if (!leak) throw new Error("the report has no biggest leak to diagnose");
    const step = leak.step;
    const at = report.result.steps[step - 1];
    const window = { from: params.from, to: params.to, now: params.now, timeZone: params.timeZone };
    const scan = async () => {
      // As the report page runs it: every unit with its dimensions, then singles and pairs.
      const dimensions = diagnosisDimensions(REPORT_FUNNEL, true);
      const units = await unitDayUnits(reads, 1, funnelId(1), REPORT_FUNNEL, window, { product: dimensions.includes("product") });
      return diagnoseStep(report.result.steps, step, true, units, dimensions, productTitles(REPORT_FUNNEL));
    };
    const paths = () =>
      stepPaths(reads, {
        shopId: 1,
        funnelId: funnelId(1),
        def: REPORT_FUNNEL,
        params: window,
        step,
        totals: { dropped: at.dropOff ?? 0, advanced: at.count },
        fromUnitDays: true,
      });
    log(`  ${label}: biggest leak at step ${step} (${at.label}): ${fmtInt(at.dropOff ?? 0)} settled drop-offs, ${fmtInt(at.count)} went on`);
    const scanT = await timeRuns(`${label}: segment scan at step ${step}`, runs, scan);
    const pathsT = await timeRuns(`${label}: paths at step ${step}`, runs, paths);
    // As the report page runs them: the report, then both diagnosis reads side by side.
    const both = await timeRuns(`${label}: report + scan + paths as the report page runs them`, runs, async () => {
      await read();
      return Promise.all([scan(), paths()]);
    });
    const unitDayRows = await db.funnelUnitDay.count({ where: { shopId: 1, funnelId: funnelId(1) } });
    return { label, events, report, step, scan: scanT, paths: pathsT, both, unitDayRows };
  } finally {
    await reads.close();
    await db.$disconnect();
  }
}

function rowsFor(title: string, t: DbTimes): RatioRow[] {
  const scan = t.scan.result;
  const paths = t.paths.result;
  const where = `${t.label}, ${fmtInt(t.events)} events`;
  const row = (what: string, timed: Timed<unknown>, counts: string): RatioRow[] => [
    {
      section: title,
      metric: `${where}: ${what}, p95 of ${timed.all.length} (${counts})`,
      ours: fmtMs(timed.p95),
      baseline: "2 s",
      ratio: ratio(timed.p95, TARGET_MS),
      target: "≤ 2 s",
      pass: timed.p95 <= TARGET_MS,
    },
    {
      section: title,
      metric: `${where}: ${what}, p50 ÷ report read p50`,
      ours: fmtMs(timed.p50),
      baseline: fmtMs(t.report.p50),
      ratio: ratio(timed.p50, t.report.p50),
      target: "",
      pass: null,
    },
  ];
  return [
    ...row(
      `segment scan at the biggest leak (step ${t.step})`,
      t.scan,
      `${fmtInt(scan.settled)} settled units scanned, ${fmtInt(scan.tested)} segments tested, ${fmtInt(scan.tooSmall)} too small`,
    ),
    ...row(
      `paths at the biggest leak (step ${t.step})`,
      t.paths,
      `${fmtInt(paths.dropped.sampled)} + ${fmtInt(paths.advanced.sampled)} units sampled of ${fmtInt(paths.dropped.total)} + ${fmtInt(paths.advanced.total)}`,
    ),
  ];
}

function tableFor(t: DbTimes): string {
  const cells = (x: Timed<unknown>) => [fmtMs(x.p50), fmtMs(x.p95), x.all.map(fmtMs).join(", ")];
  const scan = t.scan.result;
  const paths = t.paths.result;
  return markdownTable(
    ["read", "p50", "p95", "timed runs", "p50 ÷ report read", "counts"],
    [
      ["report read (baseline): `unitDayReport`", ...cells(t.report), "1×", `${fmtInt(t.report.result.totalUnits)} units in range`],
      [
        "segment scan: `unitDayBreakdowns` + `diagnoseStep`",
        ...cells(t.scan),
        `${(ratio(t.scan.p50, t.report.p50) ?? 0).toFixed(2)}×`,
        `${fmtInt(scan.settled)} settled units at step ${t.step} (${fmtInt(scan.dropOff)} dropped); ${fmtInt(scan.segments.length)} segments over ${scan.dimensions.length} dimensions, ` +
          `${fmtInt(scan.tested)} tested, ${fmtInt(scan.tooSmall)} too small; ${scan.worse.length} worse, ${scan.better.length} better`,
      ],
      [
        "paths: `stepPaths`",
        ...cells(t.paths),
        `${(ratio(t.paths.p50, t.report.p50) ?? 0).toFixed(2)}×`,
        `sampled ${fmtInt(paths.dropped.sampled)} of ${fmtInt(paths.dropped.total)} dropped (rate ${paths.dropped.rate.toFixed(3)}), ` +
          `${fmtInt(paths.advanced.sampled)} of ${fmtInt(paths.advanced.total)} went on (rate ${paths.advanced.rate.toFixed(3)})`,
      ],
      ["report, then scan and paths side by side (the report page)", ...cells(t.both), `${(ratio(t.both.p50, t.report.p50) ?? 0).toFixed(2)}×`, ""],
    ],
  );
}

export async function diagnosisSection(ctx: BenchContext): Promise<SectionResult> {
  const title = "Diagnosis reads";
  const events = sizeFromEnv(process.env.BENCH_REPORT_EVENTS, ctx.quick ? 200_000 : 10_000_000);
  const pgEvents = sizeFromEnv(process.env.BENCH_DIAGNOSIS_PG_EVENTS, events);
  const runs = sizeFromEnv(process.env.BENCH_DIAGNOSIS_RUNS, ctx.quick ? 5 : 10);
  const params: FunnelParams = { from: REPORT_TO - 30 * DAY, to: REPORT_TO, now: REPORT_TO, timeZone: "UTC" };
  ctx.log(`${title}: report data set, ${fmtInt(events)} events per shop on SQLite, ${fmtInt(pgEvents)} on PostgreSQL; ${runs} timed runs per read`);

  const data = await reportDataset(ctx, events);
  ctx.log(`  SQLite data set ${data.reused ? "reused" : `built in ${Math.round(data.seconds)} s`} (${path.relative(ctx.root, data.url.slice(5))})`);
  const sqlite = await timeDiagnosis(data.url, "SQLite", events, params, runs, ctx.log);

  const pgData = await pgDataset(ctx, pgEvents);
  let pg: DbTimes;
  try {
    ctx.log(
      `  PostgreSQL data set ${pgData.reused ? "reused" : "built"}: loaded in ${Math.round(pgData.loadS)} s, results precomputed in ${Math.round(pgData.buildS)} s`,
    );
    pg = await timeDiagnosis(pgData.url, "PostgreSQL", pgEvents, params, runs, ctx.log);
  } finally {
    pgData.pg.stop();
  }

  const rows = [...rowsFor(title, sqlite), ...rowsFor(title, pg)];
  const md = [
    `The report card's two diagnosis reads at the biggest leak of the Reports section's funnel (4 steps, unit session, 30 days ending ${new Date(REPORT_TO).toISOString().slice(0, 10)} UTC), ` +
      `on the Reports section's data set: ${fmtInt(events)} generated events per shop × 2 shops on SQLite (${fmtInt(data.sessions)} sessions in the measured shop; cached in .tmp/bench/report-cache), ` +
      `the same generated rows at ${fmtInt(pgEvents)} events per shop on PostgreSQL ${pgVersion()} (a server of its own, default settings, fsync off; ` +
      `${pgData.reused ? "its files reused from .tmp/bench/report-cache, where an earlier run" : "this run"} loaded them in ${Math.round(pgData.loadS)} s ` +
      `and precomputed the funnel results with the app's refresher in ${Math.round(pgData.buildS)} s).`,
    "",
    "Segment scan: `unitDayUnits` (app/services/diagnosis-reads.server.ts: the precomputed rows grouped by every dimension in one read) " +
      `then \`diagnoseStep\` (two-proportion tests, Benjamini–Hochberg over every segment of the ${diagnosisDimensions(REPORT_FUNNEL, true).length} dimensions and their pairs). ` +
      "Paths: `stepPaths` (app/services/diagnosis-paths.server.ts: candidate visitors from the precomputed rows, each side sampled to about 2,000 units by visitor hash, their events read, " +
      "core/diagnosis/paths over them). Baseline: the report read of the same range in the same run (`unitDayReport`, which the admin serves first and whose figures both reads start from). " +
      `Each read once untimed, then ${runs} timed runs one after another through the reports' read connections (\`createSqlReader\`); p95 is the nearest rank. Target: ≤ 2 s each (issue #22).`,
    "",
    `**SQLite** (${fmtInt(sqlite.unitDayRows)} precomputed rows for the funnel):`,
    "",
    tableFor(sqlite),
    "",
    `**PostgreSQL** (${fmtInt(pg.unitDayRows)} precomputed rows for the funnel):`,
    "",
    tableFor(pg),
  ];
  // Causes: what each read does that grows with the shop (docs/diagnosis.md, "Cost").
  const findings: string[] = [];
  for (const t of [sqlite, pg]) {
    if (t.scan.p95 > TARGET_MS)
      findings.push(
        `on ${t.label} at ${fmtInt(t.events)} events the segment scan takes ${fmtMs(t.scan.p95)} at p95 (p50 ${fmtMs(t.scan.p50)}; target ≤ 2 s). ` +
          `It groups every single-day precomputed row of the funnel (${fmtInt(t.unitDayRows)} rows in all) by furthest step and the ${diagnosisDimensions(REPORT_FUNNEL, true).length} attributes ` +
          `through the index kept in that order (the range's days are filtered inside it), where the report read (${fmtMs(t.report.p50)}) seeks the range's days. ` +
          `It grows with the shop's history; precomputed per-day counts per segment would bound it by days × segments.`,
      );
    if (t.paths.p95 > TARGET_MS)
      findings.push(
        `on ${t.label} at ${fmtInt(t.events)} events the paths take ${fmtMs(t.paths.p95)} at p95 (p50 ${fmtMs(t.paths.p50)}; target ≤ 2 s). ` +
          `Before the sample is read (${fmtInt(t.paths.result.dropped.sampled + t.paths.result.advanced.sampled)} units) every visitor with a unit at step ${t.step - 1} or further is listed ` +
          `from the precomputed rows and hashed in the app to pick the sample, which grows with the shop; a visitor-hash column in the precomputed rows, indexed, would let the read list the sampled visitors only.`,
      );
  }
  return { title, rows, markdown: md.join("\n"), findings };
}
