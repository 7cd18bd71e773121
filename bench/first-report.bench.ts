/**
 * REPORTS WHILE THE SERVER WORKS — the report JSON through the real server (production
 * build, its background refresher running), on SQLite and on PostgreSQL, N events in one
 * shop (BENCH_FIRST_REPORT_EVENTS, default 1,000,000; --quick 100,000):
 * - the first report after creating a funnel: 10 funnels created one after another in the
 *   builder (POST), each followed at once by its 30-day report; p95 of the 10 (target ≤ 1 s).
 *   Reports never wait for a build (they answer from the events for small ranges, else
 *   partially with the build's progress), while the refresher builds all of them meanwhile.
 * - a report while ingestion runs at 70 % of this server's peak /collect rate: the ready
 *   funnel's 30-day report asked 10 times; p95 (target ≤ 1 s).
 * Same-run baseline: the same report with the server idle (funnel ready, nothing ingesting).
 */
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { createDb } from "../db/prisma";
import { refreshShop } from "../app/services/funnel-results/refresh.server";
import { createSqlExecutor } from "../db/executor";
import { ensureDemoShop } from "../scripts/lib/demo-shop";
import { migrate } from "../scripts/lib/migrate";
import { createDatabase, startPgServer } from "../scripts/lib/pg-server";
import { adminHeaders, localShopify } from "./lib/admin-auth";
import { startAppServer, type ServerProcess } from "./lib/app-process";
import { collectBodies } from "./lib/collect-load";
import { runLoad, type LoadResult } from "./lib/load";
import { progress } from "./lib/progress";
import { fmtInt, fmtMs, markdownTable, median, percentile, ratio, sizeFromEnv, type RatioRow } from "./lib/stats";
import { FUNNEL_STEPS, writePostgres, writeSqlite } from "./lib/synth-events";
import type { BenchContext, SectionResult } from "./lib/types";

/** The data's fixed end (as the report section): the reports ask for its last 30 days as a custom range. */
const DATA_TO = Date.UTC(2026, 0, 31);
const RANGE = "from=2026-01-01&to=2026-01-30";
const SHOP = "bench-first-report.myshopify.com";
const INGEST_KEY = "ik_bench_first_report_000000000000000000000000";
const NEW_FUNNELS = 10;
const REPORTS_DURING_INGEST = 10;
const LABELS = ["Viewed product", "Added to cart", "Started checkout", "Purchased"];

/** The builder's definition of the n-th new funnel: the purchase funnel, session or visitor unit. */
const definition = (n: number) => ({
  name: `Bench funnel ${n + 1}`,
  unit: n % 2 === 0 ? "session" : "visitor",
  windowMinutes: 7 * 24 * 60,
  steps: FUNNEL_STEPS.slice(0, 2 + (n % 3)).map((event, i) => ({ label: LABELS[i], anyOf: [{ event, filters: [] }] })),
});

interface TimedReport {
  ms: number;
  resultsFrom: string;
  build: string;
}

interface DbRun {
  kind: "SQLite" | "PostgreSQL";
  events: number;
  loadS: number;
  buildS: number;
  idle: number[];
  first: TimedReport[];
  allBuiltS: number | null;
  peak: LoadResult;
  at70: LoadResult;
  during: TimedReport[];
}

async function timedReport(server: ServerProcess, funnelId: string): Promise<TimedReport> {
  const t = performance.now();
  const res = await fetch(`${server.url}/app/funnels/${encodeURIComponent(funnelId)}/report?${RANGE}`, { headers: adminHeaders(SHOP) });
  const text = await res.text();
  const ms = performance.now() - t;
  if (res.status !== 200) throw new Error(`report answered ${res.status}: ${text.slice(0, 300)}`);
  const json = JSON.parse(text) as { resultsFrom: string; build: { state: string; computed: number; visitors: number } | null };
  const build = json.build ? (json.build.state === "building" ? `${fmtInt(json.build.computed)}/${fmtInt(json.build.visitors)}` : json.build.state) : "ready";
  return { ms, resultsFrom: json.resultsFrom, build };
}

async function createFunnel(server: ServerProcess, n: number): Promise<string> {
  const res = await fetch(`${server.url}/app/funnels/new?_data=routes%2Fapp.funnels.new`, {
    method: "POST",
    headers: adminHeaders(SHOP),
    redirect: "manual",
    body: new URLSearchParams({ definition: JSON.stringify(definition(n)) }),
  });
  const location = res.headers.get("x-remix-redirect") ?? res.headers.get("location") ?? "";
  const m = /^\/app\/funnels\/([^/?]+)$/.exec(location);
  if (!m) throw new Error(`creating a funnel answered ${res.status} ${location}: ${(await res.text()).slice(0, 300)}`);
  return decodeURIComponent(m[1]);
}

