import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createSqlExecutor } from "../../../db/executor";

describe("SQLite executor placeholders", () => {
  it("binds sequential, repeated and reordered $n parameters to the right values", async () => {
    const ex = createSqlExecutor(`file:${path.join(mkdtempSync(path.join(tmpdir(), "mc-ex-")), "t.sqlite")}`);
    expect(await ex.query(`SELECT $1 AS a, $2 AS b`, "x", "y")).toEqual([{ a: "x", b: "y" }]);
    expect(await ex.query(`SELECT $2 AS a, $1 AS b`, "x", "y")).toEqual([{ a: "y", b: "x" }]);
    expect(await ex.query(`SELECT $1 AS a, $2 AS b, $1 AS c`, "x", "y")).toEqual([{ a: "x", b: "y", c: "x" }]);
    await ex.execute(`CREATE TABLE t (a INTEGER, b TEXT)`);
    await ex.transaction((tx) => tx.execute(`INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)`, 1, "one", 2, "two"));
    expect(await ex.query(`SELECT a, b FROM t WHERE a >= $1 ORDER BY a`, 1)).toEqual([
      { a: 1, b: "one" },
      { a: 2, b: "two" },
    ]);
    await ex.close();
  });
});

describe("SQLite executor checkpoints", () => {
  /** The main database file's size after ~4 MB of rows written in 40 transactions through `ex`. */
  async function mainFileAfterWrites(checkpointEveryMs: number): Promise<number> {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "mc-ckpt-")), "t.sqlite");
    const ex = createSqlExecutor(`file:${file}`, { checkpointEveryMs });
    try {
      await ex.query(`PRAGMA journal_mode=WAL`);
      await ex.execute(`CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)`);
      for (let i = 0; i < 40; i++) await ex.transaction((tx) => tx.execute(`INSERT INTO t (body) SELECT randomblob(1000) FROM generate_series(1, 100)`));
      // A tick of the checkpoints' timer (or, for the control, plenty of time for none).
      await new Promise((r) => setTimeout(r, 400));
      return statSync(file).size;
    } finally {
      await ex.close();
    }
  }

  it("copy the WAL into the database file from a connection of their own, after writes", async () => {
    const checkpointed = await mainFileAfterWrites(50);
    const never = await mainFileAfterWrites(3_600_000);
    // The writer's own automatic checkpoint is set far above 4 MB: without ours the rows stay in the WAL.
    expect(never).toBeLessThan(1_000_000);
    expect(checkpointed).toBeGreaterThan(4_000_000);
  });
});
