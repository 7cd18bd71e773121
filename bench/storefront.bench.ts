/**
 * Storefront cost of the app: the web pixel bundle against its 10 KB budget, the theme
 * embed gzipped against 3 KB, and in headless Chromium a product page with and without
 * the embed (both with a recording Shopify.analytics.publish stub): main-thread time
 * (CDP Performance.getMetrics) and LCP / CLS / TBT, median of N loads each, the two
 * variants interleaved. Lighthouse-style conditions: mobile viewport, 4× CPU slowdown.
 */
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import path from "node:path";
import { gzipSync } from "node:zlib";
import type { Browser } from "playwright-core";
import { buildPixel, PIXEL_BUDGET_BYTES } from "../scripts/build-pixel";
import { clsOf, launchBrowser, lcpOf, OBSERVERS, tbtOf, type PageVitals } from "./lib/chromium";
import { progress } from "./lib/progress";
import { productPage } from "./lib/storefront-page";
import { fmtBytes, fmtMs, fmtNum, markdownTable, median, ratio, sizeFromEnv, type RatioRow } from "./lib/stats";
import type { BenchContext, SectionResult } from "./lib/types";

export const EMBED_BUDGET_GZ = 3 * 1024;
const CPU_SLOWDOWN = 4;

interface Sample {
  taskMs: number;
  scriptMs: number;
  layoutMs: number;
  styleMs: number;
  lcp: number | null;
  cls: number;
  tbt: number;
  published: number;
  publishedNames: string[];
}

async function serve(script: string): Promise<{ server: Server; url: string }> {
  const pages = { with: productPage({ embed: true, scriptUrl: "/assets/micro-conversions.js" }), without: productPage({ embed: false, scriptUrl: "" }) };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/products/linen-shirt") {
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
      res.end(url.searchParams.get("embed") === "1" ? pages.with : pages.without);
    } else if (url.pathname === "/assets/micro-conversions.js") {
      res.writeHead(200, { "Content-Type": "text/javascript", "Cache-Control": "no-store" });
      res.end(script);
    } else {
      res.writeHead(404, { "Content-Type": "text/plain" });
      res.end("not found");
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
}

async function loadOnce(browser: Browser, url: string): Promise<Sample> {
  const context = await browser.newContext({ viewport: { width: 412, height: 823 }, deviceScaleFactor: 1.75, isMobile: true, hasTouch: true });
  try {
    const page = await context.newPage();
    // Only the local page server: an outbound link or anything else leaving the machine is refused.
    await page.route(/^https?:\/\/(?!127\.0\.0\.1)/, (r) => r.abort());
    await page.addInitScript(OBSERVERS);
    const cdp = await context.newCDPSession(page);
    await cdp.send("Performance.enable");
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: CPU_SLOWDOWN });
    await page.goto(url, { waitUntil: "load" });
    await page.waitForTimeout(1_000);
    const loaded = (await page.evaluate(() => performance.now())) as number;
    // A shopper reading down the page and starting the newsletter form.
    for (let i = 0; i < 8; i++) {
      await page.mouse.wheel(0, 700);
      await page.waitForTimeout(120);
    }
    await page.focus("#nl-email");
    await page.keyboard.type("a");
    await page.waitForTimeout(500);
    const { metrics } = (await cdp.send("Performance.getMetrics")) as { metrics: { name: string; value: number }[] };
    const m = (name: string) => (metrics.find((x) => x.name === name)?.value ?? 0) * 1000;
    const vitals = (await page.evaluate("window.__bench")) as PageVitals;
    const published = (await page.evaluate("window.__mcPublished.map((p) => p[0])")) as string[];
    return {
      taskMs: m("TaskDuration"),
      scriptMs: m("ScriptDuration"),
      layoutMs: m("LayoutDuration"),
      styleMs: m("RecalcStyleDuration"),
      lcp: lcpOf(vitals, loaded),
      cls: clsOf(vitals),
      tbt: tbtOf(vitals, loaded),
      published: published.length,
      publishedNames: [...new Set(published)],
    };
  } finally {
    await context.close();
  }
}

const med = (samples: Sample[], f: (s: Sample) => number | null) => median(samples.map(f).filter((x): x is number => x !== null));