/** One database: data set, the ready funnel, the server, then the two measurements. */
async function runOn(ctx: BenchContext, kind: DbRun["kind"], url: string, events: number): Promise<DbRun> {
  await migrate(url, { quiet: true });
  const { db, dialect } = createDb(url);
  const exec = createSqlExecutor(url);
  let server: ServerProcess | null = null;
  const local = await localShopify(ctx.root);
  try {
    const shop = await ensureDemoShop(db, { domain: SHOP, ingestKey: INGEST_KEY, timeZone: "UTC" });
    const t0 = Date.now();
    const p = progress(`${kind}: ${fmtInt(events)} events`);
    const write = kind === "SQLite" ? writeSqlite : writePostgres;
    const written = await write(url, { shopId: shop.id, events, to: DATA_TO, seed: 303, tag: "f" }, (e, s) =>
      p.update(`${fmtInt(e)} events, ${fmtInt(s)} sessions`),
    );
    p.done(`${fmtInt(written.events)} events, ${fmtInt(written.sessions)} sessions`);
    const loadS = (Date.now() - t0) / 1000;
    // The shop's main funnel, built before the server starts (as after it has run a while).
    const ready = await db.funnel.create({
      data: {
        shopId: shop.id,
        name: "Purchase",
        unit: "session",
        windowMinutes: 7 * 24 * 60,
        isMain: true,
        steps: {
          create: FUNNEL_STEPS.map((event, i) => ({ shopId: shop.id, position: i + 1, label: LABELS[i], matchers: JSON.stringify([{ event, filters: [] }]) })),
        },
      },
    });
    const t1 = Date.now();
    await refreshShop({ db, dialect, exec }, shop.id, { batch: 1_000 });
    const buildS = (Date.now() - t1) / 1000;

    server = await startAppServer({ appDir: ctx.appDir, dbUrl: url, nodeArgs: local.nodeArgs, env: { ...local.env, RETENTION_INTERVAL_HOURS: "0" } });
    // Idle: the ready funnel's report, one warm-up then five.
    await timedReport(server, ready.id);
    const idle: number[] = [];
    for (let i = 0; i < 5; i++) idle.push((await timedReport(server, ready.id)).ms);

    // The first report of each new funnel, created one after another: builds pile up behind.
    const first: TimedReport[] = [];
    const created: string[] = [];
    const pf = progress(`${kind}: first report after creating a funnel`);
    for (let n = 0; n < NEW_FUNNELS; n++) {
      const id = await createFunnel(server, n);
      created.push(id);
      first.push(await timedReport(server, id));
      pf.update(`${n + 1}/${NEW_FUNNELS}: ${fmtMs(first[n].ms)} (${first[n].resultsFrom})`);
    }
    pf.done(
      `p95 ${fmtMs(
        percentile(
          first.map((r) => r.ms),
          95,
        ),
      )}`,
    );

    // Let the refresher finish those builds, so the ingestion run measures ingestion.
    const t2 = Date.now();
    let allBuiltS: number | null = null;
    const pb = progress(`${kind}: background builds of the new funnels`);
    while (Date.now() - t2 < 20 * 60_000) {
      const states = await db.funnel.findMany({ where: { shopId: shop.id }, select: { resultsState: true } });
      const done = states.filter((s) => s.resultsState === "ready").length;
      pb.update(`${done}/${states.length} ready`);
      if (done === states.length && (await db.staleVisitor.count({ where: { shopId: shop.id } })) === 0) {
        allBuiltS = (Date.now() - t2) / 1000;
        break;
      }
      await new Promise((r) => setTimeout(r, 1_000));
    }
    pb.done(allBuiltS === null ? "not all ready after 20 min" : `all ready in ${Math.round(allBuiltS)} s`);

    // Ingestion at 70 % of this server's peak while the ready funnel's report is asked.
    const bodies = collectBodies({ shop: SHOP, key: INGEST_KEY, tag: `first-${kind}` });
    const seconds = ctx.quick ? 5 : 10;
    const peak = await runLoad({ label: `${kind}: /collect peak`, url: server.url, bodies, connections: 50, durationS: seconds });
    const load = runLoad({
      label: `${kind}: /collect at 70 % of peak`,
      url: server.url,
      bodies,
      connections: 50,
      durationS: seconds + 5,
      overallRate: 0.7 * peak.reqPerSec,
    });
    await new Promise((r) => setTimeout(r, 2_000));
    const during: TimedReport[] = [];
    for (let i = 0; i < REPORTS_DURING_INGEST; i++) during.push(await timedReport(server, ready.id));
    const at70 = await load;
    return { kind, events, loadS, buildS, idle, first, allBuiltS, peak, at70, during };
  } finally {
    await server?.stop();
    await local.shopify.close();
    await exec.close();
    await db.$disconnect();
  }
}

