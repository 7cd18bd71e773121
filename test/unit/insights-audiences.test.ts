import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  audienceHistory,
  audienceMembership,
  audienceWindow,
  csvCell,
  customerGid,
  defaultTag,
  pacingDelayMs,
  parseCsv,
  planSync,
  segmentQuery,
  TAG_PATTERN,
  throttleDelayMs,
  toCsv,
  type AudienceRule,
} from "../../core/insights";
import { DAY, ev, T0 } from "./funnel/fixtures";

const carted: AudienceRule = {
  micro: [{ event: "product_added_to_cart", filters: [] }],
  macro: [{ event: "checkout_completed", filters: [] }],
  lookbackDays: 7,
};
const NOW = T0 + 30 * DAY;

describe("audience membership (hand-computed)", () => {
  const w = audienceWindow(NOW, 7);
  const events = [
    // a: carted 2 days ago, logged in as 11 → member, identified
    ev({ visitorId: "a", name: "product_added_to_cart", ts: NOW - 2 * DAY, customerId: "11" }),
    // b: carted, anonymous → member, anonymous
    ev({ visitorId: "b", name: "product_added_to_cart", ts: NOW - 3 * DAY }),
    // c: carted and bought → not a member
    ev({ visitorId: "c", name: "product_added_to_cart", ts: NOW - 3 * DAY, customerId: "33" }),
    ev({ visitorId: "c", name: "checkout_completed", ts: NOW - 3 * DAY + 1000, orderId: "1", customerId: "33" }),
    // d: customer 44 carted on a phone (member visitor) but bought on a laptop (e) → customer left out
    ev({ visitorId: "d", name: "product_added_to_cart", ts: NOW - DAY, customerId: "44" }),
    ev({ visitorId: "e", name: "checkout_completed", ts: NOW - DAY / 2, orderId: "2", customerId: "44" }),
    // f and g: two browsers of customer 55, both carted → one customer, 2 visitors, latest cart wins
    ev({ visitorId: "f", name: "product_added_to_cart", ts: NOW - 5 * DAY, customerId: "55" }),
    ev({ visitorId: "g", name: "page_viewed", ts: NOW - 6 * DAY, customerId: "55" }),
    ev({ visitorId: "g", name: "product_added_to_cart", ts: NOW - 4 * DAY }),
    // h: carted 8 days ago (outside the 7-day window), viewed a page yesterday → active, not a member
    ev({ visitorId: "h", name: "product_added_to_cart", ts: NOW - 8 * DAY, customerId: "88" }),
    ev({ visitorId: "h", name: "page_viewed", ts: NOW - DAY, customerId: "88" }),
    // formula-looking id, stored as sent
    ev({ visitorId: "i", name: "product_added_to_cart", ts: NOW - 6 * DAY, customerId: '=HYPERLINK("x")' }),
  ];
  const m = audienceMembership(events, carted, w);

  it("counts members, identified customers and anonymous visitors", () => {
    expect(m.activeVisitors).toBe(9); // a … i all have events in the window
    expect(m.memberVisitors).toBe(6); // a b d f g i (d is a member visitor even though its customer 44 bought elsewhere)
    expect(m.anonymousVisitors).toBe(1); // b (g is linked to 55 through its page view)
    expect(m.customers.map((c) => [c.customerId, c.visitors, c.lastMicroAt])).toEqual([
      ["11", 1, NOW - 2 * DAY],
      ["55", 2, NOW - 4 * DAY],
      ['=HYPERLINK("x")', 1, NOW - 6 * DAY],
    ]);
    expect(m.excludedCustomers).toBe(1); // 44
  });
});

describe("audience history", () => {
  it("takes members one lookback back and counts conversions in the next lookback, against non-converted others", () => {
    const rule = { ...carted, lookbackDays: 10 };
    const events = [
      // members then ([NOW − 20d, NOW − 10d)): m1 converts later, m2 does not
      ev({ visitorId: "m1", name: "product_added_to_cart", ts: NOW - 15 * DAY }),
      ev({ visitorId: "m1", name: "checkout_completed", ts: NOW - 5 * DAY, orderId: "1" }),
      ev({ visitorId: "m2", name: "product_added_to_cart", ts: NOW - 12 * DAY }),
      // others then: o1 converts later, o2 and o3 do not
      ev({ visitorId: "o1", name: "page_viewed", ts: NOW - 18 * DAY }),
      ev({ visitorId: "o1", name: "checkout_completed", ts: NOW - 2 * DAY, orderId: "2" }),
      ev({ visitorId: "o2", name: "page_viewed", ts: NOW - 18 * DAY }),
      ev({ visitorId: "o3", name: "page_viewed", ts: NOW - 11 * DAY }),
      // had already bought then: in neither group
      ev({ visitorId: "b1", name: "product_added_to_cart", ts: NOW - 14 * DAY }),
      ev({ visitorId: "b1", name: "checkout_completed", ts: NOW - 13 * DAY, orderId: "3" }),
      // a conversion after `now` or a new visitor now: irrelevant
      ev({ visitorId: "n1", name: "product_added_to_cart", ts: NOW - DAY }),
    ];
    const h = audienceHistory(events, rule, NOW, NOW - 40 * DAY);
    expect(h.window).toEqual({ from: NOW - 20 * DAY, to: NOW - 10 * DAY });
    expect(h.followUp).toEqual({ from: NOW - 10 * DAY, to: NOW });
    expect(h.members).toEqual({ converted: 1, total: 2 });
    expect(h.others).toEqual({ converted: 1, total: 3 });
    expect(h.lift.ratio).toBeCloseTo(1.5, 12);
    expect(h.lift.eligible).toBe(false);
    expect(h.lift.reason).toBe("needs ≥ 30 visitors in each group; has 2");
    expect(h.caveat).toBeNull();
    expect(audienceHistory(events, rule, NOW, NOW - 15 * DAY).caveat).toMatch(/starts 5 day\(s\) after/);
  });
});

