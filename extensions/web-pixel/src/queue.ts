// Batching + retry for the pixel. Pure: transport, timers and randomness are injected so
// unit tests can drive it without a sandbox.
//
// Design: the pixel's worker dies with the page, and keepalive only protects a request
// that has already started, so an event still waiting in this queue when the visitor
// navigates is lost. Hence: events that typically precede a navigation are "urgent" and
// go out at once, everything else waits at most `flushMs` (250 ms), and an urgent send
// does not wait for a slow request already in flight. Requests in flight are bounded by
// count (6; Chromium has refused a renderer's 10th concurrent keepalive fetch, whatwg/fetch#679) and by bytes (48 KiB:
// the browser refuses keepalive bodies beyond 64 KiB in flight in total; Shopify "web
// pixels" docs / Fetch spec). While a batch waits to be retried nothing is
// sent, which is what an overloaded (429/503) server wants anyway.

export interface PostResult {
  status: number;
  /** Raw Retry-After header value (seconds or HTTP date), if any. */
  retryAfter?: string | null;
  /** The server's error message for a refused batch, if it gave one. */
  error?: string;
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
  /** Max body bytes per request. */
  maxBytes?: number;
  /** Requests in flight at once. */
  maxInFlight?: number;
  /** Body bytes in flight at once, under the 64 KiB keepalive cap. */
  maxInFlightBytes?: number;
  /** Delay before a partial, non-urgent batch is sent. */
  flushMs?: number;
  /** Max events held (queued + in flight); beyond that new events are dropped. */
  maxQueue?: number;
  /** Attempts per event before it is dropped (first try included). */
  maxAttempts?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** 401/403 answers tolerated per event before the queue gives up for the page. */
  authRetries?: number;
  /** First wait after a 401/403 (doubles per retry). */
  authRetryMs?: number;
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
  /** True once 401/403 answers outlasted the auth retries: sending stops for this page. */
  disabled: boolean;
  /** Why sending stopped, e.g. "403 the app is uninstalled from this shop". */
  disabledReason?: string;
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
  authFailures: number;
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
  const maxInFlight = o.maxInFlight ?? 6;
  const maxInFlightBytes = o.maxInFlightBytes ?? 48 * 1024;
  const flushMs = o.flushMs ?? 250;
  const maxQueue = o.maxQueue ?? 500;
  const maxAttempts = o.maxAttempts ?? 5;
  const base = o.baseBackoffMs ?? 1000;
  const maxBackoff = o.maxBackoffMs ?? 30_000;
  const authRetries = o.authRetries ?? 2;
  const authRetryMs = o.authRetryMs ?? 1000;
  const setT = o.setTimeout ?? ((fn, ms) => setTimeout(fn, ms));
  const clearT = o.clearTimeout ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  const random = o.random ?? Math.random;
  const now = o.now ?? Date.now;
  const overhead = byteLength(o.encode([]));

  const pending: Entry<T>[] = [];
  const inFlight = new Map<Entry<T>[], number>(); // batch → body bytes
  let timer: unknown;
  let backingOff = false;
  /** Drain everything pending now (an urgent event, a flush, or the timer came due). */
  let draining = false;
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
  const held = (): number => {
    let n = 0;
    inFlight.forEach((_, b) => (n += b.length));
    return n;
  };
  const bytesInFlight = (): number => {
    let n = 0;
    inFlight.forEach((bytes) => (n += bytes));
    return n;
  };

  function settle(): void {
    stats.queued = pending.length;
    stats.inFlight = held();
    if (!pending.length && !inFlight.size && timer === undefined) {
      const w = waiters;
      waiters = [];
      w.forEach((fn) => fn());
    }
  }

  function cancelTimer(): void {
    if (timer !== undefined) clearT(timer);
    timer = undefined;
    backingOff = false;
  }

  function schedule(ms: number, retry: boolean): void {
    cancelTimer();
    backingOff = retry;
    timer = setT(() => {
      timer = undefined;
      backingOff = false;
      draining = true;
      next();
    }, ms);
  }

  /** Events of the longest prefix of pending that fits the count and byte limits (0: none fits). */
  function batchSize(limit: number): number {
    let bytes = overhead;
    let n = 0;
    while (n < pending.length && n < maxEvents) {
      const add = pending[n].size + (n ? 1 : 0); // +1 for the comma
      // A lone event above maxBytes still goes, alone, when nothing else is in flight.
      if (bytes + add > limit && (n || inFlight.size)) break;
      bytes += add;
      n++;
    }
    return n;
  }

