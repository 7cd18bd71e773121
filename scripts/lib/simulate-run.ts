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
  /** Events the server stored (202 `accepted`) and found already stored (`duplicates`). */
  accepted: number;
  duplicates: number;
  /** Events the server refused inside a 202 (`rejected`), and why (reason → count). */
  rejected: number;
  /** Why events were refused or dropped: the server's reasons and the pixel's (reason → count). */
  refusals: Record<string, number>;
}

/**
 * Why a run must not pass as a success, or null: nothing was published (the range holds
 * no journey), or the server refused or the pixel dropped events.
 */
export function simulationFailure(result: SimulationResult): string | null {
  if (result.published === 0) return `0 events published: no journey of the ${result.visitors} visitors falls in the range (make it longer or add visitors)`;
  if (result.rejected > 0 || result.dropped > 0) {
    const reasons = Object.entries(result.refusals)
      .sort((a, b) => b[1] - a[1])
      .map(([reason, n]) => `${n} × ${reason}`)
      .join("; ");
    return `the server refused ${result.rejected} and the pixel dropped ${result.dropped} of ${result.published} events (${reasons || "no reason given"})`;
  }
  return null;
}

export async function runSimulation(
  opts: SimulationOptions & { ingestUrl: string; ingestKey: string; concurrency?: number; onProgress?: (done: number, total: number) => void },
): Promise<SimulationResult> {
  const visitors = simulateVisitors(opts);
  const code = await pixelBundle();
  const result: SimulationResult = {
    visitors: visitors.length,
    published: 0,
    sent: 0,
    discardedNoConsent: 0,
    dropped: 0,
    requests: 0,
    accepted: 0,
    duplicates: 0,
    rejected: 0,
    refusals: {},
  };
  const refused = (reason: string, n = 1) => (result.refusals[reason] = (result.refusals[reason] ?? 0) + n);
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
      for (const req of pixel.requests) {
        if (req.status === 202 && req.response) {
          const body = JSON.parse(req.response) as { accepted?: number; duplicates?: number; rejected?: { reason: string }[] };
          result.accepted += body.accepted ?? 0;
          result.duplicates += body.duplicates ?? 0;
          result.rejected += body.rejected?.length ?? 0;
          for (const r of body.rejected ?? []) refused(r.reason);
        } else if (req.status !== 202) {
          refused(req.status === 0 ? `no answer (${req.error ?? "network error"})` : `HTTP ${req.status} ${(req.response ?? "").slice(0, 200)}`.trim());
        }
      }
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