export async function storefrontSection(ctx: BenchContext): Promise<SectionResult> {
  const title = "Storefront";
  const runs = sizeFromEnv(process.env.BENCH_BROWSER_RUNS, ctx.quick ? 3 : 9);
  const pixel = await buildPixel({ write: false });
  const pixelGz = gzipSync(pixel.code, { level: 9 }).length;
  const script = readFileSync(path.join(ctx.root, "extensions/theme-embed/assets/micro-conversions.js"), "utf8");
  const embedRaw = Buffer.byteLength(script);
  const embedGz = gzipSync(script, { level: 9 }).length;
  ctx.log(
    `${title}: pixel ${fmtBytes(pixel.bytes)}, embed ${fmtBytes(embedGz)} gzipped; ${runs} page loads per variant in Chromium (${CPU_SLOWDOWN}× CPU slowdown)`,
  );

  const { server, url } = await serve(script);
  let browser: Browser | null = null;
  const samples: { with: Sample[]; without: Sample[] } = { with: [], without: [] };
  try {
    browser = await launchBrowser();
    // One unmeasured load of each: the browser's own first-run costs.
    await loadOnce(browser, `${url}/products/linen-shirt?embed=1`);
    await loadOnce(browser, `${url}/products/linen-shirt?embed=0`);
    const p = progress("product page loads");
    for (let i = 0; i < runs; i++) {
      // Alternate which variant goes first, so drift in the machine's load hits both alike.
      const order = i % 2 === 0 ? (["with", "without"] as const) : (["without", "with"] as const);
      for (const v of order) samples[v].push(await loadOnce(browser, `${url}/products/linen-shirt?embed=${v === "with" ? 1 : 0}`));
      p.update(`${i + 1}/${runs} pairs`);
    }
    p.done(`${runs} pairs`);
  } finally {
    await browser?.close();
    await new Promise((r) => server.close(r));
  }

  const w = samples.with;
  const wo = samples.without;
  const published = med(w, (s) => s.published) ?? 0;
  const names = [...new Set(w.flatMap((s) => s.publishedNames))].sort();
  const metrics: [string, (s: Sample) => number | null, (x: number | null) => string][] = [
    ["main-thread task time (TaskDuration)", (s) => s.taskMs, fmtMs],
    ["script time (ScriptDuration)", (s) => s.scriptMs, fmtMs],
    ["layout time", (s) => s.layoutMs, fmtMs],
    ["style recalculation time", (s) => s.styleMs, fmtMs],
    ["LCP", (s) => s.lcp, fmtMs],
    ["CLS", (s) => s.cls, (x) => fmtNum(x, 3)],
    ["TBT (Σ long task − 50 ms, FCP → load + 1 s)", (s) => s.tbt, fmtMs],
  ];
  const table = markdownTable(
    ["median of " + runs, "without embed", "with embed", "difference"],
    metrics.map(([name, f, fmt]) => {
      const a = med(wo, f);
      const b = med(w, f);
      return [name, fmt(a), fmt(b), a === null || b === null ? "—" : (b - a >= 0 ? "+" : "") + fmt(b - a)];
    }),
  );
  const taskWith = med(w, (s) => s.taskMs);
  const taskWithout = med(wo, (s) => s.taskMs);
  const scriptDiff = (med(w, (s) => s.scriptMs) ?? 0) - (med(wo, (s) => s.scriptMs) ?? 0);
  const lcpWith = med(w, (s) => s.lcp);
  const lcpWithout = med(wo, (s) => s.lcp);
  const clsWith = med(w, (s) => s.cls) ?? 0;
  const clsWithout = med(wo, (s) => s.cls) ?? 0;
  const tbtWith = med(w, (s) => s.tbt) ?? 0;
  const tbtWithout = med(wo, (s) => s.tbt) ?? 0;

  const rows: RatioRow[] = [
    {
      section: title,
      metric: "web pixel bundle (minified)",
      ours: fmtBytes(pixel.bytes),
      baseline: "10 KB budget",
      ratio: ratio(pixel.bytes, PIXEL_BUDGET_BYTES),
      target: "≤ 1×",
      pass: pixel.bytes <= PIXEL_BUDGET_BYTES,
    },
    {
      section: title,
      metric: "theme embed (gzipped)",
      ours: fmtBytes(embedGz),
      baseline: "3 KB budget",
      ratio: ratio(embedGz, EMBED_BUDGET_GZ),
      target: "≤ 1×",
      pass: embedGz <= EMBED_BUDGET_GZ,
    },
    {
      section: title,
      metric: "page main-thread time with embed ÷ without",
      ours: fmtMs(taskWith),
      baseline: fmtMs(taskWithout),
      ratio: ratio(taskWith, taskWithout),
      target: "",
      pass: null,
    },
    {
      section: title,
      metric: "LCP with embed ÷ without",
      ours: fmtMs(lcpWith),
      baseline: fmtMs(lcpWithout),
      ratio: ratio(lcpWith, lcpWithout),
      target: "",
      pass: null,
    },
    {
      section: title,
      metric: "CLS added by the embed",
      ours: fmtNum(clsWith - clsWithout, 3),
      baseline: `CLS ${fmtNum(clsWithout, 3)} without`,
      ratio: null,
      target: "0",
      pass: clsWith - clsWithout <= 0.001,
    },
    {
      section: title,
      metric: "TBT added by the embed",
      ours: fmtMs(tbtWith - tbtWithout),
      baseline: `${fmtMs(tbtWithout)} without`,
      ratio: null,
      target: "",
      pass: null,
    },
  ];
  const md = [
    `- **Web pixel** (\`buildPixel()\`, minified IIFE as shipped): ${pixel.bytes.toLocaleString("en-US")} bytes (${fmtBytes(pixel.bytes)}; ${fmtBytes(pixelGz)} gzipped) against the 10 KB budget = ${(pixel.bytes / PIXEL_BUDGET_BYTES).toFixed(2)}×. ` +
      "It runs in Shopify's strict sandbox (a web worker), off the storefront's main thread.",
    `- **Theme embed** (extensions/theme-embed/assets/micro-conversions.js, shipped as is): ${embedRaw.toLocaleString("en-US")} bytes, ${embedGz.toLocaleString("en-US")} gzipped (level 9) against 3 KB = ${(embedGz / EMBED_BUDGET_GZ).toFixed(2)}×.`,
    "",
    `A local product page (announcement bar, navigation, 4-image gallery and 8 related-product cards as inline SVG images, variant and add-to-cart form, description, ` +
      `a video with poster, 6 reviews, a PDF link, outbound links, a newsletter form with \`form_type=customer\`), with and without the embed's config JSON + deferred script ` +
      `exactly as blocks/micro-conversions.liquid renders them; both variants have the recording \`Shopify.analytics.publish\` stub. Headless Chromium, 412×823 mobile viewport, ` +
      `${CPU_SLOWDOWN}× CPU slowdown (Lighthouse's mobile setting), a fresh context per load. Each load: navigate, wait for load + 1 s, scroll the page in 8 steps, ` +
      `type one letter into the newsletter form, then read CDP \`Performance.getMetrics\` (main-thread time covers load and interaction) and the PerformanceObserver entries ` +
      `(LCP before the first input, CLS as the largest session window, TBT from FCP to load + 1 s). ${runs} loads per variant, interleaved.`,
    "",
    table,
    "",
    `With the embed the stub recorded a median of ${published} publishes per load (${names.join(", ") || "none"}). ` +
      `Script-time difference: ${fmtMs(scriptDiff)} per page view including the scroll and form handlers, measured at ${CPU_SLOWDOWN}× slowdown. ` +
      "Differences of a few milliseconds are within the run-to-run noise of this machine; the medians' spread is the honest error bar.",
  ];
  const findings: string[] = [];
  if (pixel.bytes > PIXEL_BUDGET_BYTES) findings.push(`the web pixel bundle is ${fmtBytes(pixel.bytes)}, over its 10 KB budget.`);
  if (embedGz > EMBED_BUDGET_GZ) findings.push(`the theme embed is ${fmtBytes(embedGz)} gzipped, over its 3 KB budget.`);
  if (clsWith - clsWithout > 0.001) findings.push(`the embed adds layout shift (CLS ${fmtNum(clsWithout, 3)} → ${fmtNum(clsWith, 3)}).`);
  if (published === 0) findings.push("the embed published nothing during the scripted scroll and form input: the measurement did not exercise it.");
  return { title, rows, markdown: md.join("\n"), findings };
}
