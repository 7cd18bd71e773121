/**
 * "Plan an A/B test on this step" (issue 22, item 3): the funnel report's link carries
 * the step's settled units, conversions and range, the planner reads it back (bad values
 * are ignored, not trusted), and sizes the test from that baseline and weekly traffic.
 */
import { describe, expect, it } from "vitest";
import { planStep, readStepPlan, stepPlanLink, type StepPlanPrefill } from "../../core/insights";

const settings = { mde: 0.1, alpha: 0.05, power: 0.8, variants: 2 };
const step: StepPlanPrefill = { label: "Carted → Checked out", unit: "session", settled: 700, converted: 350, days: 28 };

describe("step plan prefill", () => {
  it("round-trips through the planner link", () => {
    const link = stepPlanLink(step);
    expect(link.startsWith("/app/insights?plan=funnel-step&")).toBe(true);
    expect(link.endsWith("#planner")).toBe(true);
    const search = new URL(link, "https://x.test").searchParams;
    expect(readStepPlan(search)).toEqual(step);
  });

  it("ignores queries that are not a step plan or are malformed", () => {
    const q = (over: Record<string, string>) =>
      new URLSearchParams({ plan: "funnel-step", label: "A → B", unit: "visitor", settled: "10", converted: "4", days: "7", ...over });
    expect(readStepPlan(q({}))).toEqual({ label: "A → B", unit: "visitor", settled: 10, converted: 4, days: 7 });
    expect(readStepPlan(q({ plan: "add_to_cart" }))).toBeNull();
    expect(readStepPlan(q({ converted: "11" }))).toBeNull(); // more conversions than settled units
    expect(readStepPlan(q({ unit: "order" }))).toBeNull();
    expect(readStepPlan(q({ settled: "-1" }))).toBeNull();
    expect(readStepPlan(q({ days: "0" }))).toBeNull();
    expect(readStepPlan(q({ label: "" }))).toBeNull();
  });

  it("sizes the test from the step's baseline and its weekly traffic", () => {
    // 50 % → 55 %, α 0.05 two-sided, power 0.8, by hand with the spec's unpooled formula:
    // (1.95996 + 0.84162)² · (0.25 + 0.2475) / 0.05² = 7.84888 · 199 = 1561.9 → 1,562 per arm;
    // 700 sessions over 28 days = 175 a week → ⌈3,124 / 175⌉ = 18 weeks.
    const s = planStep(step, settings);
    expect(s.rate).toBe(0.5);
    expect(s.weeklyUnits).toBe(175);
    expect(s.plan.ok).toBe(true);
    if (!s.plan.ok) return;
    expect(s.plan.perVariant).toBe(1562);
    expect(s.plan.total).toBe(3124);
    expect(s.plan.weeks).toBe(18);
  });

  it("says why there is no plan without settled units or conversions", () => {
    expect(planStep({ ...step, settled: 0, converted: 0 }, settings).plan).toMatchObject({ ok: false });
    expect(planStep({ ...step, converted: 0 }, settings).plan).toMatchObject({ ok: false });
  });
});
