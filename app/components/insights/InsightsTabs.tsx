import { Button, ButtonGroup } from "@shopify/polaris";

/** The two Insights views; links keep the current range and planner settings. */
export function InsightsTabs({ current, search }: { current: "value" | "experiments"; search: string }) {
  const q = search ? `?${search}` : "";
  return (
    <nav aria-label="Insights views">
      <ButtonGroup variant="segmented">
        <Button pressed={current === "value"} url={`/app/insights${q}`}>
          Micro value & test planner
        </Button>
        <Button pressed={current === "experiments"} url={`/app/insights/experiments${q}`}>
          Experiments
        </Button>
      </ButtonGroup>
    </nav>
  );
}
