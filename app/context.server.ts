/**
 * The composition root: builds, from validated settings, the objects one server process
 * shares — the raw-SQL executor, the reports' read connections, ingestion (writer, rate
 * limiters, shop cache) and the background jobs (results refresher, retention, audience
 * auto-sync, step alarm). Nothing here runs at import time. The server's routes and its entry module
 * reach the process's context through appContext(); tests and tools build their own with
 * createContext() and other settings.
 *
 * It lives in app/ because it is the top of the graph: it wires app services with
 * ingest/ and db/, and it must be inside the Remix build so the entry module, the routes
 * and the services share one instance (server.ts is bundled apart and only calls the
 * entry module).
 */
import { createSqlExecutor, createSqlReader, type SqlExecutor, type SqlReader } from "../db/executor";
import { createDb, type Db, type DbDialect } from "../db/prisma";
import prisma, { dialect } from "../db/prisma.server";
import { Ingestion, type IngestSettings } from "../ingest/ingest.server";
import { parseEnv } from "./env-schema";
import { DraftCountCache } from "./services/funnel-builder.server";
import type { ReadDeps } from "./services/funnel-results/read.server";
import { startResultsRefresher } from "./services/funnel-results/refresher.server";
import { startStepAlarm } from "./services/step-alarm-schedule.server";
import { startRetentionSchedule } from "./services/retention-schedule.server";

/** What the context is built from: a subset of the validated env (app/env-schema.ts). */
export interface ContextSettings extends IngestSettings {
  DATABASE_URL: string;
  /** Milliseconds between results-refresher passes; 0: no refresher in this process. */
  FUNNEL_RESULTS_INTERVAL_MS: number;
  /** Hours between retention runs; 0: none in this process. */
  RETENTION_INTERVAL_HOURS: number;
  /** Seconds between checks for due audience syncs; 0: none in this process. */
  AUDIENCE_AUTO_SYNC_CHECK_SECONDS: number;
  /** Seconds between step-alarm checks; 0: none in this process. */
  STEP_ALARM_CHECK_SECONDS: number;
}

export interface AppContext {
  readonly settings: ContextSettings;
  readonly db: Db;
  readonly dialect: DbDialect;
  /**
   * The process's one driver-level executor: on SQLite one connection, so the ingestion
   * writer and the results refresher take turns.
   */
  readonly exec: SqlExecutor;
  /** The reports' own read connections: a report's queries run at the same time, beside Prisma's. */
  readonly reportReads: SqlReader;
  /** What report reads need (Prisma, the executor, the read connections). */
  readonly reports: ReadDeps;
  readonly ingestion: Ingestion;
  /** The funnel builder's recent live counts (GET /app/funnels/count), by shop and draft. */
  readonly draftCountCache: DraftCountCache;
  /**
   * Starts the jobs of a long-running server process; returns their stop function.
   * The audience auto-sync needs Shopify's Admin API (app/shopify.server.ts): it is passed
   * in, so that building a context needs no Shopify settings.
   */
  startBackgroundJobs(jobs: { audienceAutoSync(checkSeconds: number, db: Db): () => void }): () => void;
  /** Closes the executor and read connections (and the Prisma client when the context made it). */
  close(): Promise<void>;
}

/**
 * A context on `settings`. `prisma` is the Prisma client to share (the process's own in
 * appContext()); without it the context opens one on DATABASE_URL and closes it in close().
 */
export function createContext(settings: ContextSettings, prisma?: { db: Db; dialect: DbDialect }): AppContext {
  const own = prisma ? null : createDb(settings.DATABASE_URL);
  const { db, dialect } = prisma ?? own!;
  const exec = createSqlExecutor(settings.DATABASE_URL);
  const reportReads = createSqlReader(settings.DATABASE_URL);
  const ingestion = new Ingestion(db, exec, settings);
  return {
    settings,
    db,
    dialect,
    exec,
    reportReads,
    reports: { db, dialect, reads: reportReads },
    ingestion,
    draftCountCache: new DraftCountCache(),
    startBackgroundJobs({ audienceAutoSync }) {
      const interval = settings.FUNNEL_RESULTS_INTERVAL_MS;
      const stopResults = interval > 0 ? startResultsRefresher({ db, dialect, exec }, interval) : () => {};
      const stopRetention = startRetentionSchedule(db, settings.RETENTION_INTERVAL_HOURS);
      const stopAutoSync = audienceAutoSync(settings.AUDIENCE_AUTO_SYNC_CHECK_SECONDS, db);
      const stopAlarm = startStepAlarm({ db, dialect, exec }, settings.STEP_ALARM_CHECK_SECONDS);
      return () => {
        stopAlarm();
        stopResults();
        stopRetention();
        stopAutoSync();
      };
    },
    async close() {
      await Promise.all([exec.close(), reportReads.close(), own?.db.$disconnect()]);
    },
  };
}

declare global {
  // eslint-disable-next-line no-var
  var __mcContext: AppContext | undefined;
}

/**
 * The server process's context, built on first use from the validated env and the
 * process's Prisma client (kept across Vite dev reloads so connections are not leaked).
 */
export function appContext(): AppContext {
  return (globalThis.__mcContext ??= createContext(parseEnv(process.env), { db: prisma, dialect }));
}
