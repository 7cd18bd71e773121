// The pixel's side of the theme embed's beacons: it leaves its ingest config in the
// storefront's localStorage only under analytics consent, and adopts the embed's event id
// so the two copies of a navigation-time event are stored once.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createPixelHarness, loadJourney, startRecordingServer, type PixelHarness, type RecordingServer } from "../../helpers/pixel-harness";

const pageView = loadJourney().events[0];
const KEY = "ik_test_handoff";
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

const start = (consent = true) =>
  createPixelHarness({ settings: { ingestUrl: server.url, ingestKey: KEY }, consent, timeScale: 0.01 }).then((h) => (pixel = h));
const settle = () => new Promise((r) => setTimeout(r, 10));

describe("beacon config in the storefront's localStorage", () => {
  it("written once the visitor's id is known, under consent; removed when consent is withdrawn", async () => {
    const h = await start();
    expect(h.storage.local.has("mc:beacon")).toBe(false);
    h.publish(pageView);
    await settle();
    expect(JSON.parse(h.storage.local.get("mc:beacon")!)).toEqual({
      u: server.url,
      s: "demo-shop.myshopify.com",
      k: KEY,
      c: pageView.clientId,
    });
    h.setConsent(false);
    await settle();
    expect(h.storage.local.has("mc:beacon")).toBe(false);
    h.publish(pageView);
    await settle();
    expect(h.storage.local.has("mc:beacon")).toBe(false);
  });
  // A pixel loaded without consent removing an earlier config: test/browser/navigation.test.ts.
});

describe("the embed's event id", () => {
  it("customData._mcid becomes the event's id and is not stored as a prop", async () => {
    const h = await start();
    h.publishCustom("mc:outbound_click", { _mcid: "mc-lx2abc-9f8e7d6c", url: "https://example.org/", host: "example.org" });
    await h.flush();
    const [sent] = server.acceptedEvents();
    expect(sent.id).toBe("mc-lx2abc-9f8e7d6c");
    expect(sent.props).toEqual({ url: "https://example.org/", host: "example.org" });
  });

  it("an unusable _mcid (too short, not a string) keeps Shopify's id; the prop is dropped either way", async () => {
    const h = await start();
    const a = h.publishCustom("mc:file_download", { _mcid: "x", url: "https://shop.example/a.pdf", extension: "pdf" });
    const b = h.publishCustom("mc:form_submit", { _mcid: 12345678 });
    await h.flush();
    const byName = Object.fromEntries(server.acceptedEvents().map((e) => [e.name, e]));
    expect(byName["mc:file_download"].id).toBe(a.id);
    expect(byName["mc:file_download"].props).toEqual({ url: "https://shop.example/a.pdf", extension: "pdf" });
    expect(byName["mc:form_submit"].id).toBe(b.id);
    expect(byName["mc:form_submit"].props).toBeUndefined();
  });
});
