// Batching + retry for the pixel. Pure: transport, timers and randomness are injected so
// unit tests can drive it without a sandbox.
//
// Design: one request in flight at a time. That keeps the total keepalive payload far
// below the browser's 64 KiB in-flight cap (Shopify "web pixels" docs / Fetch spec) and
// makes ordering and backoff trivial: while a batch waits to be retried, nothing else is
// sent, which is what an overloaded (429/503) server wants anyway.

export interface PostResult {
  status: number;
  /** Raw Retry-After header value (seconds or HTTP date), if any. */
  retryAfter?: string | null;
}

export interface QueueOptions<T> {
  /** Full request body for a batch (the envelope around the events). */
  encode(events: T[]): string;
  /** Sends one body. Rejects on network error. */
  post(body: string): Promise<PostResult>;
  /** Pending events that trigger an immediate flush. */
  flushAt?: number;
  /** Max events per request (docs/event-schema.md: ≤ 50). */
  maxEvents?: number;
  /** Max body bytes per request; well under the 64 KiB keepalive cap. */
  maxBytes?: number;
  /** Delay before a partial batch is sent. */
  flushMs?: number;
  /** Max events held (queued + in flight); beyond that new events are dropped. */
  maxQueue?: number;
  /** Attempts per event before it is dropped (first try included). */
  maxAttempts?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
  random?: () => number;
  now?: () => number;
}

export interface QueueStats {
  /** Events acknowledged by a 2xx answer. */
  sent: number;
  /** Events given up on, for any reason (sum of the three below). */
  dropped: number;
  droppedRetries: number;
  droppedRejected: number;
  droppedOverflow: number;
  /** Requests made (including retries). */
  requests: number;
  retries: number;
  queued: number;
  inFlight: number;
  /** True after a 401/403: the shop/key is not accepted, so sending stops for this page. */
  disabled: boolean;
}

export interface Queue<T> {
  push(event: T, urgent?: boolean): void;
  /** Send what is pending now (unless waiting on a retry delay). */
  flush(): void;
  /** Resolves once nothing is queued, in flight or scheduled. */
  idle(): Promise<void>;
  /** Forget pending events (consent withdrawn); returns how many were discarded. */
  clear(): number;
  readonly stats: QueueStats;
}

interface Entry<T> {
  event: T;
  size: number;
  attempts: number;
}

const encoder = new TextEncoder();
const byteLength = (s: string): number => encoder.encode(s).length;
/** A single event above this can never be sent under the keepalive cap: drop it. */
const HARD_CAP = 60_000;

/** Retry-After in ms: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function retryAfterMs(value: string | null | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

/** Exponential backoff with "equal jitter": half fixed, half random, so clients that
 * failed together do not retry together. */
export function backoffMs(attempt: number, base: number, max: number, random: () => number): number {
  const exp = Math.min(max, base * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + (exp / 2) * random());
}

