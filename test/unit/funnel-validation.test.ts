import { describe, expect, it } from "vitest";
import {
  FUNNEL_TEMPLATES,
  MAX_DEFINITION_BYTES,
  parseFunnelDefinition,
  templateByKey,
  toDefinition,
  validateFunnelInput,
  type FunnelView,
} from "../../app/services/funnels.server";
import { parseReportParams, parseReportTable } from "../../app/services/funnel-report.server";
import { nextReportQuery, readReportQuery, reportQuery } from "../../app/lib/funnel-query";
import { RequestError } from "../../app/services/request-error";
import { computeFunnel } from "../../core/funnel";
import type { CoreEvent } from "../../core/types";

const step = (label: string, event = "page_viewed") => ({ label, anyOf: [{ event, filters: [] }] });
const valid = { name: "Test", unit: "session", windowMinutes: 60, steps: [step("A"), step("B", "product_viewed")] };
const errorsOf = (input: unknown) => {
  const r = validateFunnelInput(input);
  if (r.ok) throw new Error("expected invalid");
  return r;
};

describe("funnel definition validation", () => {
  it("accepts a valid funnel and fills defaults", () => {
    const r = validateFunnelInput({ name: "X", steps: [step("A"), step("B")] });
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value).toMatchObject({ unit: "session", windowMinutes: 10080 });
  });

  it("requires 2 to 20 steps", () => {
    expect(errorsOf({ ...valid, steps: [step("A")] }).fieldErrors.steps).toMatch(/2 to 20 steps/);
    const many = Array.from({ length: 1000 }, (_, i) => step(`S${i}`));
    expect(errorsOf({ ...valid, steps: many }).error).toMatch(/2 to 20 steps/);
    expect(validateFunnelInput({ ...valid, steps: many.slice(0, 20) }).ok).toBe(true);
  });

  it("requires 1 to 5 alternatives per step", () => {
    expect(errorsOf({ ...valid, steps: [step("A"), { label: "B", anyOf: [] }] }).fieldErrors["steps.1.anyOf"]).toMatch(/at least one event/);
    const six = { label: "B", anyOf: Array.from({ length: 6 }, () => ({ event: "x", filters: [] })) };
    expect(errorsOf({ ...valid, steps: [step("A"), six] }).fieldErrors["steps.1.anyOf"]).toMatch(/at most 5/);
  });

  it("checks labels: not empty, ≤ 80 characters, single line", () => {
    expect(errorsOf({ ...valid, steps: [step(""), step("B")] }).fieldErrors["steps.0.label"]).toMatch(/must not be empty/);
    expect(errorsOf({ ...valid, steps: [step("   "), step("B")] }).fieldErrors["steps.0.label"]).toMatch(/must not be empty/);
    expect(errorsOf({ ...valid, steps: [step("x".repeat(81)), step("B")] }).fieldErrors["steps.0.label"]).toMatch(/at most 80/);
    expect(validateFunnelInput({ ...valid, steps: [step("x".repeat(80)), step("B")] }).ok).toBe(true);
    expect(errorsOf({ ...valid, steps: [step("a\u0000b"), step("B")] }).fieldErrors["steps.0.label"]).toMatch(/control characters/);
    expect(errorsOf({ ...valid, steps: [step("a\nb"), step("B")] }).fieldErrors["steps.0.label"]).toMatch(/control characters/);
  });

  it("keeps injection-looking labels verbatim (they are data, escaped where shown)", () => {
    const labels = ['=HYPERLINK("http://evil","x")', "<script>alert(1)</script>", '\'; DROP TABLE "Funnel"; --', "@SUM(1+1)"];
    const r = validateFunnelInput({ ...valid, steps: labels.map((l) => step(l)) });
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value.steps.map((s) => s.label)).toEqual(labels);
  });

  it("accepts only the filter shapes of core's StepFilter", () => {
    const withFilter = (f: unknown) => ({ ...valid, steps: [step("A"), { label: "B", anyOf: [{ event: "x", filters: [f] }] }] });
    expect(validateFunnelInput(withFilter({ field: "path", op: "startsWith", value: "/blogs" })).ok).toBe(true);
    expect(validateFunnelInput(withFilter({ field: "productId", op: "equals", value: "123" })).ok).toBe(true);
    expect(validateFunnelInput(withFilter({ field: "prop", key: "percent", op: "equals", value: "75" })).ok).toBe(true);
    expect(errorsOf(withFilter({ field: "productId", op: "contains", value: "1" })).error).toMatch(/a product filter matches one product exactly/);
    expect(errorsOf(withFilter({ field: "prop", key: "k", op: "startsWith", value: "1" })).error).toMatch(/a property filter matches one value exactly/);
    expect(errorsOf(withFilter({ field: "path", op: "regex", value: ".*" })).error).toMatch(/choose a condition: is, starts with or contains/);
    expect(errorsOf(withFilter({ field: "email", op: "equals", value: "x" })).error).toMatch(/choose what to filter on: page, product or event property/);
    expect(errorsOf(withFilter({ field: "path", op: "equals", value: "/", extra: 1 })).ok).toBe(false);
    expect(errorsOf(withFilter({ field: "prop", op: "equals", value: "1" })).fieldErrors["steps.1.anyOf.0.filters.0.key"]).toBeDefined();
  });

  it("checks unit and the window (1 minute to 90 days, whole minutes)", () => {
    expect(errorsOf({ ...valid, unit: "order" }).fieldErrors.unit).toMatch(/session or visitor/);
    expect(errorsOf({ ...valid, windowMinutes: 0 }).fieldErrors.windowMinutes).toMatch(/at least 1 minute/);
    expect(errorsOf({ ...valid, windowMinutes: 129_601 }).fieldErrors.windowMinutes).toMatch(/at most 129600/);
    expect(errorsOf({ ...valid, windowMinutes: 1.5 }).fieldErrors.windowMinutes).toMatch(/whole number/);
    expect(errorsOf({ ...valid, windowMinutes: "60" }).fieldErrors.windowMinutes).toMatch(/number of minutes/);
    expect(validateFunnelInput({ ...valid, unit: "visitor", windowMinutes: 129_600 }).ok).toBe(true);
  });

  it("parses the builder's JSON field defensively", () => {
    expect(parseFunnelDefinition("{not json")).toMatchObject({ ok: false, error: /not valid JSON/ });
    expect(parseFunnelDefinition(null)).toMatchObject({ ok: false, error: /missing/ });
    expect(parseFunnelDefinition("x".repeat(MAX_DEFINITION_BYTES + 1))).toMatchObject({ ok: false, error: /larger than/ });
    expect(parseFunnelDefinition(JSON.stringify(valid)).ok).toBe(true);
  });
});

