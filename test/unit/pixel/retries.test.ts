// Retry behaviour against real local HTTP servers (no fetch mocks). Timers run at 1/100
// speed-up via the harness's timeScale; the delays the pixel *asked for* are in h.timers.
import { afterEach, describe, expect, it } from "vitest";
import {
  createPixelHarness,
  loadJourney,
  startRecordingServer,
  waitFor,
  withNewId,
  type PixelHarness,
  type RecordingServer,
} from "../../helpers/pixel-harness";

const journey = loadJourney();
const pageView = journey.events[0];
const checkoutStarted = journey.events.find((e) => e.name === "checkout_started")!;

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function setup(timeScale = 0.01): Promise<{ server: RecordingServer; h: PixelHarness }> {
  const server = await startRecordingServer();
  cleanup.push(() => server.close());
  const h = await createPixelHarness({ settings: { ingestUrl: server.url, ingestKey: "ik_retry" }, timeScale });
  cleanup.push(() => h.dispose());
  return { server, h };
}

const ids = (s: RecordingServer) => s.acceptedEvents().map((e) => e.id);

describe("retries", () => {
  it("503 then 202: the same batch is resent after an exponential, jittered backoff", async () => {
    const { server, h } = await setup();
    server.script(503);
    h.publish(checkoutStarted);
    await h.flush();
    expect(server.requests.map((r) => r.status)).toEqual([503, 202]);
    expect(server.requests[1].body).toBe(server.requests[0].body);
    expect(h.stats()).toMatchObject({ sent: 1, dropped: 0, retries: 1, requests: 2 });
    const backoff = h.timers.at(-1)!;
    expect(backoff).toBeGreaterThanOrEqual(500);
    expect(backoff).toBeLessThanOrEqual(1000);
  });

  it("429 honours Retry-After seconds", async () => {
    const { server, h } = await setup();
    server.script({ status: 429, headers: { "Retry-After": "3" } });
    h.publish(checkoutStarted);
    await h.flush();
    expect(h.timers).toContain(3000);
    expect(server.requests.map((r) => r.status)).toEqual([429, 202]);
    expect(ids(server)).toEqual([checkoutStarted.id]);
  });

  it("gives up after 5 attempts and counts the drop; later events still go out", async () => {
    const { server, h } = await setup();
    server.script(500, 502, 503, 504, 503);
    h.publish(checkoutStarted);
    await h.flush();
    expect(server.requests).toHaveLength(5);
    expect(h.stats()).toMatchObject({ sent: 0, dropped: 1, droppedRetries: 1 });
    // Four waits between five attempts, each in [exp/2, exp] for exp = 1 s, 2 s, 4 s, 8 s.
    expect(h.timers).toHaveLength(4);
    h.timers.forEach((ms, i) => {
      expect(ms).toBeGreaterThanOrEqual(500 * 2 ** i);
      expect(ms).toBeLessThanOrEqual(1000 * 2 ** i);
    });

    h.publish(withNewId(checkoutStarted, "later"));
    await h.flush();
    expect(ids(server)).toEqual([`${checkoutStarted.id}~later`]);
  });

  it("never retries other 4xx: dropped and counted once", async () => {
    const { server, h } = await setup();
    server.script(400, 413);
    h.publish(checkoutStarted);
    await h.flush();
    h.publish(withNewId(checkoutStarted, 2));
    await h.flush();
    expect(server.requests.map((r) => r.status)).toEqual([400, 413]);
    expect(h.stats()).toMatchObject({ sent: 0, dropped: 2, droppedRejected: 2, retries: 0 });
  });

  it("401/403: retried after 1 s and 2 s, then sending stops for the page, with the server's reason", async () => {
    const { server, h } = await setup();
    const refusal = { status: 403, body: JSON.stringify({ error: "the app is uninstalled from this shop" }) };
    server.script(refusal, refusal, refusal);
    h.publish(checkoutStarted);
    await h.flush();
    expect(server.requests.map((r) => r.status)).toEqual([403, 403, 403]);
    expect(h.timers).toEqual([1000, 2000]);
    for (let i = 0; i < 5; i++) h.publish(withNewId(pageView, i));
    await h.flush();
    expect(server.requests).toHaveLength(3);
    expect(h.stats()).toMatchObject({
      disabled: true,
      disabledReason: "403 the app is uninstalled from this shop",
      dropped: 6,
      droppedRejected: 6,
      sent: 0,
    });
  });

  it("401 then accepted within the retry window (app reinstalled, key fixed): nothing lost", async () => {
    const { server, h } = await setup(1); // real 1 s wait, so the next publish surely lands inside it
    server.script({ status: 401, body: JSON.stringify({ error: "unknown shop or wrong ingest key" }) });
    h.publish(checkoutStarted);
    await waitFor(() => h.stats().retries === 1);
    h.publish(withNewId(pageView, "later")); // held: a batch is waiting out the 401
    await h.flush();
    expect(server.requests.map((r) => r.status)).toEqual([401, 202]);
    expect(ids(server).sort()).toEqual([checkoutStarted.id, `${pageView.id}~later`].sort());
    expect(h.stats()).toMatchObject({ disabled: false, sent: 2, dropped: 0 });
  });

  it("connection dropped mid-request is a network error and is retried", async () => {
    const { server, h } = await setup();
    server.script("destroy");
    h.publish(checkoutStarted);
    await h.flush();
    expect(h.requests.map((r) => r.status)).toEqual([0, 202]);
    expect(ids(server)).toEqual([checkoutStarted.id]);
  });

  it("port closed (connection refused), then back: delivered exactly once", async () => {
    const first = await startRecordingServer();
    const { port, url } = first;
    await first.close();
    const h = await createPixelHarness({ settings: { ingestUrl: url, ingestKey: "ik_retry" }, timeScale: 0.05 });
    cleanup.push(() => h.dispose());
    h.publish(checkoutStarted);
    h.publish(withNewId(pageView, "x"));
    // Two refused attempts (the record's error is set once fetch has rejected).
    await waitFor(() => h.requests.filter((r) => r.error).length >= 2, 3000);
    expect(h.requests.every((r) => r.status === 0)).toBe(true);
    expect(h.requests[0].error).toMatch(/ECONNREFUSED|fetch failed/);
    const server = await startRecordingServer({ port });
    cleanup.push(() => server.close());
    await h.flush();
    expect(ids(server)).toEqual([checkoutStarted.id, `${pageView.id}~x`]);
    expect(h.stats()).toMatchObject({ sent: 2, dropped: 0 });
  });

  it("port closed for good: dropped after the retry budget, counted", async () => {
    const first = await startRecordingServer();
    await first.close();
    const h = await createPixelHarness({ settings: { ingestUrl: first.url, ingestKey: "ik_retry" }, timeScale: 0.001 });
    cleanup.push(() => h.dispose());
    h.publish(checkoutStarted);
    await h.flush();
    expect(h.requests).toHaveLength(5);
    expect(h.stats()).toMatchObject({ sent: 0, dropped: 1, droppedRetries: 1 });
  });
});
