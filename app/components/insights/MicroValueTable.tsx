import { BlockStack, Box, DataTable, InlineStack, Link, List, Text } from "@shopify/polaris";
import type { MicroValueReport, RowLinks } from "../../../core/insights";
import { ci, countsRate, int, pct, ratio } from "./format";

/**
 * Micro → macro value: per micro step, the goal's rate among visitors who did it and who
 * did not, with counts, and the lift with its 95 % CI. Rows with a group under 30
 * visitors (or no conversions to divide by) are listed apart with the reason, counts only.
 */
export function MicroValueTable({
  report,
  links,
  etaDays,
}: {
  report: MicroValueReport;
  links?: (microKey: string) => RowLinks;
  /** Days until the first lift can show at the pace so far, when none can yet. */
  etaDays?: number | null;
}) {
  const actions = (key: string, label: string) => {
    const l = links?.(key);
    if (!l) return null;
    return (
      <span data-row-actions={key} style={{ display: "block", marginTop: 4 }}>
        <InlineStack gap="200" wrap>
          <Text as="span" variant="bodySm">
            <Link url={l.funnel} accessibilityLabel={`Build a funnel: ${label}, then the goal`}>
              Build a funnel
            </Link>
          </Text>
          {l.audience ? (
            <Text as="span" variant="bodySm">
              <Link url={l.audience} accessibilityLabel={`Make an audience: ${label}, not the goal`}>
                Make an audience
              </Link>
            </Text>
          ) : null}
          <Text as="span" variant="bodySm">
            <Link url={l.plan} accessibilityLabel={`Plan a test on ${label}`}>
              Plan a test
            </Link>
          </Text>
        </InlineStack>
      </span>
    );
  };
  const shown = report.rows.filter((r) => r.lift.eligible);
  // Both groups large enough, but nobody reached the goal without the step: a prerequisite
  // (e.g. add to cart for a purchase). Its rates are meaningful, its ratio is unbounded.
  const prerequisite = report.rows.filter(
    (r) => !r.lift.eligible && Math.min(r.did.total, r.didNot.total) >= report.minGroup && r.didNot.converted === 0 && r.did.converted > 0,
  );
  const notEligible = report.rows.filter((r) => !r.lift.eligible && !prerequisite.includes(r));
  // Steps nobody did yet share one line instead of a row of zeros each.
  const hidden = notEligible.filter((r) => r.did.total > 0);
  const nobody = notEligible.filter((r) => r.did.total === 0);
  const rows = shown.map((r) => [
    <span key={`${r.key}-label`} style={{ whiteSpace: "normal", display: "inline-block", minWidth: 120 }}>
      <span data-row-label>{r.label}</span>
      {actions(r.key, r.label)}
    </span>,
    countsRate(r.did),
    countsRate(r.didNot),
    <span key={r.key} data-lift={r.key} style={{ whiteSpace: "normal", display: "inline-block", minWidth: 150 }}>
      <Text as="span" fontWeight="semibold">
        {ratio(r.lift.ratio)}
      </Text>
      <br />
      <Text as="span" tone="subdued" variant="bodySm">
        {r.lift.ci95 ? ci(r.lift.ci95) : (r.lift.reason ?? "no confidence interval")}
        {r.lift.ci95 && r.lift.ci95[0] <= 1 && r.lift.ci95[1] >= 1 ? " · includes 1×: could be chance" : ""}
      </Text>
    </span>,
  ]);
  return (
    <BlockStack gap="300">
      <Text as="p" tone="subdued">
        {int(report.visitors)} visitors in the range, {int(report.converters)} reached “{report.goal.label}”
        {report.visitors > 0 ? ` (${pct(report.converters / report.visitors)})` : ""}. A micro step counts only when it happened before the visitor’s first
        goal; lift = goal rate of those who did it ÷ rate of those who did not.
      </Text>
      {rows.length > 0 ? (
        <div data-testid="micro-value-table">
          <DataTable
            columnContentTypes={["text", "text", "text", "text"]}
            headings={["Micro-conversion", "Did it → reached goal", "Did not → reached goal", "Lift (95 % CI)"]}
            rows={rows}
          />
        </div>
      ) : (
        <div data-testid="micro-value-eta">
          <Text as="p">
            No micro-conversion has at least {report.minGroup} visitors in both groups in this range yet.{" "}
            {etaDays === null || etaDays === undefined
              ? "Lifts appear once visitors start doing micro-conversions."
              : etaDays <= 1
                ? "At the pace so far, the first lift should show within a day."
                : `At the pace so far, the first lift should show in about ${etaDays} days.`}
          </Text>
        </div>
      )}
      {prerequisite.length > 0 ? (
        <div data-testid="micro-value-prerequisite">
          <BlockStack gap="150">
            <Text as="h3" variant="headingSm">
              Steps every converter took first (lift unbounded)
            </Text>
            <List>
              {prerequisite.map((r) => (
                <List.Item key={r.key}>
                  <span data-prerequisite-row={r.key}>
                    <Text as="span" fontWeight="semibold">
                      {r.label}
                    </Text>
                    : {countsRate(r.did)} of those who did it reached the goal, {countsRate(r.didNot)} of those who did not — nobody reached the goal without
                    it, so the ratio has no upper bound.
                  </span>
                  {actions(r.key, r.label)}
                </List.Item>
              ))}
            </List>
          </BlockStack>
        </div>
      ) : null}
      {hidden.length > 0 || nobody.length > 0 ? (
        <div data-testid="micro-value-hidden">
          <Box paddingBlockStart="200">
            <BlockStack gap="150">
              <Text as="h3" variant="headingSm">
                Not enough data (lift hidden)
              </Text>
              <Text as="p" tone="subdued" variant="bodySm">
                Lift is shown only when both groups have at least {report.minGroup} visitors and the comparison group has conversions; a rate from a handful of
                visitors would mislead.
              </Text>
              <List>
                {hidden.map((r) => (
                  <List.Item key={r.key}>
                    <span data-hidden-row={r.key}>
                      <Text as="span" fontWeight="semibold">
                        {r.label}
                      </Text>
                      : {int(r.did.total)} did it ({int(r.did.converted)} reached the goal), {int(r.didNot.total)} did not ({int(r.didNot.converted)} reached
                      it) — not enough data: {r.lift.reason}
                    </span>
                  </List.Item>
                ))}
                {nobody.length > 0 ? (
                  <List.Item>
                    <span data-testid="micro-value-nobody">
                      <Text as="span" fontWeight="semibold">
                        Nobody did these yet
                      </Text>
                      : {nobody.map((r) => r.label).join(", ")}.
                    </span>
                  </List.Item>
                ) : null}
              </List>
            </BlockStack>
          </Box>
        </div>
      ) : null}
    </BlockStack>
  );
}
