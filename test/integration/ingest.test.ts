import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDemoShop } from "../../scripts/lib/demo-shop";
import { startApp, type TestApp } from "../helpers/app-server";
import { createPixelHarness, findPii, withPii } from "../helpers/pixel-harness";
import { CONSENTED, compact, postBatch, recentJourney, visitor } from "../helpers/ingest";
import { sendWebhook } from "../helpers/shopify-auth";

const SHOP = "ingest-shop.myshopify.com";
const KEY = "ik_ingest_test_key_1234567890";
const OTHER = "other-shop.myshopify.com";
const OTHER_KEY = "ik_other_shop_key_0987654321";

describe.each(["sqlite", "postgres"] as const)("POST /collect on %s", (kind) => {
  let app: TestApp;
  let shopId: number;
  const batch = (events: unknown[], extra: Record<string, unknown> = {}) => ({ v: 1, shop: SHOP, key: KEY, consent: CONSENTED, events, ...extra });

  beforeAll(async () => {
    app = await startApp({ db: kind });
    shopId = (await ensureDemoShop(app.db, { domain: SHOP, ingestKey: KEY })).id;
    await ensureDemoShop(app.db, { domain: OTHER, ingestKey: OTHER_KEY });
  });
  afterAll(() => app?.stop());

  it("replaying the fixture journey through the real pixel stores one checkout and one purchase, and no personal data", async () => {
    const pixel = await createPixelHarness({
      settings: { ingestUrl: `${app.url}/collect`, ingestKey: KEY },
      shop: SHOP,
      customer: { id: "gid://shopify/Customer/4242", email: "jane.doe.pii@example.com", firstName: "Jane" },
    });
    const journey = recentJourney().map(withPii);
    for (const e of journey) pixel.publish(e);
    await pixel.flush();
    expect(pixel.stats()).toMatchObject({ dropped: 0 });
    expect(pixel.requests.every((r) => r.status === 202)).toBe(true);

    const clientId = journey[0].clientId;
    const stored = await app.db.event.findMany({ where: { shopId, clientId }, orderBy: [{ ts: "asc" }, { seq: "asc" }] });
    const count = (name: string) => stored.filter((e) => e.name === name).length;
    expect(count("checkout_started")).toBe(1);
    expect(count("checkout_completed")).toBe(1);
    expect(stored).toHaveLength(journey.length - 2);
    expect(stored.find((e) => e.name === "checkout_completed")!.eventId).toBe(journey[10].id); // the first one is kept
    // One visit, its entry attributes from the landing page.
    const sessions = await app.db.visitorSession.findMany({ where: { shopId, clientId } });
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({
      eventCount: stored.length,
      landingPath: "/",
      source: "instagram",
      campaign: "bf-teaser",
      device: "mobile",
      visitorType: "new",
      loggedIn: true,
    });
    expect(new Set(stored.map((e) => e.sessionId))).toEqual(new Set([sessions[0].id]));
    expect(stored.every((e) => e.customerId === "4242")).toBe(true);
    // No personal data anywhere in what was stored.
    const dump = JSON.stringify(stored, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
    expect(findPii(dump)).toEqual([]);
    expect(dump).not.toContain("Jane");

    // Replaying the same journey again (retries, reloads) changes no count.
    const again = await createPixelHarness({ settings: { ingestUrl: `${app.url}/collect`, ingestKey: KEY }, shop: SHOP });
    for (const e of journey) again.publish(e);
    await again.flush();
    expect(await app.db.event.count({ where: { shopId, clientId } })).toBe(stored.length);
    const bodies = again.requests.map((r) => r.status);
    expect(bodies.every((s) => s === 202)).toBe(true);
  });

  it("answers with accepted / duplicates / rejected per event and keeps the valid ones", async () => {
    const good = compact({ clientId: visitor("mixed") });
    const res = await postBatch(app.url, batch([good, { ...compact(), name: "drop_table" }, { ...compact(), ts: "yesterday-ish" }, { id: 5 }, good]));
    expect(res.status).toBe(202);
    expect(res.json.accepted).toBe(1);
    expect(res.json.duplicates).toBe(1);
    expect(res.json.rejected.map((r: { index: number }) => r.index)).toEqual([1, 2, 3]);
    expect(res.json.rejected[0].reason).toMatch(/unknown event name/);
    expect(res.json.rejected[1].reason).toMatch(/ts: not an ISO 8601 date/);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("applies the clock rule: far future rejected, slightly ahead clamped, too old rejected", async () => {
    const now = Date.now();
    const ahead = compact({ clientId: visitor("clock"), ts: new Date(now + 5 * 60_000).toISOString() });
    const res = await postBatch(
      app.url,
      batch([
        compact({ clientId: visitor("clock"), ts: new Date(now + 60 * 60_000).toISOString() }),
        ahead,
        compact({ clientId: visitor("clock"), ts: new Date(now - 100 * 3_600_000).toISOString() }),
      ]),
    );
    expect(res.status).toBe(202);
    expect(res.json.rejected.map((r: { reason: string }) => r.reason)).toEqual(["ts: more than 10 minutes in the future", "ts: older than 72 hours"]);
    const row = await app.db.event.findUniqueOrThrow({ where: { shopId_eventId: { shopId, eventId: ahead.id } } });
    expect(Number(row.ts)).toBeLessThanOrEqual(Date.now());
    expect(Number(row.ts)).toBeGreaterThanOrEqual(now - 1000);
  });

  it("derives the same sessions whatever order batches arrive in, and merges sessions a late event joins", async () => {
    const t0 = Date.now() - 3 * 3_600_000;
    const at = (min: number) => new Date(t0 + min * 60_000).toISOString();
    const journey = [0, 10, 25, 50, 70, 140, 150].map((m, i) => compact({ clientId: visitor("order-a"), ts: at(m), seq: i }));
    for (const e of journey) await postBatch(app.url, batch([e]));
    for (const e of [...journey].reverse()) await postBatch(app.url, batch([{ ...e, id: `${e.id}-b`, clientId: visitor("order-b") }]));
    const shape = async (clientId: string) =>
      (await app.db.visitorSession.findMany({ where: { shopId, clientId }, orderBy: { startTs: "asc" } })).map((s) => [
        Number(s.startTs) - t0,
        Number(s.endTs) - t0,
        s.eventCount,
        s.visitorType,
      ]);
    const minute = 60_000;
    expect(await shape(visitor("order-a"))).toEqual([
      [0, 70 * minute, 5, "new"],
      [140 * minute, 150 * minute, 2, "returning"],
    ]);
    expect(await shape(visitor("order-b"))).toEqual(await shape(visitor("order-a")));

    // A late event at minute 105 bridges the 70 → 140 gap (35 min each side: no), at 100 and 120 it does.
    await postBatch(
      app.url,
      batch([compact({ clientId: visitor("order-a"), ts: at(100), seq: 20 }), compact({ clientId: visitor("order-a"), ts: at(120), seq: 21 })]),
    );
    expect(await shape(visitor("order-a"))).toEqual([[0, 150 * minute, 9, "new"]]);
    const ids = await app.db.event.findMany({ where: { shopId, clientId: visitor("order-a") }, select: { sessionId: true } });
    expect(new Set(ids.map((e) => e.sessionId)).size).toBe(1);
  });

  it("flags obvious bots and keeps them apart", async () => {
    const e = compact({ clientId: visitor("bot-1") });
    await postBatch(app.url, batch([e], { ua: "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)" }));
    const row = await app.db.event.findUniqueOrThrow({ where: { shopId_eventId: { shopId, eventId: e.id } } });
    expect(row.isBot).toBe(true);
    expect((await app.db.visitorSession.findFirstOrThrow({ where: { shopId, clientId: visitor("bot-1") } })).isBot).toBe(true);
  });

  it("stores nothing for a wrong key, another shop's key, or an uninstalled shop", async () => {
    const before = await app.db.event.count();
    expect((await postBatch(app.url, batch([compact()], { key: "ik_wrong" }))).status).toBe(401);
    expect((await postBatch(app.url, batch([compact()], { key: OTHER_KEY }))).status).toBe(401);
    expect((await postBatch(app.url, { v: 1, shop: "nobody.myshopify.com", key: KEY, events: [compact()] })).status).toBe(401);
    const gone = "gone-shop.myshopify.com";
    await ensureDemoShop(app.db, { domain: gone, ingestKey: "ik_gone_shop_key" });
    expect((await postBatch(app.url, { v: 1, shop: gone, key: "ik_gone_shop_key", events: [compact()] })).status).toBe(202);
    expect((await sendWebhook(app.url, "app/uninstalled", gone, { domain: gone, myshopify_domain: gone })).status).toBe(200);
    const after = await postBatch(app.url, { v: 1, shop: gone, key: "ik_gone_shop_key", events: [compact()] });
    expect(after.status).toBe(403);
    expect(after.json.error).toMatch(/uninstalled/);
    expect(await app.db.event.count()).toBe(before + 1);
  });

  it("answers malformed input with 4xx and a reason, never 5xx", async () => {
    const huge = "x".repeat(70 * 1024);
    const cases: [string | object, number][] = [
      ["", 400],
      ["not json", 400],
      ["[]", 400],
      ["null", 400],
      [{ v: 2, shop: SHOP, key: KEY, events: [compact()] }, 400],
      [{ v: 1, shop: "evil.com", key: KEY, events: [compact()] }, 400],
      [batch([]), 400],
      [batch(Array.from({ length: 51 }, () => compact())), 400],
      [batch([compact({ props: { a: huge.slice(0, 300) } })]), 202],
      [huge, 413],
      [JSON.stringify(batch([compact()])).replace("{", '{"__proto__":{"polluted":true},'), 202],
      ['{"v":1,"events":' + "[".repeat(5000) + "]".repeat(5000) + "}", 400],
    ];
    for (const [body, status] of cases) {
      const res = await postBatch(app.url, body);
      expect(res.status, String(body).slice(0, 60)).toBe(status);
      if (status >= 400) expect(res.json.error, String(body).slice(0, 60)).toBeTruthy();
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const options = await fetch(`${app.url}/collect`, { method: "OPTIONS" });
    expect(options.status).toBe(204);
    expect(options.headers.get("access-control-allow-methods")).toContain("POST");
  });
});

describe("backpressure and rate limits", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp({ env: { INGEST_MAX_PENDING: "10", INGEST_IP_RPS: "1", INGEST_IP_BURST: "3" } });
    await ensureDemoShop(app.db, { domain: SHOP, ingestKey: KEY });
  });
  afterAll(() => app?.stop());

  it("refuses work beyond capacity with 503 + Retry-After and limits each address with 429 + Retry-After", async () => {
    const tooBig = await postBatch(app.url, { v: 1, shop: SHOP, key: KEY, events: Array.from({ length: 20 }, () => compact()) });
    expect(tooBig.status).toBe(503);
    expect(tooBig.headers.get("retry-after")).toBe("1");
    expect((await postBatch(app.url, { v: 1, shop: SHOP, key: KEY, events: [compact()] })).status).toBe(202);
    const third = await postBatch(app.url, { v: 1, shop: SHOP, key: KEY, events: [compact()] });
    expect(third.status).toBe(202);
    const limited = await postBatch(app.url, { v: 1, shop: SHOP, key: KEY, events: [compact()] });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  });
});
