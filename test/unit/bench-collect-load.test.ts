import { describe, expect, it } from "vitest";
import { parseBatch } from "../../ingest/schema";
import { toRows } from "../../ingest/normalize";
import { BATCH_EVENTS, collectBodies } from "../../bench/lib/collect-load";
import { statementKind } from "../../bench/lib/writer-probe";

describe("bench /collect load bodies", () => {
  it("are valid batches of 20 realistic events the endpoint accepts whole, with unique ids", () => {
    const now = Date.UTC(2026, 5, 1, 12);
    const bodies = collectBodies({ shop: "bench-shop.myshopify.com", key: "ik_x", tag: "t", now: () => now });
    const ids = new Set<string>();
    const names = new Set<string>();
    const visitors = new Set<string>();
    for (let i = 0; i < 400; i++) {
      const body = bodies.next();
      expect(body.length).toBeLessThan(16 * 1024);
      const batch = parseBatch(body);
      if (!batch.ok) throw new Error(batch.error);
      expect(batch.rejected).toEqual([]);
      expect(batch.events).toHaveLength(BATCH_EVENTS);
      const rejected = [...batch.rejected];
      const rows = toRows(batch.events, { shopId: 1, receivedAt: now, isBot: false, maxAgeMs: 72 * 3_600_000 }, rejected);
      expect(rejected).toEqual([]);
      for (const r of rows) {
        ids.add(r.eventId);
        names.add(r.name);
        visitors.add(r.clientId);
        expect(r.ts).toBeLessThanOrEqual(now);
        expect(r.ts).toBeGreaterThan(now - 3_600_000);
      }
      // One visitor per batch.
      expect(new Set(rows.map((r) => r.clientId)).size).toBe(1);
    }
    expect(ids.size).toBe(400 * BATCH_EVENTS);
    expect(visitors.size).toBe(200);
    expect(bodies.made).toBe(400);
    for (const n of ["page_viewed", "product_viewed", "product_added_to_cart", "mc:scroll_depth", "checkout_started", "checkout_completed"])
      expect(names).toContain(n);
  });

  it("give each visitor's checkout and order its own id (nothing is deduplicated)", () => {
    const bodies = collectBodies({ shop: "bench-shop.myshopify.com", key: "ik_x", tag: "u" });
    const keys = new Set<string>();
    let count = 0;
    for (let i = 0; i < 600; i++) {
      const batch = parseBatch(bodies.next());
      if (!batch.ok) throw new Error(batch.error);
      const rows = toRows(batch.events, { shopId: 1, receivedAt: Date.now(), isBot: false, maxAgeMs: 72 * 3_600_000 }, []);
      for (const r of rows) {
        if (r.dedupeKey) {
          keys.add(r.dedupeKey);
          count++;
        }
      }
    }
    expect(count).toBeGreaterThan(0);
    expect(keys.size).toBe(count);
  });
});

describe("bench writer probe helpers", () => {
  it("names statements by verb and table", () => {
    expect(statementKind(`INSERT INTO "Event" ("a") VALUES ($1)`)).toBe("INSERT Event");
    expect(statementKind(`SELECT 1 FROM "VisitorSession" WHERE x LIMIT 1`)).toBe("SELECT VisitorSession (earlier session?)");
    expect(statementKind(`UPDATE "Event" SET "sessionId" = $1`)).toBe("UPDATE Event (sessionId)");
  });
});
