/**
 * Property-based fuzzing of POST /collect with > 10k generated payloads: never a 5xx,
 * never a row stored from an invalid event, every rejection with a reason.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDemoShop } from "../../scripts/lib/demo-shop";
import { startApp, type TestApp } from "../helpers/app-server";

const SHOP = "fuzz-shop.myshopify.com";
const KEY = "ik_fuzz_shop_key_00000000000";
const NOW = Date.now();

const unicode = fc.string({ unit: "grapheme", maxLength: 40 });
const nasty = fc.oneof(
  unicode,
  fc.constantFrom("\u0000", "\ud800", "\udfff", "‮evil", "💥".repeat(30), "__proto__", "constructor", "'; DROP TABLE \"Event\"; --", "=HYPERLINK(\"x\")"),
);

let seq = 0;
/** A valid compact event (ids prefixed good-). */
const goodEvent = fc.record({
  name: fc.constantFrom("page_viewed", "product_viewed", "checkout_started", "mc:scroll_depth", "mc:form_submit"),
  path: fc.option(fc.oneof(nasty, fc.constant("/products/x")), { nil: undefined }),
  offset: fc.integer({ min: 0, max: 3_600_000 }),
  props: fc.option(fc.dictionary(fc.string({ minLength: 1, maxLength: 20 }), fc.oneof(nasty, fc.integer(), fc.boolean(), fc.constant(null)), { maxKeys: 5 }), { nil: undefined }),
  clientId: fc.oneof(fc.constant("fuzz-visitor"), unicode.filter((s) => s.length > 0)),
}).map((e) => ({ id: `good-${++seq}`, name: e.name, ts: new Date(NOW - e.offset).toISOString(), seq: seq, clientId: e.clientId, path: e.path, props: e.props }));

/** One way to make a valid event invalid, each certain to violate the schema. */
const mutations: [string, (e: Record<string, unknown>) => void][] = [
  ["unknown name", (e) => (e.name = "drop_table")],
  ["custom without prefix", (e) => (e.name = "scroll_depth_custom")],
  ["bad ts", (e) => (e.ts = "not-a-date")],
  ["future ts", (e) => (e.ts = new Date(NOW + 86_400_000).toISOString())],
  ["negative seq", (e) => (e.seq = -1)],
  ["float seq", (e) => (e.seq = 1.5)],
  ["string seq", (e) => (e.seq = "1")],
  ["missing clientId", (e) => delete e.clientId],
  ["long clientId", (e) => (e.clientId = "c".repeat(129))],
  ["long url", (e) => (e.url = "https://x/" + "a".repeat(2050))],
  ["nested props", (e) => (e.props = { a: { b: 1 } })],
  ["too many props", (e) => (e.props = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, i])))],
  ["long prop value", (e) => (e.props = { a: "v".repeat(300) })],
  ["bad currency", (e) => (e.currency = "usd")],
  ["float quantity", (e) => (e.quantity = 1.25)],
  ["bad device", (e) => (e.device = "phone")],
  ["utm extra key", (e) => (e.utm = { source: "a", evil: "b" })],
  ["id not a string", (e) => (e.id = 12345)],
  ["array event", () => {}],
];

const badEvent = fc.tuple(goodEvent, fc.integer({ min: 0, max: mutations.length - 1 })).map(([e, m]) => {
  const copy: Record<string, unknown> = { ...e, id: `bad-${e.id.slice(5)}` };
  mutations[m][1](copy);
  return mutations[m][0] === "array event" ? [copy] : mutations[m][0] === "id not a string" ? copy : copy;
});

