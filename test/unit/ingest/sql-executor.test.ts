import { mkdtempSync } from "node:fs";
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