describe("templates", () => {
  it("are all valid funnels", () => {
    for (const t of FUNNEL_TEMPLATES) expect(validateFunnelInput(t.input).ok, t.key).toBe(true);
  });

  it("match the events the storefront sends", () => {
    const view = (key: string): FunnelView => ({
      id: key,
      createdAt: "",
      isMain: false,
      version: 1,
      resultsState: "ready",
      ...templateByKey(key)!.input,
      template: key,
    });
    const base = {
      seq: 0,
      visitorId: "v",
      productId: null,
      checkoutToken: null,
      orderId: null,
      customerId: null,
      attrs: { device: null, source: "direct", medium: null, campaign: null, landingPath: null, visitorType: "new" as const, loggedIn: false },
    };
    let n = 0;
    const ev = (name: string, ts: number, path: string | null, props: CoreEvent["props"] = {}): CoreEvent => ({
      ...base,
      id: `e${n++}`,
      seq: n,
      name,
      ts,
      path,
      props,
    });
    const params = { from: 0, to: 10_000_000, now: 1e12, timeZone: "UTC" };
    const newsletter = computeFunnel(
      [
        ev("page_viewed", 1000, "/blogs/news/a"),
        ev("mc:form_start", 2000, "/blogs/news/a", { formType: "customer" }),
        ev("mc:form_submit", 3000, "/", { formType: "customer" }),
      ],
      toDefinition(view("newsletter")),
      params,
    );
    expect(newsletter.steps.map((s) => s.count)).toEqual([1, 1, 1]);
    const scroll = computeFunnel([ev("mc:scroll_depth", 1000, "/", { percent: 75 }), ev("mc:form_start", 2000, "/")], toDefinition(view("newsletter")), params);
    expect(scroll.steps.map((s) => s.count)).toEqual([1, 1, 0]);
    const lead = computeFunnel(
      [
        ev("page_viewed", 1000, "/pages/faq"),
        ev("mc:file_download", 2000, "/pages/faq"),
        ev("mc:form_submit", 3000, "/pages/contact", { formType: "contact" }),
      ],
      toDefinition(view("lead")),
      params,
    );
    expect(lead.steps.map((s) => s.count)).toEqual([1, 1, 1]);
    expect(toDefinition(view("lead"))).toMatchObject({ unit: "visitor", windowMs: 7 * 24 * 3_600_000 });
  });
});

