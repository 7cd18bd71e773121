/**
 * Property-based fuzzing of POST /collect on SQLite and PostgreSQL, 6,000 generated
 * payloads each: never a 5xx, never a row stored from an invalid event, every rejection
 * with a reason, and every accepted event stored exactly as accepted (after the
 * normalizations docs/event-schema.md lists: gid → number, the privacy scrub). The
 * invalid events include what used to break or alter storage: a NUL in each string field,
 * lone surrogates, client ids equal after the database's normalization, C0/C1 control
 * characters, over-long values and ids that are not Shopify's.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanProps, cleanUrl, keepText } from "../../core/privacy";
import { ensureDemoShop } from "../../scripts/lib/demo-shop";
import { visitorUuid } from "../../scripts/lib/simulation";
import { startApp, type TestApp } from "../helpers/app-server";

const SHOP = "fuzz-shop.myshopify.com";
const KEY = "ik_fuzz_shop_key_00000000000";
const NOW = Date.now();
const RUNS = 6_000;
const CONSENT = { analytics: true };

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// Node's own check, independent of the regex the app uses.
const wellFormed = (s: string) => (s as unknown as { isWellFormed(): boolean }).isWellFormed() && !CONTROL.test(s);
/** Text a real storefront can produce: any Unicode, bidi marks, emoji, injection strings. */
const unicode = fc.string({ unit: "grapheme", maxLength: 40 }).filter(wellFormed);
const printable = fc.oneof(
  unicode,
  fc.constantFrom("‮evil", "💥".repeat(30), "__proto__", "constructor", '\'; DROP TABLE "Event"; --', '=HYPERLINK("x")', "e\u0301", "\u00e9", "ﬁ", "\ufeffbom"),
);
// Client ids are the pixel's UUIDs; two differ only in case and must stay two visitors.
const CLIENTS = [visitorUuid(7, 1), visitorUuid(7, 2), visitorUuid(7, 3).toUpperCase(), visitorUuid(7, 3)];
const digits = fc.integer({ min: 1, max: 2 ** 47 }).map(String);

let seq = 0;
/** A valid compact event (ids prefixed good-). */
const goodEvent = fc
  .record({
    name: fc.constantFrom("page_viewed", "product_viewed", "checkout_started", "mc:scroll_depth", "mc:form_submit"),
    path: fc.option(
      fc.oneof(
        printable.map((s) => "/" + s),
        fc.constant("/products/x"),
      ),
      { nil: undefined },
    ),
    url: fc.option(
      fc.oneof(
        fc.constant("https://fuzz-shop.myshopify.com/p?utm_source=a&x=1#f"),
        printable.map(
          (s) => `https://fuzz-shop.myshopify.com/${encodeURIComponent(s).slice(0, 900)}?utm_campaign=${encodeURIComponent(s).slice(0, 900)}&token=t`,
        ),
      ),
      { nil: undefined },
    ),
    referrer: fc.option(fc.constantFrom("https://l.instagram.com/", "https://www.google.com/search?q=mugs&gclid=abc"), { nil: undefined }),
    utm: fc.option(fc.record({ source: fc.option(printable, { nil: undefined }), campaign: fc.option(printable, { nil: undefined }) }), { nil: undefined }),
    productId: fc.option(
      fc.oneof(
        digits,
        digits.map((d) => `gid://shopify/Product/${d}`),
      ),
      { nil: undefined },
    ),
    variantId: fc.option(
      digits.map((d) => `gid://shopify/ProductVariant/${d}`),
      { nil: undefined },
    ),
    customerId: fc.option(
      fc.oneof(
        digits,
        digits.map((d) => `gid://shopify/Customer/${d}`),
      ),
      { nil: undefined },
    ),
    offset: fc.integer({ min: 0, max: 3_600_000 }),
    props: fc.option(
      fc.dictionary(
        fc.string({ minLength: 1, maxLength: 20 }).filter(wellFormed),
        fc.oneof(printable, fc.constant("line one\nline\ttwo"), fc.integer(), fc.boolean(), fc.constant(null)),
        { maxKeys: 5 },
      ),
      { nil: undefined },
    ),
    clientId: fc.constantFrom(...CLIENTS),
  })
  .map((e) => {
    const n = ++seq;
    return {
      id: `good-${n}`,
      name: e.name,
      ts: new Date(NOW - e.offset).toISOString(),
      seq: n,
      clientId: e.clientId,
      path: e.path,
      url: e.url,
      referrer: e.referrer,
      utm: e.utm,
      productId: e.productId,
      variantId: e.variantId,
      customerId: e.customerId,
      // Unique per event: repeats of one checkout would collapse into one row by design.
      checkoutToken: e.name === "checkout_started" ? `tok-${n}` : undefined,
      props: e.props,
    };
  });

