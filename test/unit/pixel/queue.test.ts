// The queue's rules in isolation (backoff, Retry-After, size-based splitting, when it
// flushes, 401/403), with injected timers and hand-answered requests: no real time.
// End-to-end behaviour over real HTTP lives in batching/retries.test.ts.
import { describe, expect, it } from "vitest";
import { backoffMs, createQueue, retryAfterMs, type PostResult } from "../../../extensions/web-pixel/src/queue";

describe("backoffMs", () => {
  it("doubles per attempt, jitters within [exp/2, exp], and is capped", () => {
    expect(backoffMs(1, 1000, 30_000, () => 0)).toBe(500);
    expect(backoffMs(1, 1000, 30_000, () => 1)).toBe(1000);
    expect(backoffMs(3, 1000, 30_000, () => 0)).toBe(2000);
    expect(backoffMs(3, 1000, 30_000, () => 1)).toBe(4000);
    expect(backoffMs(20, 1000, 30_000, () => 1)).toBe(30_000);
  });
});

describe("retryAfterMs", () => {
  it("reads delta-seconds and HTTP dates, ignores junk", () => {
    expect(retryAfterMs("2", 0)).toBe(2000);
    expect(retryAfterMs("0", 0)).toBe(0);
    const now = Date.parse("2026-11-20T14:00:00Z");
    expect(retryAfterMs("Fri, 20 Nov 2026 14:00:05 GMT", now)).toBe(5000);
    expect(retryAfterMs("soon", now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});

/** Lets the current task end: pushes are sent from a microtask, answers settle. */
const tick = () => new Promise((r) => setTimeout(r, 0));

describe("createQueue", () => {
  /** Answers synchronously-resolved promises from a list; records bodies. */
  function harness(replies: Array<number | Error> = [], opts: Record<string, number> = {}) {
    const bodies: string[] = [];
    const timers: Array<{ fn: () => void; ms: number }> = [];
    const q = createQueue<{ id: number; pad?: string }>({
      encode: (events) => JSON.stringify({ v: 1, events }),
      post: async (body): Promise<PostResult> => {
        bodies.push(body);
        const r = replies.shift() ?? 202;
        if (r instanceof Error) throw r;
        return { status: r };
      },
      setTimeout: (fn, ms) => {
        const t = { fn, ms };
        timers.push(t);
        return t;
      },
      clearTimeout: (t) => {
        const i = timers.indexOf(t as (typeof timers)[number]);
        if (i >= 0) timers.splice(i, 1);
      },
      random: () => 0,
      ...opts,
    });
    const fire = () => timers.shift()?.fn();
    return { q, bodies, timers, fire };
  }

  it("splits by serialized size and by event count", async () => {
    const { q, bodies } = harness([], { maxBytes: 1000, flushAt: 1000 });
    for (let i = 0; i < 30; i++) q.push({ id: i, pad: "x".repeat(90) });
    q.flush();
    await q.idle();
    expect(bodies.length).toBeGreaterThan(3);
    for (const b of bodies) expect(Buffer.byteLength(b)).toBeLessThanOrEqual(1000);
    expect(bodies.flatMap((b) => JSON.parse(b).events.map((e: { id: number }) => e.id))).toEqual([...Array(30).keys()]);

    const many = harness([], { flushAt: 1000 });
    for (let i = 0; i < 120; i++) many.q.push({ id: i });
    many.q.flush();
    await many.q.idle();
    expect(many.bodies.map((b) => JSON.parse(b).events.length)).toEqual([50, 50, 20]);
  });

  it("schedules a flush timer for a partial batch, sends at once when urgent", async () => {
    const { q, bodies, timers } = harness();
    q.push({ id: 1 });
    await tick();
    expect(bodies).toHaveLength(0);
    expect(timers.map((t) => t.ms)).toEqual([250]);
    q.push({ id: 2 }, true);
    await tick();
    expect(bodies).toHaveLength(1);
    expect(timers).toHaveLength(0); // the pending timer was cancelled
    await q.idle();
    expect(q.stats.sent).toBe(2);
  });

  it("retries with growing backoff and drops after maxAttempts", async () => {
    const { q, bodies, timers, fire } = harness([503, 503, 503, 503, 503]);
    q.push({ id: 1 }, true);
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, 0));
      delays.push(timers[0].ms);
      fire();
    }
    await q.idle();
    expect(bodies).toHaveLength(5);
    expect(delays).toEqual([500, 1000, 2000, 4000]);
    expect(q.stats).toMatchObject({ sent: 0, dropped: 1, droppedRetries: 1, retries: 4 });
  });

  it("treats network errors like 5xx and other 4xx as final", async () => {
    const a = harness([new TypeError("Failed to fetch")]);
    a.q.push({ id: 1 }, true);
    await new Promise((r) => setTimeout(r, 0));
    a.fire();
    await a.q.idle();
    expect(a.q.stats).toMatchObject({ sent: 1, dropped: 0, retries: 1 });

    const b = harness([422]);
    b.q.push({ id: 1 }, true);
    await b.q.idle();
    expect(b.q.stats).toMatchObject({ sent: 0, dropped: 1, droppedRejected: 1, retries: 0 });
    expect(b.bodies).toHaveLength(1);
  });

  it("bounds the queue and counts overflow", async () => {
    const { q } = harness([], { maxQueue: 10, flushAt: 1000 });
    for (let i = 0; i < 15; i++) q.push({ id: i });
    expect(q.stats).toMatchObject({ queued: 10, droppedOverflow: 5, dropped: 5 });
    q.flush();
    await q.idle();
    expect(q.stats.sent).toBe(10);
  });

  /** post() answers only when the test says so: requests stay in flight as long as needed. */
  function manual(opts: Record<string, number> = {}) {
    const calls: Array<{ body: string; answer: (r: PostResult | Error) => void }> = [];
    const timers: Array<{ fn: () => void; ms: number }> = [];
    const q = createQueue<{ id: string; pad?: string }>({
      encode: (events) => JSON.stringify({ v: 1, events }),
      post: (body) => new Promise<PostResult>((resolve, reject) => calls.push({ body, answer: (r) => (r instanceof Error ? reject(r) : resolve(r)) })),
      setTimeout: (fn, ms) => {
        const t = { fn, ms };
        timers.push(t);
        return t;
      },
      clearTimeout: (t) => {
        const i = timers.indexOf(t as (typeof timers)[number]);
        if (i >= 0) timers.splice(i, 1);
      },
      random: () => 0,
      ...opts,
    });
    const ids = (i: number) => JSON.parse(calls[i].body).events.map((e: { id: string }) => e.id);
    return { q, calls, timers, ids };
  }

  describe("flushing rules (navigation-safe)", () => {
    it("a partial batch waits 250 ms; a full one (20) goes at once without a timer", async () => {
      const { q, calls, timers } = manual();
      q.push({ id: "a" });
      await tick();
      expect(calls).toHaveLength(0);
      expect(timers.map((t) => t.ms)).toEqual([250]);
      timers.shift()!.fn();
      expect(calls).toHaveLength(1);

      const full = manual();
      for (let i = 0; i < 20; i++) full.q.push({ id: `e${i}` });
      await tick();
      expect(full.calls).toHaveLength(1);
      expect(full.ids(0)).toHaveLength(20);
      expect(full.timers).toEqual([]);
    });

    it("events pushed in one task share one request, in order (a burst of urgent events included)", async () => {
      const { q, calls, ids } = manual();
      q.push({ id: "view" });
      q.push({ id: "checkout_completed#1" }, true);
      q.push({ id: "checkout_completed#2" }, true);
      expect(calls).toHaveLength(0); // sent when the task ends, not later
      await Promise.resolve();
      expect(calls).toHaveLength(1);
      expect(ids(0)).toEqual(["view", "checkout_completed#1", "checkout_completed#2"]);
    });

    it("an urgent event goes out at once, taking pending events along, even while a slow request is in flight", async () => {
      const { q, calls, timers, ids } = manual();
      q.push({ id: "view" });
      await tick();
      timers.shift()!.fn(); // the page_viewed batch is now in flight on a slow connection
      expect(calls).toHaveLength(1);
      q.push({ id: "scroll" });
      await tick();
      expect(calls).toHaveLength(1); // not urgent: waits for its timer
      q.push({ id: "click" }, true);
      await tick();
      expect(calls).toHaveLength(2); // did not wait for the first answer
      expect(ids(1)).toEqual(["scroll", "click"]);
      expect(timers).toEqual([]); // the scroll's timer went with it
      expect(q.stats).toMatchObject({ inFlight: 3, queued: 0 });
      calls[1].answer({ status: 202 });
      calls[0].answer({ status: 202 });
      await q.idle();
      expect(q.stats).toMatchObject({ sent: 3, requests: 2, dropped: 0 });
    });

    it("in flight at once: ≤ 48 KiB of bodies (64 KiB keepalive cap) and ≤ 6 requests; the rest follows as answers come", async () => {
      const { q, calls } = manual({ flushAt: 1000 });
      const answered = new Set<number>();
      const check = () => {
        const open = calls.filter((_, i) => !answered.has(i));
        expect(open.length).toBeLessThanOrEqual(6);
        expect(open.reduce((n, c) => n + Buffer.byteLength(c.body), 0)).toBeLessThanOrEqual(48 * 1024);
      };
      const pad = "x".repeat(4000);
      for (let i = 0; i < 40; i++) q.push({ id: `e${i}`, pad });
      q.flush();
      check();
      expect(q.stats.queued).toBeGreaterThan(0); // the byte budget holds the rest back
      for (let i = 0; i < calls.length; i++) {
        answered.add(i);
        calls[i].answer({ status: 202 });
        await tick();
        check();
      }
      await q.idle();
      expect(q.stats).toMatchObject({ sent: 40, dropped: 0 });
      const sentIds = calls.flatMap((c) => JSON.parse(c.body).events.map((e: { id: string }) => e.id));
      expect(sentIds).toEqual([...Array(40).keys()].map((i) => `e${i}`));

      // Small urgent events, each in its own task (one task's events share a request): the
      // count limit applies.
      const small = manual();
      for (let i = 0; i < 8; i++) {
        small.q.push({ id: `u${i}` }, true);
        await tick();
      }
      expect(small.calls).toHaveLength(6);
      small.calls[0].answer({ status: 202 });
      await tick();
      expect(small.calls).toHaveLength(7);
      expect(small.ids(6)).toEqual(["u6", "u7"]);
    });

    it("while a batch waits on a 429/503 backoff nothing else is sent, urgent or not", async () => {
      const { q, calls, timers } = manual();
      q.push({ id: "a" }, true);
      await tick();
      calls[0].answer({ status: 503 });
      await tick();
      expect(timers.map((t) => t.ms)).toEqual([500]);
      q.push({ id: "click" }, true);
      await tick();
      expect(calls).toHaveLength(1);
      timers.shift()!.fn();
      expect(calls).toHaveLength(2);
      expect(JSON.parse(calls[1].body).events.map((e: { id: string }) => e.id)).toEqual(["a", "click"]);
      calls[1].answer({ status: 202 });
      await q.idle();
      expect(q.stats).toMatchObject({ sent: 2, retries: 1 });
    });
  });

  describe("401/403", () => {
    it("retried after 1 s and 2 s (a reinstall takes effect at once on the server), then everything is dropped with the reason", async () => {
      const { q, calls, timers } = manual();
      q.push({ id: "a" }, true);
      await tick();
      calls[0].answer({ status: 403, error: "the app is uninstalled from this shop" });
      await tick();
      expect(timers.map((t) => t.ms)).toEqual([1000]);
      q.push({ id: "b" }); // held while waiting
      await tick();
      timers.shift()!.fn();
      calls[1].answer({ status: 403, error: "the app is uninstalled from this shop" });
      await tick();
      expect(timers.map((t) => t.ms)).toEqual([2000]);
      timers.shift()!.fn();
      expect(calls).toHaveLength(3);
      calls[2].answer({ status: 403, error: "the app is uninstalled from this shop" });
      await q.idle();
      expect(q.stats).toMatchObject({
        disabled: true,
        disabledReason: "403 the app is uninstalled from this shop",
        sent: 0,
        dropped: 2,
        droppedRejected: 2,
      });
      q.push({ id: "c" }, true);
      await tick();
      expect(calls).toHaveLength(3); // nothing more is sent from this page
      expect(q.stats.dropped).toBe(3);
    });

    it("a retry that is accepted (app reinstalled) delivers everything held and keeps going", async () => {
      const { q, calls, timers } = manual();
      q.push({ id: "a" }, true);
      await tick();
      calls[0].answer({ status: 401, error: "unknown shop or wrong ingest key" });
      await tick();
      q.push({ id: "b" }, true);
      await tick();
      expect(calls).toHaveLength(1);
      timers.shift()!.fn();
      expect(JSON.parse(calls[1].body).events.map((e: { id: string }) => e.id)).toEqual(["a", "b"]);
      calls[1].answer({ status: 202 });
      await tick();
      q.push({ id: "c" }, true);
      await tick();
      calls[2].answer({ status: 202 });
      await q.idle();
      expect(q.stats).toMatchObject({ disabled: false, sent: 3, dropped: 0, retries: 1 });
    });
  });
});
