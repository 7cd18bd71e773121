import { Suspense, useEffect, useRef, useState, type ReactNode } from "react";
import { Await, useAsyncError, useRevalidator } from "@remix-run/react";
import { Banner, BlockStack, Card, SkeletonBodyText, SkeletonDisplayText, Text } from "@shopify/polaris";

/**
 * The diagnosis the report page streams after the report (the loader defers it): its
 * figures, or `edited` when the funnel was edited after the report was read, so the rows
 * the diagnosis read may belong to the new definition (decision 010).
 */
export type StreamedDiagnosisValue<T> = ({ edited: false } & T) | { edited: true };

export interface DiagnosisStreamProps<T> {
  /** The loader's deferred diagnosis. */
  resolve: Promise<StreamedDiagnosisValue<T>>;
  /**
   * Identifies the report (funnel, version, parameters): while the same report reloads
   * (the rebuilding page reloads itself), the cards already shown stay until the new ones
   * arrive instead of turning back into the placeholder.
   */
  reportKey: string;
  /** "Carted → Checked out": the step being diagnosed, for the placeholder's sentence. */
  stepText: string;
  /** "sessions" or "visitors". */
  noun: string;
  children: (value: T) => ReactNode;
}

/**
 * "For whom" and "what they did instead", streamed: a placeholder saying what is being
 * computed, then the cards (with their actions), or a banner when the diagnosis failed —
 * the rest of the report is complete either way.
 */
export function DiagnosisStream<T>({ resolve, reportKey, stepText, noun, children }: DiagnosisStreamProps<T>) {
  const last = useRef<{ key: string; value: T } | null>(null);
  const fallback = last.current?.key === reportKey ? children(last.current.value) : <DiagnosisPlaceholder stepText={stepText} noun={noun} />;
  return (
    <Suspense fallback={fallback}>
      <Await resolve={resolve} errorElement={<DiagnosisFailed />}>
        {(v: StreamedDiagnosisValue<T>) =>
          v.edited ? (
            <DiagnosisEdited />
          ) : (
            <Shown
              value={v as T}
              onShown={(value) => {
                last.current = { key: reportKey, value };
              }}
            >
              {children}
            </Shown>
          )
        }
      </Await>
    </Suspense>
  );
}

function Shown<T>({ value, onShown, children }: { value: T; onShown: (value: T) => void; children: (value: T) => ReactNode }) {
  useEffect(() => {
    onShown(value);
  }, [value, onShown]);
  return <>{children(value)}</>;
}

/** True once `p` settled (or when there is none): the page waits for it before reloading itself. */
export function useSettled(p: Promise<unknown> | null): boolean {
  const [settled, setSettled] = useState<Promise<unknown> | null>(null);
  useEffect(() => {
    if (!p) return;
    let live = true;
    const done = () => {
      if (live) setSettled(p);
    };
    p.then(done, done);
    return () => {
      live = false;
    };
  }, [p]);
  return p === null || settled === p;
}

/** Shaped like the two cards (headings, a few lines each), so little moves when they arrive. */
export function DiagnosisPlaceholder({ stepText, noun }: { stepText: string; noun: string }) {
  return (
    <div data-testid="diagnosis-pending" aria-busy="true">
      <BlockStack gap="400">
        <Card>
          <BlockStack gap="300">
            <Text as="h2" variant="headingMd">
              For whom is this step worst?
            </Text>
            <Text as="p" tone="subdued">
              {`Finding for whom ${stepText} loses most… and what those ${noun} did instead.`}
            </Text>
            <SkeletonDisplayText size="small" />
            <SkeletonBodyText lines={4} />
          </BlockStack>
        </Card>
        <Card>
          <BlockStack gap="300">
            <Text as="h2" variant="headingMd">
              What did they do instead?
            </Text>
            <SkeletonBodyText lines={6} />
          </BlockStack>
        </Card>
      </BlockStack>
    </div>
  );
}

/**
 * The deferred diagnosis was rejected (logged on the server with its cause). In a
 * production build the browser only learns that it failed ("Unexpected Server Error"),
 * or that the server gave up waiting ("Server timeout.": the stream's abort delay).
 */
function DiagnosisFailed() {
  const error = useAsyncError();
  const { revalidate, state } = useRevalidator();
  const timedOut = error instanceof Error && /timeout/i.test(error.message);
  return (
    <div data-testid="diagnosis-failed">
      <Banner tone="critical" title="The diagnosis could not be computed" action={{ content: "Try again", onAction: revalidate, loading: state === "loading" }}>
        <p>
          {`The diagnosis could not be computed: ${timedOut ? "it took too long" : "an error on our side stopped it (it is logged on the server)"}. The figures above are complete and not affected.`}
        </p>
      </Banner>
    </div>
  );
}

function DiagnosisEdited() {
  const { revalidate, state } = useRevalidator();
  return (
    <div data-testid="diagnosis-edited">
      <Banner
        tone="warning"
        title="This funnel was edited while its diagnosis was read"
        action={{ content: "Reload the report", onAction: revalidate, loading: state === "loading" }}
      >
        <p>
          The diagnosis is not shown, as it could mix the old and the new definition. Reload to see the report and its diagnosis for the definition now saved.
        </p>
      </Banner>
    </div>
  );
}
