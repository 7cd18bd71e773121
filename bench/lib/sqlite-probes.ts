/**
 * Two small measurements of @libsql/client behaviour the ingest writer depends on,
 * run on a fresh migrated file each time so the findings in docs/benchmarks.md carry
 * their evidence:
 *   1. a multi-row INSERT with numbered placeholders (`?1, ?2, …`, what the writer's `$n`
 *      become on SQLite) vs plain `?`, per row, at several statement sizes;
 *   2. the settings of the app executor's connection (synchronous, busy_timeout) before and
 *      after group commits — the local client's own `transaction()` hands its connection to
 *      the transaction and opens a new one with default settings afterwards.
 */
import { createClient } from "@libsql/client";
import type { EventRow } from "../../ingest/normalize";
import { EVENT_COLUMNS } from "../../ingest/write-group";
import { createSqlExecutor } from "../../db/executor";
import { generatedRows } from "./writer-probe";

export interface PlaceholderProbe {
  rowsPerStatement: number;
  numberedUsPerRow: number;
  plainUsPerRow: number;
}

export interface ConnectionProbe {
  /** The app's executor (createSqlExecutor): its connection's settings before and after one group-commit transaction. */
  app: { before: { synchronous: number; busyTimeout: number }; after: { synchronous: number; busyTimeout: number } };
  /** The driver's own `client.transaction()`, for comparison: settings of the client's connection after one. */
  driverAfterTransaction: { synchronous: number; busyTimeout: number };
  /** ms per small write transaction through client.transaction() vs BEGIN/COMMIT on one connection. */
  txMs: number;
  beginCommitMs: number;
}

const values = (rows: readonly EventRow[]) => rows.flatMap((r) => EVENT_COLUMNS.map((c) => (c === "isBot" ? (r.isBot ? 1 : 0) : r[c])));

export async function placeholderProbe(dbUrl: string, sizes = [20, 200, 1000]): Promise<PlaceholderProbe[]> {
  const client = createClient({ url: dbUrl });
  const out: PlaceholderProbe[] = [];
  try {
    await client.execute("PRAGMA synchronous=NORMAL");
    const cols = EVENT_COLUMNS.map((c) => `"${c}"`).join(", ");
    const total = 2_000;
    const rows = generatedRows(total * sizes.length * 2, 1, "ph").flat();
    let offset = 0;
    const run = async (size: number, numbered: boolean) => {
      const batch = rows.slice(offset, offset + total);
      offset += total;
      const started = performance.now();
      await client.execute("BEGIN IMMEDIATE");
      for (let i = 0; i < batch.length; i += size) {
        const chunk = batch.slice(i, i + size);
        let n = 0;
        const tuples = chunk.map(() => `(${EVENT_COLUMNS.map(() => (numbered ? `?${++n}` : "?")).join(", ")})`).join(", ");
        await client.execute({ sql: `INSERT INTO "Event" (${cols}) VALUES ${tuples}`, args: values(chunk) as never });
      }
      await client.execute("COMMIT");
      return ((performance.now() - started) * 1000) / batch.length;
    };
    for (const size of sizes) {
      const numberedUsPerRow = await run(size, true);
      const plainUsPerRow = await run(size, false);
      out.push({ rowsPerStatement: size, numberedUsPerRow, plainUsPerRow });
    }
  } finally {
    client.close();
  }
  return out;
}

export async function connectionProbe(dbUrl: string): Promise<ConnectionProbe> {
  // 1. The app's executor, as the writer uses it.
  const executor = createSqlExecutor(dbUrl);
  const appSettings = async () => ({
    synchronous: Number(Object.values((await executor.query<Record<string, unknown>>("PRAGMA synchronous"))[0] ?? {})[0]),
    busyTimeout: Number(Object.values((await executor.query<Record<string, unknown>>("PRAGMA busy_timeout"))[0] ?? {})[0]),
  });
  let app: ConnectionProbe["app"];
  try {
    const before = await appSettings();
    await executor.transaction((tx) => tx.execute(`DELETE FROM "Event" WHERE "shopId" = $1`, -1));
    await executor.transaction((tx) => tx.execute(`DELETE FROM "Event" WHERE "shopId" = $1`, -1));
    app = { before, after: await appSettings() };
  } finally {
    await executor.close();
  }

  // 2. The driver's own transaction() against BEGIN/COMMIT on one connection.
  const client = createClient({ url: dbUrl });
  const settings = async () => ({
    synchronous: Number((await client.execute("PRAGMA synchronous")).rows[0][0]),
    busyTimeout: Number((await client.execute("PRAGMA busy_timeout")).rows[0][0]),
  });
  try {
    await client.execute("PRAGMA synchronous=NORMAL");
    await client.execute("PRAGMA busy_timeout=5000");
    const tx = await client.transaction("write");
    await tx.commit();
    tx.close();
    const driverAfterTransaction = await settings();
    const rounds = 100;
    let t = performance.now();
    for (let i = 0; i < rounds; i++) {
      const t2 = await client.transaction("write");
      await t2.execute({ sql: `DELETE FROM "Event" WHERE "shopId" = ?`, args: [-1] });
      await t2.commit();
      t2.close();
    }
    const txMs = (performance.now() - t) / rounds;
    await client.execute("PRAGMA synchronous=NORMAL");
    t = performance.now();
    for (let i = 0; i < rounds; i++) {
      await client.execute("BEGIN IMMEDIATE");
      await client.execute({ sql: `DELETE FROM "Event" WHERE "shopId" = ?`, args: [-1] });
      await client.execute("COMMIT");
    }
    const beginCommitMs = (performance.now() - t) / rounds;
    return { app, driverAfterTransaction, txMs, beginCommitMs };
  } finally {
    client.close();
  }
}
