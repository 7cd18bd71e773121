import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createSqlExecutor } from "../../db/executor";
import { bindQuery, compileSql, defineQuery, readRows, runRows, runStatement } from "../../db/query";
import { rowsList, rowsParams } from "../../db/sql";

describe("named parameters compiled per dialect", () => {
  it("numbers names by first appearance: $n on PostgreSQL, ?n on SQLite when a name repeats", () => {
    const sql = `SELECT * FROM "Event" WHERE "shopId" = :shopId AND "ts" >= :from AND "ts" < :to AND "shopId" = :shopId`;
    expect(compileSql(sql, "postgres")).toEqual({
      text: `SELECT * FROM "Event" WHERE "shopId" = $1 AND "ts" >= $2 AND "ts" < $3 AND "shopId" = $1`,
      names: ["shopId", "from", "to"],
    });
    expect(compileSql(sql, "sqlite").text).toBe(`SELECT * FROM "Event" WHERE "shopId" = ?1 AND "ts" >= ?2 AND "ts" < ?3 AND "shopId" = ?1`);
  });

  it("keeps plain ? on SQLite when every name appears once (the fast multi-row INSERT path)", () => {
    expect(compileSql(`INSERT INTO t (a, b) VALUES (:a0, :b0), (:a1, :b1)`, "sqlite").text).toBe(`INSERT INTO t (a, b) VALUES (?, ?), (?, ?)`);
  });

  it("leaves literals, quoted identifiers, comments and ::casts alone", () => {
    const sql = `SELECT ':no', "a:b", x::bigint -- :nope\n FROM t /* :none */ WHERE y = :yes`;
    expect(compileSql(sql, "postgres")).toEqual({ text: `SELECT ':no', "a:b", x::bigint -- :nope\n FROM t /* :none */ WHERE y = $1`, names: ["yes"] });
  });

  it("binds values in placeholder order and names a missing parameter", () => {
    const q = defineQuery<{ a: number; b: string }>("pair", `SELECT :b AS b, :a AS a, :b AS c`);
    expect(bindQuery(q, "postgres", { a: 1, b: "x" })).toEqual({ text: `SELECT $1 AS b, $2 AS a, $1 AS c`, values: ["x", 1] });
    expect(() => bindQuery(q, "sqlite", { a: 1 } as { a: number; b: string })).toThrow("query pair: parameter :b is missing");
  });

  it("gives SQLite the right values for repeated and reordered names", async () => {
    const ex = createSqlExecutor(`file:${path.join(mkdtempSync(path.join(tmpdir(), "mc-q-")), "t.sqlite")}`);
    try {
      const { text, values } = bindQuery(defineQuery("q", `SELECT :b AS b, :a AS a, :b AS c`), "sqlite", { a: 1, b: "x" });
      expect(await ex.query(text, ...values)).toEqual([{ b: "x", a: 1, c: "x" }]);
    } finally {
      await ex.close();
    }
  });

  it("runs a Query on an executor: readRows binds by name, runRows binds a multi-row INSERT's rows in order", async () => {
    const ex = createSqlExecutor(`file:${path.join(mkdtempSync(path.join(tmpdir(), "mc-q-")), "t.sqlite")}`);
    try {
      await ex.execute(`CREATE TABLE t (a INTEGER, b TEXT, c INTEGER)`);
      const insert = defineQuery("insert-t", `INSERT INTO t (a, b, c) VALUES ${rowsList(["a", "b", "c"], 2)}`);
      const rows = [
        { a: 1, b: "x", c: true },
        { a: 2, b: "y", c: false },
      ];
      expect(await runRows(ex, insert, ["a", "b", "c"], rows)).toBe(2);
      // The same rows through a parameter object, the general path.
      expect(await runStatement(ex, insert, rowsParams(["a", "b", "c"], rows))).toBe(2);
      const read = defineQuery<{ a: number }, { b: string; c: number }>("read-t", `SELECT b, c FROM t WHERE a = :a ORDER BY rowid`);
      expect(await readRows(ex, read, { a: 2 })).toEqual([
        { b: "y", c: 0 },
        { b: "y", c: 0 },
      ]);
      // Rows that do not fit the statement are refused before anything runs.
      await expect(runRows(ex, insert, ["a", "b", "c"], rows.slice(1))).rejects.toThrow("query insert-t: not 1 rows");
    } finally {
      await ex.close();
    }
  });
});
