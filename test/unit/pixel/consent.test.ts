// Consent: the pixel sends nothing without analytics consent, and what it saw while
// consent was missing is gone for good (never queued for later).
import { afterEach, describe, expect, it } from "vitest";
import { createPixelHarness, loadJourney, sleep, startRecordingServer, withNewId, type PixelHarness, type RecordingServer } from "../../helpers/pixel-harness";

const journey = loadJourney();
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function setup(consent: boolean): Promise<{ server: RecordingServer; h: PixelHarness }> {
  const server = await startRecordingServer();
  cleanup.push(() => server.close());
  const h = await createPixelHarness({ settings: { ingestUrl: server.url, ingestKey: "ik_consent" }, consent, timeScale: 0.01 });
  cleanup.push(() => h.dispose());
  return { server, h };
}

describe("consent", () => {
  it("without analytics consent: no request at all", async () => {
    const { server, h } = await setup(false);
    for (const e of journey.events) h.publish(e);
    await h.flush();
    await sleep(100); // ≫ the scaled 1 s batch timer
    expect(server.requests).toHaveLength(0);
    expect(h.requests).toHaveLength(0);
    expect(h.stats()).toMatchObject({ discarded: journey.events.length, sent: 0, queued: 0 });
  });

  it("consent granted later: later events are sent, earlier ones never", async () => {
    const { server, h } = await setup(false);
    const [early, late] = [journey.events.slice(0, 4), journey.events.slice(4)];
    for (const e of early) h.publish(e);
    h.setConsent(true);
    for (const e of late) h.publish(e);
    await h.flush();
    expect(server.acceptedEvents().map((e) => e.id)).toEqual(late.map((e) => e.id));
    expect(h.stats()).toMatchObject({ discarded: early.length, sent: late.length });
  });

  it("consent granted only for marketing does not count as analytics consent", async () => {
    const { server, h } = await setup(false);
    h.setConsent({ analyticsProcessingAllowed: false, marketingAllowed: true });
    for (const e of journey.events) h.publish(e);
    await h.flush();
    expect(server.requests).toHaveLength(0);
  });

  it("consent withdrawn: pending events are discarded and nothing more is sent", async () => {
    const { server, h } = await setup(true);
    h.publish(journey.events[0]);
    h.publish(journey.events[1]); // both wait for the batch timer
    h.setConsent(false);
    h.publish(withNewId(journey.events[6], "after")); // a checkout event would flush at once
    await h.flush();
    await sleep(50);
    expect(server.requests).toHaveLength(0);
    expect(h.stats()).toMatchObject({ discarded: 3, sent: 0 });
  });

  it("subscribes to visitorConsentCollected and the events it needs", async () => {
    const { h } = await setup(true);
    expect(h.subscriptions).toEqual(expect.arrayContaining(["page_viewed", "checkout_completed", "payment_info_submitted", "all_custom_events"]));
    expect(h.subscriptions).not.toContain("all_dom_events"); // DOM events carry raw input values
  });
});
