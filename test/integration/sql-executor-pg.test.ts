/**
 * The ingestion executor on a real PostgreSQL server when a connection dies inside a
 * transaction (what a database crash does): the transaction fails — the route answers
 * 503 — the process survives, and the next transaction gets a working connection.
 */
import { afterAll, describe, expect, it } from "vitest";
import { createSqlExecutor, type SqlExecutor } from "../../db/executor";
import { freshDatabase } from "../helpers/app-server";

describe("PostgreSQL executor, connection dropped mid-transaction", () => {
  const executors: SqlExecutor[] = [];
  afterAll(async () => {
    for (const ex of executors) await ex.close();
  });

  it("rejects the transaction, keeps the process up and hands out a fresh connection", async () => {
    const url = await freshDatabase("postgres");
    const ex = createSqlExecutor(url);
    const admin = createSqlExecutor(url);
    executors.push(ex, admin);
    await ex.execute(`CREATE TABLE probe (n INTEGER)`);

    let killed = 0;
    const attempt = ex.transaction(async (tx) => {
      await tx.execute(`INSERT INTO probe (n) VALUES (1)`);
      const [{ pid }] = await tx.query<{ pid: number }>(`SELECT pg_backend_pid() AS pid`);
      killed = pid;
      await admin.query(`SELECT pg_terminate_backend($1)`, pid);
      // Between two statements, as when the server dies while the writer builds its next
      // INSERT: the drop arrives on an idle client (an unhandled 'error' without the fix).
      await new Promise((r) => setTimeout(r, 300));
      await tx.execute(`INSERT INTO probe (n) VALUES (2)`);
    });
    await expect(attempt).rejects.toThrow();

    const [{ pid }] = await ex.transaction((tx) => tx.query<{ pid: number }>(`SELECT pg_backend_pid() AS pid`));
    expect(pid).not.toBe(killed);
    await ex.transaction((tx) => tx.execute(`INSERT INTO probe (n) VALUES (3)`));
    // Nothing of the failed transaction was stored.
    expect(await admin.query(`SELECT n FROM probe ORDER BY n`)).toEqual([{ n: 3 }]);
  });
});
