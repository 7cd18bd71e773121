import { useFetcher } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { draftToInput, type FunnelBuilderProps, type FunnelDraft } from "./FunnelBuilder";

/** Longer than this and the draft would not fit a URL: no live count (the report still counts). */
const MAX_URL_CHARS = 8_000;
const DEBOUNCE_MS = 400;

type CountAnswer = { counts: (number | null)[]; days: number; unit: "session" | "visitor" } | { error: string };

/**
 * The builder's live count: 400 ms after the merchant stops changing the steps, unit or
 * window, asks /app/funnels/count for the draft (a fetcher, so the page is not reloaded).
 */
export function useStepCounts(draft: FunnelDraft): FunnelBuilderProps["counts"] {
  const fetcher = useFetcher<CountAnswer>();
  const { load } = fetcher;
  const input = draftToInput(draft);
  // Labels do not change a count: left out, so renaming a step asks nothing.
  const key = JSON.stringify({ unit: input.unit, windowMinutes: input.windowMinutes, steps: input.steps.map((s) => ({ label: "step", anyOf: s.anyOf })) });
  const tooLong = key.length * 3 > MAX_URL_CHARS;
  const asked = useRef<string | null>(null);
  useEffect(() => {
    if (tooLong) return;
    const timer = setTimeout(() => {
      asked.current = key;
      load(`/app/funnels/count?${new URLSearchParams({ draft: key })}`);
    }, DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [key, tooLong, load]);
  const data = fetcher.data;
  const loading = fetcher.state !== "idle" || asked.current !== key;
  if (tooLong) return { values: [], days: 30, unit: draft.unit, loading: false, error: "too large to count while building" };
  if (!data) return { values: [], days: 30, unit: draft.unit, loading: true, error: null };
  if ("error" in data) return { values: [], days: 30, unit: draft.unit, loading, error: data.error };
  // Counts of an older draft are shown while the new one is counted, unless steps moved.
  const fresh = data.counts.length === draft.steps.length && data.unit === draft.unit;
  return { values: fresh ? data.counts : [], days: data.days, unit: data.unit, loading, error: null };
}
