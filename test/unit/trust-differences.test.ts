import { describe, expect, it } from "vitest";
import { differencesView, utcMidnightsCrossed } from "../../core/trust/differences";
import { DASH, percent, plural, ratio } from "../../core/trust/format";

describe("utcMidnightsCrossed", () => {
  it("counts UTC midnights strictly inside a session", () => {
    const t = (iso: string) => Date.parse(iso);
    expect(utcMidnightsCrossed(t("2026-11-03T23:50:00Z"), t("2026-11-04T00:10:00Z"))).toBe(1);
    expect(utcMidnightsCrossed(t("2026-11-03T00:00:00Z"), t("2026-11-03T23:59:59Z"))).toBe(0);
    expect(utcMidnightsCrossed(t("2026-11-03T23:59:59Z"), t("2026-11-04T00:00:00Z"))).toBe(1);
    expect(utcMidnightsCrossed(t("2026-11-03T22:00:00Z"), t("2026-11-05T01:00:00Z"))).toBe(2);
    // Local midnight in New York (05:00Z) is not Shopify's cut.
    expect(utcMidnightsCrossed(t("2026-11-04T04:50:00Z"), t("2026-11-04T05:20:00Z"))).toBe(0);
  });
});

describe("differencesView", () => {
  it("adds the sessions Shopify's midnight cut makes", () => {
    const v = differencesView(
      {
        sessions: 100,
        sessionsCrossingUtcMidnight: 3,
        extraShopifySessions: 4,
        botSessions: 2,
        botEvents: 9,
        purchasingVisitors: 10,
        purchasedInLaterSession: 1,
      },
      { onlineOrders: 20, seen: 18, missed: 2, rate: 0.9 },
      { fromDate: "2026-11-01", toDate: "2026-11-30", timeZone: "UTC", days: 30 },
      "range=last30",
    );
    expect(v.sessionsByShopifyRule).toBe(104);
    expect(v).toMatchObject({ botSessions: 2, consent: { rate: 0.9 }, query: "range=last30" });
  });
});

describe("trust number formats", () => {
  it("prints counts beside rates and a dash for no denominator", () => {
    expect(ratio(171, 190)).toBe("171 of 190 · 90.0 %");
    expect(ratio(0, 0)).toBe(`0 of 0 · ${DASH}`);
    expect(ratio(1234, 5678)).toBe("1,234 of 5,678 · 21.7 %");
    expect(percent(null)).toBe("—");
    expect(plural(1, "order")).toBe("1 order");
    expect(plural(2, "order")).toBe("2 orders");
  });
});
