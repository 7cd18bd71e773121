import { Banner, Link, Text } from "@shopify/polaris";
import type { Leak, NoLeak } from "../../../core/funnel";

export interface LeakCalloutProps {
  leak: Leak | null;
  sentence: string | null;
  /** Why no leak is named, and its sentence (when leak is null). */
  noLeak?: NoLeak | null;
  noLeakSentence?: string | null;
  /** In-page link to this step's diagnosis ("for whom", "what they did instead"), when the page shows one. */
  diagnosisHref?: string | null;
}

/** The headline: which step loses the most finished units, or why no step is named yet. */
export function LeakCallout({ leak, sentence, noLeak, noLeakSentence, diagnosisHref }: LeakCalloutProps) {
  if (leak && sentence) {
    return (
      <Banner tone="warning" title={`Biggest leak: ${leak.fromLabel} → ${leak.toLabel}`}>
        <Text as="p">{sentence}</Text>
        {diagnosisHref ? (
          <Text as="p">
            <Link url={diagnosisHref}>For whom it is worst, and what they did instead</Link>
          </Text>
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