describe("CSV: RFC 4180 and spreadsheet-safe", () => {
  it("quotes, doubles quotes, ends records in CRLF, neutralises formulas", () => {
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell('a "b", c')).toBe('"a ""b"", c"');
    expect(csvCell("=1+2")).toBe("'=1+2");
    expect(csvCell("+31")).toBe("'+31");
    expect(csvCell("-2")).toBe("'-2");
    expect(csvCell("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell(-2)).toBe("-2"); // a number stays a number
    expect(csvCell(null)).toBe("");
    expect(
      toCsv([
        ["a", "b"],
        [1, "x\ny"],
      ]),
    ).toBe('a,b\r\n1,"x\ny"\r\n');
  });

  it("round-trips any text (apart from the formula prefix)", () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.string(), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 5 }), (rows) => {
        const back = parseCsv(toCsv(rows));
        expect(back).toEqual(rows.map((r) => r.map((c) => (/^[=+\-@\t\r]/.test(c) ? `'${c}` : c))));
      }),
    );
  });
});

describe("sync plan", () => {
  it("tags newcomers, untags only those who left, skips ids Shopify refused before", () => {
    expect(planSync(["3", "1", "2"], ["2", "4"], ["3"])).toEqual({ add: ["1"], remove: ["4"], keep: ["2"], skipped: ["3"] });
  });

  it("is idempotent: applying a plan and planning again yields no work (property)", () => {
    const ids = fc.uniqueArray(fc.integer({ min: 1, max: 40 }).map(String), { maxLength: 20 });
    fc.assert(
      fc.property(ids, ids, (desired, tagged) => {
        const p = planSync(desired, tagged);
        const after = [...p.keep, ...p.add];
        expect(new Set(after)).toEqual(new Set(desired));
        const again = planSync(desired, after);
        expect(again.add).toEqual([]);
        expect(again.remove).toEqual([]);
      }),
    );
  });

  it("ids, tags and the segment query", () => {
    expect(customerGid("123")).toBe("gid://shopify/Customer/123");
    expect(customerGid("gid://shopify/Customer/9")).toBe("gid://shopify/Customer/9");
    expect(segmentQuery("mc-carted-not-bought")).toBe("customer_tags CONTAINS 'mc-carted-not-bought'");
    expect(segmentQuery("it's")).toBe("customer_tags CONTAINS 'it\\'s'");
    expect(defaultTag("Carted, not bought!")).toBe("mc-carted-not-bought");
    expect(defaultTag("***")).toBe("mc-audience");
    expect(TAG_PATTERN.test(defaultTag("A very long audience name that goes on and on and on"))).toBe(true);
    expect(TAG_PATTERN.test("bad,tag")).toBe(false);
  });

  it("backs off by the bucket's refill time, with an exponential floor, capped", () => {
    const empty = { maximumAvailable: 2000, currentlyAvailable: 0, restoreRate: 100 };
    expect(throttleDelayMs(1, 10, empty)).toBe(250); // refill 100 ms < floor 250 ms
    expect(throttleDelayMs(3, 10, empty)).toBe(1000);
    expect(throttleDelayMs(1, 1000, empty)).toBe(8000); // 10 s refill, capped at 8 s
    expect(throttleDelayMs(1, 500, { ...empty, restoreRate: 100 })).toBe(5000);
    expect(throttleDelayMs(1, 10, null)).toBe(1000); // HTTP 429 / 5xx: no bucket info, at least 1 s
    expect(throttleDelayMs(3, 10, null)).toBe(1000);
    expect(throttleDelayMs(4, 10, null)).toBe(2000);
    expect(throttleDelayMs(9, 10, null)).toBe(8000);
    expect(pacingDelayMs(10, { ...empty, currentlyAvailable: 1990 })).toBe(0);
    expect(pacingDelayMs(10, { ...empty, currentlyAvailable: 5 })).toBe(150);
  });
});
