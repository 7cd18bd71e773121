/**
 * The composition root (app/context.server.ts) builds its objects from the settings it is
 * given, not from the process's env: two contexts on one database with different rate
 * limits answer by their own limits, and each stores through its own writer.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createContext, type AppContext, type ContextSettings } from "../../app/context.server";
import type { IngestRequest } from "../../ingest/ingest.server";
import { parseTrustedProxies } from "../../ingest/client-address";
import { freshDatabase } from "../helpers/app-server";
import { CONSENTED, compact, visitor } from "../helpers/ingest";

const parsed = parseTrustedProxies("");
if (!parsed.ok) throw new Error(parsed.error);
const noProxies = parsed.proxies;

const settings = (url: string, ipBurst: number): ContextSettings => ({
  DATABASE_URL: url,
  INGEST_MAX_PENDING: 20_000,
  INGEST_SHOP_RPS: 1_000,
  INGEST_SHOP_BURST: 1_000,
  INGEST_IP_RPS: 0.001,
  INGEST_IP_BURST: ipBurst,
  trustedProxies: noProxies,
  FUNNEL_RESULTS_INTERVAL_MS: 0,
  RETENTION_INTERVAL_HOURS: 0,
  AUDIENCE_AUTO_SYNC_CHECK_SECONDS: 0,
  STEP_ALARM_CHECK_SECONDS: 0,
});

for (const kind of ["sqlite", "postgres"] as const) {
  describe(`contexts built with their own settings on ${kind}`, () => {
    let strict: AppContext;
    let lenient: AppContext;
    let batch: string;

    beforeAll(async () => {
      const url = await freshDatabase(kind);
      strict = createContext(settings(url, 1));
      lenient = createContext(settings(url, 5));
      await strict.db.shop.create({ data: { domain: `ctx-${kind}.myshopify.com`, name: "C", ingestKey: `ik_ctx_${kind}` } });
      batch = JSON.stringify({
        v: 1,
        shop: `ctx-${kind}.myshopify.com`,
        key: `ik_ctx_${kind}`,
        consent: CONSENTED,
        events: [compact({ id: `ctx-${kind}-1`, clientId: visitor(`ctx-${kind}`), ts: new Date(Date.now() - 60_000).toISOString() })],
      });
    }, 120_000);

    afterAll(async () => {
      await Promise.all([strict?.close(), lenient?.close()]);
    });

    const post = (ctx: AppContext, ip: string) =>
      ctx.ingestion.ingest({ method: "POST", readBody: async () => batch, ip, userAgent: "Mozilla/5.0" } satisfies IngestRequest);

    it("answer by their own rate limits and store through their own writers", async () => {
      const first = await post(strict, "203.0.113.7");
      expect(first.status, first.body ?? "").toBe(202);
      expect(JSON.parse(first.body!)).toMatchObject({ accepted: 1 });
      // Burst of 1: the same address is refused at once by this context…
      expect((await post(strict, "203.0.113.7")).status).toBe(429);
      // …while the other, with a burst of 5, still takes it (a duplicate now).
      const other = await post(lenient, "203.0.113.7");
      expect(other.status).toBe(202);
      expect(JSON.parse(other.body!)).toMatchObject({ accepted: 0, duplicates: 1 });
      expect(await lenient.db.event.count({ where: { eventId: `ctx-${kind}-1` } })).toBe(1);
    });
  });
}
