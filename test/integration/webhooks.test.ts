import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "../../generated/sqlite/index.js";
import { ensureDemoShop } from "../../scripts/lib/demo-shop";
import { startApp, type TestApp } from "../helpers/app-server";
import { adminHeaders, sendWebhook } from "../helpers/shopify-auth";
import { fillEveryTable, countRowsForShop } from "../helpers/rows";

/**
 * Every text column of the schema, classified: can it hold a customer id? A new column
 * fails the redaction test until it is listed here (and, if it can, redacted).
 */
const CUSTOMER_ID_COLUMNS = [
  "Event.customerId",
  "Event.props",
  "Event.url",
  "Event.referrer",
  "AudienceSync.cursor",
  "AudienceSync.error",
  "DataRequest.customerId",
];
const NO_CUSTOMER_ID: Record<string, string> = {
  "Session.*": "the merchant's staff sessions (Shopify session storage), not customers",
  "Shop.*": "the shop's own record and settings",
  "Funnel.*": "merchant-written funnel definitions",
  "FunnelStep.*": "merchant-written funnel definitions",
  "FunnelVersion.*": "merchant-written funnel definitions (earlier versions)",
  "Audience.*": "merchant-written audience definitions",
  "Order.*": "orders/create keeps no customer data (order id, totals, checkout token)",
  "ActivityBucket.*": "counts only",
  "Alert.*": "step alarm: funnel step labels, a device class and counts",
  "StaleVisitor.clientId": "the browser id, never a customer id",
  "VisitorSession.*": "browser id, entry attributes (path without query, referrer host, UTM) and a logged-in flag; no customer id",
  "FunnelUnitDay.*": "browser/session ids, step times and entry attributes; no customer id",
  "Event.eventId": "pixel event id",
  "Event.name": "event name",
  "Event.clientId": "the browser id, never a customer id",
  "Event.sessionId": "derived from the browser id",
  "Event.path": "storefront path without query (customer account paths carry no customer id)",
  "Event.utmSource": "campaign tags from links",
  "Event.utmMedium": "campaign tags from links",
  "Event.utmCampaign": "campaign tags from links",
  "Event.device": "device class",
  "Event.productId": "product id",
  "Event.variantId": "variant id",
  "Event.currency": "currency code",
  "Event.checkoutToken": "checkout token",
  "Event.orderId": "order id",
  "Event.dedupeKey": "checkout token or order id",
  "AudienceSync.id": "run id",
  "AudienceSync.audienceId": "audience id",
  "AudienceSync.status": "run state",
  "DataRequest.id": "row id",
  "DataRequest.requestKey": "Shopify's data request id or the webhook id",
  "DataRequest.ordersJson": "order ids",
};

/** Text columns per model, from Prisma's schema. */
function textColumns(): { model: string; column: string }[] {
  return Prisma.dmmf.datamodel.models.flatMap((m) =>
    m.fields.filter((f) => f.kind === "scalar" && f.type === "String").map((f) => ({ model: m.name, column: f.name })),
  );
}

