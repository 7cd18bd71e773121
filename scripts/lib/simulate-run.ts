/**
 * Drives the real web pixel bundle through simulated journeys into a running server:
 * one pixel instance per visitor (one browser each), real HTTP to the ingest URL.
 */
import { createPixelHarness, pixelBundle } from "./pixel-runtime";
import { simulateVisitors, type SimulationOptions } from "./simulation";

export interface SimulationResult {
  visitors: number;
  published: number;
  sent: number;
  discardedNoConsent: number;
  dropped: number;
  requests: number;
}

export async function runSimulation(
  opts: SimulationOptions & { ingestUrl: string; ingestKey: string; concurrency?: number; onProgress?: (done: number, total: number) => void },
): Promise<SimulationResult> {
  const visitors = simulateVisitors(opts);
  const code = await pixelBundle();
  const result: SimulationResult = { visitors: visitors.length, published: 0, sent: 0, discardedNoConsent: 0, dropped: 0, requests: 0 };
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < visitors.length) {
      const v = visitors[next++];
      if (v.events.length === 0) continue;
      const pixel = await createPixelHarness({
        code,
        settings: { ingestUrl: opts.ingestUrl, ingestKey: opts.ingestKey },
        shop: opts.shop,
        customer: v.customerId ? { id: v.customerId } : null,
        consent: v.consent,
        context: v.events[0].context,
        timeScale: 0.001,
      });
      for (const e of v.events) pixel.publish(e);
      await pixel.flush();
      const stats = pixel.stats();
      pixel.dispose();
      result.published += v.events.length;
      result.sent += stats.sent;
      result.discardedNoConsent += stats.discarded;
      result.dropped += stats.dropped;
      result.requests += stats.requests;
      opts.onProgress?.(++done, visitors.length);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency ?? 8 }, worker));
  return result;
}
