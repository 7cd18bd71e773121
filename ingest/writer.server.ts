/**
 * Group commit for ingestion. Requests hand their rows to the writer and wait; the
 * writer stores what is pending in group commits (one transaction each) and only then
 * resolves them, so a 202 always means "committed". Pending work is bounded: past the
 * limit, `submit` refuses at once (the route answers 503 + Retry-After) instead of
 * growing memory.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { EventRow } from "./normalize";
import type { Dialect } from "../db/sql";
import type { SqlExecutor } from "../db/executor";
import { failureKind, storeFailureReason } from "./write-errors";
import { writeGroup } from "./write-group";

/**
 * The module the SQLite thread runs a group commit from (write-group-procedure.ts): beside
 * the bundle in a build (`npm run build` writes build/server/write-group-procedure.js),
 * else the source.
 */
function procedureFile(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const built = path.join(here, "write-group-procedure.js");
  return existsSync(built) ? built : path.join(here, "write-group-procedure.ts");
}

export class OverloadedError extends Error {
  constructor() {
    super("ingestion is at capacity");
  }
}

/**
 * What became of a job's rows: `inserted` were stored now (the rest of the rows were
 * duplicates of stored ones, or `rejected`). `rejected` lists rows the database refused
 * (by position in the submitted rows) with the reason; empty unless the job's own data
 * made a statement fail.
 */
export interface WriteResult {
  inserted: number;
  rejected: { row: number; reason: string }[];
}

interface Job {
  rows: EventRow[];
  resolve(result: WriteResult): void;
  reject(error: unknown): void;
}

export interface WriterOptions {
  /** Events waiting or being written before new work is refused. */
  maxPendingEvents?: number;
  /** Events per transaction. */
  maxBatchEvents?: number;
}

export class IngestWriter {
  private queue: Job[] = [];
  private queuedEvents = 0;
  private pendingEvents = 0;
  private inFlight = 0;
  private readonly maxPending: number;
  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  private readonly minNextGroup: number;

  private readonly dialect: Dialect;
  private procedure: string | undefined;

  constructor(
    private readonly db: SqlExecutor,
    opts: WriterOptions = {},
  ) {
    this.dialect = db.dialect;
    this.maxPending = opts.maxPendingEvents ?? 20_000;
    this.maxBatch = opts.maxBatchEvents ?? 2_000;
    // A group commit that is one message to the SQLite thread can be sent while the one
    // before it runs: the thread starts it the moment the first ends, instead of waiting
    // for this thread to hear of the end and send it. It waits for enough rows to be worth
    // a commit of its own (a commit costs about as much as 500 rows).
    this.maxInFlight = db.runProcedure ? 2 : 1;
    this.minNextGroup = Math.min(500, this.maxBatch);
  }

  get pending(): number {
    return this.pendingEvents;
  }

  /**
   * Stores the rows (duplicates skipped); resolves after the commit with how many were
   * new and which rows the database refused. Rejects when nothing could be decided
   * (database down or busy: retry later).
   */
  submit(rows: EventRow[]): Promise<WriteResult> {
    if (rows.length === 0) return Promise.resolve({ inserted: 0, rejected: [] });
    if (this.pendingEvents + rows.length > this.maxPending) return Promise.reject(new OverloadedError());
    this.pendingEvents += rows.length;
    return new Promise((resolve, reject) => {
      this.queue.push({ rows, resolve, reject });
      this.queuedEvents += rows.length;
      this.send();
    });
  }

  /** Sends the waiting jobs as group commits, up to `maxInFlight` at a time. */
  private send() {
    while (this.queue.length > 0 && this.inFlight < this.maxInFlight && (this.inFlight === 0 || this.queuedEvents >= this.minNextGroup)) {
      const jobs: Job[] = [];
      let size = 0;
      while (this.queue.length > 0 && (jobs.length === 0 || size + this.queue[0].rows.length <= this.maxBatch)) {
        const job = this.queue.shift()!;
        jobs.push(job);
        size += job.rows.length;
      }
      this.queuedEvents -= size;
      this.inFlight++;
      void this.commit(jobs).finally(() => {
        this.inFlight--;
        this.pendingEvents -= size;
        this.send();
      });
    }
  }

  /**
   * One transaction of `writeGroup` (write-group.ts). On SQLite it runs on the connection's
   * thread in one message: statement by statement, each of its dozen round trips waited
   * for the server's thread, busy with other requests, and the writer stored half of what
   * it stores alone (bench: 12 k against 26 k events/s).
   */
  private async commitGroup(rows: EventRow[]): Promise<Set<string>> {
    if (this.db.runProcedure) return new Set(await this.db.runProcedure<string[]>((this.procedure ??= procedureFile()), "writeGroup", rows));
    return this.db.transaction((tx) => writeGroup(tx, this.dialect, rows));
  }

  /**
   * Commits the jobs in one transaction. When it fails and the database is up, the jobs
   * are committed by halves, so a job whose rows make a statement fail is found and
   * answered alone and every other job is stored; nothing extra happens when all goes well.
   */
  private async commit(jobs: Job[]): Promise<void> {
    let inserted: Set<string>;
    try {
      inserted = await this.commitGroup(jobs.flatMap((j) => j.rows));
    } catch (error) {
      if (jobs.length === 1) return this.storeAlone(jobs[0], error);
      if (await this.databaseAtFault(error)) {
        for (const job of jobs) job.reject(error);
        return;
      }
      const half = jobs.length >> 1;
      await this.commit(jobs.slice(0, half));
      await this.commit(jobs.slice(half));
      return;
    }
    for (const job of jobs) {
      let n = 0;
      for (const r of job.rows) if (inserted.delete(`${r.shopId}\u0000${r.eventId}`)) n++;
      job.resolve({ inserted: n, rejected: [] });
    }
  }

  /**
   * A job that failed on its own. Its rows are stored by halves down to single rows;
   * a row that fails alone, with the database up, is rejected with the database's reason.
   * If the database goes away meanwhile the job gets the error (503: the client resends
   * the batch; what was stored already counts as duplicates then).
   */
  private async storeAlone(job: Job, error: unknown): Promise<void> {
    const result: WriteResult = { inserted: 0, rejected: [] };
    const store = async (rows: { row: EventRow; at: number }[], failure: unknown): Promise<void> => {
      if (await this.databaseAtFault(failure)) throw failure;
      if (rows.length === 1) {
        result.rejected.push({ row: rows[0].at, reason: storeFailureReason(failure) });
        return;
      }
      const half = rows.length >> 1;
      for (const part of [rows.slice(0, half), rows.slice(half)]) {
        try {
          const inserted = await this.commitGroup(part.map((p) => p.row));
          for (const p of part) if (inserted.delete(`${p.row.shopId}\u0000${p.row.eventId}`)) result.inserted++;
        } catch (e) {
          await store(part, e);
        }
      }
    };
    try {
      await store(
        job.rows.map((row, at) => ({ row, at })),
        error,
      );
    } catch (e) {
      job.reject(e);
      return;
    }
    result.rejected.sort((a, b) => a.row - b.row);
    job.resolve(result);
  }

  /** True when the failure is the database's (down, busy, a lost lock race), not the rows'. */
  private async databaseAtFault(error: unknown): Promise<boolean> {
    const kind = failureKind(error);
    if (kind !== "unknown") return kind === "retry";
    // Not recognisably either: the rows are at fault if the database answers.
    try {
      await this.db.query("SELECT 1");
      return false;
    } catch {
      return true;
    }
  }
}
