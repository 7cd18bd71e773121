// Batching over real HTTP: the production bundle in the harness, a node:http server.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createPixelHarness,
  loadJourney,
  sleep,
  startRecordingServer,
  waitFor,
  withNewId,
  type PixelHarness,
  type RecordingServer,
} from "../../helpers/pixel-harness";

const journey = loadJourney();
const pageView = journey.events[0];
const checkoutStarted = journey.events.find((e) => e.name === "checkout_started")!;
const KEY = "ik_test_batching";

let server: RecordingServer;
let pixel: PixelHarness | undefined;
beforeEach(async () => {
  server = await startRecordingServer();
});
afterEach(async () => {
  pixel?.dispose();
  pixel = undefined;
  await server.close();
});

const start = (timeScale = 1) => createPixelHarness({ settings: { ingestUrl: server.url, ingestKey: KEY }, timeScale }).then((h) => (pixel = h));

describe("batching", () => {
  it("sends a full batch of 20 at once, without waiting for the timer", async () => {
    const h = await start();
    for (let i = 0; i < 20; i++) h.publish(withNewId(pageView, i));
    await sleep(0); // the publishing task ends
    expect(h.requests).toHaveLength(1);
    expect(h.timers).toEqual([]); // no timer was needed
    await waitFor(() => server.requests.length === 1, 5000);
    expect(server.requests[0].batch!.events).toHaveLength(20);
  });

  it("sends a partial batch after the 250 ms timer", async () => {
    const h = await start();
    for (let i = 0; i < 3; i++) h.publish(withNewId(pageView, i));
    await sleep(100);
    expect(h.requests).toHaveLength(0);
    expect(h.timers).toEqual([250]);
    await waitFor(() => server.requests.length === 1, 5000);
    expect(server.requests[0].batch!.events.map((e) => e.id)).toEqual([0, 1, 2].map((i) => `${pageView.id}~${i}`));
  });

  it("flushes immediately on checkout events, taking pending events along", async () => {
    const h = await start();
    h.publish(pageView);
    await sleep(0);
    h.publish(checkoutStarted);
    await sleep(0);
    expect(h.requests).toHaveLength(1); // sent when the publishing task ended, not by the 250 ms timer
    await waitFor(() => server.requests.length === 1, 5000);
    expect(server.requests[0].batch!.events.map((e) => e.name)).toEqual(["page_viewed", "checkout_started"]);
  });

  it("sends navigation-preceding events at once: outbound click, download, form submit, wishlist, add to cart", async () => {
    const h = await start();
    const addToCart = journey.events.find((e) => e.name === "product_added_to_cart")!;
    // Each in its own task, as Shopify delivers them (one task's events share a request).
    h.publishCustom("mc:scroll_depth", { percent: 50 }); // not urgent: waits
    await sleep(0);
    expect(h.requests).toHaveLength(0);
    h.publishCustom("mc:outbound_click", { url: "https://example.org/", host: "example.org" });
    await sleep(0);
    expect(h.requests).toHaveLength(1);
    h.publishCustom("mc:file_download", { url: "https://shop.example/a.pdf", extension: "pdf" });
    await sleep(0);
    h.publishCustom("mc:form_submit", { formType: "contact", formId: "ContactForm" });
    await sleep(0);
    h.publishCustom("mc:wishlist_add", { productId: "1" });
    await sleep(0);
    h.publish(addToCart);
    await sleep(0);
    expect(h.requests).toHaveLength(5); // one each, none waiting for a timer
    await h.idle();
    expect(
      server
        .acceptedEvents()
        .map((e) => e.name)
        .sort(),
    ).toEqual(["mc:file_download", "mc:form_submit", "mc:outbound_click", "mc:scroll_depth", "mc:wishlist_add", "product_added_to_cart"]);
  });

  it("sends the documented envelope as text/plain with keepalive", async () => {
    const h = await start();
    h.publish(checkoutStarted);
    await h.flush();
    const req = server.requests[0];
    expect(req.method).toBe("POST");
    expect(req.headers["content-type"]).toBe("text/plain");
    expect(h.requests[0].init).toMatchObject({ method: "POST", keepalive: true });
    expect(req.batch).toMatchObject({
      v: 1,
      shop: "demo-shop.myshopify.com",
      key: KEY,
      ua: pageView.context.navigator.userAgent,
      consent: { analytics: true },
    });
    expect(Object.keys(req.batch!).sort()).toEqual(["consent", "events", "key", "shop", "ua", "v"]);
  });

  it("splits large payloads: every body ≤ 16 KiB (< 64 KiB keepalive cap) and ≤ 50 events", async () => {
    const h = await start(0.01);
    const fat: Record<string, string> = {};
    for (let i = 0; i < 20; i++) fat[`p${i}`] = "é".repeat(256); // 2 bytes each in UTF-8
    const sent: string[] = [];
    for (let i = 0; i < 120; i++) sent.push(h.publishCustom("mc:stress", fat).id);
    for (let i = 0; i < 130; i++) {
      const e = withNewId(pageView, `small-${i}`);
      sent.push(e.id);
      h.publish(e);
    }
    await h.flush();
    expect(h.stats()).toMatchObject({ sent: 250, dropped: 0 });
    for (const r of server.requests) {
      expect(Buffer.byteLength(r.body)).toBeLessThanOrEqual(16 * 1024);
      expect(r.batch!.events.length).toBeLessThanOrEqual(50);
    }
    // Up to 3 requests are in flight at once, so arrival order may differ.
    expect(
      server
        .acceptedEvents()
        .map((e) => e.id)
        .sort(),
    ).toEqual([...sent].sort());
  });

  it("bounds the queue at 500 events and counts the overflow", async () => {
    const h = await start(0.01);
    for (let i = 0; i < 600; i++) h.publish(withNewId(pageView, i));
    await h.flush();
    expect(h.stats()).toMatchObject({ sent: 500, dropped: 100, droppedOverflow: 100 });
    const ids = server.acceptedEvents().map((e) => e.id);
    expect(new Set(ids).size).toBe(500);
    expect(ids[499]).toBe(`${pageView.id}~499`);
  });
});
