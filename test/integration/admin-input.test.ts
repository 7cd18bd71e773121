/**
 * Every admin action (generated from app/routes: each app.* file exporting `action`)
 * answers a malformed body — JSON, text, broken or boundary-less multipart, binary —
 * sent with a valid session token with 400 and a message, never 500, and does nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDemoShop } from "../../scripts/lib/demo-shop";
import { adminRoutes, type RouteCase } from "../helpers/admin-routes";
import { startApp, type TestApp } from "../helpers/app-server";
import { adminHeaders } from "../helpers/shopify-auth";

const SHOP = "admin-input.myshopify.com";

// Each body asks for a deletion, so a lenient parser would visibly act on it.
const MALFORMED: { name: string; type: string | null; body: string | Blob }[] = [
  { name: "JSON", type: "application/json", body: JSON.stringify({ intent: "delete", definition: "{}", template: "x" }) },
  { name: "broken JSON", type: "application/json", body: '{"intent": "delete",' },
  { name: "text/plain", type: "text/plain", body: "intent=delete" },
  {
    name: "unterminated multipart",
    type: "multipart/form-data; boundary=----mc",
    body: '------mc\r\nContent-Disposition: form-data; name="intent"\r\n\r\ndelete',
  },
  { name: "multipart without boundary", type: "multipart/form-data", body: "intent=delete" },
  {
    name: "multipart with another boundary",
    type: "multipart/form-data; boundary=zzz",
    body: '--aaa\r\nContent-Disposition: form-data; name="intent"\r\n\r\ndelete\r\n--aaa--\r\n',
  },
  { name: "binary", type: "application/octet-stream", body: new Blob([new Uint8Array([0, 255, 1, 254, 0x7b])]) },
  { name: "no content type", type: null, body: "intent=delete" },
];

describe("malformed admin action bodies", () => {
  let app: TestApp;
  let shopId: number;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    app = await startApp();
    shopId = (await ensureDemoShop(app.db, { domain: SHOP, ingestKey: "ik_admin_input_key_0000000000" })).id;
    ids.funnels = (
      await app.db.funnel.create({
        data: {
          shopId,
          name: "Kept",
          steps: { create: [{ shopId, position: 1, label: "View", matchers: JSON.stringify([{ event: "page_viewed", filters: [] }]) }] },
        },
      })
    ).id;
    ids.audiences = (
      await app.db.audience.create({
        data: {
          shopId,
          name: "Kept",
          tag: "mc-kept",
          microMatcher: JSON.stringify({ event: "product_added_to_cart", filters: [] }),
          macroMatcher: JSON.stringify({ event: "checkout_completed", filters: [] }),
        },
      })
    ).id;
  });
  afterAll(() => app?.stop());

  const routes = adminRoutes().filter((r) => r.action);

  it("finds the admin actions (sanity: the generator sees the app)", () => {
    expect(routes.map((r) => r.url)).toEqual(
      expect.arrayContaining(["/app/funnels/new", "/app/funnels/$id", "/app/audiences/new", "/app/audiences/$id", "/app/settings"]),
    );
  });

  const urlOf = (r: RouteCase, data: boolean) => {
    let url = r.url;
    for (const p of r.params) {
      const collection = url.split("/")[url.split("/").indexOf(p) - 1];
      if (!ids[collection]) throw new Error(`admin-input test: add an id for ${p} under /${collection} (route ${r.id})`);
      url = url.replace(p, ids[collection]);
    }
    const query = [r.index ? "index" : "", data ? `_data=${encodeURIComponent(r.id)}` : ""].filter(Boolean).join("&");
    return `${app.url}${url}${query ? `?${query}` : ""}`;
  };

  it.each(routes.map((r) => [r.url, r] as const))("%s answers every malformed body with 400 and a message", async (_url, r) => {
    for (const m of MALFORMED) {
      for (const data of [true, false]) {
        const headers: Record<string, string> = adminHeaders(SHOP);
        if (m.type) headers["Content-Type"] = m.type;
        const res = await fetch(urlOf(r, data), { method: "POST", headers, body: m.body, redirect: "manual" });
        const text = await res.text();
        expect(res.status, `${r.id} ${m.name} (${data ? "data" : "document"} request): ${text.slice(0, 200)}`).toBe(400);
        if (data) expect(JSON.parse(text).error, `${r.id} ${m.name}: message`).toMatch(/form/i);
      }
    }
    expect(await app.db.funnel.count({ where: { id: ids.funnels } })).toBe(1);
    expect(await app.db.audience.count({ where: { id: ids.audiences } })).toBe(1);
  });

  it("a well-formed form still works (an unknown intent is refused by the action itself)", async () => {
    const r = routes.find((x) => x.url === "/app/funnels/$id")!;
    const res = await fetch(urlOf(r, true), {
      method: "POST",
      headers: { ...adminHeaders(SHOP), "Content-Type": "application/x-www-form-urlencoded" },
      body: "intent=main",
    });
    expect(res.status).toBe(200);
    expect((await app.db.funnel.findUniqueOrThrow({ where: { id: ids.funnels } })).isMain).toBe(true);
  });
});
