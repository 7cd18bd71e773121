import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cleanUrl, deviceOf, flattenProps, mapEvent, parseQueryParams, parseUtm, type CompactEvent } from "../../../extensions/web-pixel/src/map";
import { findPii, loadJourney, withPii } from "../../helpers/pixel-harness";

const journey = loadJourney();
const byId = (id: string) => journey.events.find((e) => e.id === id)!;
const ALLOWED_KEYS = new Set([
  "id",
  "name",
  "ts",
  "seq",
  "clientId",
  "url",
  "path",
  "referrer",
  "utm",
  "device",
  "productId",
  "variantId",
  "quantity",
  "value",
  "currency",
  "checkoutToken",
  "orderId",
  "customerId",
  "props",
]);

describe("mapEvent on the recorded journey", () => {
  const mapped = journey.events.map((e) => mapEvent(e));

  it("maps every fixture event, keeping id/name/ts/seq/clientId", () => {
    expect(mapped.every(Boolean)).toBe(true);
    mapped.forEach((m, i) => {
      const e = journey.events[i];
      expect(m).toMatchObject({ id: e.id, name: e.name, ts: e.timestamp, seq: e.seq, clientId: e.clientId });
    });
  });

  it("page_viewed: url keeps utm_* only, utm parsed, referrer, device from width + UA", () => {
    expect(mapped[0]).toEqual({
      id: "sh-0001-0a1b2c3d",
      name: "page_viewed",
      ts: "2026-11-20T14:02:11.120Z",
      seq: 1,
      clientId: "f1c3a6d2-5b7e-4c8a-9e21-0d4b7a9c3e55",
      url: "https://demo-shop.myshopify.com/?utm_source=instagram&utm_medium=social&utm_campaign=bf-teaser",
      path: "/",
      referrer: "https://l.instagram.com/",
      utm: { source: "instagram", medium: "social", campaign: "bf-teaser" },
      device: "mobile",
    });
  });

  it("product_viewed: product/variant ids and price", () => {
    expect(mapEvent(byId("sh-0002-0a1b2c3d"))).toMatchObject({
      productId: "gid://shopify/Product/8800000001",
      variantId: "gid://shopify/ProductVariant/44100000001",
      value: 24,
      currency: "USD",
      path: "/products/stoneware-mug",
    });
  });

  it("product_added_to_cart: merchandise ids, quantity, line total", () => {
    const added = mapped.find((m) => m?.name === "product_added_to_cart")!;
    expect(added).toMatchObject({
      productId: "gid://shopify/Product/8800000001",
      variantId: "gid://shopify/ProductVariant/44100000001",
      quantity: 2,
      value: 48,
      currency: "USD",
    });
  });

  it("checkout events: token and total; orderId only on checkout_completed", () => {
    for (const m of mapped.filter((m) => /^checkout_|^payment_/.test(m!.name))) {
      expect(m).toMatchObject({ checkoutToken: "c1-9d8e7f6a5b4c3d2e1f", value: 53.5, currency: "USD" });
      if (m!.name === "checkout_completed") expect(m!.orderId).toBe("gid://shopify/Order/5600000001");
      else expect(m!.orderId).toBeUndefined();
    }
  });

  it("repeated checkout_started/checkout_completed stay distinct events (dedupe is the server's job)", () => {
    const started = mapped.filter((m) => m!.name === "checkout_started");
    const completed = mapped.filter((m) => m!.name === "checkout_completed");
    expect(started).toHaveLength(2);
    expect(completed).toHaveLength(2);
    expect(new Set(mapped.map((m) => m!.id)).size).toBe(mapped.length);
  });

  it("custom mc:* events carry customData as props", () => {
    expect(mapEvent(byId("sh-0003-0a1b2c3d"))!.props).toEqual({ percent: 75 });
    expect(mapped.find((m) => m!.name === "mc:video_play")!.props).toEqual({ provider: "shopify", src: "mug-turntable.mp4" });
  });

  it("customer id comes only from the id passed in", () => {
    expect(mapEvent(journey.events[0], "gid://shopify/Customer/77")!.customerId).toBe("gid://shopify/Customer/77");
    expect(mapEvent(journey.events[0])!.customerId).toBeUndefined();
  });
});

