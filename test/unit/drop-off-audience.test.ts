/**
 * dropOffMembership by hand: members are the units with furthest k−1 that are not waiting
 * (the report's dropOff[k]), member visitors their distinct visitors, customers those
 * visitors' ids in the range minus those linked to a unit that reached step k.
 */
import { describe, expect, it } from "vitest";
import { dropOffMembership, type DropOffUnit } from "../../core/insights";
import type { CoreEvent } from "../../core/types";

const ev = (visitorId: string, ts: number, customerId: string | null): CoreEvent =>
  ({
    id: `${visitorId}-${ts}`,
    name: "x",
    ts,
    seq: 0,
    visitorId,
    path: "/",
    productId: null,
    checkoutToken: null,
    orderId: null,
    customerId,
    props: {},
    attrs: {},
  }) as unknown as CoreEvent;

describe("dropOffMembership", () => {
  it("counts the report's drop-off units, their visitors and customers", () => {
    const units: DropOffUnit[] = [
      { visitorId: "a", furthest: 1, inProgress: false, entryTs: 10 }, // member
      { visitorId: "a", furthest: 1, inProgress: false, entryTs: 30 }, // member, same visitor (two sessions)
      { visitorId: "b", furthest: 1, inProgress: false, entryTs: 20 }, // member, customer c2 …
      { visitorId: "b", furthest: 2, inProgress: false, entryTs: 40 }, // … who passed the step in another session: excluded
      { visitorId: "c", furthest: 1, inProgress: true, entryTs: 50 }, // waiting: not a drop-off
      { visitorId: "d", furthest: 3, inProgress: false, entryTs: 60 }, // got past
      { visitorId: "e", furthest: 1, inProgress: false, entryTs: 70 }, // member, anonymous
    ];
    const events = [ev("a", 10, "c1"), ev("a", 30, null), ev("b", 20, "c2"), ev("c", 50, "c3"), ev("e", 70, null), ev("a", 500, "late")];
    const m = dropOffMembership(units, 2, events, { from: 0, to: 100 });
    expect(m.memberUnits).toBe(4);
    expect(m.memberVisitors).toBe(3);
    expect(m.activeVisitors).toBe(5);
    // c1 (visitor a, last dropped entry 30); c2 excluded; "late" is outside the range.
    expect(m.customers).toEqual([{ customerId: "c1", visitors: 1, lastMicroAt: 30 }]);
    expect(m.excludedCustomers).toBe(1);
    expect(m.anonymousVisitors).toBe(1);
  });
});