describe.each(["sqlite", "postgres"] as const)("webhooks on %s", (kind) => {
  let app: TestApp;
  beforeAll(async () => {
    // No background funnel refresher: it would rebuild fillEveryTable's seeded FunnelUnitDay
    // rows from the seeded StaleVisitor while the redact test counts them.
    app = await startApp({ db: kind, env: { FUNNEL_RESULTS_INTERVAL_MS: "0" } });
  });
  afterAll(() => app?.stop());

  const topics = ["app/uninstalled", "app/scopes_update", "customers/data_request", "customers/redact", "shop/redact"];

  it.each(topics)("%s with a bad or missing HMAC answers 401 and changes nothing", async (topic) => {
    const shop = `hmac-${topic.replace(/\W/g, "-")}.myshopify.com`;
    const row = await ensureDemoShop(app.db, { domain: shop, ingestKey: `ik_${shop}` });
    const payload = { customer: { id: 1 }, current: ["read_orders"] };
    const forged = await sendWebhook(app.url, topic, shop, payload, { secret: "wrong-secret" });
    expect(forged.status).toBe(401);
    const missing = await sendWebhook(app.url, topic, shop, payload, { hmac: null });
    expect(missing.status).toBe(401);
    expect(await app.db.shop.findUnique({ where: { id: row.id } })).toEqual(row);
    expect(await app.db.session.count({ where: { shop } })).toBe(1);
  });

  it("app/uninstalled deletes sessions and marks the shop uninstalled; twice is harmless", async () => {
    const shop = "uninstall.myshopify.com";
    await ensureDemoShop(app.db, { domain: shop, ingestKey: "ik_uninstall" });
    for (let i = 0; i < 2; i++) {
      const res = await sendWebhook(app.url, "app/uninstalled", shop, { id: 1, domain: "www.example.com", myshopify_domain: shop });
      expect(res.status).toBe(200);
    }
    expect(await app.db.session.count({ where: { shop } })).toBe(0);
    const row = await app.db.shop.findUniqueOrThrow({ where: { domain: shop } });
    expect(row.uninstalledAt).toBeInstanceOf(Date);
  });

  it("app/scopes_update records the granted scopes", async () => {
    const shop = "scopes.myshopify.com";
    await ensureDemoShop(app.db, { domain: shop, ingestKey: "ik_scopes" });
    const res = await sendWebhook(app.url, "app/scopes_update", shop, { id: 1, previous: ["read_orders"], current: ["read_orders", "write_pixels"] });
    expect(res.status).toBe(200);
    expect((await app.db.shop.findUniqueOrThrow({ where: { domain: shop } })).scopes).toBe("read_orders,write_pixels");
    expect((await app.db.session.findFirstOrThrow({ where: { shop } })).scope).toBe("read_orders,write_pixels");
    const bad = await sendWebhook(app.url, "app/scopes_update", shop, { current: "not-a-list" });
    expect(bad.status).toBe(400);
  });

  it("shop/redact leaves zero rows of the shop in every table and keeps other shops intact", async () => {
    const victim = await fillEveryTable(app.db, "redact-me.myshopify.com");
    const other = await fillEveryTable(app.db, "keep-me.myshopify.com");
    const modelCount = Object.keys(Prisma.ModelName).length;
    const before = await countRowsForShop(app.db, victim);
    expect(Object.keys(before)).toHaveLength(modelCount);
    for (const [model, n] of Object.entries(before)) expect(n, `${model} seeded`).toBeGreaterThan(0);

    const res = await sendWebhook(app.url, "shop/redact", victim.domain, { shop_id: 1, shop_domain: victim.domain });
    expect(res.status).toBe(200);
    for (const [model, n] of Object.entries(await countRowsForShop(app.db, victim))) expect(n, model).toBe(0);
    for (const [model, n] of Object.entries(await countRowsForShop(app.db, other))) expect(n, model).toBeGreaterThan(0);
    // Twice (Shopify retries) is fine.
    expect((await sendWebhook(app.url, "shop/redact", victim.domain, { shop_domain: victim.domain })).status).toBe(200);
  });

  it("customers/redact unlinks the customer from every event; any well-formed request is 200, twice too, and logged", async () => {
    const shop = await fillEveryTable(app.db, "customer-shop.myshopify.com");
    const res = await sendWebhook(app.url, "customers/redact", shop.domain, { shop_domain: shop.domain, customer: { id: 777 }, orders_to_redact: [] });
    expect(res.status).toBe(200);
    expect(await app.db.event.count({ where: { shopId: shop.id, customerId: "777" } })).toBe(0);
    expect(await app.db.event.count({ where: { shopId: shop.id, customerId: "888" } })).toBeGreaterThan(0);
    // Shopify retries anything but 2xx: a signed request naming its shop that we cannot act
    // on is still answered 200 (one without its shop is refused: webhooks.server.ts).
    for (const payload of [
      { shop_domain: shop.domain, customer: { id: 777 } },
      { shop_domain: shop.domain, customer: { id: "drop table" } },
      { shop_domain: shop.domain, orders_to_redact: [1] },
      { shop_domain: shop.domain },
    ]) {
      expect((await sendWebhook(app.url, "customers/redact", shop.domain, payload)).status).toBe(200);
    }
    expect(await app.db.event.count({ where: { shopId: shop.id, customerId: "888" } })).toBeGreaterThan(0);
    expect(app.logs.join("")).toContain(`[webhook] customers/redact ${shop.domain}: no usable customer.id; nothing to redact`);
  });

  it("customers/data_request is stored once per request for the Data requests page, whatever it contains; 200 with no body", async () => {
    const shop = await fillEveryTable(app.db, "data-request-shop.myshopify.com");
    const payload = {
      shop_id: 1,
      shop_domain: shop.domain,
      customer: { id: 888, email: "jane@example.com", phone: "+15550001111" },
      orders_requested: [1, "2"],
      data_request: { id: 9001 },
    };
    for (let i = 0; i < 2; i++) {
      const res = await sendWebhook(app.url, "customers/data_request", shop.domain, payload);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe("");
    }
    const noCustomer = await sendWebhook(app.url, "customers/data_request", shop.domain, { shop_domain: shop.domain, orders_requested: "nope" });
    expect(noCustomer.status).toBe(200);
    const rows = await app.db.dataRequest.findMany({ where: { shopId: shop.id, requestKey: { not: "dr-1" } }, orderBy: { receivedAt: "asc" } });
    expect(rows.map((r) => ({ key: r.requestKey.replace(/^wh:.*/, "wh:*"), customerId: r.customerId, orders: r.ordersJson }))).toEqual([
      { key: "dr:9001", customerId: "888", orders: '["1","2"]' },
      { key: "wh:*", customerId: null, orders: "[]" },
    ]);
    // Only ids are kept: the email and phone of the webhook are not.
    expect(JSON.stringify(rows)).not.toMatch(/jane@example\.com|5550001111/);
    const logs = app.logs.join("");
    expect(logs).toContain(`[webhook] customers/data_request ${shop.domain}: stored, 2 order(s)`);
    expect(logs).toContain(`[webhook] customers/data_request ${shop.domain}: duplicate, 2 order(s)`);
  });

  it("a signed body acts only for its own shop and topic: swaps answer 400 and delete nothing", async () => {
    const a = await fillEveryTable(app.db, "signer-a.myshopify.com");
    const b = await fillEveryTable(app.db, "target-b.myshopify.com");
    const before = await countRowsForShop(app.db, b);
    const orderOfA = {
      id: 820982911946154500,
      admin_graphql_api_id: "gid://shopify/Order/820982911946154500",
      created_at: new Date().toISOString(),
      total_price: "10.00",
      currency: "USD",
      source_name: "web",
      line_items: [],
    };
    const attempts: [string, Response][] = [
      // Shop A's orders/create body replayed to shop/redact with shop B's domain, under either topic header.
      ["orders/create body → shop/redact", await sendWebhook(app.url, "shop/redact", b.domain, orderOfA)],
      ["orders/create topic → shop/redact route", await sendWebhook(app.url, "orders/create", b.domain, orderOfA, { route: "shop/redact" })],
      // Shop A's own shop/redact body with shop B's domain header.
      ["A's shop/redact body, B's header", await sendWebhook(app.url, "shop/redact", b.domain, { shop_id: 1, shop_domain: a.domain })],
      // A customers/redact body (topic header included) posted to shop/redact.
      [
        "customers/redact → shop/redact route",
        await sendWebhook(app.url, "customers/redact", b.domain, { shop_id: 2, shop_domain: b.domain, customer: { id: 777 } }, { route: "shop/redact" }),
      ],
      // The right route and body, another topic header.
      ["topic header swapped", await sendWebhook(app.url, "customers/redact", b.domain, { shop_id: 2, shop_domain: b.domain }, { route: "shop/redact" })],
      [
        "customers/redact for A with B's header",
        await sendWebhook(app.url, "customers/redact", b.domain, { shop_id: 1, shop_domain: a.domain, customer: { id: 777 } }),
      ],
      [
        "app/uninstalled of A with B's header",
        await sendWebhook(app.url, "app/uninstalled", b.domain, { id: 1, domain: a.domain, myshopify_domain: a.domain }),
      ],
      ["app/uninstalled without myshopify_domain", await sendWebhook(app.url, "app/uninstalled", b.domain, orderOfA)],
    ];
    for (const [what, res] of attempts) {
      expect(res.status, what).toBe(400);
      expect((await res.text()).length, `${what}: a message`).toBeGreaterThan(0);
    }
    expect(await countRowsForShop(app.db, b)).toEqual(before);
    expect(await app.db.event.count({ where: { shopId: b.id, customerId: "777" } })).toBeGreaterThan(0);
    expect((await app.db.shop.findUniqueOrThrow({ where: { id: b.id } })).uninstalledAt).toBeNull();
    expect(await app.db.session.count({ where: { shop: b.domain } })).toBeGreaterThan(0);
    // The genuine delivery still works, and a replay of it is harmless.
    for (let i = 0; i < 2; i++) expect((await sendWebhook(app.url, "shop/redact", b.domain, { shop_id: 2, shop_domain: b.domain })).status).toBe(200);
    for (const [model, n] of Object.entries(await countRowsForShop(app.db, b))) expect(n, model).toBe(0);
    for (const [model, n] of Object.entries(await countRowsForShop(app.db, a))) expect(n, model).toBeGreaterThan(0);
  });

  it.each(["app/uninstalled", "app/scopes_update", "customers/data_request", "customers/redact", "shop/redact", "orders/create"])(
    "%s: a validly signed body that is not a JSON object answers 400 and changes nothing",
    async (topic) => {
      const shop = await fillEveryTable(app.db, `not-json-${topic.replace(/\W/g, "-")}.myshopify.com`);
      const before = await countRowsForShop(app.db, shop);
      for (const rawBody of ["shop_domain=x", '{"shop_domain":', "", "[1,2]", "null", '"text"']) {
        const res = await sendWebhook(app.url, topic, shop.domain, null, { rawBody });
        expect(res.status, JSON.stringify(rawBody)).toBe(400);
      }
      expect(await countRowsForShop(app.db, shop)).toEqual(before);
      expect((await app.db.shop.findUniqueOrThrow({ where: { id: shop.id } })).uninstalledAt).toBeNull();
    },
  );

  it("customers/redact removes the customer's id from every column that can hold one, and only that customer's", async () => {
    const C = "7770012345678";
    const D = "8880012345679";
    const gid = (id: string) => `gid://shopify/Customer/${id}`;

    // Every text column is classified (a new column fails here until it is).
    const unclassified = textColumns()
      .map(({ model, column }) => `${model}.${column}`)
      .filter((c) => !CUSTOMER_ID_COLUMNS.includes(c) && !(c in NO_CUSTOMER_ID) && !(`${c.split(".")[0]}.*` in NO_CUSTOMER_ID));
    expect(unclassified).toEqual([]);

    const shop = await fillEveryTable(app.db, "redact-customer.myshopify.com");
    const other = await fillEveryTable(app.db, "other-customer-shop.myshopify.com");
    const base = { name: "page_viewed", seq: 1, sessionId: "c9:0", receivedAt: 0n, ts: 3000n };
    // C in every column that can hold a customer id, in both id forms; D beside it, to stay.
    const planted = (id: string) => ({
      customerId: id,
      props: JSON.stringify({ customer_id: id, owner: gid(id), nested: { ids: [Number(id), "keep-me"] }, plan: "gold" }),
      url: `https://shop.example/account?customer_id=${id}&utm_source=mail`,
      referrer: `https://shop.example/?who=${encodeURIComponent(gid(id))}`,
    });
    for (const s of [shop, other]) {
      await app.db.event.createMany({
        data: [
          { ...base, shopId: s.id, eventId: "c-all", clientId: "c9", ...planted(C) },
          { ...base, shopId: s.id, eventId: "d-all", clientId: "d9", ...planted(D) },
          // An event not linked to C (logged out) whose props still name C.
          { ...base, shopId: s.id, eventId: "c-anon", clientId: "c9", props: JSON.stringify({ note: C }) },
        ],
      });
    }
    for (const s of [shop, other]) {
      await app.db.dataRequest.createMany({
        data: [
          { shopId: s.id, requestKey: "dr-c", customerId: C },
          { shopId: s.id, requestKey: "dr-d", customerId: D },
        ],
      });
    }
    const audience = await app.db.audience.findFirstOrThrow({ where: { shopId: shop.id } });
    const running = {
      v: 1,
      tag: "mc-carted",
      keep: [C, D],
      add: ["111", C, "222"],
      remove: [C],
      addNext: 2,
      removeNext: 0,
      addFailed: [C],
      removeFailed: [],
      skipped: [C, D],
      errors: [
        { id: C, op: "add", message: `Customer ${gid(C)} is invalid` },
        { id: D, op: "add", message: "x" },
      ],
      errorCount: 2,
      lease: null,
    };
    const done = { v: 1, done: true, tag: "mc-carted", tagged: [C, D], rejected: [C], errors: [{ id: C, op: "remove", message: "gone" }], errorCount: 1 };
    await app.db.audienceSync.createMany({
      data: [
        { shopId: shop.id, audienceId: audience.id, cursor: JSON.stringify(running), error: `Admin API error: ${gid(C)} not found` },
        { shopId: shop.id, audienceId: audience.id, status: "done", cursor: JSON.stringify(done) },
      ],
    });

    /** Rows (of the given shop, or all) whose text column contains `needle`, per column. */
    const holders = async (needle: string, shopId?: number) => {
      const found: string[] = [];
      for (const { model, column } of textColumns()) {
        const delegate = (app.db as unknown as Record<string, { findMany(args: object): Promise<Record<string, unknown>[]> }>)[
          model[0].toLowerCase() + model.slice(1)
        ];
        const fields = Prisma.dmmf.datamodel.models.find((m) => m.name === model)!.fields.map((f) => f.name);
        const where =
          shopId === undefined
            ? {}
            : fields.includes("shopId")
              ? { shopId }
              : fields.includes("shop")
                ? { shop: shopId === shop.id ? shop.domain : other.domain }
                : { id: shopId };
        for (const row of await delegate.findMany({ where, select: { [column]: true } })) {
          if (typeof row[column] === "string" && (row[column] as string).includes(needle)) found.push(`${model}.${column}`);
        }
      }
      return [...new Set(found)].sort();
    };
    // Sanity: C was planted in every column that can hold it.
    expect(await holders(C, shop.id)).toEqual([...CUSTOMER_ID_COLUMNS].sort());

    for (let i = 0; i < 2; i++) {
      // Twice: Shopify retries; the replay finds nothing left.
      const res = await sendWebhook(app.url, "customers/redact", shop.domain, {
        shop_id: 1,
        shop_domain: shop.domain,
        customer: { id: Number(C) },
        orders_to_redact: [],
      });
      expect(res.status).toBe(200);
    }
    expect(await holders(C, shop.id)).toEqual([]);
    // Precise: D, the rest of the data and the other shop's C are untouched.
    expect(await holders(D, shop.id)).toEqual([...CUSTOMER_ID_COLUMNS.filter((c) => c !== "AudienceSync.error")].sort());
    expect(await holders(C, other.id)).toEqual(["DataRequest.customerId", "Event.customerId", "Event.props", "Event.referrer", "Event.url"]);
    // The data request stays for the merchant to answer, without the customer's id.
    expect(await app.db.dataRequest.count({ where: { shopId: shop.id, requestKey: "dr-c", customerId: null } })).toBe(1);
    const scrubbed = await app.db.event.findUniqueOrThrow({ where: { shopId_eventId: { shopId: shop.id, eventId: "c-all" } } });
    expect(scrubbed.customerId).toBeNull();
    expect(JSON.parse(scrubbed.props!)).toEqual({ nested: { ids: ["keep-me"] }, plan: "gold" });
    expect(scrubbed.url).toBe("https://shop.example/account?utm_source=mail");
    expect(scrubbed.referrer).toBe("https://shop.example/");
    expect(await app.db.event.count({ where: { shopId: shop.id } })).toBe(5);
    const [run, finished] = await app.db.audienceSync.findMany({ where: { shopId: shop.id, cursor: { not: null } }, orderBy: { status: "desc" } });
    // The running plan resumes where it was: one entry before addNext went.
    expect(JSON.parse(run.cursor!)).toMatchObject({
      keep: [D],
      add: ["111", "222"],
      addNext: 1,
      remove: [],
      removeNext: 0,
      addFailed: [],
      skipped: [D],
      errors: [{ id: D, op: "add", message: "x" }],
    });
    expect(run.error).toBe("Admin API error: [redacted customer] not found");
    expect(JSON.parse(finished.cursor!)).toMatchObject({ tagged: [D], rejected: [], errors: [] });
  });
});

