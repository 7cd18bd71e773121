/**
 * Server-side privacy, whoever calls /collect: raw payloads posted straight to the
 * endpoint (not through the pixel, which scrubs on its own) carry planted emails, phone
 * numbers, a name with a street address and card numbers in url/referrer query strings,
 * path, utm, props, customerId and clientId. After ingestion, the funnel report, its CSV
 * and the audience CSV, every column of every table (found from the database's own
 * catalogue) is scanned for the planted values: none may be found. A batch without
 * analytics consent stores nothing and says so. SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDemoShop } from "../../scripts/lib/demo-shop";
import { BROWSER_UA, startApp, type TestApp } from "../helpers/app-server";
import { postBatch, visitor } from "../helpers/ingest";
import { adminHeaders } from "../helpers/shopify-auth";

const SHOP = "pii-shop.myshopify.com";
const KEY = "ik_pii_shop_key_0000000000000";
const ORIGIN = `https://${SHOP}`;

const EMAIL = "jane.planted@example.com";
const PHONE = "+1 555 013 4567";
const ADDRESS = "Jane Plantedname, 12 Baker Street, London";
const CARD = "4111 1111 1111 1111";
/** Every form a planted value could be stored in: as written, encoded, digits only. */
const NEEDLES = [
  EMAIL,
  "jane.planted",
  "jane.planted%40",
  "planted@example",
  PHONE,
  "555 013 4567",
  "5550134567",
  "555-013-4567",
  "(555) 013",
  "Plantedname",
  "Baker Street",
  "Baker%20Street",
  "Baker+Street",
  "4111111111111111",
  "4111 1111",
  "4111-1111",
  "4111+1111",
  "4111%201111",
  "consent-denied-marker",
];

const enc = encodeURIComponent;
const MIN = 60_000;

function payload(now: number) {
  const client = visitor("pii-visitor");
  let seq = 0;
  const ev = (name: string, extra: Record<string, unknown> = {}) => ({
    id: `pii-${++seq}`,
    name,
    ts: new Date(now - 30 * MIN + seq * MIN).toISOString(),
    seq,
    clientId: client,
    ...extra,
  });
  const url =
    `${ORIGIN}/products/mug?email=${enc(EMAIL)}&phone=${enc(PHONE)}&name=Jane+Plantedname&addr=${enc("12 Baker Street")}&cc=4111111111111111` +
    `&utm_source=${enc(EMAIL)}&utm_medium=cpc&utm_campaign=${enc(ADDRESS)}&utm_term=${enc(CARD)}&gclid=CjwKtest&ref=${enc(PHONE)}&ref2=partner#${enc(EMAIL)}`;
  const referrer = `https://mail.example.com/inbox/${enc(EMAIL)}?q=${enc(EMAIL)}`;
  const props = { email: EMAIL, note: `call ${PHONE}`, shipping: ADDRESS, cc: CARD, n: 4111111111111111, contact: "555-013-4567", formType: "contact" };
  return {
    client,
    accepted: [
      ev("page_viewed", { url, referrer, path: `/pages/${EMAIL}`, utm: { source: EMAIL, medium: PHONE, campaign: ADDRESS, term: CARD, content: "ok" } }),
      ev("product_viewed", {
        url: `${ORIGIN}/products/mug?ref2=partner&utm_source=newsletter`,
        path: "/products/mug",
        productId: "gid://shopify/Product/8800000001",
        customerId: "gid://shopify/Customer/424242",
      }),
      ev("product_added_to_cart", { path: "/products/mug", productId: "8800000001", quantity: 1, customerId: "gid://shopify/Customer/424242" }),
      ev("mc:form_submit", { path: "/pages/contact", props }),
      ev("mc:wishlist_add", { path: `/pages/ship-to/${enc("12 Baker Street")}`, props: { label: ADDRESS, phone_number: PHONE } }),
    ],
    refused: [
      ev("product_added_to_cart", { path: "/products/mug", customerId: EMAIL }),
      ev("product_added_to_cart", { path: "/products/mug", customerId: "+15550134567" }),
      ev("page_viewed", { path: "/", clientId: EMAIL }),
      ev("page_viewed", { path: "/", clientId: PHONE }),
      ev("page_viewed", { path: "/", clientId: CARD }),
    ],
  };
}

