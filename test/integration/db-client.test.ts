/**
 * The app's SQLite connections keep their settings (busy_timeout, mmap_size) on every
 * native connection, including the ones libsql opens after each transaction.
 */
import { describe, expect, it } from "vitest";
import { createDb } from "../../app/db-client";
import { freshDatabase } from "../helpers/app-server";

const settings = async (db: ReturnType<typeof createDb>["db"]) => {
  const [busy] = await db.$queryRawUnsafe<{ timeout: number | bigint }[]>("PRAGMA busy_timeout");
  const [mmap] = await db.$queryRawUnsafe<{ mmap_size: number | bigint }[]>("PRAGMA mmap_size");
  return { busy: Number(busy.timeout), mmap: Number(mmap.mmap_size) };
};

describe("SQLite connection settings", () => {
  it("hold before and after transactions", async () => {
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
});
