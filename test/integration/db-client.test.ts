/**
 * The app's SQLite connections (db/sqlite-thread.ts): each lives on its own thread with
 * its settings (busy_timeout, mmap_size), keeps them across transactions, leaves the
 * server's thread free while SQLite works, maps SQLite errors as before, and does not
 * keep a script's process alive.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createDb } from "../../db/prisma";
import { SqliteThread, sqliteFilePath } from "../../db/sqlite-thread";
import { createSqlExecutor, createSqlReader } from "../../db/executor";
import { freshDatabase } from "../helpers/app-server";

const settings = async (db: Db) => {
  const [busy] = await db.$queryRawUnsafe<{ timeout: number | bigint }[]>("PRAGMA busy_timeout");
  const [mmap] = await db.$queryRawUnsafe<{ mmap_size: number | bigint }[]>("PRAGMA mmap_size");
  return { busy: Number(busy.timeout), mmap: Number(mmap.mmap_size) };
};

// A query that keeps SQLite busy for a while (~1 s here) without any table.
const SLOW = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 8000000) SELECT count(*) AS c FROM n";

type Db = ReturnType<typeof createDb>["db"];
type Executor = ReturnType<typeof createSqlExecutor>;

/** Runs `fn` with the app's two connections (Prisma's, the executor's) on one fresh SQLite file. */
async function withBoth(fn: (db: Db, exec: Executor) => Promise<void>) {
  const url = await freshDatabase("sqlite");
  const { db } = createDb(url);
  const exec = createSqlExecutor(url);
  try {
    await fn(db, exec);
  } finally {
    await db.$disconnect();
    await exec.close();
  }
}

/** When a 20 ms timer fired, and when the query answered. */
async function timerDuring(query: () => Promise<unknown>) {
  const start = performance.now();
  let timerAt = Infinity;
  setTimeout(() => (timerAt = performance.now() - start), 20);
  await query();
  return { timerAt, answeredAt: performance.now() - start };
}

