/**
 * The app's CSV writer, pure. CSV per RFC 4180 (CRLF line ends, fields with `"` `,` CR or LF quoted, quotes doubled),
 * safe to open in a spreadsheet: a text cell starting with = + - @ TAB or CR is
 * prefixed with an apostrophe so it is shown as text, never run as a formula (OWASP
 * "CSV injection"). Numbers are written as numbers.
 */
export type CsvCell = string | number | null;

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: CsvCell): string {
  if (value === null) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows → CSV text with a header row first; every record ends in CRLF. */
export function toCsv(rows: readonly (readonly CsvCell[])[]): string {
  return rows.map((r) => r.map(csvCell).join(",")).join("\r\n") + "\r\n";
}

/** A CSV file: UTF-8 BOM (so Excel reads non-ASCII labels right), then the rows. */
export function csvFile(rows: readonly (readonly CsvCell[])[]): string {
  return `\uFEFF${toCsv(rows)}`;
}

/** One column of a table: its name and how a row gives its cell. */
export type CsvColumn<R> = readonly [name: string, cell: (row: R) => CsvCell];

/** A table from its column list: the names, then one row of cells per item. */
export function csvTable<R>(columns: readonly CsvColumn<R>[], rows: readonly R[]): CsvCell[][] {
  return [columns.map(([name]) => name), ...rows.map((r) => columns.map(([, cell]) => cell(r)))];
}

/** What a report CSV holds, written as its first rows (see `reportCsv`). */
export interface CsvReportMeta {
  /** "Insights: micro-conversion value", "Experiments", … */
  report: string;
  /** What one counted thing is: "visitor", "session". */
  unit: string;
  /** The counting window in words ("micro step before the visitor's first goal, within the range"). */
  window: string;
  /** First and last local day included, YYYY-MM-DD. */
  from: string;
  to: string;
  timeZone: string;
  /** Epoch ms; written as ISO 8601 UTC. */
  generatedAt: number;
  /** Further key/value rows (settings, the funnel read, …), after the standard ones. */
  extra?: readonly (readonly [string, CsvCell])[];
}

/**
 * The header block: one "Key,value" row per fact, then an empty row. Plain two-column
 * rows (no "#" comments) so every spreadsheet and CSV parser reads them as data; the
 * table starts after the first empty row.
 */
export function csvHeaderBlock(meta: CsvReportMeta): CsvCell[][] {
  return [
    ["Report", meta.report],
    ["Unit", meta.unit],
    ["Window", meta.window],
    ["Range", `${meta.from} to ${meta.to}`],
    ["Time zone", meta.timeZone],
    ["Generated at", new Date(meta.generatedAt).toISOString()],
    ...(meta.extra ?? []).map(([k, v]) => [k, v]),
    [],
  ];
}

/**
 * A report download, the app's one way to write one: a CSV file (`csvFile`) of the header
 * block, then the table (its first row the column names).
 */
export function reportCsv(meta: CsvReportMeta, table: readonly (readonly CsvCell[])[]): string {
  return csvFile([...csvHeaderBlock(meta), ...table]);
}

/** A report CSV split back into its header block (key → value) and its table. */
export function parseReportCsv(text: string): { meta: Record<string, string>; table: string[][] } {
  const rows = parseCsv(text);
  const blank = rows.findIndex((r) => r.length === 1 && r[0] === "");
  if (blank < 0) throw new Error("no empty row after the header block");
  return { meta: Object.fromEntries(rows.slice(0, blank).map((r) => [r[0], r[1] ?? ""])), table: rows.slice(blank + 1) };
}

/** Parses RFC 4180 text back into rows (for tests and round trips); a leading BOM is skipped. */
export function parseCsv(input: string): string[][] {
  const text = input.startsWith("\uFEFF") ? input.slice(1) : input;
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else field += c;
  }
  if (field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
