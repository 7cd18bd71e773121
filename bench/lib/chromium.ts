/**
 * Headless Chromium for the browser benchmarks: the system Chromium via playwright-core,
 * launched like the browser tests (scripts/lib/chromium.ts), plus the
 * page-side observers that collect web-vitals style metrics.
 */
import type { Browser } from "playwright-core";
import { launchChromium } from "../../scripts/lib/chromium";
import { onExit } from "./app-process";

export { clsOf, inpOf, lcpOf, tbtOf, type PageVitals } from "./vitals";

export async function launchBrowser(): Promise<Browser> {
  const browser = await launchChromium();
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
