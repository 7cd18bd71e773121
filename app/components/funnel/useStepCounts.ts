import { useEffect, useState } from "react";
import { draftToInput, type FunnelBuilderProps, type FunnelDraft } from "./FunnelBuilder";

/** Longer than this and the draft would not fit a URL: no live count (the report still counts). */
const MAX_URL_CHARS = 8_000;
const DEBOUNCE_MS = 400;

type CountAnswer = { counts: (number | null)[]; days: number; unit: "session" | "visitor" };

/**
 * The builder's live count: 400 ms after the merchant stops changing the steps, unit or
 * window, asks /app/funnels/count for the draft. A plain fetch (App Bridge adds the
 * session token), not a Remix fetcher: a failed count must only say so beside the steps,
 * never take the page to its error boundary, and a save must not re-run it.
 */
export function useStepCounts(draft: FunnelDraft): FunnelBuilderProps["counts"] {
  const input = draftToInput(draft);
  // Labels do not change a count: left out, so renaming a step asks nothing.
  const key = JSON.stringify({ unit: input.unit, windowMinutes: input.windowMinutes, steps: input.steps.map((s) => ({ label: "step", anyOf: s.anyOf })) });
  const tooLong = key.length * 3 > MAX_URL_CHARS;
  const [answer, setAnswer] = useState<{ key: string; data: CountAnswer | null; error: string | null } | null>(null);
  useEffect(() => {
    if (tooLong) return;
    const controller = new AbortController();
    const timer = setTimeout(async () => {
      try {
        const res = await fetch(`/app/funnels/count?${new URLSearchParams({ draft: key })}`, {
          signal: controller.signal,
          headers: { Accept: "application/json" },
        });
        const body = (await res.json()) as CountAnswer | { error: string };
        setAnswer({ key, data: "error" in body ? null : body, error: "error" in body ? body.error : null });
      } catch (e) {
        if (!controller.signal.aborted) setAnswer({ key, data: null, error: e instanceof Error ? e.message : "count failed" });
      }
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [key, tooLong]);
  if (tooLong) return { values: [], days: 30, unit: draft.unit, loading: false, error: "too large to count while building" };
  const loading = answer?.key !== key;
  if (!answer) return { values: [], days: 30, unit: draft.unit, loading: true, error: null };
  if (answer.error !== null) return { values: [], days: 30, unit: draft.unit, loading, error: answer.error };
  const data = answer.data!;
  // Counts of an older draft stay while the new one is counted, unless steps were added or removed.
  const fresh = data.counts.length === draft.steps.length && data.unit === draft.unit;
  return { values: fresh ? data.counts : [], days: data.days, unit: data.unit, loading, error: null };
}