/** Every string field of an event, with a way to set it (props: a value and a key). */
const STRING_FIELDS: [string, (e: Record<string, unknown>, v: string) => void][] = [
  ...["id", "name", "ts", "clientId", "url", "path", "referrer", "productId", "variantId", "currency", "checkoutToken", "orderId", "customerId"].map(
    (f) => [f, (e: Record<string, unknown>, v: string) => (e[f] = v)] as [string, (e: Record<string, unknown>, v: string) => void],
  ),
  ...["source", "medium", "campaign", "term", "content"].map(
    (k) => [`utm.${k}`, (e: Record<string, unknown>, v: string) => (e.utm = { [k]: v })] as [string, (e: Record<string, unknown>, v: string) => void],
  ),
  ["props value", (e, v) => (e.props = { label: v })],
  ["props key", (e, v) => (e.props = { [v]: 1 })],
];
/** A value that is valid for each field, to poison with one bad character. */
const VALID: Record<string, string> = {
  id: "ev-1",
  name: "page_viewed",
  ts: new Date(NOW).toISOString(),
  clientId: CLIENTS[0],
  url: "https://s.test/",
  path: "/p",
  referrer: "https://r.test/",
  productId: "12",
  variantId: "34",
  currency: "USD",
  checkoutToken: "tok",
  orderId: "56",
  customerId: "78",
};
const poison = (field: string, bad: string) => {
  const base = VALID[field] ?? "ok";
  return field === "currency" || field === "name" ? bad + base : base.slice(0, 1) + bad + base.slice(1);
};

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
  ["clientId not a UUID", (e) => (e.clientId = "fuzz-visitor")],
  ["clientId lone high surrogate", (e) => (e.clientId = "z\ud800")],
  ["clientId lone low surrogate", (e) => (e.clientId = "z\udfff")],
  ["long url", (e) => (e.url = "https://x/" + "a".repeat(2050))],
  ["long path", (e) => (e.path = "/" + "a".repeat(1024))],
  ["long utm", (e) => (e.utm = { source: "s".repeat(257) })],
  ["long prop key", (e) => (e.props = { ["k".repeat(65)]: 1 })],
  ["nested props", (e) => (e.props = { a: { b: 1 } })],
  ["too many props", (e) => (e.props = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, i])))],
  ["long prop value", (e) => (e.props = { a: "v".repeat(300) })],
  ["bad currency", (e) => (e.currency = "usd")],
  ["float quantity", (e) => (e.quantity = 1.25)],
  ["bad device", (e) => (e.device = "phone")],
  ["utm extra key", (e) => (e.utm = { source: "a", evil: "b" })],
  ["id not a string", (e) => (e.id = 12345)],
  ["order id cut to digits", (e) => (e.orderId = "gid://shopify/Order/n20-5")],
  ["order id of another type", (e) => (e.orderId = "gid://shopify/Customer/5")],
  ["product id with letters", (e) => (e.productId = "p1")],
  ["customer id as an email", (e) => (e.customerId = "jane@example.com")],
  ["array event", () => {}],
  // A NUL, a lone surrogate and a C0/C1 control character in every string field.
  ...STRING_FIELDS.flatMap(([field, set]) =>
    (
      [
        ["NUL", "\u0000"],
        ["lone surrogate", "\ud800"],
        ["lone low surrogate", "\udc00"],
        ["escape", "\u001b"],
        ["C1 control", "\u0085"],
        ["DEL", "\u007f"],
      ] as const
    ).map(
      ([what, bad]) => [`${what} in ${field}`, (e: Record<string, unknown>) => set(e, poison(field, bad))] as [string, (e: Record<string, unknown>) => void],
    ),
  ),
];

const badEvent = fc.tuple(goodEvent, fc.integer({ min: 0, max: mutations.length - 1 })).map(([e, m]) => {
  const copy: Record<string, unknown> = { ...e, id: `bad-${e.id.slice(5)}` };
  mutations[m][1](copy);
  return mutations[m][0] === "array event" ? [copy] : copy;
});

const envelope = (extra: Record<string, unknown>) =>
  JSON.stringify({
    v: 1,
    shop: SHOP,
    key: KEY,
    consent: CONSENT,
    events: [{ id: "bad-env", name: "page_viewed", ts: new Date(NOW).toISOString(), seq: 0, clientId: CLIENTS[0] }],
    ...extra,
  });

