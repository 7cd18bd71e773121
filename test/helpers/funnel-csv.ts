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

/** True for a row of the leading "# key,value" block that describes the table. */
const isMeta = (row: string[]) => row[0]?.startsWith("# ") ?? false;

/** The leading "# key,value" rows as { key: value } (keys without the "# "). */
export function csvMeta(text: string): Record<string, string> {
  const rows = parseCsv(text);
  const meta: Record<string, string> = {};
  for (const row of rows) {
    if (!isMeta(row)) break;
    meta[row[0].slice(2)] = row[1] ?? "";
  }
  return meta;
}

/** CSV rows as objects keyed by the header row (the first row after the "# " block). */
export function csvRecords(text: string): Record<string, string>[] {
  const all = parseCsv(text);
  const start = all.findIndex((r) => !isMeta(r));
  if (start < 0) return [];
  if (all.slice(start).some(isMeta)) throw new Error("a \"# \" row after the header block");
  const [header, ...rows] = all.slice(start);
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ""])));
}

/** A rate (fraction or null) as the CSV writes it: percent with 2 decimals, empty for null. */
export function pctCell(rate: number | null): string {
  return rate === null ? "" : String(Number((rate * 100).toFixed(2)));
}
