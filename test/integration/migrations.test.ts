/** Migrations apply forward on a database that already holds data, losing nothing. */
import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createDb } from "../../app/db-client";
import { migrate } from "../../scripts/lib/migrate";
import { createDatabase } from "../../scripts/lib/pg-server";
import { inject } from "vitest";
import { root } from "../helpers/app-server";

const names = readdirSync(path.join(root, "prisma/migrations")).filter((n) => /^\d{14}_/.test(n)).sort();

describe.each(["sqlite", "postgres"] as const)("upgrading a %s database with data", (kind) => {
  it.each(names.slice(0, -1))("from %s to the latest keeps every row", async (from) => {
    const url =
      kind === "postgres"
        ? await createDatabase(inject("pgBaseUrl"), `upgrade_${from.slice(0, 14)}_${Date.now() % 100000}`)
        : `file:${path.join(root, ".tmp", `upgrade-${from}-${Date.now()}.sqlite`)}`;
    await migrate(url, { quiet: true, upTo: from });
    const { db } = createDb(url);
    // Rows in the tables every migration since the first has had.
    const shop = await db.shop.create({ data: { domain: "old.myshopify.com", name: "Old", ingestKey: "ik_old" } });
    await db.event.createMany({
      data: Array.from({ length: 50 }, (_, i) => ({ shopId: shop.id, eventId: `e${i}`, name: "page_viewed", ts: BigInt(1_000 + i), seq: i, clientId: "c", sessionId: "c:1000", receivedAt: 0n })),
    });
    await db.funnel.create({ data: { shopId: shop.id, name: "F", steps: { create: [{ shopId: shop.id, position: 1, label: "A", matchers: "[]" }] } } });
    await db.$disconnect();

    await migrate(url, { quiet: true });
    const after = createDb(url).db;
    expect(await after.shop.count()).toBe(1);
    expect(await after.event.count({ where: { shopId: shop.id } })).toBe(50);
    expect(await after.funnelStep.count({ where: { shopId: shop.id } })).toBe(1);
    // And the latest tables are there.
    expect(await after.order.count()).toBe(0);
    await after.$disconnect();
  });
});
