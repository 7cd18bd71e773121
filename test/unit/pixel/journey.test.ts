// Replays the recorded journey through the production bundle to a real HTTP server.
import { afterEach, describe, expect, it } from "vitest";
import { findPii, createPixelHarness, loadJourney, startRecordingServer, withPii, type PixelHarness, type RecordingServer } from "../../helpers/pixel-harness";

const journey = loadJourney();
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function setup(extra: { customer?: Record<string, unknown> } = {}): Promise<{ server: RecordingServer; h: PixelHarness }> {
  const server = await startRecordingServer();
  cleanup.push(() => server.close());
  const h = await createPixelHarness({ settings: { ingestUrl: server.url, ingestKey: "ik_journey" }, timeScale: 0.01, ...extra });
  cleanup.push(() => h.dispose());
  return { server, h };
}

describe("journey replay", () => {
  it("the server receives every event exactly once, in order (repeats included)", async () => {
    const { server, h } = await setup();
    for (const e of journey.events) h.publish(e);
    await h.flush();
    const got = server.acceptedEvents();
    expect(got.map((e) => e.id)).toEqual(journey.events.map((e) => e.id));
    expect(got.filter((e) => e.name === "checkout_started")).toHaveLength(2);
    expect(got.filter((e) => e.name === "checkout_completed").map((e) => e.orderId)).toEqual([
      "gid://shopify/Order/5600000001",
      "gid://shopify/Order/5600000001",
    ]);
    expect(h.stats()).toMatchObject({ sent: 12, dropped: 0, discarded: 0 });
    expect(h.errors).toEqual([]);
    for (const r of server.requests) expect(r.batch).toMatchObject({ v: 1, shop: journey.shop, key: "ik_journey" });
  });

  it("no personal data in any body, even with a fully populated checkout and customer", async () => {
    const { server, h } = await setup({
      customer: { id: "gid://shopify/Customer/42", email: "jane.doe.pii@example.com", firstName: "Jane", lastName: "Doe-Pii", phone: "+1 555 0100 4242" },
    });
    for (const e of journey.events) h.publish(withPii(e));
    h.publishCustom("mc:form_submit", { formType: "customer", email: "jane.doe.pii@example.com", phone: "+1 555 0100 4242" });
    h.publishCustom("not-ours", { email: "jane.doe.pii@example.com" });
    await h.flush();
    const bodies = server.requests.map((r) => r.body).join("\n");
    expect(findPii(bodies)).toEqual([]);
    expect(bodies).not.toMatch(/"(first_?name|last_?name|email|phone|\w*address\w*)"\s*:/i); // as keys
    const events = server.acceptedEvents();
    expect(events).toHaveLength(journey.events.length + 1);
    expect(new Set(events.map((e) => e.customerId))).toEqual(new Set(["gid://shopify/Customer/42"]));
    expect(events.at(-1)).toMatchObject({ name: "mc:form_submit", props: { formType: "customer" } });
  });
});