export function createQueue<T>(o: QueueOptions<T>): Queue<T> {
  const flushAt = o.flushAt ?? 20;
  const maxEvents = o.maxEvents ?? 50;
  const maxBytes = o.maxBytes ?? 16 * 1024;
  const flushMs = o.flushMs ?? 1000;
  const maxQueue = o.maxQueue ?? 500;
  const maxAttempts = o.maxAttempts ?? 5;
  const base = o.baseBackoffMs ?? 1000;
  const maxBackoff = o.maxBackoffMs ?? 30_000;
  const setT = o.setTimeout ?? ((fn, ms) => setTimeout(fn, ms));
  const clearT = o.clearTimeout ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  const random = o.random ?? Math.random;
  const now = o.now ?? Date.now;
  const overhead = byteLength(o.encode([]));

  const pending: Entry<T>[] = [];
  let inFlight: Entry<T>[] = [];
  let timer: unknown;
  let backingOff = false;
  let urgent = false;
  let waiters: Array<() => void> = [];
  const stats: QueueStats = {
    sent: 0,
    dropped: 0,
    droppedRetries: 0,
    droppedRejected: 0,
    droppedOverflow: 0,
    requests: 0,
    retries: 0,
    queued: 0,
    inFlight: 0,
    disabled: false,
  };

  const drop = (n: number, reason: "droppedRetries" | "droppedRejected" | "droppedOverflow"): void => {
    stats[reason] += n;
    stats.dropped += n;
  };

  function settle(): void {
    stats.queued = pending.length;
    stats.inFlight = inFlight.length;
    if (!pending.length && !inFlight.length && timer === undefined) {
      const w = waiters;
      waiters = [];
      w.forEach((fn) => fn());
    }
  }

  function schedule(ms: number, retry: boolean): void {
    if (timer !== undefined) clearT(timer);
    backingOff = retry;
    timer = setT(() => {
      timer = undefined;
      backingOff = false;
      sendNext();
    }, ms);
  }

  /** Takes the longest prefix of pending that fits the count and byte limits. */
  function takeBatch(): Entry<T>[] {
    let bytes = overhead;
    let n = 0;
    while (n < pending.length && n < maxEvents) {
      const add = pending[n].size + (n ? 1 : 0); // +1 for the comma
      if (n && bytes + add > maxBytes) break;
      bytes += add;
      n++;
    }
    return pending.splice(0, n);
  }

  function sendNext(): void {
    if (inFlight.length || backingOff || !pending.length) return settle();
    if (timer !== undefined) {
      clearT(timer);
      timer = undefined;
    }
    const batch = takeBatch();
    inFlight = batch;
    // An urgent flush drains everything that was pending, across as many requests as the
    // size limits need; only then do we fall back to timer-driven batching.
    if (!pending.length) urgent = false;
    stats.requests++;
    let body: string;
    try {
      body = o.encode(batch.map((e) => e.event));
    } catch {
      body = "";
    }
    settle();
    o.post(body).then(
      (res) => done(batch, res.status, res.retryAfter),
      () => done(batch, 0, null),
    );
  }

  function done(batch: Entry<T>[], status: number, retryAfter: string | null | undefined): void {
    inFlight = [];
    if (status >= 200 && status < 300) {
      stats.sent += batch.length;
    } else if (status === 0 || status === 429 || status >= 500) {
      // Network error, throttled or server trouble: transient, so retry what has budget left.
      const keep = batch.filter((e) => ++e.attempts < maxAttempts);
      drop(batch.length - keep.length, "droppedRetries");
      if (keep.length) {
        pending.unshift(...keep);
        stats.retries++;
        const attempt = Math.max(...keep.map((e) => e.attempts));
        const hinted = retryAfterMs(retryAfter, now());
        schedule(
          hinted !== undefined ? Math.min(hinted, 5 * maxBackoff) : backoffMs(attempt, base, maxBackoff, random),
          true,
        );
        return settle();
      }
    } else {
      // Any other answer is final: resending the same body cannot succeed.
      drop(batch.length, "droppedRejected");
      if (status === 401 || status === 403) {
        stats.disabled = true;
        drop(pending.length, "droppedRejected");
        pending.length = 0;
      }
    }
    next();
  }

  /** After a request: continue at once if a batch is due, else wait for the timer. */
  function next(): void {
    if (!pending.length) return settle();
    if (urgent || pending.length >= flushAt) return sendNext();
    if (timer === undefined) schedule(flushMs, false);
    settle();
  }

  return {
    stats,
    push(event, isUrgent = false) {
      if (stats.disabled) return drop(1, "droppedRejected");
      if (pending.length + inFlight.length >= maxQueue) return drop(1, "droppedOverflow");
      let size: number;
      try {
        size = byteLength(JSON.stringify(event));
      } catch {
        return drop(1, "droppedRejected");
      }
      if (size + overhead > HARD_CAP) return drop(1, "droppedRejected");
      pending.push({ event, size, attempts: 0 });
      if (isUrgent) urgent = true;
      if (!inFlight.length && !backingOff) next();
      else settle();
    },
    flush() {
      urgent = true;
      sendNext();
    },
    idle() {
      return new Promise<void>((resolve) => {
        waiters.push(resolve);
        settle();
      });
    },
    clear() {
      const n = pending.length;
      pending.length = 0;
      if (timer !== undefined && !backingOff) {
        clearT(timer);
        timer = undefined;
      }
      settle();
      return n;
    },
  };
}
