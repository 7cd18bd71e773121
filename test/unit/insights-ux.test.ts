/**
 * The pure parts of the Insights/Experiments UX: the CSV header block, the row links and
 * prefilled funnel, and the experiment guide's snippets — the JS snippet run for real
 * against a recording Shopify.analytics, its event mapped by the web pixel's own mapper,
 * and read by the readout's exposure rule; the Liquid section checked by Shopify Theme Check.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { csvHeaderBlock, parseReportCsv, reportCsv } from "../../core/csv";
import { exposureOf, firstLiftEtaDays, formatDays, funnelPrefill, publishSnippet, rowLinks, SECTION_SNIPPET } from "../../core/insights";
import { mapEvent } from "../../extensions/web-pixel/src/map";

const META = {
  report: "Insights: A/B test planner",
  unit: "visitor",
  window: "baseline over 28 days",
  from: "2026-11-01",
  to: "2026-11-28",
  timeZone: "Europe/Berlin",
  generatedAt: Date.UTC(2026, 10, 28, 12, 30, 5, 123),
};

describe("CSV header block", () => {
  it("writes plain Key,value rows, an empty row, then the table; BOM first; round-trips", () => {
    const text = reportCsv({ ...META, extra: [["MDE (relative %)", 10]] }, [
      ["metric", "weeks"],
      ["Added to cart, then bought", 3],
    ]);
    expect(text).toBe(
      "\uFEFFReport,Insights: A/B test planner\r\nUnit,visitor\r\nWindow,baseline over 28 days\r\nRange,2026-11-01 to 2026-11-28\r\n" +
        'Time zone,Europe/Berlin\r\nGenerated at,2026-11-28T12:30:05.123Z\r\nMDE (relative %),10\r\n\r\nmetric,weeks\r\n"Added to cart, then bought",3\r\n',
    );
    expect(parseReportCsv(text)).toEqual({
      meta: {
        Report: "Insights: A/B test planner",
        Unit: "visitor",
        Window: "baseline over 28 days",
        Range: "2026-11-01 to 2026-11-28",
        "Time zone": "Europe/Berlin",
        "Generated at": "2026-11-28T12:30:05.123Z",
        "MDE (relative %)": "10",
      },
      table: [
        ["metric", "weeks"],
        ["Added to cart, then bought", "3"],
      ],
    });
  });

  it("header values from merchants cannot run as formulas", () => {
    const rows = csvHeaderBlock({ ...META, extra: [["Funnel", '=HYPERLINK("x")']] });
    const text = reportCsv({ ...META, extra: [["Funnel", '=HYPERLINK("x")']] }, [["a"]]);
    expect(rows.at(-2)).toEqual(["Funnel", '=HYPERLINK("x")']);
    expect(text).toContain('Funnel,"\'=HYPERLINK(""x"")"\r\n');
  });
});

describe("Insights row links and the prefilled funnel", () => {
  it("links carry the row's micro step and goal; plan keeps the page's settings", () => {
    expect(rowLinks("add_to_cart", "purchase", "range=last7&mde=20&plan=old")).toEqual({
      funnel: "/app/funnels/new?micro=add_to_cart&goal=purchase",
      audience: "/app/audiences/new?micro=add_to_cart&macro=goal%3Apurchase",
      plan: "/app/insights?range=last7&mde=20&plan=add_to_cart#planner",
    });
    // The shop's own mc:* events: a funnel and a plan, no audience (audiences take catalog steps).
    expect(rowLinks("custom:mc:quiz", "purchase", "").audience).toBeNull();
  });

  it("the funnel is micro step then goal, per visitor; unknown keys give none", () => {
    const f = funnelPrefill("pricing_view", "demo_request")!;
    expect(f.unit).toBe("visitor");
    expect(f.steps.map((s) => s.label)).toEqual(["Viewed pricing or FAQ", "Demo request (contact form sent)"]);
    expect(f.steps[0].anyOf).toHaveLength(2);
    expect(funnelPrefill("nope", "purchase")).toBeNull();
    expect(funnelPrefill("add_to_cart", "nope")).toBeNull();
    expect(funnelPrefill("custom:mc:experiment_view", "purchase")).toBeNull();
  });

  it("estimates the days until the first lift can show from the pace so far", () => {
    const row = (did: number) => ({
      key: "k",
      label: "k",
      did: { converted: 0, total: did },
      didNot: { converted: 0, total: 0 },
      lift: { rateA: null, rateB: null, ratio: null, ci95: null, eligible: false },
    });
    // 30 visitors in 1 day, 6 did the step (20 %): 150 visitors give 30 doers → 4 more days.
    expect(firstLiftEtaDays({ visitors: 30, minGroup: 30, rows: [row(6)] }, 1)).toBe(4);
    // A step everyone did (no "did not" group) and one nobody did say nothing.
    expect(firstLiftEtaDays({ visitors: 30, minGroup: 30, rows: [row(30), row(0)] }, 1)).toBeNull();
    // The closest step counts; 2 days of data halve the pace.
    expect(firstLiftEtaDays({ visitors: 30, minGroup: 30, rows: [row(3), row(15)] }, 2)).toBe(2);
    expect(firstLiftEtaDays({ visitors: 100, minGroup: 30, rows: [row(50)] }, 1)).toBe(0);
    expect(firstLiftEtaDays({ visitors: 0, minGroup: 30, rows: [] }, 1)).toBeNull();
  });

  it("formats baseline days", () => {
    expect([formatDays(28), formatDays(1), formatDays(3.04), formatDays(2.96)]).toEqual(["28 days", "1 day", "3 days", "3 days"]);
  });
});

describe("experiment guide snippets", () => {
  it("the JS snippet publishes an event the pixel forwards and the readout counts as an exposure", () => {
    const published: [string, unknown][] = [];
    const Shopify = { analytics: { publish: (name: string, data: unknown) => published.push([name, data]) } };
    new Function("Shopify", publishSnippet("pdp-banner", "free-shipping"))(Shopify);
    expect(published).toEqual([["mc:experiment_view", { experiment: "pdp-banner", variant: "free-shipping" }]]);
    const [name, customData] = published[0];
    const wire = mapEvent({ id: "e1", name, type: "custom", timestamp: "2026-12-01T10:00:00.000Z", clientId: "v1", customData, context: {} });
    expect(wire?.props).toEqual({ experiment: "pdp-banner", variant: "free-shipping" });
    expect(exposureOf({ name: wire!.name, props: wire!.props as Record<string, string> })).toEqual({ experiment: "pdp-banner", variant: "free-shipping" });
  });

  it("the Liquid section passes Shopify Theme Check (theme context) without any offense", async () => {
    const require = createRequire(import.meta.url);
    const downloader = require("@shopify/theme-check-docs-updater/dist/themeLiquidDocsDownloader.js");
    const offline = async () => {
      throw new Error("offline");
    };
    downloader.downloadResource = offline;
    downloader.downloadThemeLiquidDocs = offline;
    const { themeCheckRun } = require("@shopify/theme-check-node") as typeof import("@shopify/theme-check-node");
    const root = mkdtempSync(path.join(tmpdir(), "mc-section-"));
    for (const dir of ["sections", "locales", "layout", "config"]) mkdirSync(path.join(root, dir));
    writeFileSync(path.join(root, "sections/mc-experiment.liquid"), SECTION_SNIPPET);
    writeFileSync(path.join(root, "locales/en.default.json"), "{}");
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const run = await themeCheckRun(root, require.resolve("@shopify/theme-check-node/configs/recommended.yml"));
    logged.mockRestore();
    expect(run.theme.some((f) => f.uri.endsWith("sections/mc-experiment.liquid"))).toBe(true);
    // Not even a warning on the section the merchant pastes.
    const offenses = run.offenses.filter((o) => o.uri.endsWith("mc-experiment.liquid"));
    expect(offenses.map((o) => `${o.severity} ${o.check}: ${o.message}`)).toEqual([]);
  }, 60_000);
});
