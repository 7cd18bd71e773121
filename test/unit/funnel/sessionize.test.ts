import { describe, it, expect } from "vitest";
import { sessionize } from "../../../core/sessionize";
import { SESSION_GAP_MS } from "../../../core/types";
import { ev, MIN, T0 } from "./fixtures";

describe("sessionize", () => {
  it("keeps a gap of exactly 30 minutes in the same session", () => {
    const s = sessionize([ev({ name: "a", ts: T0 }), ev({ name: "b", ts: T0 + SESSION_GAP_MS })]);
    expect(s).toHaveLength(1);
    expect(s[0]).toMatchObject({ id: `v1:${T0}`, start: T0, end: T0 + 30 * MIN });
  });

  it("splits at a gap of 30 minutes + 1 ms", () => {
    const s = sessionize([ev({ name: "a", ts: T0 }), ev({ name: "b", ts: T0 + SESSION_GAP_MS + 1 })]);
    expect(s.map((x) => x.id)).toEqual([`v1:${T0}`, `v1:${T0 + SESSION_GAP_MS + 1}`]);
  });

  it("measures the gap between consecutive events, not from the session start", () => {
    const events = [0, 25, 50, 75].map((m) => ev({ name: "a", ts: T0 + m * MIN }));
    expect(sessionize(events)).toHaveLength(1);
  });

  it("sorts by (ts, seq) whatever the input order and keeps visitors apart", () => {
    const a2 = ev({ name: "a2", ts: T0, seq: 2 });
    const a1 = ev({ name: "a1", ts: T0, seq: 1 });
    const b = ev({ name: "b", ts: T0 + MIN, visitorId: "v2" });
    const input = [b, a2, a1];
    const s = sessionize(input);
    expect(s.map((x) => x.visitorId)).toEqual(["v1", "v2"]);
    expect(s[0].events.map((e) => e.name)).toEqual(["a1", "a2"]);
    expect(input.map((e) => e.name)).toEqual(["b", "a2", "a1"]); // input untouched
  });

  it("returns nothing for no events", () => {
    expect(sessionize([])).toEqual([]);
  });
});
