/**
 * Admin: the embedded admin of a demo instance in headless Chromium — the dashboard
 * (/app) and the first funnel's report (/app/funnels/<id>) — LCP, CLS and an INP
 * approximation (Event Timing of a click on a navigation link), median of N cold loads.
 *
 * The demo is made as scripts/demo.mts makes it (bench/lib/demo-instance.ts: real server
 * in demo mode, local Shopify stand-in, the shop seeded through the real pixel), on a
 * fresh SQLite file and the build snapshot; then,
 * when BENCH_ADMIN_EVENTS asks for more, generated events are added to the demo shop
 * (bench/lib/synth-events.ts) so the pages are measured at that data size.
 */
import { createClient } from "@libsql/client";
import path from "node:path";
import { createDb } from "../db/prisma";
import { rebuildActivity } from "../app/services/activity.server";
import type { Browser } from "playwright-core";
import { BROWSER_UA } from "./lib/app-process";
import { clsOf, inpOf, launchBrowser, lcpOf, OBSERVERS, type PageVitals } from "./lib/chromium";
import { startDemoInstance, type DemoInstance } from "./lib/demo-instance";
import { progress, withHeartbeat } from "./lib/progress";
import { fmtInt, fmtMs, fmtNum, markdownTable, median, sizeFromEnv, type RatioRow } from "./lib/stats";
import { writeSqlite } from "./lib/synth-events";
import type { BenchContext, SectionResult } from "./lib/types";

const DEMO_SHOP = "demo-shop.myshopify.com";

interface AdminSample {
  lcp: number | null;
  cls: number;
  /** Longest Event Timing duration of the click (null: under the 16 ms the API reports). */
  inp: number | null;
  /** Navigation start → load event. */
  loadMs: number;
  /** Time to first byte of the document (server work for the page). */
  ttfbMs: number;
  /** The document's last byte: with streamed (deferred) loader data, when the last of it arrived. */
  lastByteMs: number;
  /** Click → the next page's URL and network idle (client-side navigation). */
  clickToNextMs: number | null;
  error?: string;
}

interface PageSpec {
  name: string;
  path: string;
  /** The link to click for the INP approximation, and the URL it leads to. */
  click: { name: string; url: RegExp };
}

async function demoUrl(base: string, pathname: string): Promise<string> {
  const res = await fetch(`${base}/demo/session-token`);
  const { token } = (await res.json()) as { token: string };
  const handle = DEMO_SHOP.replace(".myshopify.com", "");
  const host = Buffer.from(`admin.shopify.com/store/${handle}`).toString("base64url");
  return `${base}${pathname}?${new URLSearchParams({ embedded: "1", shop: DEMO_SHOP, host, id_token: token })}`;
}

