import { Banner, Text } from "@shopify/polaris";
import type { FunnelReportView } from "../../services/funnel-report.server";
import { formatter } from "../../lib/funnel-format";

type AsOfFields = Pick<FunnelReportView, "resultsFrom" | "asOf" | "build" | "now" | "locale">;

/**
 * How current the figures are, in words: reports read the funnel's precomputed results as
 * of the background refresher's progress and never wait for it (docs/funnel-semantics.md,
 * "As of"). While a new funnel's results are prepared, says whether the figures are exact
 * (counted from the events) or cover only the visitors computed so far.
 */
export function asOfSentence(view: AsOfFields): string {
  const f = formatter(view.locale);
  const b = view.build;
  const progress = !b
    ? ""
    : b.state === "building" && b.visitors > 0
      ? `${f.count(b.computed)} of ${f.count(b.visitors)} visitors computed (${f.percent(b.computed / b.visitors)})`
      : "starting";
  if (view.resultsFrom === "partial") {
    return `Preparing this funnel's results: ${progress}. The figures cover those visitors only until it finishes.`;
  }
  if (view.resultsFrom === "events") {
    return b
      ? `Preparing this funnel's results: ${progress}. Meanwhile these figures are counted from the events, up to date.`
      : "Counted from the events, up to date.";
  }
  const age = Math.max(0, view.now - view.asOf);
  return age < 1000 ? "Updated just now." : `Updated ${f.duration(age)} ago.`;
}

/** One line under the report controls; a banner while the figures are partial. */
export function ResultsAsOf({ view }: { view: AsOfFields }) {
  const sentence = asOfSentence(view);
  if (view.resultsFrom === "partial") {
    return (
      <Banner tone="info" title="Partial figures">
        <p data-testid="results-as-of">{sentence}</p>
      </Banner>
    );
  }
  return (
    <Text as="p" tone="subdued" variant="bodySm">
      <span data-testid="results-as-of">{sentence}</span>
    </Text>
  );
}
