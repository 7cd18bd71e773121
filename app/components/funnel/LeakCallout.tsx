import { Banner, Button, Text } from "@shopify/polaris";
import type { Leak, NoLeak } from "../../../core/funnel";

export interface LeakCalloutProps {
  leak: Leak | null;
  sentence: string | null;
  /** Why no leak is named, and its sentence (when leak is null). */
  noLeak?: NoLeak | null;
  noLeakSentence?: string | null;
  /** Element id of this step's diagnosis ("for whom", "what they did instead") further down the page, when it shows one. */
  diagnosisId?: string | null;
}

/** The headline: which step loses the most finished units, or why no step is named yet. */
export function LeakCallout({ leak, sentence, noLeak, noLeakSentence, diagnosisId }: LeakCalloutProps) {
  if (leak && sentence) {
    return (
      <Banner tone="warning" title={`Biggest leak: ${leak.fromLabel} → ${leak.toLabel}`}>
        <Text as="p">{sentence}</Text>
        {diagnosisId ? (
          // A scroll, not a link: the app's link component would navigate (and drop the report's query).
          <Button variant="plain" onClick={() => document.getElementById(diagnosisId)?.scrollIntoView({ behavior: "smooth" })}>
            For whom it is worst, and what they did instead
          </Button>
        ) : null}
      </Banner>
    );
  }
  if (noLeak && noLeakSentence) {
    return (
      <Banner tone="info" title={noLeak.reason === "no-drop-off" ? "No leak to name" : "No leak named yet"}>
        <Text as="p">{noLeakSentence}</Text>
      </Banner>
    );
  }
  return null;
}