/** Whole bodies: mixed batches, broken envelopes, garbage. */
const body = fc.oneof(
  { weight: 6, arbitrary: fc.array(fc.oneof(goodEvent, badEvent), { minLength: 1, maxLength: 12 }).map((events) => ({ kind: "batch" as const, events })) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => ({ kind: "raw" as const, text: JSON.stringify(v) })) },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }).map((text) => ({ kind: "raw" as const, text })) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 20_000 }).map((d) => ({ kind: "raw" as const, text: "[".repeat(d) + "]".repeat(d) })) },
  { weight: 1, arbitrary: fc.constantFrom("__proto__", "constructor", "prototype").map((k) => ({ kind: "raw" as const, text: `{"v":1,"shop":"${SHOP}","key":"${KEY}","${k}":{"polluted":1},"events":[{"__proto__":{"x":1},"id":"bad-proto-${k}","name":"page_viewed"}]}` })) },
  { weight: 1, arbitrary: fc.integer({ min: 65 * 1024, max: 200 * 1024 }).map((n) => ({ kind: "raw" as const, text: "x".repeat(n) })) },
);

describe("fuzzing POST /collect", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp({ env: { INGEST_IP_RPS: "1000000", INGEST_IP_BURST: "1000000", INGEST_SHOP_RPS: "1000000", INGEST_SHOP_BURST: "1000000" } });
    await ensureDemoShop(app.db, { domain: SHOP, ingestKey: KEY });
  });
  afterAll(() => app?.stop());

  it("answers 10k+ generated payloads without a 5xx and stores nothing invalid", async () => {
    const samples = fc.sample(body, { numRuns: 10_500, seed: 20261125 });
    const contentTypes = ["text/plain", "application/json", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", ""];
    const statuses = new Map<number, number>();
    const problems: string[] = [];
    const goodAccepted = new Set<string>();
    let next = 0;
    const worker = async () => {
      while (next < samples.length) {
        const i = next++;
        const s = samples[i];
        const text = s.kind === "batch" ? JSON.stringify({ v: 1, shop: SHOP, key: KEY, events: s.events }) : s.text;
        const headers: Record<string, string> = {};
        if (contentTypes[i % contentTypes.length]) headers["Content-Type"] = contentTypes[i % contentTypes.length];
        let res: Response;
        try {
          res = await fetch(`${app.url}/collect`, { method: "POST", headers, body: text });
        } catch (error) {
          problems.push(`network error (${(error as Error).message}) for ${text.slice(0, 80)}`);
          continue;
        }
        const json = (await res.json().catch(() => null)) as { error?: string; accepted?: number; rejected?: { index: number; reason: string }[] } | null;
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status >= 500) problems.push(`5xx for ${text.slice(0, 80)}`);
        if (res.status >= 400 && !json?.error) problems.push(`${res.status} without a reason`);
        if (s.kind === "batch" && res.status === 202) {
          const rejected = new Map((json?.rejected ?? []).map((r) => [r.index, r.reason]));
          s.events.forEach((e, idx) => {
            const isGood = !Array.isArray(e) && typeof (e as { id?: unknown }).id === "string" && String((e as { id: string }).id).startsWith("good-");
            if (isGood && rejected.has(idx)) problems.push(`valid event ${idx} rejected: ${rejected.get(idx)}`);
            if (!isGood && !rejected.get(idx)) problems.push(`invalid event ${idx} not rejected: ${JSON.stringify(e).slice(0, 120)}`);
            if (isGood) goodAccepted.add((e as { id: string }).id);
          });
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    console.log(`[fuzz] ${samples.length} payloads, statuses ${JSON.stringify(Object.fromEntries(statuses))}`);

    expect(problems.slice(0, 10)).toEqual([]);
    expect([...statuses.keys()].every((s) => s < 500)).toBe(true);
    const shop = await app.db.shop.findUniqueOrThrow({ where: { domain: SHOP } });
    const stored = await app.db.event.findMany({ where: { shopId: shop.id }, select: { eventId: true } });
    expect(stored.filter((e) => !e.eventId.startsWith("good-"))).toEqual([]);
    // Every valid event is stored (checkout_started repeats share no token here, so none collapse).
    expect(stored.length).toBe(goodAccepted.size);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  }, 1_500_000);
});