/** Whole bodies: mixed batches, broken envelopes, garbage. */
const body = fc.oneof(
  { weight: 12, arbitrary: fc.array(fc.oneof(goodEvent, badEvent), { minLength: 1, maxLength: 12 }).map((events) => ({ kind: "batch" as const, events })) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => ({ kind: "raw" as const, text: JSON.stringify(v) })) },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }).map((text) => ({ kind: "raw" as const, text })) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 20_000 }).map((d) => ({ kind: "raw" as const, text: "[".repeat(d) + "]".repeat(d) })) },
  {
    weight: 1,
    arbitrary: fc.constantFrom("__proto__", "constructor", "prototype").map((k) => ({
      kind: "raw" as const,
      text: `{"v":1,"shop":"${SHOP}","key":"${KEY}","consent":{"analytics":true},"${k}":{"polluted":1},"events":[{"__proto__":{"x":1},"id":"bad-proto-${k}","name":"page_viewed"}]}`,
    })),
  },
  { weight: 1, arbitrary: fc.integer({ min: 65 * 1024, max: 200 * 1024 }).map((n) => ({ kind: "raw" as const, text: "x".repeat(n) })) },
  // The envelope's own strings follow the same rules: the whole batch is refused.
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(
        envelope({ ua: "Mozilla\u0000" }),
        envelope({ ua: "M\ud800" }),
        envelope({ key: KEY + "\u0000" }),
        envelope({ consent: undefined }),
        envelope({ consent: { analytics: "yes" } }),
      )
      .map((text) => ({ kind: "raw" as const, text })),
  },
);

type Good = typeof goodEvent extends fc.Arbitrary<infer T> ? T : never;

describe.each(["sqlite", "postgres"] as const)("fuzzing POST /collect on %s", (kind) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp({ db: kind, env: { INGEST_IP_RPS: "1000000", INGEST_IP_BURST: "1000000", INGEST_SHOP_RPS: "1000000", INGEST_SHOP_BURST: "1000000" } });
    await ensureDemoShop(app.db, { domain: SHOP, ingestKey: KEY });
  });
  afterAll(() => app?.stop());

  it(`answers ${RUNS} generated payloads without a 5xx, stores nothing invalid and nothing altered`, async () => {
    const samples = fc.sample(body, { numRuns: RUNS, seed: 20261125 });
    const contentTypes = ["text/plain", "application/json", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", ""];
    const statuses = new Map<number, number>();
    const problems: string[] = [];
    const goodAccepted = new Map<string, Good>();
    let next = 0;
    const worker = async () => {
      while (next < samples.length) {
        const i = next++;
        const s = samples[i];
        const text = s.kind === "batch" ? JSON.stringify({ v: 1, shop: SHOP, key: KEY, consent: CONSENT, events: s.events }) : s.text;
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
            if (isGood && !rejected.has(idx)) goodAccepted.set((e as Good).id, e as Good);
          });
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    console.log(
      `[fuzz ${kind}] ${samples.length} payloads, statuses ${JSON.stringify(Object.fromEntries(statuses))}, ${goodAccepted.size} valid events accepted`,
    );

    expect(problems.slice(0, 10)).toEqual([]);
    expect([...statuses.keys()].every((s) => s < 500)).toBe(true);
    const shop = await app.db.shop.findUniqueOrThrow({ where: { domain: SHOP } });
    const stored = await app.db.event.findMany({ where: { shopId: shop.id } });
    expect(stored.filter((e) => !e.eventId.startsWith("good-")).map((e) => e.eventId)).toEqual([]);
    expect(stored.length).toBe(goodAccepted.size);

    // Stored = accepted, after the documented normalizations (and nothing else: no
    // truncation at a NUL, no U+FFFD for a surrogate, no case folding of client ids).
    const number = (id: string | undefined) => (id ? id.replace(/^gid:\/\/shopify\/[A-Za-z]+\//, "") : null);
    const altered: string[] = [];
    for (const row of stored) {
      const e = goodAccepted.get(row.eventId)!;
      const props = e.props ? cleanProps(e.props) : {};
      const expected = {
        name: e.name,
        clientId: e.clientId,
        path: keepText(e.path) ?? null,
        url: cleanUrl(e.url) ?? null,
        referrer: cleanUrl(e.referrer) ?? null,
        utmSource: keepText(e.utm?.source) ?? null,
        utmCampaign: keepText(e.utm?.campaign) ?? null,
        productId: number(e.productId),
        variantId: number(e.variantId),
        customerId: number(e.customerId),
        checkoutToken: e.checkoutToken ?? null,
        props: Object.keys(props).length ? props : null,
      };
      const actual = {
        name: row.name,
        clientId: row.clientId,
        path: row.path,
        url: row.url,
        referrer: row.referrer,
        utmSource: row.utmSource,
        utmCampaign: row.utmCampaign,
        productId: row.productId,
        variantId: row.variantId,
        customerId: row.customerId,
        checkoutToken: row.checkoutToken,
        props: row.props ? JSON.parse(row.props) : null,
      };
      if (JSON.stringify(actual) !== JSON.stringify(expected))
        altered.push(`${row.eventId}: stored ${JSON.stringify(actual)} ≠ accepted ${JSON.stringify(expected)}`);
    }
    expect(altered.slice(0, 5)).toEqual([]);
    // Client ids that differ only in case stay distinct visitors.
    expect(new Set(stored.map((r) => r.clientId)).size).toBe(new Set([...goodAccepted.values()].map((e) => e.clientId)).size);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  }, 1_500_000);
});
