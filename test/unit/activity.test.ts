import { describe, expect, it } from "vitest";
import { ActivityDelta, BUCKET_MS, bucketOf, sessionFlags } from "../../core/activity";

const DAY = 86_400_000;
const session = (startTs: number, endTs: number, extra: Partial<Parameters<ActivityDelta["session"]>[1]> = {}) => ({
  startTs,
  endTs,
  isBot: false,
  addToCart: false,
  checkoutStart: false,
  purchase: false,
  ...extra,
});

describe("activity buckets (pure)", () => {
  it("sets a session's flags from any of its event names", () => {
    expect(sessionFlags(["page_viewed", "checkout_completed"])).toEqual({ addToCart: false, checkoutStart: false, purchase: true });
    expect(sessionFlags([])).toEqual({ addToCart: false, checkoutStart: false, purchase: false });
  });

  it("counts events in the bucket of their time: custom and bot ones apart", () => {
    const d = new ActivityDelta();
    d.addEvent(1, { ts: 5 * BUCKET_MS, name: "page_viewed", isBot: false });
    d.addEvent(1, { ts: 6 * BUCKET_MS - 1, name: "mc:scroll_depth", isBot: true });
    d.addEvent(2, { ts: 5 * BUCKET_MS, name: "page_viewed", isBot: false });
    const rows = d.rows();
    expect(rows).toHaveLength(2);
    expect(rows.find((r) => r.shopId === 1)).toMatchObject({ bucket: 5, counts: { events: 2, customEvents: 1, botEvents: 1, sessions: 0 } });
    expect(bucketOf(6 * BUCKET_MS)).toBe(6);
  });

  it("counts sessions where they start, bots apart, with the UTC days they run into", () => {
    const d = new ActivityDelta();
    d.session(1, session(DAY - 10 * 60_000, 2 * DAY + 5, { addToCart: true, purchase: true }), 1);
    d.session(1, session(DAY - 10 * 60_000, DAY - 60_000, { isBot: true, addToCart: true }), 1);
    const [row] = d.rows();
    expect(row.counts).toMatchObject({
      sessions: 1,
      botSessions: 1,
      addToCartSessions: 1,
      purchaseSessions: 1,
      checkoutStartSessions: 0,
      utcMidnightSessions: 1,
      extraUtcDays: 2,
    });
  });

  it("lists changes in (shop, bucket) order, whatever order they came in", () => {
    const d = new ActivityDelta();
    for (const [shopId, b] of [
      [2, 9],
      [1, 7],
      [2, 3],
      [1, 8],
    ])
      d.addEvent(shopId, { ts: b * BUCKET_MS, name: "page_viewed", isBot: false });
    expect(d.rows().map((r) => [r.shopId, r.bucket])).toEqual([
      [1, 7],
      [1, 8],
      [2, 3],
      [2, 9],
    ]);
  });

  it("a session replaced by the same session changes nothing", () => {
    const d = new ActivityDelta();
    const s = session(1_000, 2 * DAY, { checkoutStart: true });
    d.session(1, s, -1);
    d.session(1, s, 1);
    expect(d.rows()).toEqual([]);
  });
});
