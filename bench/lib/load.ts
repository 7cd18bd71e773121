/**
 * One autocannon run of POST /collect bodies against a server, with progress and the
 * figures the ingest sections report.
 */
import autocannon from "autocannon";
import { BATCH_EVENTS, LOAD_UA, type CollectBodies } from "./collect-load";
import { cpuMeter, type CpuSource } from "./cpu";
import { progress } from "./progress";

export interface LoadResult {
  label: string;
  durationS: number;
  connections: number;
  overallRate: number | null;
  /** Responses by status code. */
  status: Record<string, number>;
  /** 202 responses. */
  acked: number;
  /** Sum of `accepted` in the 202 bodies (the bare HTTP server answers 20 per request). */
  acceptedEvents: number;
  /** 202 responses per second. */
  reqPerSec: number;
  /** Acknowledged events per second (202s × 20). */
  eventsPerSec: number;
  latency: { mean: number; p50: number; p90: number; p99: number; max: number };
  errors: number;
  timeouts: number;
  /** CPU seconds per wall second of the measured processes during the run (1 = one core). */
  cpu: Record<string, number | null> | null;
}

const ACCEPTED = /"accepted":(\d+)/;

export async function runLoad(opts: {
  label: string;
  url: string;
  bodies: CollectBodies;
  connections: number;
  durationS: number;
  /** Requests per second over all connections (autocannon overallRate); unset: as fast as the server answers. */
  overallRate?: number;
  /** Processes whose CPU use to measure during the run (name → pid or CPU-seconds function). */
  cpuPids?: Record<string, CpuSource>;
}): Promise<LoadResult> {
  let acceptedEvents = 0;
  const p = progress(opts.label, 5_000);
  const instance = autocannon({
    url: opts.url,
    connections: opts.connections,
    duration: opts.durationS,
    timeout: 30,
    overallRate: opts.overallRate ? Math.max(1, Math.round(opts.overallRate)) : undefined,
    renderProgressBar: false,
    renderResultsTable: false,
    renderLatencyTable: false,
    requests: [
      {
        method: "POST",
        path: "/collect",
        headers: { "Content-Type": "text/plain;charset=UTF-8", "User-Agent": LOAD_UA, Origin: "https://demo-shop.myshopify.com" },
        setupRequest(req) {
          req.body = opts.bodies.next();
          return req;
        },
        onResponse(status, body) {
          if (status === 202) {
            const m = ACCEPTED.exec(body);
            acceptedEvents += m ? Number(m[1]) : 0;
          }
        },
      },
    ],
  });
  const meter = opts.cpuPids ? cpuMeter(opts.cpuPids) : null;
  let second = 0;
  instance.on("tick", (t: { counter: number }) => {
    second++;
    p.update(`${Math.min(second, opts.durationS)}/${opts.durationS} s, ${t.counter.toLocaleString("en-US")} req/s`);
  });
  const r = await instance;
  const cpu = meter ? meter.stop() : null;
  const status: Record<string, number> = {};
  for (const [code, s] of Object.entries(r.statusCodeStats)) status[code] = s.count;
  const acked = status["202"] ?? 0;
  const result: LoadResult = {
    label: opts.label,
    durationS: r.duration,
    connections: opts.connections,
    overallRate: opts.overallRate ?? null,
    status,
    acked,
    acceptedEvents,
    reqPerSec: acked / r.duration,
    eventsPerSec: (acked * BATCH_EVENTS) / r.duration,
    latency: { mean: r.latency.mean, p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max },
    errors: r.errors,
    timeouts: r.timeouts,
    cpu,
  };
  p.done(
    `${Math.round(result.reqPerSec).toLocaleString("en-US")} req/s (202), p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms` +
      (Object.keys(status).some((c) => c !== "202") ? `, statuses ${JSON.stringify(status)}` : "") +
      (r.errors ? `, ${r.errors} errors` : ""),
  );
  return result;
}

/** Status counts as text: "202 × 1,234; 503 × 5". */
export function statusText(status: Record<string, number>): string {
  const entries = Object.entries(status);
  return entries.length === 0 ? "none" : entries.map(([c, n]) => `${c} × ${n.toLocaleString("en-US")}`).join("; ");
}