describe("SQLite connections on their own thread", () => {
  it("keep their settings before and after transactions", async () => {
    const { db } = createDb(await freshDatabase("sqlite"));
    try {
      const before = await settings(db);
      expect(before.busy).toBe(5000);
      expect(before.mmap).toBeGreaterThan(1_000_000_000);
      await db.$transaction(async (tx) => tx.shop.count());
      expect(await settings(db)).toEqual(before);
      await db.$transaction([db.shop.count(), db.event.count()]);
      expect(await settings(db)).toEqual(before);
    } finally {
      await db.$disconnect();
    }
  });

  it("leave the server's thread free while a query runs (Prisma and the ingestion executor)", () =>
    withBoth(async (db, exec) => {
      // With the driver on the calling thread, the timer could only fire after the answer.
      const prisma = await timerDuring(() => db.$queryRawUnsafe(SLOW));
      expect(prisma.answeredAt).toBeGreaterThan(200);
      expect(prisma.timerAt).toBeLessThan(prisma.answeredAt - 100);
      const raw = await timerDuring(() => exec.query(SLOW));
      expect(raw.answeredAt).toBeGreaterThan(200);
      expect(raw.timerAt).toBeLessThan(raw.answeredAt - 100);
      expect(await exec.query<{ c: number }>(SLOW)).toEqual([{ c: 8_000_000 }]);
    }));

  it("answer SQLite errors as Prisma and the executor expect, and roll back a failed transaction", () =>
    withBoth(async (db, exec) => {
      await db.shop.create({ data: { domain: "thread-a.myshopify.com", name: "A", ingestKey: "ik_thread_a" } });
      await expect(db.shop.create({ data: { domain: "thread-a.myshopify.com", name: "B", ingestKey: "ik_thread_b" } })).rejects.toMatchObject({
        code: "P2002",
      });
      await expect(
        db.$transaction(async (tx) => {
          await tx.shop.create({ data: { domain: "thread-c.myshopify.com", name: "C", ingestKey: "ik_thread_c" } });
          throw new Error("abandon");
        }),
      ).rejects.toThrow("abandon");
      await expect(
        exec.transaction(async (tx) => {
          await tx.execute(
            `INSERT INTO "Shop" ("domain", "name", "ingestKey", "updatedAt") VALUES ($1, 'D', $2, $3)`,
            "thread-d.myshopify.com",
            "ik_thread_d",
            Date.now(),
          );
          await tx.execute(
            `INSERT INTO "Shop" ("domain", "name", "ingestKey", "updatedAt") VALUES ($1, 'D', $2, $3)`,
            "thread-a.myshopify.com",
            "ik_thread_e",
            Date.now(),
          );
        }),
      ).rejects.toMatchObject({ code: expect.stringContaining("SQLITE_CONSTRAINT"), rawCode: 2067 });
      // Neither connection is left inside a transaction, and only the first shop exists.
      expect((await db.shop.findMany({ select: { domain: true } })).map((s) => s.domain)).toEqual(["thread-a.myshopify.com"]);
      expect(await exec.query(`SELECT count(*) AS n FROM "Shop"`)).toEqual([{ n: 1 }]);
    }));

  it("let a Prisma transaction that reads then writes finish while ingestion writes too", () =>
    withBoth(async (db, exec) => {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let readDone!: () => void;
      const read = new Promise<void>((r) => (readDone = r));
      const tx = db.$transaction(async (t) => {
        await t.shop.count();
        readDone();
        await gate;
        await t.shop.create({ data: { domain: "tx.myshopify.com", name: "Tx", ingestKey: "ik_tx" } });
      });
      await read;
      // Another connection writes after the transaction's read (a deferred transaction
      // would then fail its write with SQLITE_BUSY); it waits for the lock instead.
      const write = exec.execute(
        `INSERT INTO "Shop" ("domain", "name", "ingestKey", "updatedAt") VALUES ($1, 'W', $2, $3)`,
        "w.myshopify.com",
        "ik_w",
        Date.now(),
      );
      setTimeout(release, 300);
      await Promise.all([tx, write]);
      expect((await db.shop.findMany({ select: { domain: true }, orderBy: { domain: "asc" } })).map((s) => s.domain)).toEqual([
        "tx.myshopify.com",
        "w.myshopify.com",
      ]);
    }));

  it("do not keep a script's process alive once idle", async () => {
    const url = await freshDatabase("sqlite");
    const root = path.resolve(__dirname, "../..");
    const script = path.join(root, ".tmp", `idle-exit-${process.pid}.mts`);
    writeFileSync(
      script,
      `import { createDb } from "../db/prisma";
      import { createSqlExecutor } from "../db/executor";
      const { db } = createDb(process.env.DATABASE_URL);
      const exec = createSqlExecutor(process.env.DATABASE_URL);
      console.log(await db.shop.count(), (await exec.query("SELECT 1 AS one"))[0].one);`,
    );
    // No $disconnect, no close: the process must still end by itself.
    const run = spawnSync(process.execPath, ["--import", "tsx", script], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: url },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(run.stderr).toBe("");
    expect(run.stdout.trim()).toBe("0 1");
    expect(run.status).toBe(0);
  });

  it("fail a query while the file cannot be opened, and work on the next one once it can", async () => {
    const dir = path.resolve(__dirname, "../../.tmp", `not-yet-${process.pid}-${Date.now()}`);
    const thread = new SqliteThread(path.join(dir, "app.sqlite"), ["PRAGMA busy_timeout = 5000"]);
    try {
      await expect(thread.execute("SELECT 1 AS one")).rejects.toThrow(/failed to connect|unable to open/i);
      mkdirSync(dir, { recursive: true });
      expect((await thread.execute("SELECT 1 AS one")).rows).toEqual([[1]]);
    } finally {
      await thread.close();
    }
    await expect(thread.execute("SELECT 1")).rejects.toThrow("closed");
  });

  it("stay usable after a statement times out on another connection's lock", async () => {
    // libsql leaves a statement that failed with SQLITE_BUSY active until it is garbage-
    // collected; the connection then refused every COMMIT ("SQL statements in progress").
    const file = sqliteFilePath(await freshDatabase("sqlite"))!;
    const holder = new SqliteThread(file, ["PRAGMA busy_timeout = 100"]);
    const other = new SqliteThread(file, ["PRAGMA busy_timeout = 100"]);
    try {
      await holder.execute(`CREATE TABLE "t" ("x" INTEGER)`);
      for (const blocked of [`BEGIN IMMEDIATE`, `INSERT INTO "t" VALUES (1)`]) {
        await holder.execute("BEGIN IMMEDIATE");
        await expect(other.execute(blocked), blocked).rejects.toMatchObject({ code: "SQLITE_BUSY" });
        await holder.execute("COMMIT");
        await other.execute("BEGIN IMMEDIATE");
        await other.execute(`INSERT INTO "t" VALUES (2)`);
        await other.execute("COMMIT");
      }
      expect((await holder.execute(`SELECT count(*) FROM "t"`)).rows).toEqual([[2]]);
    } finally {
      await Promise.all([holder.close(), other.close()]);
    }
  });

  it("open the file a file: URL names", () => {
    expect(sqliteFilePath("file:./.data/app.sqlite")).toBe("./.data/app.sqlite");
    expect(sqliteFilePath("file:/srv/app%20data/app.sqlite?mode=rwc")).toBe("/srv/app data/app.sqlite");
    expect(sqliteFilePath("file:///srv/app.sqlite")).toBe("/srv/app.sqlite");
    expect(sqliteFilePath(":memory:")).toBe(":memory:");
    expect(sqliteFilePath("file://remote-host/app.sqlite")).toBeNull();
    expect(sqliteFilePath("libsql://db.example.com")).toBeNull();
  });
});

describe.each(["sqlite", "postgres"] as const)("the reports' read connections on %s", (kind) => {
  // PostgreSQL's pg_sleep; SQLite's slow recursive count (~1 s).
  const slow = kind === "postgres" ? "SELECT count(*) AS c FROM pg_sleep(1)" : SLOW;

  it("run a second query while the first still runs, see the writers' commits, and write nothing", async () => {
    const url = await freshDatabase(kind);
    const exec = createSqlExecutor(url);
    const reads = createSqlReader(url, 2);
    try {
      const order: string[] = [];
      const first = reads.query(slow).then(() => order.push("slow"));
      const second = reads.query("SELECT 1 AS one").then(() => order.push("fast"));
      await Promise.all([first, second]);
      // On one connection the fast query would wait behind the slow one.
      expect(order).toEqual(["fast", "slow"]);

      await exec.execute(`INSERT INTO "Shop" ("domain", "name", "ingestKey", "updatedAt") VALUES ('reads.myshopify.com', 'R', 'ik_reads', CURRENT_TIMESTAMP)`);
      expect(await reads.query<{ domain: string }>(`SELECT "domain" FROM "Shop"`)).toEqual([{ domain: "reads.myshopify.com" }]);
      await expect(reads.query(`DELETE FROM "Shop"`)).rejects.toThrow(/readonly|read-only/i);
    } finally {
      await Promise.all([exec.close(), reads.close()]);
    }
  });
});
