import { Form } from "@remix-run/react";
import { BlockStack, Box, Button, ButtonGroup, Card, InlineStack, Select, Text } from "@shopify/polaris";
import type { StepFigures } from "../../../core/funnel";
import type { DiagnosisClaim, StepDiagnosis } from "../../services/diagnosis.server";
import { CsvDownloadButton } from "../CsvDownloadButton";

/** Dimensions in the card's sentence. */
const DIMENSION_WORDS: Record<string, string> = {
  device: "device",
  source: "source",
  medium: "medium",
  campaign: "campaign",
  landingPath: "landing page",
  visitorType: "new/returning",
  loggedIn: "logged in",
  product: "product",
};

/** "a, b and c". */
const listOf = (words: string[]) => (words.length < 2 ? words.join("") : `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`);

export interface DiagnosisCardProps {
  diagnosis: StepDiagnosis | null;
  steps: StepFigures[];
  /** The step shown in the picker when there is no diagnosis (none picked, no leak named). */
  onPick: (step: number) => void;
  csvHref: string;
  csvFilename: string;
  /** "sessions" or "visitors". */
  noun: string;
  /** "Act on it": the planner prefilled with this step's baseline (absent without a diagnosis). */
  planHref?: string | null;
  /** "Act on it": POST target and fields making an audience of this step's drop-offs. */
  audienceForm?: { action: string; fields: Record<string, string> } | null;
}

/**
 * "For whom is this step worst?": the segments whose drop-off at the step differs from
 * everyone else's beyond chance, each with its counts. Colour only for a claim that held
 * up (significant after the FDR correction); otherwise one plain sentence and how large a
 * difference the data could have shown.
 */
export function DiagnosisCard({ diagnosis: d, steps, onPick, csvHref, csvFilename, noun, planHref, audienceForm }: DiagnosisCardProps) {
  const options = steps.slice(1).map((s, i) => ({
    value: String(s.step),
    label: `${steps[i].label} → ${s.label}`,
  }));
  return (
    <div data-testid="diagnosis-card">
      <Card>
        <BlockStack gap="300">
          <InlineStack align="space-between" blockAlign="center" gap="200">
            <Text as="h2" variant="headingMd">
              For whom is this step worst?
            </Text>
            {d ? (
              <CsvDownloadButton href={csvHref} filename={csvFilename}>
                Download segments CSV
              </CsvDownloadButton>
            ) : null}
          </InlineStack>
          <Select
            label="Step"
            options={d ? options : [{ value: "", label: "Pick a step" }, ...options]}
            value={d ? String(d.step) : ""}
            onChange={(v) => v && onPick(Number(v))}
            helpText={d?.isBiggestLeak ? "The biggest leak; pick another step to check it." : undefined}
          />
          {d ? (
            <BlockStack gap="200">
              <Text as="p" tone="subdued">
                {`${d.settled.toLocaleString("en-US")} finished ${noun} reached “${d.fromLabel}”; ${d.dropOff.toLocaleString("en-US")} of them never reached “${
                  d.toLabel
                }”.`}
              </Text>
              {d.worse.length > 0 ? <ClaimList title="Drop more here than everyone else" tone="critical" claims={d.worse} /> : null}
              {d.better.length > 0 ? <ClaimList title="Drop less here than everyone else" tone="success" claims={d.better} /> : null}
              {d.noClaimSentence ? (
                <div data-testid="diagnosis-none">
                  <Text as="p">{d.noClaimSentence}</Text>
                </div>
              ) : null}
              <Text as="p" variant="bodySm" tone="subdued">
                {`${d.tested} group${d.tested === 1 ? "" : "s"} compared across ${listOf(d.dimensions.map((k) => DIMENSION_WORDS[k] ?? k))}` +
                  (d.pairsTested > 0 ? `, ${d.pairsTested} of them two at a time (such as mobile from instagram)` : "") +
                  (d.tooSmall > 0 ? `; ${d.tooSmall} had fewer than ${d.minUnits} finished ${noun} on a side and were not compared` : "") +
                  `. A group is named only when its difference holds up after checking every group at once (false-discovery rate ${Math.round(d.q * 100)} %)` +
                  (d.pairsTested > 0 ? ", and two together only when they lose more than each does alone." : ".")}
              </Text>
              {planHref || audienceForm ? (
                <div data-testid="diagnosis-actions">
                  <ButtonGroup>
                    {audienceForm ? (
                      <Form method="post" action={audienceForm.action}>
                        {Object.entries(audienceForm.fields).map(([k, v]) => (
                          <input key={k} type="hidden" name={k} value={v} />
                        ))}
                        <Button
                          submit
                          accessibilityLabel={`Make an audience of these drop-offs: the ${d.dropOff.toLocaleString("en-US")} ${noun} that reached “${d.fromLabel}” and never “${d.toLabel}”`}
                        >
                          Make an audience of these drop-offs
                        </Button>
                      </Form>
                    ) : null}
                    {planHref ? (
                      <Button url={planHref} accessibilityLabel={`Plan an A/B test on this step: “${d.fromLabel}” → “${d.toLabel}”`}>
                        Plan an A/B test on this step
                      </Button>
                    ) : null}
                  </ButtonGroup>
                </div>
              ) : null}
            </BlockStack>
          ) : (
            <Text as="p" tone="subdued">
              No leak is named in this range: pick a step to see for whom it is worst.
            </Text>
          )}
        </BlockStack>
      </Card>
    </div>
  );
}

function ClaimList({ title, tone, claims }: { title: string; tone: "critical" | "success"; claims: DiagnosisClaim[] }) {
  return (
    <BlockStack gap="100">
      <Text as="h3" variant="headingSm">
        {title}
      </Text>
      {claims.map((c) => (
        <div key={`${c.dimension}:${c.value}`} data-testid="diagnosis-claim" data-segment={`${c.dimension}:${c.value}`}>
          <Box paddingInlineStart="200">
            <Text as="p" tone={tone}>
              {c.sentence}
            </Text>
          </Box>
        </div>
      ))}
    </BlockStack>
  );
}