describe("report parameters", () => {
  const parse = (q: string) => parseReportParams(new URLSearchParams(q));
  it("defaults to the last 30 days by day, no compare, no breakdown", () => {
    expect(parse("")).toEqual({ range: "last30", from: null, to: null, compare: false, breakdown: null, trend: "day" });
  });
  it("ignores unknown and empty parameters (embedded admin URLs carry shop, host, id_token)", () => {
    expect(parse("shop=x.myshopify.com&host=abc&embedded=1&breakdown=&range=last7")).toMatchObject({ range: "last7", breakdown: null });
  });
  it("reads from/to without a range as a custom range", () => {
    expect(parse("from=2026-01-01&to=2026-01-31")).toMatchObject({ range: "custom", from: "2026-01-01", to: "2026-01-31" });
  });
  it("refuses bad values with a message naming the parameter", () => {
    const bad = (q: string) => {
      try {
        parse(q);
      } catch (e) {
        expect(e).toBeInstanceOf(RequestError);
        expect((e as RequestError).status).toBe(400);
        return (e as Error).message;
      }
      throw new Error(`accepted ${q}`);
    };
    expect(bad("range=forever")).toMatch(/range must be one of/);
    expect(bad("range=custom&from=01/02/2026&to=2026-02-01")).toMatch(/from: expected a date as YYYY-MM-DD/);
    expect(bad("breakdown=email")).toMatch(/breakdown must be one of/);
    expect(bad("trend=hour")).toMatch(/trend must be day or week/);
    expect(bad("compare=maybe")).toMatch(/compare must be on or off/);
  });
  it("round-trips through the canonical query", () => {
    const p = parse("range=custom&from=2026-01-01&to=2026-01-31&compare=on&breakdown=device&trend=week");
    expect(parse(reportQuery(p))).toEqual(p);
  });
  it("a control change made while another report loads builds on the pending one", () => {
    const current = parse("range=last30");
    // Range switched to last7 (still loading), then breakdown picked: both survive.
    expect(nextReportQuery(current, "?range=last7", { breakdown: "device" })).toBe("range=last7&breakdown=device");
    expect(nextReportQuery(current, null, { breakdown: "device" })).toBe("range=last30&breakdown=device");
    // Leaving a custom range drops its dates.
    const custom = parse("range=custom&from=2026-01-01&to=2026-01-31&compare=on");
    expect(nextReportQuery(custom, null, { range: "last7" })).toBe("range=last7&compare=on");
    expect(readReportQuery(reportQuery(custom), current)).toEqual(custom);
    expect(readReportQuery("?range=forever&breakdown=email", current)).toMatchObject({ range: "last30", breakdown: null });
  });

  it("reads the CSV table", () => {
    expect(parseReportTable(new URLSearchParams("table=trend"))).toBe("trend");
    expect(() => parseReportTable(new URLSearchParams("table=users"))).toThrow(/table must be one of steps, breakdown, trend/);
    expect(() => parseReportTable(new URLSearchParams(""))).toThrow(RequestError);
  });
});
