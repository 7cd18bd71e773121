/**
 * Headless Chromium for the browser benchmarks: the system Chromium via playwright-core,
 * with the same hermetic flags as the browser tests (test/helpers/chromium.ts), plus the
 * page-side observers that collect web-vitals style metrics.
 */
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";
import { onExit } from "./app-process";

export { clsOf, inpOf, lcpOf, tbtOf, type PageVitals } from "./vitals";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`Chromium not found at ${CHROMIUM_PATH}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS, timeout: 60_000 });
  const forget = onExit(() => {
    // Best effort at exit: the browser process is ours.
    void browser.close().catch(() => {});
  });
  browser.on("disconnected", forget);
  return browser;
}

/**
 * Installed before any page script (page.addInitScript): buffers LCP, layout shifts,
 * long tasks, paint and event-timing entries in window.__bench.
 */
export const OBSERVERS = `(() => {
  const b = (window.__bench = { lcp: [], shifts: [], longtasks: [], events: [], fcp: null, firstInputAt: null });
  const observe = (type, fn, opts = {}) => {
    try { new PerformanceObserver((list) => list.getEntries().forEach(fn)).observe({ type, buffered: true, ...opts }); } catch (e) {}
  };
  observe("largest-contentful-paint", (e) => b.lcp.push({ t: e.startTime, size: e.size, tag: e.element ? e.element.tagName : null }));
  observe("layout-shift", (e) => b.shifts.push({ t: e.startTime, value: e.value, recent: e.hadRecentInput }));
  observe("longtask", (e) => b.longtasks.push({ t: e.startTime, d: e.duration }));
  observe("paint", (e) => { if (e.name === "first-contentful-paint") b.fcp = e.startTime; });
  observe("event", (e) => b.events.push({ name: e.name, t: e.startTime, d: e.duration, id: e.interactionId || 0 }), { durationThreshold: 16 });
  observe("first-input", (e) => { b.firstInputAt = e.startTime; });
})();`;
