// The Chromium launcher lives in scripts/lib/chromium.ts: the benchmarks use it too.
export * from "../../scripts/lib/chromium";
