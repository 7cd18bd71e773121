import { describe, expect, it } from "vitest";
import { clientAddress, parseTrustedProxies } from "../../ingest/client-address";
import { parseEnv } from "../../app/env-schema";

const proxies = (list: string) => {
  const parsed = parseTrustedProxies(list);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.proxies;
};

describe("clientAddress", () => {
  it("ignores X-Forwarded-For when no proxy is trusted", () => {
    expect(clientAddress("203.0.113.9", "198.51.100.1", proxies(""))).toBe("203.0.113.9");
    expect(clientAddress("::ffff:203.0.113.9", "198.51.100.1", proxies(""))).toBe("203.0.113.9");
    expect(clientAddress(undefined, "198.51.100.1", proxies(""))).toBe("unknown");
  });

  it("ignores X-Forwarded-For from a peer that is not a trusted proxy", () => {
    expect(clientAddress("203.0.113.9", "198.51.100.1", proxies("10.0.0.0/8"))).toBe("203.0.113.9");
  });

  it("takes the first hop from the right that is not a trusted proxy", () => {
    const trusted = proxies("10.0.0.0/8, 192.0.2.7");
    // The client wrote "1.1.1.1" itself; the trusted proxies appended the real address.
    expect(clientAddress("10.1.2.3", "1.1.1.1, 198.51.100.4, 192.0.2.7", trusted)).toBe("198.51.100.4");
    expect(clientAddress("10.1.2.3", ["1.1.1.1", "198.51.100.4"], trusted)).toBe("198.51.100.4");
    // Only proxies in the chain: the leftmost one.
    expect(clientAddress("10.1.2.3", "10.9.9.9", trusted)).toBe("10.9.9.9");
    // Garbage from the client stops the walk at the last trusted hop.
    expect(clientAddress("10.1.2.3", "198.51.100.4, not-an-ip", trusted)).toBe("10.1.2.3");
  });

  it("handles IPv6 addresses and ranges", () => {
    const trusted = proxies("2001:db8::/32, ::1");
    expect(clientAddress("::1", "2001:db8::5, 2606:4700::1", trusted)).toBe("2606:4700::1");
    expect(clientAddress("2001:db8::1", "2606:4700::1", trusted)).toBe("2606:4700::1");
  });

  it("refuses entries that are not addresses or ranges", () => {
    for (const bad of ["example.com", "10.0.0.0/33", "10.0.0.0/x", "1.2.3.4/8/9", "::1/129"]) {
      expect(parseTrustedProxies(bad).ok, bad).toBe(false);
    }
    expect(proxies(" 10.0.0.1 , fd00::/8 ,").size).toBe(2);
  });
});

describe("parseEnv", () => {
  const base = { SHOPIFY_API_KEY: "k", SHOPIFY_API_SECRET: "s", SHOPIFY_APP_URL: "https://app.example.com" };

  it("applies the documented defaults", () => {
    const env = parseEnv(base);
    expect(env.INGEST_SHOP_RPS).toBe(2_000);
    expect(env.INGEST_IP_BURST).toBe(200);
    expect(env.SERVER_MAX_CONNECTIONS_PER_ADDRESS).toBe(256);
    expect(env.trustedProxies.size).toBe(0);
  });

  it.each([
    ["INGEST_SHOP_RPS", "abc"],
    ["INGEST_IP_BURST", "-1"],
    ["INGEST_MAX_PENDING", "1.5"],
    ["INGEST_MAX_AGE_HOURS", "0"],
    ["SERVER_MAX_CONNECTIONS", "many"],
    ["SERVER_MAX_CONNECTIONS_PER_ADDRESS", "0"],
    ["SERVER_HEADERS_TIMEOUT_MS", "50"],
    ["AUDIENCE_SYNC_BUDGET_MS", "soon"],
    ["FUNNEL_RESULTS_INTERVAL_MS", "-5"],
    ["RETENTION_INTERVAL_HOURS", "x"],
    ["PORT", "70000"],
    ["TRUSTED_PROXIES", "10.0.0.0/8,proxy.internal"],
  ])("%s=%s stops with a message naming it", (name, value) => {
    expect(() => parseEnv({ ...base, [name]: value })).toThrow(name);
  });

  it("refuses a header timeout longer than the request timeout", () => {
    expect(() => parseEnv({ ...base, SERVER_HEADERS_TIMEOUT_MS: "40000", SERVER_REQUEST_TIMEOUT_MS: "30000" })).toThrow("SERVER_HEADERS_TIMEOUT_MS");
  });
});
