/**
 * A run of some sections (`--only`, `--skip`) updates docs/benchmarks.md in place: those
 * sections' summary rows, findings and text are replaced (or added), every other section's
 * stay as the earlier run wrote them. Pure (tested in test/unit/bench-doc-merge.test.ts).
 */

export const SUMMARY_TITLE = "Summary";
export const FINDINGS_TITLE = "Findings: gaps and their causes";
export const HOW_TO_RUN_TITLE = "How to run";

interface Part {
  title: string;
  /** The lines after the heading, up to the next level-2 heading. */
  body: string;
}

/** The text before the first level-2 heading, then each "## Title" part in order. */
export function splitParts(md: string): { head: string; parts: Part[] } {
  const head: string[] = [];
  const parts: { title: string; lines: string[] }[] = [];
  let fence = false;
  for (const line of md.split("\n")) {
    if (line.startsWith("```")) fence = !fence;
    if (!fence && line.startsWith("## ")) parts.push({ title: line.slice(3).trim(), lines: [] });
    else (parts.at(-1)?.lines ?? head).push(line);
  }
  return { head: head.join("\n"), parts: parts.map((p) => ({ title: p.title, body: p.lines.join("\n") })) };
}

export interface SectionUpdate {
  /** Titles of every section in the order the full run writes them. */
  order: readonly string[];
  /** The sections of this run: their summary rows (Markdown table lines), findings (Markdown list items) and text. */
  sections: readonly { title: string; summaryLines: readonly string[]; findingLines: readonly string[]; body: string }[];
  /** The summary table's header and separator lines, for a document that has none. */
  summaryHeader: readonly string[];
  howToRun: string;
}

const firstCell = (line: string) =>
  line
    .replace(/^\|\s*/, "")
    .split(" | ")[0]
    .trim();
const findingTitle = (line: string) => /^- \*\*(.+?)\*\*:/.exec(line)?.[1] ?? null;

/** Orders items by their section's place in `order` (unknown sections last), keeping the order within one. */
function bySection<T>(items: readonly T[], titleOf: (item: T) => string | null, order: readonly string[]): T[] {
  const rank = (t: string | null) => {
    const i = t === null ? -1 : order.indexOf(t);
    return i === -1 ? order.length : i;
  };
  return items
    .map((item, i) => ({ item, i, r: rank(titleOf(item)) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.item);
}

/** `existing` with the sections of `update` replaced or added; everything else unchanged. */
export function mergeSections(existing: string, update: SectionUpdate): string {
  const { head, parts } = splitParts(existing);
  const ran = new Set(update.sections.map((s) => s.title));
  const rankOf = (title: string) => update.order.indexOf(title);

  // Summary: the table's rows of other sections, then this run's, in section order.
  const summary = parts.find((p) => p.title === SUMMARY_TITLE);
  const summaryLines = summary ? summary.body.split("\n").filter((l) => l.startsWith("|")) : [];
  const header = summaryLines.length >= 2 ? summaryLines.slice(0, 2) : [...update.summaryHeader];
  const rows = bySection(
    [...summaryLines.slice(2).filter((l) => !ran.has(firstCell(l))), ...update.sections.flatMap((s) => s.summaryLines)],
    firstCell,
    update.order,
  );
  const summaryBody = ["", ...header, ...rows, ""].join("\n");

  const findings = parts.find((p) => p.title === FINDINGS_TITLE);
  const kept = findings ? findings.body.split("\n").filter((l) => l.startsWith("- ") && !ran.has(findingTitle(l) ?? "")) : [];
  const findingLines = bySection([...kept, ...update.sections.flatMap((s) => s.findingLines)], findingTitle, update.order);

  const out: Part[] = [];
  for (const p of parts) {
    if (p.title === SUMMARY_TITLE) {
      out.push({ title: p.title, body: summaryBody });
      if (!findings && findingLines.length) out.push({ title: FINDINGS_TITLE, body: ["", ...findingLines, ""].join("\n") });
    } else if (p.title === FINDINGS_TITLE) {
      if (findingLines.length) out.push({ title: p.title, body: ["", ...findingLines, ""].join("\n") });
    } else if (p.title === HOW_TO_RUN_TITLE) {
      out.push({ title: p.title, body: update.howToRun });
    } else if (!ran.has(p.title)) {
      out.push(p);
    }
  }
  if (!summary) out.unshift({ title: SUMMARY_TITLE, body: summaryBody });
  // This run's sections: each where the full run would put it (before the first later section or How to run).
  for (const s of update.sections) {
    const at = out.findIndex((p) => p.title === HOW_TO_RUN_TITLE || (rankOf(p.title) > rankOf(s.title) && rankOf(p.title) !== -1));
    const part = { title: s.title, body: s.body };
    if (at === -1) out.push(part);
    else out.splice(at, 0, part);
  }
  if (!out.some((p) => p.title === HOW_TO_RUN_TITLE)) out.push({ title: HOW_TO_RUN_TITLE, body: update.howToRun });
  return [head, ...out.map((p) => `## ${p.title}\n${p.body}`)].join("\n");
}
