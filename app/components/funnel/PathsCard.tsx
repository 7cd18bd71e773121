import type { ReactNode } from "react";
import { BlockStack, DataTable, InlineStack, Card, Text } from "@shopify/polaris";
import { LEFT_THE_SITE, type PathRow, type PathTable, type StepPaths } from "../../../core/diagnosis/paths";
import { CsvDownloadButton } from "../CsvDownloadButton";
import { KeyboardScrollable } from "../KeyboardScrollable";
import { formatter } from "../../lib/funnel-format";

export interface PathsCardProps {
  paths: StepPaths;
  csvHref: string;
  csvFilename: string;
  /** "sessions" or "visitors". */
  noun: string;
  locale: string;
}

const VERDICT: Record<PathRow["verdict"], string> = {
  more: "More often after dropping",
  less: "Less often after dropping",
  neutral: "No clear difference",
  "too-few": "Too few to compare",
  "not-tested": "—",
};

/**
 * "What did they do instead?": what the units that dropped at the diagnosed step did next,
 * beside those that went on, each share with its counts. Colour only for a row whose
 * interval is wholly on one side of 0 with enough units on both sides.
 */
export function PathsCard({ paths: p, csvHref, csvFilename, noun, locale }: PathsCardProps) {
  const f = formatter(locale);
  const sampled = p.dropped.rate < 1 || p.advanced.rate < 1;
  return (
    <div data-testid="paths-card">
      <Card>
        <BlockStack gap="300">
          <InlineStack align="space-between" blockAlign="center" gap="200">
            <Text as="h2" variant="headingMd">
              What did they do instead?
            </Text>
            <CsvDownloadButton href={csvHref} filename={csvFilename}>
              Download paths CSV
            </CsvDownloadButton>
          </InlineStack>
          <Text as="p" tone="subdued">
            {`What the ${f.count(p.dropped.total)} finished ${noun} that dropped after “${p.fromLabel}” did next, against the ${f.count(p.advanced.total)} that went on to “${p.toLabel}”.`}
          </Text>
          {p.headline ? (
            <div data-testid="paths-headline">
              <Text as="p" tone="critical">
                {p.headline}
              </Text>
            </div>
          ) : null}
          {p.leftAtOnce.count > 0 ? (
            <div data-testid="paths-left">
              <Text as="p">
                {`${f.ratio(p.leftAtOnce.count, p.leftAtOnce.total, p.leftAtOnce.share)} of those that dropped left the site right after “${p.fromLabel}”, without doing anything else.`}
              </Text>
            </div>
          ) : null}
          {p.noClaimSentence ? (
            <div data-testid="paths-none">
              <Text as="p">{p.noClaimSentence}</Text>
            </div>
          ) : null}
          <PathsTable table={p.firstSteps} title="Their next step" first f={f} testId="paths-first-steps" />
          <PathsTable table={p.paths} title={`Their next ${p.pathLength} steps`} first={false} f={f} testId="paths-paths" />
          <Text as="p" variant="bodySm" tone="subdued">
            {(sampled
              ? `Read from a sample: ${f.count(p.dropped.sampled)} of the ${f.count(p.dropped.total)} that dropped and ${f.count(p.advanced.sampled)} of the ${f.count(p.advanced.total)} that went on (whole visitors picked at random, the same ones every time). `
              : "") +
              `A row is marked only when both sides have ${p.minUnits}+ ${noun} and the difference holds with ${Math.round(p.familyConfidence * 100)} % confidence across all rows of its table at once. “Left the site”: nothing more happened in the ${noun === "visitors" ? "window" : "session"}; leaving at once is not compared, since those that went on cannot have done it.`}
          </Text>
        </BlockStack>
      </Card>
    </div>
  );
}

function PathsTable({ table, title, first, f, testId }: { table: PathTable; title: string; first: boolean; f: ReturnType<typeof formatter>; testId: string }) {
  if (table.rows.length === 0) return null;
  const headings = [first ? "Next step" : "Next steps", "Those who dropped", "Those who went on", "Difference (interval)", "Reading"];
  const pp = (x: number) => `${x > 0 ? "+" : x < 0 ? "−" : ""}${Math.abs(Math.round(x * 100))} pp`;
  const rows = table.rows.map((r): ReactNode[] => {
    const name = r.isOther ? "Something else" : r.steps.join(" → ");
    const diff = r.diff === null ? "—" : `${pp(r.diff)}${r.diffCi && !r.isOther ? ` (${pp(r.diffCi[0])} to ${pp(r.diffCi[1])})` : ""}`;
    const tone = r.verdict === "more" ? "critical" : r.verdict === "less" ? "success" : undefined;
    const reading = r.verdict === "not-tested" && r.key === LEFT_THE_SITE ? "Not compared" : VERDICT[r.verdict];
    return [
      <span key="n" data-path={r.key} data-verdict={r.verdict}>
        {name}
      </span>,
      f.ratio(r.dropped.count, r.dropped.total, r.dropped.share),
      f.ratio(r.advanced.count, r.advanced.total, r.advanced.share),
      diff,
      tone ? (
        <Text key="v" as="span" tone={tone}>
          {reading}
        </Text>
      ) : (
        reading
      ),
    ];
  });
  return (
    <div data-testid={testId}>
      <BlockStack gap="100">
        <Text as="h3" variant="headingSm">
          {title}
        </Text>
        <KeyboardScrollable label={`${title}, scrollable`}>
          <DataTable columnContentTypes={["text", "numeric", "numeric", "numeric", "text"]} headings={headings} rows={rows} increasedTableDensity />
        </KeyboardScrollable>
      </BlockStack>
    </div>
  );
}