  /** Sends one batch if the in-flight limits allow; false when it has to wait. */
  function send(): boolean {
    if (inFlight.size >= maxInFlight) return false;
    const n = batchSize(Math.min(maxBytes, maxInFlightBytes - bytesInFlight()));
    if (!n) return false;
    // A flush timer is moot once its events go out; a backoff timer is never cut short.
    if (!backingOff) cancelTimer();
    const batch = pending.splice(0, n);
    stats.requests++;
    let body: string;
    try {
      body = o.encode(batch.map((e) => e.event));
    } catch {
      body = "";
    }
    inFlight.set(batch, byteLength(body));
    o.post(body).then(
      (res) => done(batch, res),
      () => done(batch, { status: 0 }),
    );
    return true;
  }

  function retryLater(keep: Entry<T>[], ms: number): void {
    pending.unshift(...keep);
    stats.retries++;
    schedule(ms, true);
  }

  function done(batch: Entry<T>[], res: PostResult): void {
    inFlight.delete(batch);
    const status = res.status;
    if (status >= 200 && status < 300) {
      stats.sent += batch.length;
    } else if (status === 0 || status === 429 || status >= 500) {
      // Network error, throttled or server trouble: transient, so retry what has budget left.
      const keep = batch.filter((e) => ++e.attempts < maxAttempts);
      drop(batch.length - keep.length, "droppedRetries");
      if (keep.length) {
        const attempt = Math.max(...keep.map((e) => e.attempts));
        const hinted = retryAfterMs(res.retryAfter, now());
        retryLater(keep, hinted !== undefined ? Math.min(hinted, 5 * maxBackoff) : backoffMs(attempt, base, maxBackoff, random));
        return settle();
      }
    } else if ((status === 401 || status === 403) && !stats.disabled) {
      // Unknown shop/key (401) or app uninstalled (403). A reinstall or key change takes
      // effect on the server at once, so a short wait can succeed; past that, the answer
      // is treated as final for this page and everything held is dropped, with the reason.
      const fails = Math.max(...batch.map((e) => ++e.authFailures));
      if (fails <= authRetries) {
        retryLater(batch, authRetryMs * 2 ** (fails - 1));
        return settle();
      }
      stats.disabled = true;
      stats.disabledReason = `${status} ${res.error ?? ""}`.trim();
      drop(batch.length + pending.length, "droppedRejected");
      pending.length = 0;
      if (backingOff) cancelTimer();
    } else {
      // Any other answer is final: resending the same body cannot succeed.
      drop(batch.length, "droppedRejected");
    }
    next();
  }

  /**
   * Events pushed in one task (a burst, e.g. a replayed journey) share a request and keep
   * their order: sending waits for the end of the current task (a microtask), which the
   * page cannot outlive.
   */
  let kicked = false;
  function kick(): void {
    stats.queued = pending.length;
    if (kicked) return;
    kicked = true;
    Promise.resolve().then(() => {
      kicked = false;
      next();
    });
  }

  /** Sends what is due (as many requests as allowed), else makes sure a timer will. */
  function next(): void {
    if (!draining && pending.length >= flushAt) draining = true;
    while (draining && pending.length && !backingOff && send());
    if (!pending.length) draining = false;
    if (pending.length && !draining && timer === undefined) schedule(flushMs, false);
    settle();
  }

  return {
    stats,
    push(event, isUrgent = false) {
      if (stats.disabled) return drop(1, "droppedRejected");
      if (pending.length + held() >= maxQueue) return drop(1, "droppedOverflow");
      let size: number;
      try {
        size = byteLength(JSON.stringify(event));
      } catch {
        return drop(1, "droppedRejected");
      }
      if (size + overhead > HARD_CAP) return drop(1, "droppedRejected");
      pending.push({ event, size, attempts: 0, authFailures: 0 });
      if (isUrgent) draining = true;
      kick();
    },
    flush() {
      draining = true;
      next();
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
      draining = false;
      if (timer !== undefined && !backingOff) cancelTimer();
      settle();
      return n;
    },
  };
}