async function measure(browser: Browser, base: string, spec: PageSpec, timeoutMs: number): Promise<AdminSample> {
  const context = await browser.newContext({ userAgent: BROWSER_UA, viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(timeoutMs);
    // The demo works offline: anything leaving the machine (Shopify's CDN) is refused, as in the browser tests.
    await page.route(/^https?:\/\/(?!localhost|127\.0\.0\.1)/, (r) => r.abort());
    await page.addInitScript(OBSERVERS);
    await page.goto(await demoUrl(base, spec.path), { waitUntil: "load", timeout: timeoutMs });
    await page.waitForLoadState("networkidle", { timeout: 15_000 }).catch(() => {});
    await page.waitForTimeout(500);
    const nav = (await page.evaluate(() => {
      const n = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming | undefined;
      return n ? { load: n.loadEventEnd, ttfb: n.responseStart, lastByte: n.responseEnd } : { load: 0, ttfb: 0, lastByte: 0 };
    })) as { load: number; ttfb: number; lastByte: number };
    const before = (await page.evaluate("window.__bench")) as PageVitals;
    // INP approximation: a click on a navigation link, its Event Timing entries.
    const link = page.getByRole("link", { name: spec.click.name, exact: true }).first();
    const t0 = Date.now();
    await link.click();
    let clickToNextMs: number | null = null;
    try {
      await page.waitForURL(spec.click.url, { timeout: timeoutMs });
      await page.waitForLoadState("networkidle", { timeout: 15_000 }).catch(() => {});
      clickToNextMs = Date.now() - t0;
    } catch {
      clickToNextMs = null;
    }
    await page.waitForTimeout(300);
    const after = (await page.evaluate("window.__bench")) as PageVitals;
    return { lcp: lcpOf(before), cls: clsOf(before), inp: inpOf(after), loadMs: nav.load, ttfbMs: nav.ttfb, lastByteMs: nav.lastByte, clickToNextMs };
  } catch (e) {
    return {
      lcp: null,
      cls: 0,
      inp: null,
      loadMs: 0,
      ttfbMs: 0,
      lastByteMs: 0,
      clickToNextMs: null,
      error: e instanceof Error ? e.message.split("\n")[0] : String(e),
    };
  } finally {
    await context.close();
  }
}

async function sqliteScalar(url: string, sql: string, args: (string | number)[] = []): Promise<unknown> {
  const client = createClient({ url });
  try {
    const r = await client.execute({ sql, args });
    return r.rows[0]?.[0] ?? null;
  } finally {
    client.close();
  }
}

/** Polls until every funnel of the shop is "ready" and no visitor is stale, or `timeoutMs`. */
async function waitForResults(dbUrl: string, shopId: number, timeoutMs: number) {
  const t = Date.now();
  const p = progress("funnel results built by the server");
  let state = { funnels: 0, building: 0, stale: 0 };
  const isReady = () => state.funnels > 0 && state.building === 0 && state.stale === 0;
  while (Date.now() - t < timeoutMs) {
    state = {
      funnels: Number(await sqliteScalar(dbUrl, `SELECT COUNT(*) FROM "Funnel" WHERE "shopId" = ?`, [shopId])),
      building: Number(await sqliteScalar(dbUrl, `SELECT COUNT(*) FROM "Funnel" WHERE "shopId" = ? AND "resultsState" <> 'ready'`, [shopId])),
      stale: Number(await sqliteScalar(dbUrl, `SELECT COUNT(*) FROM "StaleVisitor" WHERE "shopId" = ?`, [shopId])),
    };
    if (isReady()) break;
    // The dashboard's first load creates the funnels: none a minute later means it failed.
    if (state.funnels === 0 && Date.now() - t > 60_000) break;
    p.update(`${state.building}/${state.funnels} funnels building, ${fmtInt(state.stale)} visitors stale`);
    await new Promise((r) => setTimeout(r, 2_000));
  }
  const ready = isReady();
  const seconds = (Date.now() - t) / 1000;
  p.done(
    ready
      ? `${state.funnels} funnel${state.funnels === 1 ? "" : "s"} ready in ${fmtInt(Math.round(seconds))} s`
      : `not ready after ${fmtInt(Math.round(seconds))} s`,
  );
  return { ...state, ready, seconds };
}

export async function adminSection(ctx: BenchContext): Promise<SectionResult> {
  const title = "Admin";
  const extraEvents = sizeFromEnv(process.env.BENCH_ADMIN_EVENTS, ctx.quick ? 0 : 10_000_000);
  const visitors = sizeFromEnv(process.env.BENCH_ADMIN_VISITORS, ctx.quick ? 150 : 1_500);
  const runs = sizeFromEnv(process.env.BENCH_BROWSER_RUNS, ctx.quick ? 3 : 5);
  const timeoutMs = ctx.quick ? 60_000 : 300_000;
  const dbFile = path.join(ctx.tmp, `admin-demo-${Date.now().toString(36)}.sqlite`);
  const dbUrl = `file:${dbFile}`;
  ctx.log(
    `${title}: demo with ${fmtInt(visitors)} simulated visitors${extraEvents ? ` + ${fmtInt(extraEvents)} generated events` : ""}; ${runs} cold loads per page`,
  );

  let demo: DemoInstance | null = null;
  let browser: Browser | null = null;
  try {
    demo = await withHeartbeat(`demo instance (seeding ${fmtInt(visitors)} visitors through the pixel)`, () =>
      startDemoInstance({ root: ctx.root, appDir: ctx.appDir, dbUrl, visitors }),
    );
    const base = demo.url;
    const shopId = demo.shopId;
    const seeded = Number(await sqliteScalar(dbUrl, `SELECT COUNT(*) FROM "Event" WHERE "shopId" = ?`, [shopId]));
    if (extraEvents > 0) {
      const p = progress("generated events → demo shop");
      const r = await writeSqlite(dbUrl, { shopId, events: extraEvents, to: Date.now() - 60_000, seed: 7, tag: "adm" }, (e, s) =>
        p.update(`${fmtInt(e)}/${fmtInt(extraEvents)} events, ${fmtInt(s)} sessions`),
      );
      p.done(`${fmtInt(r.events)} events, ${fmtInt(r.sessions)} sessions`);
      // Generated rows bypass the ingestion writer: count them into the activity buckets as it would.
      await withHeartbeat("activity buckets of the demo shop", async () => {
        const { db } = createDb(dbUrl);
        try {
          await rebuildActivity(db, shopId);
        } finally {
          await db.$disconnect();
        }
      });
    }
    const total = Number(await sqliteScalar(dbUrl, `SELECT COUNT(*) FROM "Event" WHERE "shopId" = ?`, [shopId]));

    browser = await launchBrowser();
    const dashboard: PageSpec = { name: "Dashboard (/app)", path: "/app", click: { name: "Funnels", url: /\/app\/funnels(\?|$)/ } };
    // Untimed first load: the server's first render (and the default funnels it creates).
    const first = await measure(browser, base, dashboard, timeoutMs);
    if (first.error) ctx.log(`  first dashboard load failed: ${first.error}\n${demo.logs().slice(-20).join("")}`);
    // Generated events bypass ingestion, so the new funnels' results are built by the server's
    // background refresher, as after an install on a shop with history. Pages are measured once
    // they are ready (until then reports are computed from the events); the wait is reported.
    const build = await waitForResults(dbUrl, shopId, ctx.quick ? 120_000 : 45 * 60_000);
    const warm = first.error ? await measure(browser, base, dashboard, timeoutMs) : first;
    const funnelId = (await sqliteScalar(dbUrl, `SELECT id FROM "Funnel" WHERE "shopId" = ? ORDER BY "isMain" DESC, "createdAt" ASC, id ASC LIMIT 1`, [
      shopId,
    ])) as string | null;
    const specs: PageSpec[] = [dashboard];
    if (funnelId)
      specs.push({
        name: "Funnel report (/app/funnels → first)",
        path: `/app/funnels/${encodeURIComponent(funnelId)}`,
        click: { name: "Dashboard", url: /\/app(\?|$)/ },
      });
    const samples = new Map<string, AdminSample[]>(specs.map((s) => [s.name, []]));
    const warmFunnel = funnelId ? await measure(browser, base, specs[1], timeoutMs) : null;
    // A page that already timed out once would only pile requests onto the server: measure it once more, not N times.
    const rounds = warm.error || warmFunnel?.error ? 1 : runs;
    const p = progress("admin page loads");
    for (let i = 0; i < rounds; i++) {
      for (const spec of specs) samples.get(spec.name)!.push(await measure(browser, base, spec, timeoutMs));
      p.update(`${i + 1}/${rounds} rounds`);
    }
    p.done(`${rounds} rounds`);

    const rows: RatioRow[] = [];
    const findings: string[] = [];
    const table: string[][] = [];
    const errors: string[] = [];
    if (warm.error) errors.push(`warm-up dashboard load: ${warm.error}`);
    if (warmFunnel?.error) errors.push(`warm-up funnel report load: ${warmFunnel.error}`);
    for (const spec of specs) {
      const all = samples.get(spec.name)!;
      const ok = all.filter((s) => !s.error);
      for (const s of all) if (s.error) errors.push(`${spec.name}: ${s.error}`);
      const med = (f: (s: AdminSample) => number | null) => median(ok.map(f).filter((x): x is number => x !== null));
      const lcp = med((s) => s.lcp);
      const cls = med((s) => s.cls);
      const inp = med((s) => s.inp);
      const inpText = ok.length === 0 ? "—" : inp === null ? "< 16 ms" : fmtMs(inp);
      table.push([
        spec.name,
        `${ok.length}/${all.length}`,
        fmtMs(med((s) => s.ttfbMs)),
        fmtMs(med((s) => s.lastByteMs)),
        fmtMs(med((s) => s.loadMs)),
        fmtMs(lcp),
        fmtNum(cls, 3),
        inpText,
        fmtMs(med((s) => s.clickToNextMs)),
      ]);
      const short = spec.name.split(" (")[0];
      const ttfb = med((s) => s.ttfbMs);
      const lastByte = med((s) => s.lastByteMs);
      // Where the LCP time went: the server's first answer, the streamed rest of the document, or the browser.
      const cause = (): string => {
        if (ttfb === null || lcp === null) return "";
        const first = `the document's first byte took ${fmtMs(ttfb)} (${((ttfb / lcp) * 100).toFixed(0)} % of it)`;
        if (ttfb > lcp / 2) return `${first}: the server's loader (the report computed on request) dominates.`;
        if (lastByte !== null && lastByte - ttfb > 200 && lastByte > 0.7 * lcp) {
          return `${first}, its last byte ${fmtMs(lastByte)}: the largest element arrives with the streamed (deferred) part of the page, so the deferred loader data sets LCP.`;
        }
        return `${first}: most of it is in the browser (scripts, rendering).`;
      };
      if (ok.length === 0) findings.push(`${short}: no load succeeded within ${fmtMs(timeoutMs)} at ${fmtInt(total)} events (${all[0]?.error ?? "?"}).`);
      else if (lcp !== null && lcp > 1500) {
        findings.push(`${short}: LCP ${fmtMs(lcp)} misses our 1.5 s${lcp > 2500 ? " and Shopify's 2.5 s" : ""} at ${fmtInt(total)} events; ` + cause());
      }
      if (cls !== null && cls > 0.05) findings.push(`${short}: CLS ${fmtNum(cls, 3)} misses our 0.05${cls > 0.1 ? " and Shopify's 0.1" : ""}.`);
      if (inp !== null && inp > 200) findings.push(`${short}: the click's Event Timing duration ${fmtMs(inp)} misses Shopify's 200 ms INP bar.`);
      rows.push(
        {
          section: title,
          metric: `${short}: LCP`,
          ours: fmtMs(lcp),
          baseline: "1.5 s ours / 2.5 s Shopify",
          ratio: lcp === null ? null : lcp / 1500,
          target: "≤ 1.5 s",
          pass: lcp === null ? false : lcp <= 1500,
        },
        {
          section: title,
          metric: `${short}: CLS`,
          ours: fmtNum(cls, 3),
          baseline: "0.05 ours / 0.1 Shopify",
          ratio: cls === null ? null : cls / 0.05,
          target: "≤ 0.05",
          pass: cls === null ? false : cls <= 0.05,
        },
        {
          section: title,
          metric: `${short}: INP (click on a nav link)`,
          ours: inpText,
          baseline: "200 ms Shopify",
          ratio: inp === null ? null : inp / 200,
          target: "≤ 200 ms",
          pass: ok.length === 0 ? false : inp === null ? true : inp <= 200,
        },
      );
    }
    if (!build.ready)
      findings.push(
        `Funnel results were not built within the wait (${fmtInt(build.stale)} visitors stale, ${build.building}/${build.funnels} funnels building): the pages were measured on reports computed from the events.`,
      );
    if (!funnelId) rows.push({ section: title, metric: "funnel report page", ours: "no funnel", baseline: "", ratio: null, target: "measured", pass: false });
    const md = [
      `Demo instance made as \`scripts/demo.mts\` makes it (real server in demo mode, local Shopify stand-in; bench/lib/demo-instance.ts) on a fresh SQLite file, seeded through the real pixel with ` +
        `${fmtInt(visitors)} simulated visitors (${fmtInt(seeded)} events)` +
        (extraEvents > 0 ? `, then ${fmtInt(extraEvents)} generated events (bench/lib/synth-events.ts, last 31 days) added to the demo shop` : "") +
        `: **${fmtInt(total)} events** in the shop (BENCH_ADMIN_EVENTS=${fmtInt(extraEvents)}; the issue's target demo is 10,000,000). ` +
        `The server's background refresher built the precomputed results of ${fmtInt(build.funnels)} funnel${build.funnels === 1 ? "" : "s"} in ${fmtInt(Math.round(build.seconds))} s after the first load created them` +
        (build.ready
          ? "; pages were measured after that. "
          : ` — **not finished** when the wait ended (${fmtInt(build.stale)} visitors still stale): reports were computed from the events. `) +
        `Headless Chromium with a normal Chrome user agent, 1280×800, no throttling, a fresh context per load (cold browser cache, warm server: one untimed load of each page first). ` +
        `Each load opens the page as Shopify admin would (embedded params + a fresh session token), waits for load and network idle, ` +
        `then clicks a navigation link. LCP: last candidate before the click; CLS: largest session window; INP approximation: the longest Event Timing ` +
        `duration of the click (the API reports only ≥ 16 ms). Median of ${rounds} load${rounds === 1 ? "" : "s"}` +
        (rounds < runs ? ` (not ${runs}: a warm-up load failed, see below)` : "") +
        ".",
      "",
      markdownTable(["page", "loads ok", "TTFB", "last byte", "load event", "LCP", "CLS", "INP (click)", "click → next page idle"], table),
      "",
      "Targets — Shopify's bar for Built for Shopify: LCP ≤ 2.5 s, CLS ≤ 0.1, INP ≤ 200 ms; ours: LCP ≤ 1.5 s, CLS ≤ 0.05.",
    ];
    if (errors.length) md.push("", "Failed loads:", "", ...errors.slice(0, 10).map((e) => `- ${e}`));
    return { title, rows, markdown: md.join("\n"), findings };
  } finally {
    await browser?.close();
    await demo?.stop();
  }
}
