/**
 * Procedures on the SQLite thread (db/sqlite-thread-worker.ts) through the executor
 * (db/executor.ts): one message runs a whole write transaction, and one-message operations
 * keep their order around multi-message transactions.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createSqlExecutor, type SqlExecutor } from "../../../db/executor";
import { failureKind } from "../../../ingest/write-errors";

const LOG = path.resolve(import.meta.dirname, "../../fixtures/procedures/log.ts");
let open: SqlExecutor[] = [];

async function executor(): Promise<SqlExecutor> {
  const ex = createSqlExecutor(`file:${path.join(mkdtempSync(path.join(tmpdir(), "mc-proc-")), "t.sqlite")}`);
  open.push(ex);
  await ex.execute(`CREATE TABLE log (id INTEGER PRIMARY KEY AUTOINCREMENT, entry TEXT NOT NULL)`);
  await ex.execute(`CREATE TABLE uniq (entry TEXT PRIMARY KEY)`);
  return ex;
}
const entries = async (ex: SqlExecutor) => (await ex.query<{ entry: string }>(`SELECT entry FROM log ORDER BY id`)).map((r) => r.entry);

afterEach(async () => {
  await Promise.all(open.map((ex) => ex.close()));
  open = [];
});

describe("SQLite procedures", () => {
  it("run a module's function on the connection's thread in one transaction and answer its result", async () => {
    const ex = await executor();
    expect(await ex.runProcedure!(LOG, "append", ["a", "b"])).toBe(2);
    expect(await ex.runProcedure!(LOG, "append", ["c"])).toBe(3);
    expect(await entries(ex)).toEqual(["a", "b", "c"]);
  });

  it("leave nothing behind when they fail, and the connection goes on", async () => {
    const ex = await executor();
    await ex.runProcedure!(LOG, "append", ["kept"]);
    await expect(ex.runProcedure!(LOG, "appendThenFail", ["x", "y"])).rejects.toThrow("failed after writing");
    await ex.runProcedure!(LOG, "appendUnique", "u");
    const refused = await ex.runProcedure!(LOG, "appendUnique", "u").catch((e: unknown) => e);
    // SQLite's code comes through, so the writer tells the rows' fault from the database's.
    expect((refused as { code?: string }).code).toMatch(/^SQLITE_CONSTRAINT/);
    expect(failureKind(refused)).toBe("data");
    // A value the driver cannot bind is refused (the native binding would abort the process).
    const unbindable = await ex.runProcedure!(LOG, "appendUnique", ["an", "array"]).catch((e: unknown) => e);
    expect(unbindable).toBeInstanceOf(TypeError);
    expect(failureKind(unbindable)).toBe("data");
    expect(await ex.query(`SELECT $1 AS v`, { an: "object" }).catch((e: unknown) => e)).toBeInstanceOf(TypeError);
    expect(await entries(ex)).toEqual(["kept"]);
    // No transaction was left open: a new one starts and commits.
    await ex.transaction((tx) => tx.execute(`INSERT INTO log (entry) VALUES ($1)`, "after"));
    expect(await entries(ex)).toEqual(["kept", "after"]);
  });

  it("that cannot be loaded fail as the server's fault (retry), not the rows'", async () => {
    const ex = await executor();
    const missing = await ex.runProcedure!(path.join(import.meta.dirname, "no-such-module.ts"), "append", ["a"]).catch((e: unknown) => e);
    expect((missing as { code?: string }).code).toBe("EPROCEDURE");
    expect(failureKind(missing)).toBe("retry");
    const unknown = await ex.runProcedure!(LOG, "noSuchProcedure", []).catch((e: unknown) => e);
    expect((unknown as { code?: string }).code).toBe("EPROCEDURE");
    expect(await ex.runProcedure!(LOG, "append", ["still works"])).toBe(1);
  });

  it("never run inside another caller's transaction, and a transaction waits for what was sent before it", async () => {
    const ex = await executor();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const before = ex.runProcedure!(LOG, "append", ["before"]);
    const tx = ex.transaction(async (t) => {
      await t.execute(`INSERT INTO log (entry) VALUES ($1)`, "tx-1");
      await held; // the transaction stays open while the calls below are made
      await t.execute(`INSERT INTO log (entry) VALUES ($1)`, "tx-2");
    });
    const during = ex.runProcedure!(LOG, "append", ["during"]);
    const statement = ex.execute(`INSERT INTO log (entry) VALUES ($1)`, "statement");
    await new Promise((r) => setTimeout(r, 50));
    release();
    await Promise.all([before, tx, during, statement]);
    expect(await entries(ex)).toEqual(["before", "tx-1", "tx-2", "during", "statement"]);
  });

  it("a rolled-back transaction leaves the procedures sent after it to run on their own", async () => {
    const ex = await executor();
    const failing = ex.transaction(async (t) => {
      await t.execute(`INSERT INTO log (entry) VALUES ($1)`, "rolled back");
      throw new Error("no");
    });
    const after = ex.runProcedure!(LOG, "append", ["after"]);
    await expect(failing).rejects.toThrow("no");
    expect(await after).toBe(1);
    expect(await entries(ex)).toEqual(["after"]);
  });
});