/** Every value of every column of every table, as text, from the database's own catalogue. */
async function everyValue(app: TestApp, kind: "sqlite" | "postgres"): Promise<{ where: string; text: string }[]> {
  const columns = new Map<string, string[]>();
  if (kind === "sqlite") {
    const tables = await app.db.$queryRawUnsafe<{ name: string }[]>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`);
    for (const { name } of tables)
      columns.set(
        name,
        (await app.db.$queryRawUnsafe<{ name: string }[]>(`SELECT name FROM pragma_table_info('${name}')`)).map((c) => c.name),
      );
  } else {
    const rows = await app.db.$queryRawUnsafe<{ table_name: string; column_name: string }[]>(
      `SELECT CAST(c.table_name AS TEXT) AS table_name, CAST(c.column_name AS TEXT) AS column_name FROM information_schema.columns c JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
       WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' ORDER BY c.table_name, c.ordinal_position`,
    );
    for (const r of rows) columns.set(r.table_name, [...(columns.get(r.table_name) ?? []), r.column_name]);
  }
  expect([...columns.keys()]).toEqual(expect.arrayContaining(["Event", "VisitorSession", "FunnelUnitDay", "Shop", "Audience"]));
  const out: { where: string; text: string }[] = [];
  for (const [table, cols] of columns) {
    // Every column read as text, whatever its type.
    const select = cols.map((c) => `CAST("${c}" AS TEXT) AS "${c}"`).join(", ");
    const rows = await app.db.$queryRawUnsafe<Record<string, string | null>[]>(`SELECT ${select} FROM "${table}"`);
    for (const row of rows)
      for (const [column, value] of Object.entries(row)) if (value !== null) out.push({ where: `${table}.${column}`, text: String(value) });
  }
  return out;
}

const found = (texts: { where: string; text: string }[]) =>
  texts.flatMap(({ where, text }) =>
    NEEDLES.filter((n) => text.toLowerCase().includes(n.toLowerCase())).map((n) => `${where} holds "${n}": ${text.slice(0, 160)}`),
  );

