// core/privacy.ts: the scrub the pixel and ingestion share. Hand-written cases, each a
// value a real visitor or a hostile caller could send.
import { describe, expect, it } from "vitest";
import { CLIENT_ID, cleanProps, cleanUrl, keepText, looksPersonal, luhn, queryParamAllowed, textOk } from "../../core/privacy";

describe("looksPersonal", () => {
  it.each([
    ["email", "jane.doe@example.com"],
    ["email, percent-encoded is decoded first by callers", "contact jane+tag@mail.example.org please"],
    ["international phone", "+1 555 013 4567"],
    ["international phone, no spaces", "+4915112345678"],
    ["national phone with separators", "(555) 013-4567"],
    ["dotted phone", "555.013.4567"],
    ["card number", "4111 1111 1111 1111"],
    ["card number, dashes", "5500-0000-0000-0004"],
    ["card number, bare", "378282246310005"],
    ["street address", "Jane Doe, 12 Baker Street, London"],
    ["abbreviated street", "1600 Pennsylvania Ave NW"],
    ["French address", "12 rue de la Paix"],
    ["German address", "Hauptstraße 5, 10115 Berlin"],
  ])("%s: %s", (_, value) => {
    expect(looksPersonal(value)).toBe(true);
  });

  it.each([
    ["a product handle", "/products/stoneware-mug"],
    ["a Shopify id", "8800000001"],
    ["a gid", "gid://shopify/ProductVariant/44100000001"],
    ["an ISO date", "2026-11-20"],
    ["a date and time", "2026-11-20 14:02"],
    ["a UUID", "f1c3a6d2-5b7e-4c8a-9e21-0d4b7a9c3e55"],
    ["a campaign", "bf-teaser-2026"],
    ["a percentage", "75"],
    ["a 16-digit number failing Luhn", "4111111111111112"],
    ["an @handle", "/@shopname"],
    ["a price", "1,299.00"],
  ])("not %s: %s", (_, value) => {
    expect(looksPersonal(value)).toBe(false);
  });

  it("luhn", () => {
    expect(luhn("4111111111111111")).toBe(true);
    expect(luhn("4111111111111112")).toBe(false);
  });
});

describe("cleanUrl", () => {
  it("keeps origin, path, utm_* and click ids as written; drops other params and the fragment", () => {
    expect(cleanUrl("https://shop.test/p/x?utm_source=ig&token=s3cret&gclid=Cj0K_x&FBCLID=f1&q=mug#frag")).toBe(
      "https://shop.test/p/x?utm_source=ig&gclid=Cj0K_x&FBCLID=f1",
    );
    // Nothing is re-encoded: what is kept is a substring of what was sent.
    expect(cleanUrl("https://shop.test/a%20b?utm_campaign=black%20friday")).toBe("https://shop.test/a%20b?utm_campaign=black%20friday");
    expect(cleanUrl("https://shop.test/?q=1")).toBe("https://shop.test/");
  });

  it("keeps the merchant's extra parameters only when asked", () => {
    expect(cleanUrl("https://shop.test/?ref=partner&x=1")).toBe("https://shop.test/");
    expect(cleanUrl("https://shop.test/?ref=partner&x=1", new Set(["ref"]))).toBe("https://shop.test/?ref=partner");
    expect(queryParamAllowed("REF", new Set(["ref"]))).toBe(true);
  });

  it("drops allowed parameters whose value looks personal, and whole URLs whose path does", () => {
    expect(cleanUrl("https://shop.test/?utm_source=jane%40example.com&utm_medium=email")).toBe("https://shop.test/?utm_medium=email");
    expect(cleanUrl("https://shop.test/?utm_term=%2B1+555+013+4567")).toBe("https://shop.test/");
    expect(cleanUrl("https://shop.test/?utm_content=4111-1111-1111-1111")).toBe("https://shop.test/");
    expect(cleanUrl("https://shop.test/account/jane@example.com/orders")).toBeUndefined();
    expect(cleanUrl("https://shop.test/ship/12%20Baker%20Street")).toBeUndefined();
  });

  it("refuses what is not an http(s) URL or carries credentials", () => {
    expect(cleanUrl("not a url")).toBeUndefined();
    expect(cleanUrl("javascript:alert(1)")).toBeUndefined();
    expect(cleanUrl("https://user:pw@shop.test/")).toBeUndefined();
    expect(cleanUrl("")).toBeUndefined();
  });
});

describe("keepText and cleanProps", () => {
  it("keeps ordinary text, drops personal text", () => {
    expect(keepText("/products/mug")).toBe("/products/mug");
    expect(keepText("/pages/jane%40example.com")).toBeUndefined();
    expect(keepText("")).toBeUndefined();
    expect(keepText(null)).toBeUndefined();
  });

  it("drops personal keys and values, including numbers written as cards", () => {
    const kept = cleanProps({
      formType: "contact",
      percent: 75,
      ok: true,
      email: "x",
      customer_name: "Jane",
      note: "call +1 555 013 4567",
      card: 1,
      n: 4111111111111111,
      __proto__x: "a",
    });
    expect(kept).toEqual({ formType: "contact", percent: 75, ok: true, __proto__x: "a" });
  });
});

describe("CLIENT_ID", () => {
  it("accepts the pixel's UUID and nothing else", () => {
    expect(CLIENT_ID.test("f1c3a6d2-5b7e-4c8a-9e21-0d4b7a9c3e55")).toBe(true);
    expect(CLIENT_ID.test("F1C3A6D2-5B7E-4C8A-9E21-0D4B7A9C3E55")).toBe(true);
    for (const bad of [
      "visitor-1",
      "jane@example.com",
      "f1c3a6d2-5b7e-4c8a-9e21-0d4b7a9c3e55\u0000",
      "f1c3a6d2-5b7e-4c8a-9e21-0d4b7a9c3e5",
      " f1c3a6d2-5b7e-4c8a-9e21-0d4b7a9c3e55",
      "+15550134567",
    ]) {
      expect(CLIENT_ID.test(bad), bad).toBe(false);
    }
  });
});

describe("text rules shared with the pixel", () => {
  it("textOk: well-formed, no control characters; tab and line feed only in free text", () => {
    expect(textOk("/products/mug 💥 e\u0301")).toBe(true);
    for (const bad of ["a\u0000", "\ud800", "x\udfff", "\udc00\ud800", "a\u001b", "a\u007f", "a\u0085", "a\tb"])
      expect(textOk(bad), JSON.stringify(bad)).toBe(false);
    expect(textOk("a\tb\nc", true)).toBe(true);
    expect(textOk("a\rb", true)).toBe(false);
    // Agrees with the engine's own check on every lone/paired surrogate arrangement.
    for (const s of ["\ud83d\udca5", "\ud83d", "\udca5", "\udca5\ud83d", "a\ud83d\udca5\ud83d", "\ud83d\ud83d\udca5"]) {
      expect(textOk(s), JSON.stringify(s)).toBe((s as unknown as { isWellFormed(): boolean }).isWellFormed());
    }
  });
});