describe("privacy", () => {
  it("never emits names, emails, phones or addresses, even when Shopify provides them", () => {
    for (const e of journey.events) {
      const m = mapEvent(withPii(e), "gid://shopify/Customer/1")!;
      const json = JSON.stringify(m);
      expect(findPii(json)).toEqual([]);
      for (const k of Object.keys(m)) expect(ALLOWED_KEYS.has(k)).toBe(true);
    }
  });

  it("strips non-utm query params and fragments from url, and the query from referrer", () => {
    const e = structuredClone(journey.events[0]);
    e.context.document.location.href = "https://shop.test/account/reset?token=s3cret&email=a%40b.co&utm_source=mail#frag";
    e.context.document.referrer = "https://mail.example.com/inbox?q=jane%40example.com";
    const m = mapEvent(e)!;
    expect(m.url).toBe("https://shop.test/account/reset?utm_source=mail");
    expect(m.referrer).toBe("https://mail.example.com/inbox");
  });

  it("keeps the merchant's listed query parameters (queryParams setting) in url and referrer, never a personal-looking value", () => {
    const keep = parseQueryParams(" Ref, partner_id,,a&b,first name,email ");
    // Same rule as the Settings page: lower case, valid names only, no personal-looking names.
    expect([...keep]).toEqual(["ref", "partner_id", "first"]);
    const e = structuredClone(journey.events[0]);
    e.context.document.location.href = `https://shop.test/p?ref=spring&other=1&partner_id=${encodeURIComponent("jane@example.com")}&utm_source=mail`;
    e.context.document.referrer = "https://partner.example/list?REF=x9&q=1";
    const m = mapEvent(e, undefined, keep)!;
    expect(m.url).toBe("https://shop.test/p?ref=spring&utm_source=mail");
    expect(m.referrer).toBe("https://partner.example/list?REF=x9");
    // Without the setting, only the defaults survive.
    expect(mapEvent(e)!.url).toBe("https://shop.test/p?utm_source=mail");
    expect(mapEvent(e, undefined, parseQueryParams(undefined))!.referrer).toBe("https://partner.example/list");
  });

  it("drops PII-looking custom props and emails in values", () => {
    expect(flattenProps({ email: "x@y.co", customerName: "Jane", phone: "1", formType: "contact", note: "mail me at a@b.io", ok: true })).toEqual({
      formType: "contact",
      ok: true,
    });
  });

  it("property: whatever a storefront script publishes, no email ever reaches the record", () => {
    const email = fc.tuple(fc.stringMatching(/^[a-z]{1,8}$/), fc.stringMatching(/^[a-z]{1,8}$/)).map(([u, d]) => `${u}@${d}.com`);
    const value = fc.oneof(
      fc.string(),
      email,
      fc.integer(),
      fc.boolean(),
      email.map((m) => `https://x.test/?e=${m}`),
    );
    const data = fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), fc.oneof(value, fc.dictionary(fc.string({ maxLength: 6 }), value)));
    fc.assert(
      fc.property(data, email, (customData, addr) => {
        const e = { ...structuredClone(journey.events[2]), customData: { ...customData, contact: addr } };
        const m = mapEvent(e)!;
        const json = JSON.stringify(m);
        expect(json).not.toMatch(/[a-z]+@[a-z]+\.com/);
        expect(Object.keys(m.props ?? {}).length).toBeLessThanOrEqual(20);
        for (const v of Object.values(m.props ?? {})) {
          expect(["string", "number", "boolean"]).toContain(typeof v);
          if (typeof v === "string") expect(v.length).toBeLessThanOrEqual(256);
        }
      }),
    );
  });
});

describe("filtering and limits", () => {
  it("ignores custom events without the mc: prefix and unknown standard events", () => {
    expect(mapEvent({ ...journey.events[2], name: "other:thing" })).toBeNull();
    expect(mapEvent({ ...journey.events[0], name: "clicked", type: "dom" })).toBeNull();
    expect(mapEvent({ ...journey.events[0], name: "alert_displayed" })).toBeNull();
  });

  it("tolerates null payloads (cartLine can be null)", () => {
    const e = { ...structuredClone(journey.events[4]), data: { cartLine: null } };
    const m = mapEvent(e)!;
    expect(m.name).toBe("product_added_to_cart");
    expect(m.productId).toBeUndefined();
  });

  it("flattens nested customData to ≤ 20 scalar props with capped strings", () => {
    const big: Record<string, unknown> = { nested: { a: 1, b: { c: "deep" } }, list: [1, 2] };
    for (let i = 0; i < 30; i++) big[`k${i}`] = "v".repeat(300);
    const props = flattenProps(big)!;
    expect(props["nested.a"]).toBe(1);
    expect(props["nested.b.c"]).toBe("deep");
    expect(props.list).toBeUndefined();
    expect(Object.keys(props)).toHaveLength(20);
    expect(Math.max(...Object.values(props).map((v) => String(v).length))).toBe(256);
  });

  it("caps field lengths from the schema", () => {
    const e = structuredClone(journey.events[0]);
    e.id = "i".repeat(500);
    e.context.document.location.href = "https://shop.test/" + "p".repeat(5000);
    e.context.document.location.pathname = "/" + "p".repeat(5000);
    const m = mapEvent(e) as CompactEvent;
    expect(m.id).toHaveLength(128);
    // A URL cut short could end inside a %-escape or a parameter value: over the cap it is left out.
    expect(m.url).toBeUndefined();
    expect(m.path!.length).toBe(1024);
  });
});

describe("helpers", () => {
  it("deviceOf: width thresholds, refined by UA", () => {
    expect(deviceOf(500, "")).toBe("mobile");
    expect(deviceOf(800, "")).toBe("tablet");
    expect(deviceOf(1440, "Mozilla/5.0 (X11; Linux x86_64)")).toBe("desktop");
    expect(deviceOf(1180, "Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) Mobile/15E148")).toBe("tablet");
    expect(deviceOf(1280, "Mozilla/5.0 (Linux; Android 14; SM-X710) Safari/537.36")).toBe("tablet");
    expect(deviceOf(844, "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) Mobile/15E148")).toBe("mobile");
    expect(deviceOf(undefined, "")).toBeUndefined();
  });

  it("parseUtm / cleanUrl", () => {
    expect(parseUtm("?utm_source=a&utm_term=b&x=1")).toEqual({ source: "a", term: "b" });
    expect(parseUtm("?x=1")).toBeUndefined();
    expect(cleanUrl("not a url")).toBeUndefined();
    expect(cleanUrl("https://a.test/p?b=1")).toBe("https://a.test/p");
  });
});

describe("text rules before sending", () => {
  it("never sends a string ingestion would refuse: such values are left out", () => {
    const e = structuredClone(journey.events[0]);
    e.context.document.location.pathname = "/a\u0000b";
    e.context.document.location.search = "?utm_source=%00x&utm_medium=ok";
    const m = mapEvent(e)!;
    expect(m.path).toBeUndefined();
    expect(m.utm).toEqual({ medium: "ok" });
    expect(flattenProps({ note: "line\nbreak", bell: "a\u0007", lone: "\ud800", ["k\u0000"]: 1 })).toEqual({ note: "line\nbreak" });
  });
});