describe.each(["sqlite", "postgres"] as const)("personal data posted straight to /collect on %s", (kind) => {
  let app: TestApp;
  let shopId: number;
  const now = Date.now();
  const get = (path: string) => fetch(`${app.url}${path}`, { headers: adminHeaders(SHOP), redirect: "manual" });
  const post = (path: string, form: Record<string, string>) =>
    fetch(`${app.url}${path}`, {
      method: "POST",
      headers: { ...adminHeaders(SHOP), "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(form),
      redirect: "manual",
    });

  beforeAll(async () => {
    app = await startApp({ db: kind });
    shopId = (await ensureDemoShop(app.db, { domain: SHOP, ingestKey: KEY })).id;
  });
  afterAll(() => app?.stop());

  it("keeps the merchant's extra query parameters from Settings, validated", async () => {
    const bad = await post("/app/settings?_data=routes%2Fapp.settings", { intent: "queryParams", allowedQueryParams: "ref, email" });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatch(/"email": .*personal data/);
    const ok = await post("/app/settings?_data=routes%2Fapp.settings", { intent: "queryParams", allowedQueryParams: "Ref, ref2 utm_source" });
    expect(ok.status).toBe(200);
    // The save stands even when the pixel cannot be updated (this demo shop's token is unknown
    // to the local Admin API); the page then says so. test/integration/install.test.ts covers the update.
    expect(await ok.json()).toEqual({ intent: "queryParams", allowedQueryParams: ["ref", "ref2"], pixelStatus: "failed" });
    const settings = JSON.parse((await app.db.shop.findUniqueOrThrow({ where: { id: shopId } })).settings);
    expect(settings.allowedQueryParams).toEqual(["ref", "ref2"]);
  });

  it("stores none of the planted values anywhere, after ingestion, reports and the audience CSV", async () => {
    // No /collect request came before the settings were saved, so the cached shop lookup has them.
    const { accepted, refused, client } = payload(now);
    const res = await postBatch(app.url, { v: 1, shop: SHOP, key: KEY, ua: BROWSER_UA, consent: { analytics: true }, events: [...accepted, ...refused] });
    expect(res.status, res.text).toBe(202);
    expect(res.json.accepted).toBe(accepted.length);
    expect(res.json.rejected.map((r: { index: number }) => r.index)).toEqual(refused.map((_, i) => accepted.length + i));
    for (const r of res.json.rejected) expect(r.reason).toMatch(/customerId: not a Shopify Customer id|clientId: not a Shopify pixel client id/);

    // What was kept is still useful: allowed params, ids, harmless props.
    const rows = await app.db.event.findMany({ where: { shopId }, orderBy: { seq: "asc" } });
    expect(rows.map((r) => r.eventId)).toEqual(accepted.map((e) => e.id));
    expect(rows[0]).toMatchObject({
      clientId: client,
      url: `${ORIGIN}/products/mug?utm_medium=cpc&gclid=CjwKtest&ref2=partner`,
      referrer: null,
      path: null,
      utmSource: null,
      utmMedium: null,
      utmCampaign: null,
    });
    expect(rows[1]).toMatchObject({ url: `${ORIGIN}/products/mug?ref2=partner&utm_source=newsletter`, productId: "8800000001", customerId: "424242" });
    expect(JSON.parse(rows[3].props!)).toEqual({ formType: "contact" });
    expect(rows[4].props).toBeNull();
    expect(rows[4].path).toBeNull();

    // Reports and exports read what was stored.
    const funnel = await post("/app/funnels/new?_data=routes%2Fapp.funnels.new", {
      definition: JSON.stringify({
        name: "PII",
        unit: "visitor",
        windowMinutes: 1440,
        steps: [
          { label: "View", anyOf: [{ event: "page_viewed" }] },
          { label: "Cart", anyOf: [{ event: "product_added_to_cart" }] },
        ],
      }),
    });
    const funnelId = decodeURIComponent((funnel.headers.get("x-remix-redirect") ?? "").split("/").pop()!);
    expect(funnelId).not.toBe("");
    const responses: { where: string; text: string }[] = [];
    for (const path of [
      `/app/funnels/${funnelId}/report?range=last7&breakdown=source`,
      `/app/funnels/${funnelId}/csv?table=steps&range=last7`,
      "/app?_data=routes%2Fapp._index",
    ]) {
      const r = await get(path);
      expect(r.status, path).toBe(200);
      responses.push({ where: path, text: await r.text() });
    }
    const audience = await post("/app/audiences/new?_data=routes%2Fapp.audiences.new", { kind: "template", template: "carted_not_bought" });
    const audienceId = (audience.headers.get("X-Remix-Redirect") ?? "").split("/").pop()!;
    const csv = await get(`/app/audiences/${audienceId}/csv`);
    expect(csv.status).toBe(200);
    const csvText = await csv.text();
    expect(csvText).toContain("424242");
    responses.push({ where: "audience CSV", text: csvText });
    // Let background work (precomputed funnel results) write what it writes.
    for (let i = 0; i < 20 && (await app.db.funnelUnitDay.count({ where: { shopId } })) === 0; i++) await new Promise((r) => setTimeout(r, 250));

    expect(found(responses)).toEqual([]);
    const values = await everyValue(app, kind);
    expect(values.some((v) => v.where === "Event.clientId" && v.text === client)).toBe(true); // the scan does see the rows
    expect(found(values)).toEqual([]);
  });

  it("stores nothing without analytics consent and says so; a batch that does not state consent is refused", async () => {
    const before = await app.db.event.count({ where: { shopId } });
    const events = [0, 1].map((i) => ({
      id: `denied-${i}`,
      name: "page_viewed",
      ts: new Date(now - MIN).toISOString(),
      seq: i,
      clientId: visitor("denied"),
      path: "/consent-denied-marker",
    }));
    const denied = await postBatch(app.url, { v: 1, shop: SHOP, key: KEY, consent: { analytics: false, marketing: false }, events });
    expect(denied.status).toBe(202);
    expect(denied.json).toEqual({
      accepted: 0,
      duplicates: 0,
      refused: "consent: the visitor did not allow analytics; nothing stored",
      rejected: events.map((_, index) => ({ index, reason: "consent: the visitor did not allow analytics; nothing stored" })),
    });
    const missing = await postBatch(app.url, { v: 1, shop: SHOP, key: KEY, consent: undefined, events });
    expect(missing.status).toBe(400);
    expect(missing.json.error).toMatch(/^consent: missing/);
    expect(await app.db.event.count({ where: { shopId } })).toBe(before);
    expect(await app.db.visitorSession.count({ where: { shopId, clientId: visitor("denied") } })).toBe(0);
    expect(found(await everyValue(app, kind))).toEqual([]);
  });
});
