import type { RatioRow } from "./stats";

/** What every section gets from bench/run.mts. */
export interface BenchContext {
  quick: boolean;
  /** Repository root. */
  root: string;
  /** Scratch folder for databases, profiles and the build snapshot (.tmp/bench, git-ignored). */
  tmp: string;
  /** Folder holding build/ (a snapshot of the production build) + generated/ to start servers in. */
  appDir: string;
  /** Profile the ingest server in an extra run under `node --cpu-prof` and name the hot spots (off with --no-profile). */
  profile: boolean;
  /** Results one section leaves for a later one (e.g. the HTTP ceiling for the PostgreSQL section). */
  shared: Record<string, unknown>;
  log(message: string): void;
}

/** What a section returns: its rows of the summary table and its part of docs/benchmarks.md. */
export interface SectionResult {
  title: string;
  rows: RatioRow[];
  /** Markdown body (no heading): settings, detailed figures. */
  markdown: string;
  /** Targets missed, and their measured causes (Markdown, one paragraph each); printed after the table too. */
  findings?: string[];
}

export type Section = (ctx: BenchContext) => Promise<SectionResult>;
