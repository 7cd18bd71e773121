/**
 * Pixel-like load: each client sends its batches in order and retries a batch (same
 * body, same event ids) on network errors, 429 and 5xx, honouring Retry-After, until it
 * is acknowledged with 202 — the contract the web pixel follows.
 */
import { hashString, visitorUuid } from "../../scripts/lib/simulation";
export interface LoadResult {
  acknowledged: Set<string>;
  statuses: Map<number, number>;
  networkErrors: number;
  retryAfterMissing: number;
}

export interface LoadOptions {
  /** Read on every attempt, so a restarted server on a new port can be followed. */
  target: () => string;
  batches: { body: string; ids: string[] }[];
  concurrency: number;
  /** Give up on a batch after this long (the test then fails on missing acks). */
  deadlineMs?: number;
  retryDelayMs?: number;
}

export function makeBatches(opts: { shop: string; key: string; visitors: number; eventsPerVisitor: number; prefix: string; now?: number }) {
  const now = opts.now ?? Date.now();
  const batches: { body: string; ids: string[] }[] = [];
  for (let v = 0; v < opts.visitors; v++) {
    const clientId = visitorUuid(hashString(opts.prefix), v);
    const events = Array.from({ length: opts.eventsPerVisitor }, (_, i) => ({
      id: `${opts.prefix}-${v}-${i}`,
      name: i % 5 === 1 ? "product_viewed" : "page_viewed",
      ts: new Date(now - 3_600_000 + v * 50 + i * 1000).toISOString(),
      seq: i,
      clientId,
      path: i % 5 === 1 ? `/products/p${i}` : "/",
    }));
    batches.push({ body: JSON.stringify({ v: 1, shop: opts.shop, key: opts.key, consent: { analytics: true }, events }), ids: events.map((e) => e.id) });
  }
  return batches;
}

export function newLoadResult(): LoadResult {
  return { acknowledged: new Set(), statuses: new Map(), networkErrors: 0, retryAfterMissing: 0 };
}

/** Pass `result` to watch the load while it runs (fault tests strike at a point in it, not after a fixed time). */
export async function runLoad(opts: LoadOptions, result: LoadResult = newLoadResult()): Promise<LoadResult> {
  const deadline = Date.now() + (opts.deadlineMs ?? 240_000);
  let next = 0;
  const worker = async () => {
    while (next < opts.batches.length) {
      const batch = opts.batches[next++];
      while (Date.now() < deadline) {
        let status = 0;
        let retryAfter: string | null = null;
        try {
          const res = await fetch(`${opts.target()}/collect`, { method: "POST", headers: { "Content-Type": "text/plain" }, body: batch.body });
          status = res.status;
          retryAfter = res.headers.get("retry-after");
          await res.arrayBuffer();
        } catch {
          result.networkErrors++;
        }
        if (status) result.statuses.set(status, (result.statuses.get(status) ?? 0) + 1);
        if (status === 202) {
          for (const id of batch.ids) result.acknowledged.add(id);
          break;
        }
        if (status && status !== 429 && status < 500) throw new Error(`batch refused with ${status}`);
        if ((status === 429 || status === 503) && !retryAfter) result.retryAfterMissing++;
        const wait = retryAfter ? Math.min(Number(retryAfter) * 1000, 2000) : (opts.retryDelayMs ?? 100);
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  return result;
}

/** Resolves once `condition` holds; throws with `what` if it does not within `timeoutMs`. */
export async function until(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Peak resident memory of a process (VmHWM), in MiB. */
export async function peakRssMiB(pid: number): Promise<number> {
  const { readFileSync } = await import("node:fs");
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}
