import { Banner } from "@shopify/polaris";
import { formatDays, planStep, type PlannerReport, type StepPlanPrefill } from "../../../core/insights";
import { int, pct } from "./format";

/**
 * "Plan a test on this step" from a funnel report: the step's conversion (settled units
 * of the report's range and how many reached the next step) sized with the planner's
 * own MDE, significance, power and arms. Per the funnel's unit, which may be sessions.
 */
export function StepPlanBanner({ prefill, report }: { prefill: StepPlanPrefill; report: PlannerReport }) {
  const s = planStep(prefill, { mde: report.mde, alpha: report.alpha, power: report.power, variants: report.variants });
  const units = `${prefill.unit}s`;
  const plan = s.plan;
  return (
    <div data-testid="planner-step" data-unit={prefill.unit} data-settled={prefill.settled} data-converted={prefill.converted}>
      <Banner tone="info" title={`Test plan for the funnel step “${prefill.label}”`}>
        <p>
          {`Baseline ${int(prefill.converted)} of ${int(prefill.settled)} finished ${units} (${pct(s.rate)}) over the report's ${formatDays(prefill.days)}, about ${int(
            s.weeklyUnits,
          )} ${units}/week reaching the step. `}
          {plan.ok
            ? `To detect a +${Math.round(report.mde * 1000) / 10} % relative change (from ${pct(s.rate)} to ${pct((s.rate ?? 0) * (1 + report.mde))}) a test needs ${int(plan.perVariant)} ${units} per variant, ${int(plan.total)} in all${
                plan.weeks === null ? " (no traffic yet to say how long that takes)." : `: about ${int(plan.weeks)} week${plan.weeks === 1 ? "" : "s"}.`
              }`
            : `No plan yet: ${plan.reason}.`}
          {prefill.unit === "session"
            ? " The funnel counts sessions: assign variants per visitor and expect the test to need at least this many sessions."
            : ""}
        </p>
      </Banner>
    </div>
  );
}
