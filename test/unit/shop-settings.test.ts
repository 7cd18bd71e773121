import { describe, expect, it } from "vitest";
import {
  allowedQueryParamsOf,
  parseQueryParamsForm,
  parseRetentionForm,
  parseShopSettings,
  RETENTION_DAYS_DEFAULT,
  serializeShopSettings,
  ShopSettingsError,
} from "../../core/shop-settings";

describe("Shop.settings", () => {
  it("gives the 13-month default for the column's default, empty text and null", () => {
    expect(RETENTION_DAYS_DEFAULT).toBe(395);
    for (const text of ["{}", "", "  ", null, undefined]) expect(parseShopSettings(text)).toEqual({ retentionDays: 395 });
  });

  it("reads a stored value and keeps unknown keys through a round trip", () => {
    const settings = parseShopSettings('{"retentionDays":90,"futureFlag":{"a":1}}');
    expect(settings.retentionDays).toBe(90);
    const again = parseShopSettings(serializeShopSettings({ ...settings, retentionDays: 120 }));
    expect(again).toEqual({ retentionDays: 120, futureFlag: { a: 1 } });
  });

  it("accepts the bounds 30 and 1095", () => {
    expect(parseShopSettings('{"retentionDays":30}').retentionDays).toBe(30);
    expect(parseShopSettings('{"retentionDays":1095}').retentionDays).toBe(1095);
  });

  it.each([
    ["not json", "{"],
    ["an array", "[]"],
    ["null", "null"],
    ["below the minimum", '{"retentionDays":29}'],
    ["above the maximum", '{"retentionDays":1096}'],
    ["a fraction", '{"retentionDays":90.5}'],
    ["a string", '{"retentionDays":"90"}'],
  ])("refuses %s rather than guessing (the job must not delete on a misread)", (_label, text) => {
    expect(() => parseShopSettings(text)).toThrow(ShopSettingsError);
  });

  it("never serializes an invalid value", () => {
    expect(() => serializeShopSettings({ retentionDays: 7 })).toThrow();
    expect(serializeShopSettings({ retentionDays: 60 })).toBe('{"retentionDays":60}');
  });
});

describe("retention form", () => {
  it("accepts whole numbers of days in range, with surrounding spaces", () => {
    expect(parseRetentionForm({ retentionDays: "395" })).toEqual({ ok: true, retentionDays: 395 });
    expect(parseRetentionForm({ retentionDays: " 30 " })).toEqual({ ok: true, retentionDays: 30 });
    expect(parseRetentionForm({ retentionDays: "1095" })).toEqual({ ok: true, retentionDays: 1095 });
  });

  it.each([
    [undefined, "Enter the number of days to keep data"],
    ["", "Retention must be a whole number of days"],
    ["abc", "Retention must be a whole number of days"],
    ["12.5", "Retention must be a whole number of days"],
    ["-40", "Retention must be a whole number of days"],
    ["1e3", "Retention must be a whole number of days"],
    ["29", "Keep data for at least 30 days"],
    ["1096", "Keep data for at most 1095 days (3 years)"],
    ["99999999999", "Retention must be a whole number of days"],
  ])("refuses %j with a message a merchant understands", (value, message) => {
    expect(parseRetentionForm({ retentionDays: value })).toEqual({ ok: false, error: message });
  });
});

describe("kept query parameters form", () => {
  it("lower-cases, splits on commas, spaces and lines, drops duplicates and the always-kept ones", () => {
    expect(parseQueryParamsForm({ allowedQueryParams: "Ref, ref2\nvariant_test  ref utm_source GCLID" })).toEqual({
      ok: true,
      allowedQueryParams: ["ref", "ref2", "variant_test"],
    });
    expect(parseQueryParamsForm({ allowedQueryParams: "" })).toEqual({ ok: true, allowedQueryParams: [] });
  });

  it("refuses names that announce personal data, malformed names and long lists, naming the culprit", () => {
    expect(parseQueryParamsForm({ allowedQueryParams: "ref, customer_email" })).toEqual({
      ok: false,
      error: '"customer_email": That parameter name suggests personal data; it cannot be kept',
    });
    expect(parseQueryParamsForm({ allowedQueryParams: "a=b" })).toMatchObject({ ok: false, error: expect.stringContaining('"a=b"') });
    expect(parseQueryParamsForm({ allowedQueryParams: Array.from({ length: 21 }, (_, i) => `p${i}`).join(",") })).toMatchObject({
      ok: false,
      error: "At most 20 parameters",
    });
    expect(parseQueryParamsForm({})).toMatchObject({ ok: false });
  });

  it("is read back from Shop.settings; unreadable settings keep only the defaults", () => {
    expect(allowedQueryParamsOf(JSON.stringify({ retentionDays: 400, allowedQueryParams: ["ref"] }))).toEqual(["ref"]);
    expect(allowedQueryParamsOf("{}")).toEqual([]);
    expect(allowedQueryParamsOf("{broken")).toEqual([]);
    expect(allowedQueryParamsOf(JSON.stringify({ allowedQueryParams: ["email"] }))).toEqual([]);
  });
});