export async function firstReportSection(ctx: BenchContext): Promise<SectionResult> {
  const title = "Reports while the server works";
  const events = sizeFromEnv(process.env.BENCH_FIRST_REPORT_EVENTS, ctx.quick ? 100_000 : 1_000_000);
  ctx.log(`${title}: ${fmtInt(events)} events in one shop, on SQLite and PostgreSQL, through the real server`);
  const dir = path.join(ctx.tmp, "first-report");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "events.sqlite");
  for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
  const runs: DbRun[] = [await runOn(ctx, "SQLite", `file:${file}`, events)];
  const pg = startPgServer(sizeFromEnv(process.env.BENCH_PG_PORT, 54360) + 2);
  try {
    runs.push(await runOn(ctx, "PostgreSQL", await createDatabase(pg.baseUrl, `bench_first_${Date.now().toString(36)}`), events));
  } finally {
    pg.stop();
  }

  const rows: RatioRow[] = [];
  const md: string[] = [
    `Each database: ${fmtInt(events)} generated events in one shop (the report section's generator, 31 days ending ${new Date(DATA_TO).toISOString().slice(0, 10)}), ` +
      `its main 4-step funnel precomputed by the app's refresher before the real server (production build, background refresher every second) starts. ` +
      `Reports: GET /app/funnels/:id/report for ${RANGE.replace("&", " ").replace(/=/g, " ")} with a session token, timed at the client. ` +
      `**First report after creating a funnel**: ${NEW_FUNNELS} funnels (session and visitor units, 2–4 steps) created one after another through the builder, ` +
      `each followed at once by its report; the server builds them in the background meanwhile. ` +
      `**During ingestion**: the server's peak /collect rate measured (50 connections), then /collect at 70 % of it while the main funnel's report is asked ${REPORTS_DURING_INGEST} times. ` +
      `Baseline in the same run: the main funnel's report with the server idle (median of 5 after a warm-up).`,
    "",
  ];
  for (const r of runs) {
    const idle = median(r.idle)!;
    const firstP95 = percentile(
      r.first.map((x) => x.ms),
      95,
    )!;
    const duringP95 = percentile(
      r.during.map((x) => x.ms),
      95,
    )!;
    const at = `${r.kind}, ${fmtInt(r.events)} events`;
    rows.push(
      {
        section: title,
        metric: `${at}: first report after creating a funnel, p95 of ${NEW_FUNNELS}`,
        ours: fmtMs(firstP95),
        baseline: "1 s",
        ratio: ratio(firstP95, 1000),
        target: "≤ 1 s",
        pass: firstP95 <= 1000,
      },
      {
        section: title,
        metric: `${at}: first report after creating a funnel ÷ idle report`,
        ours: fmtMs(firstP95),
        baseline: fmtMs(idle),
        ratio: ratio(firstP95, idle),
        target: "",
        pass: null,
      },
      {
        section: title,
        metric: `${at}: report while ingestion runs at 70 % of peak, p95 of ${REPORTS_DURING_INGEST}`,
        ours: fmtMs(duringP95),
        baseline: "1 s",
        ratio: ratio(duringP95, 1000),
        target: "≤ 1 s",
        pass: duringP95 <= 1000,
      },
      {
        section: title,
        metric: `${at}: report during ingestion ÷ idle report`,
        ours: fmtMs(duringP95),
        baseline: fmtMs(idle),
        ratio: ratio(duringP95, idle),
        target: "",
        pass: null,
      },
    );
    md.push(
      `**${r.kind}**: data written in ${Math.round(r.loadS)} s, main funnel precomputed in ${Math.round(r.buildS)} s; idle report ${fmtMs(idle)} (${r.idle.map(fmtMs).join(", ")}). ` +
        `The ${NEW_FUNNELS} new funnels were all built ${r.allBuiltS === null ? "**not within 20 min**" : `${Math.round(r.allBuiltS)} s after the last was created`}. ` +
        `/collect peak ${fmtInt(r.peak.reqPerSec)} req/s (${fmtInt(r.peak.eventsPerSec)} events/s); at 70 %: ${fmtInt(r.at70.reqPerSec)} req/s, p99 ${fmtMs(r.at70.latency.p99)}.`,
      "",
      markdownTable(
        ["report", "time", "answered from", "build"],
        [
          ...r.first.map((x, i) => [`new funnel ${i + 1} (${definition(i).unit}, ${definition(i).steps.length} steps)`, fmtMs(x.ms), x.resultsFrom, x.build]),
          ...r.during.map((x, i) => [`main funnel during ingestion, ${i + 1}`, fmtMs(x.ms), x.resultsFrom, x.build]),
        ],
      ),
      "",
    );
  }
  const findings = rows.filter((r) => r.pass === false).map((r) => `${r.metric}: ${r.ours} (target ${r.target}).`);
  return { title, rows, markdown: md.join("\n"), findings };
}
