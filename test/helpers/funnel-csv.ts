/**
 * An RFC 4180 reader for the CSV exports, written independently of the app's writer:
 * quoted fields with doubled quotes, CRLF or LF line ends, a leading UTF-8 BOM ignored.
 */
export function parseCsv(text: string): string[][] {
  const s = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') {
        quoted = false;
        i++;
        continue;
      }
      field += c;
      i++;
      continue;
    }
    if (c === '"' && field === "") {
      quoted = true;
      i++;
    } else if (c === ",") {
      row.push(field);
      field = "";
      i++;
    } else if (c === "\r" || c === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i += c === "\r" && s[i + 1] === "\n" ? 2 : 1;
    } else {
      field += c;
      i++;
    }
  }
  if (field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Index of the empty row that ends the header block (every report CSV has one). */
function blockEnd(rows: string[][]): number {
  const blank = rows.findIndex((r) => r.length === 1 && r[0] === "");
  if (blank < 0) throw new Error("no empty row after the header block");
  return blank;
}

/** The header block's "Key,value" rows as { key: value }, keys as snake_case ("Time zone" → time_zone). */
export function csvMeta(text: string): Record<string, string> {
  const rows = parseCsv(text);
  const key = (k: string) =>
    k
      .trim()
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "_");
  return Object.fromEntries(rows.slice(0, blockEnd(rows)).map((r) => [key(r[0]), r[1] ?? ""]));
}

/** CSV rows as objects keyed by the header row (the first row after the header block). */
export function csvRecords(text: string): Record<string, string>[] {
  const all = parseCsv(text);
  const [header, ...rows] = all.slice(blockEnd(all) + 1);
  if (!header) return [];
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ""])));
}

/** A rate (fraction or null) as the CSV writes it: percent with 2 decimals, empty for null. */
export function pctCell(rate: number | null): string {
  return rate === null ? "" : String(Number((rate * 100).toFixed(2)));
}
