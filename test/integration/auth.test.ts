import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDemoShop } from "../../scripts/lib/demo-shop";
import { BROWSER_UA, startApp, type TestApp } from "../helpers/app-server";
import { adminHeaders, sessionToken } from "../helpers/shopify-auth";
import { loaderData } from "../helpers/loader-data";

const SHOP = "auth-shop.myshopify.com";
let app: TestApp;

beforeAll(async () => {
  app = await startApp();
  await ensureDemoShop(app.db, { domain: SHOP, ingestKey: "ik_auth_test" });
});
afterAll(() => app?.stop());

const dashboardData = (headers: Record<string, string>) => fetch(`${app.url}/app?_data=routes%2Fapp._index`, { headers, redirect: "manual" });

describe("embedded admin session tokens", () => {
  it("accepts a token signed with the app secret and serves the shop's data", async () => {
    const res = await dashboardData(adminHeaders(SHOP));
    expect(res.status).toBe(200);
    const body = await loaderData(res);
    expect(body.tracking.events).toBe(0);
  });

  it("rejects a token signed with another secret", async () => {
    const res = await dashboardData(adminHeaders(SHOP, sessionToken(SHOP, {}, "not-the-secret")));
    expect(res.status).toBe(401);
    expect(res.headers.get("x-shopify-retry-invalid-session-request")).toBe("1");
  });

  it("rejects an expired token", async () => {
    const past = Math.floor(Date.now() / 1000) - 3600;
    const res = await dashboardData(adminHeaders(SHOP, sessionToken(SHOP, { exp: past, nbf: past - 60, iat: past - 60 })));
    expect(res.status).toBe(401);
  });

  it("rejects a token for another app (wrong audience)", async () => {
    const res = await dashboardData(adminHeaders(SHOP, sessionToken(SHOP, { aud: "someone-else" })));
    expect(res.status).toBe(401);
  });

  it("does not serve data without a token", async () => {
    const res = await dashboardData({ "User-Agent": BROWSER_UA });
    // Remix data requests are redirected through a header; no loader data is returned.
    expect(res.status).not.toBe(200);
    expect(res.headers.get("x-remix-redirect") ?? res.headers.get("location")).toMatch(/\/auth/);
    expect(await res.text()).not.toContain("tracking");
  });

  it("sets the frame-ancestors CSP for the shop on embedded documents", async () => {
    const host = Buffer.from("admin.shopify.com/store/auth-shop").toString("base64url");
    const res = await fetch(`${app.url}/app?embedded=1&shop=${SHOP}&host=${host}&id_token=${sessionToken(SHOP)}`, {
      headers: { "User-Agent": BROWSER_UA },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toContain(`frame-ancestors https://${SHOP} https://admin.shopify.com`);
  });

  it("has no demo routes (the demo server adds them, scripts/demo/)", async () => {
    for (const path of ["/demo", "/demo/session-token", "/demo/app-bridge.js"]) {
      const res = await fetch(`${app.url}${path}`, { headers: { "User-Agent": BROWSER_UA }, redirect: "manual" });
      expect(res.status, path).toBe(404);
    }
  });
});
