// The queue's arithmetic in isolation (backoff, Retry-After, size-based splitting).
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
    expect(bodies).toHaveLength(0);
    expect(timers.map((t) => t.ms)).toEqual([1000]);
    q.push({ id: 2 }, true);
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
});
