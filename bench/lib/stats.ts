/**
 * Pure helpers of the benchmark harness: percentiles, number formatting and the one
 * table of ratios `npm run bench` prints and writes to docs/benchmarks.md.
 * No I/O here (tested in test/unit/bench-stats.test.ts).
 */

/** Nearest-rank percentile (p in 0..100) of the values; null for none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be in 0..100, got ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

/** The middle value (mean of the two middle ones for an even count); null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** ours ÷ baseline, null when either side is missing or the baseline is 0. */
export function ratio(ours: number | null | undefined, baseline: number | null | undefined): number | null {
  if (ours === null || ours === undefined || baseline === null || baseline === undefined) return null;
  if (!Number.isFinite(ours) || !Number.isFinite(baseline) || baseline === 0) return null;
  return ours / baseline;
}

const group = (n: number, digits = 0) => n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** 12,345 (rounded). */
export function fmtInt(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? "—" : group(Math.round(n));
}

/** 0.8 ms, 12.3 ms, 245 ms, 1.23 s, 75.4 s. */
export function fmtMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "—";
  const abs = Math.abs(ms);
  if (abs >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (abs >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (abs >= 100) return `${ms.toFixed(0)} ms`;
  return `${ms.toFixed(1)} ms`;
}

/** 812 B, 6.9 KB, 2.31 MB (1 KB = 1024 bytes). */
export function fmtBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return "—";
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 2 : 1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MB`;
}

/** 0.42×, 1.7×, 12×. */
export function fmtRatio(r: number | null | undefined): string {
  if (r === null || r === undefined || !Number.isFinite(r)) return "—";
  if (r >= 10) return `${r.toFixed(0)}×`;
  if (r >= 1) return `${r.toFixed(2)}×`;
  return `${r.toFixed(3)}×`;
}

/** A plain number with a few significant digits: 0.0123, 0.412, 3.5, 1,234. */
export function fmtNum(n: number | null | undefined, digits = 3): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return "—";
  if (Math.abs(n) >= 1000) return group(n);
  return Number(n.toPrecision(digits)).toString();
}

/** One line of the summary: a measurement, what it is compared with, and the target. */
export interface RatioRow {
  section: string;
  metric: string;
  /** Our figure, formatted. */
  ours: string;
  /** The baseline or budget it is divided by, formatted ("" when none). */
  baseline: string;
  /** ours ÷ baseline (or the figure the target is about), null when not measured. */
  ratio: number | null;
  /** The target in words ("≥ 0.5×", "≤ 50 ms"), "" when none. */
  target: string;
  /** Target met? null: no target, or not measured. */
  pass: boolean | null;
}

export const SUMMARY_HEADERS = ["section", "metric", "ours", "baseline / budget", "ratio", "target", "met"];

export function passMark(pass: boolean | null): string {
  return pass === null ? "" : pass ? "yes" : "NO";
}

export function summaryCells(rows: readonly RatioRow[]): string[][] {
  return rows.map((r) => [r.section, r.metric, r.ours, r.baseline, fmtRatio(r.ratio), r.target, passMark(r.pass)]);
}

/** Width in terminal columns (the formatted cells are BMP text; × and ≤ are one column). */
const width = (s: string) => [...s].length;

/** A fixed-width text table for the terminal. */
export function textTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ""))));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c + " ".repeat(widths[i] - width(c)))
      .join("  ")
      .trimEnd();
  return [line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/** Escapes a cell for a Markdown table. */
export function mdCell(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** A GitHub-flavoured Markdown table. */
export function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  return [
    `| ${headers.map(mdCell).join(" | ")} |`,
    `|${headers.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${headers.map((_, i) => mdCell(r[i] ?? "")).join(" | ")} |`),
  ].join("\n");
}

/** Command-line flags of `npm run bench`. */
export interface BenchFlags {
  quick: boolean;
  /** Sections to run (all when none are named). */
  sections: string[];
  skipBuild: boolean;
  /** Profile the ingest server (a separate run under node --cpu-prof); on unless --no-profile. */
  profile: boolean;
  /** Write docs/benchmarks.md (default) or only print. */
  write: boolean;
  help: boolean;
}

export const SECTION_NAMES = ["ingest", "ingest-pg", "storefront", "admin", "report", "first-report", "diagnosis"] as const;
export type SectionName = (typeof SECTION_NAMES)[number];

/**
 * Parses `--quick`, `--only=a,b` / `--only a,b`, bare section names, `--skip=a`,
 * `--skip-build`, `--no-profile`, `--no-write`, `--help`. Throws on unknown input.
 */
export function parseFlags(argv: readonly string[]): BenchFlags {
  const flags: BenchFlags = { quick: false, sections: [], skipBuild: false, profile: true, write: true, help: false };
  const skip = new Set<string>();
  const names = (list: string) =>
    list
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s) => {
        if (!(SECTION_NAMES as readonly string[]).includes(s)) throw new Error(`unknown section "${s}" (sections: ${SECTION_NAMES.join(", ")})`);
        return s;
      });
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [key, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = () => inline ?? argv[++i] ?? "";
    switch (key) {
      case "--quick":
        flags.quick = true;
        break;
      case "--only":
        flags.sections.push(...names(value()));
        break;
      case "--skip":
        for (const s of names(value())) skip.add(s);
        break;
      case "--skip-build":
        flags.skipBuild = true;
        break;
      case "--profile":
        flags.profile = true;
        break;
      case "--no-profile":
        flags.profile = false;
        break;
      case "--no-write":
        flags.write = false;
        break;
      case "--help":
      case "-h":
        flags.help = true;
        break;
      default:
        if (arg.startsWith("-")) throw new Error(`unknown flag ${arg} (see npm run bench -- --help)`);
        flags.sections.push(...names(arg));
    }
  }
  const chosen = flags.sections.length > 0 ? SECTION_NAMES.filter((s) => flags.sections.includes(s)) : [...SECTION_NAMES];
  flags.sections = chosen.filter((s) => !skip.has(s));
  return flags;
}

/** A size from the environment ("10_000_000", "1e6", "250k", "10M"), else the fallback. */
export function sizeFromEnv(raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw.trim() === "") return fallback;
  const m = /^\s*([\d_.]+(?:e\d+)?)\s*([kKmM]?)\s*$/.exec(raw);
  if (!m) throw new Error(`not a size: "${raw}" (examples: 1000000, 1e6, 250k, 10M)`);
  const n = Number(m[1].replace(/_/g, "")) * (m[2] === "" ? 1 : m[2].toLowerCase() === "k" ? 1e3 : 1e6);
  if (!Number.isFinite(n) || n < 0) throw new Error(`not a size: "${raw}"`);
  return Math.round(n);
}