describe.each(["sqlite", "postgres"] as const)("Data requests page on %s", (kind) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp({ db: kind });
  });
  afterAll(() => app?.stop());

  const page = async (shop: string) => {
    const res = await fetch(`${app.url}/app/data-requests?_data=routes%2Fapp.data-requests`, { headers: adminHeaders(shop) });
    expect(res.status).toBe(200);
    return (await res.json()).requests as { id: string; customerId: string | null; orderIds: string[] }[];
  };
  const download = (shop: string, id: string) => fetch(`${app.url}/app/data-requests/${id}/json`, { headers: adminHeaders(shop) });
  const answer = (shop: string, form: string) =>
    fetch(`${app.url}/app/data-requests?_data=routes%2Fapp.data-requests`, {
      method: "POST",
      headers: { ...adminHeaders(shop), "Content-Type": "application/x-www-form-urlencoded" },
      body: form,
    });

  it("lists each request with a JSON of what is held (or 'nothing held'), isolated per shop, until marked answered", async () => {
    const shop = await fillEveryTable(app.db, "dr-page.myshopify.com");
    const other = await fillEveryTable(app.db, "dr-other.myshopify.com");
    await app.db.dataRequest.deleteMany({});
    expect(
      (
        await sendWebhook(app.url, "customers/data_request", shop.domain, {
          shop_domain: shop.domain,
          customer: { id: 888 },
          orders_requested: [5001, 5002],
          data_request: { id: 1 },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await sendWebhook(app.url, "customers/data_request", shop.domain, {
          shop_domain: shop.domain,
          customer: { id: 424242 },
          orders_requested: [],
          data_request: { id: 2 },
        })
      ).status,
    ).toBe(200);
    expect(
      (await sendWebhook(app.url, "customers/data_request", other.domain, { shop_domain: other.domain, customer: { id: 888 }, data_request: { id: 3 } }))
        .status,
    ).toBe(200);

    const list = await page(shop.domain);
    expect(list.map((r) => [r.customerId, r.orderIds])).toEqual([
      ["888", ["5001", "5002"]],
      ["424242", []],
    ]);
    const [held, none] = list;

    const file = await download(shop.domain, held.id);
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toContain("application/json");
    expect(file.headers.get("content-disposition")).toBe(`attachment; filename="data-request-${held.id}.json"`);
    const body = await file.json();
    const stored = await app.db.event.findMany({ where: { shopId: shop.id, customerId: "888" }, orderBy: [{ ts: "asc" }, { eventId: "asc" }] });
    expect(stored.length).toBeGreaterThan(0);
    expect(body.nothingHeld).toBe(false);
    expect(body.events.map((e: { eventId: string }) => e.eventId)).toEqual(stored.map((e) => e.eventId));
    // fillEveryTable's order 5001; 5002 is not held.
    expect(body.orders).toEqual([{ orderId: "5001", createdAt: new Date(1000).toISOString(), totalPrice: 10, currency: "USD", onlineStore: true }]);
    expect(body.request).toMatchObject({ customerId: "888", ordersRequested: ["5001", "5002"] });

    const empty = await (await download(shop.domain, none.id)).json();
    expect(empty).toMatchObject({
      nothingHeld: true,
      events: [],
      orders: [],
      customerTags: [],
      summary: "Micro-Conversions holds no data about this customer.",
    });

    // Another shop's request: 404 for the download and for marking it answered.
    const [foreign] = await page(other.domain);
    expect((await download(shop.domain, foreign.id)).status).toBe(404);
    expect((await answer(shop.domain, `intent=answered&id=${foreign.id}`)).status).toBe(404);
    expect((await answer(shop.domain, "intent=oops")).status).toBe(400);

    // A redact after the request: the download then says nothing is held (events unlinked).
    expect((await sendWebhook(app.url, "customers/redact", shop.domain, { shop_domain: shop.domain, customer: { id: 888 } })).status).toBe(200);
    const after = await (await download(shop.domain, held.id)).json();
    expect(after.events).toEqual([]);

    const done = await answer(shop.domain, `intent=answered&id=${held.id}`);
    expect(done.status).toBe(200);
    expect((await page(shop.domain)).map((r) => r.id)).toEqual([none.id]);
    expect((await download(shop.domain, held.id)).status).toBe(404);
    expect(await page(other.domain)).toHaveLength(1);
  });
});
