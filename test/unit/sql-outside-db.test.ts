/**
 * SQL lives in db/ alone (docs/decisions/009-data-layer.md): outside it, in app/, ingest/,
 * scripts/ and server.ts, no file branches on the database's dialect, holds raw SQL text in
 * a string or template, or calls Prisma's raw-query methods. Callers run the statements of
 * db/queries through readRows / runStatement / rowsOf. Tests and bench/ may (they plant
 * data and inspect plans). Files are read with TypeScript's own parser, so comments never
 * count and every string and template does.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../..");
const CHECKED = ["app", "ingest", "scripts", "server.ts"];

/**
 * Files that still hold raw SQL, with why. Pending: other branches move their SQL into
 * db/queries right now; the lead empties these entries after merging them (an entry whose
 * file is clean fails the test, so none outlives its reason).
 */
const ALLOWED: Record<string, string> = {
  // Migration tooling: a connection pragma and Prisma's own migrations table, run before
  // the schema the queries assume exists.
  "scripts/lib/migrate.ts": "migration tooling",
  "scripts/lib/pg-migrate.ts": "migration tooling",
};

const DIALECTS = new Set(["sqlite", "postgres", "postgresql"]);
const RAW_SQL = /\bSELECT\b[\s\S]*\bFROM\b|\bINSERT\s+INTO\b|\bDELETE\s+FROM\b|\bUPDATE\s+"/;
const RAW_METHOD = /^\$(queryRaw|executeRaw)/;

/** What in one file's source breaks the rule, as "line: what". */
export function sqlViolations(fileName: string, source: string): string[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, fileName.endsWith(".tsx") ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const found: string[] = [];
  const at = (node: ts.Node, what: string) => found.push(`${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${what}`);
  const isDialectLiteral = (n: ts.Node) => ts.isStringLiteralLike(n) && DIALECTS.has(n.text);
  const namesDialect = (n: ts.Node) => (ts.isIdentifier(n) && /dialect$/i.test(n.text)) || (ts.isPropertyAccessExpression(n) && /dialect$/i.test(n.name.text));
  const visit = (node: ts.Node) => {
    if (ts.isBinaryExpression(node)) {
      const op = node.operatorToken.kind;
      const equality = [
        ts.SyntaxKind.EqualsEqualsEqualsToken,
        ts.SyntaxKind.ExclamationEqualsEqualsToken,
        ts.SyntaxKind.EqualsEqualsToken,
        ts.SyntaxKind.ExclamationEqualsToken,
      ].includes(op);
      if (equality && [node.left, node.right].some((n) => isDialectLiteral(n) || namesDialect(n))) at(node, `dialect check: ${node.getText(file)}`);
    } else if (ts.isCaseClause(node) && isDialectLiteral(node.expression)) {
      at(node, `dialect check: case ${node.expression.getText(file)}`);
    } else if (ts.isStringLiteralLike(node) || ts.isTemplateExpression(node)) {
      const text = ts.isTemplateExpression(node) ? [node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join(" … ") : node.text;
      if (RAW_SQL.test(text)) at(node, `raw SQL: ${text.replace(/\s+/g, " ").slice(0, 80)}`);
      if (ts.isTemplateExpression(node)) node.templateSpans.forEach((s) => visit(s.expression));
      return;
    } else if ((ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) && RAW_METHOD.test(node.text)) {
      at(node, `raw query method: ${node.text}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

function sourceFiles(entry: string): string[] {
  const full = path.join(ROOT, entry);
  if (!existsSync(full)) return [];
  if (
    !readdirSync(path.dirname(full), { withFileTypes: true })
      .find((d) => d.name === path.basename(full))
      ?.isDirectory()
  )
    return [entry];
  return readdirSync(full, { withFileTypes: true }).flatMap((d) => {
    if (d.name === "node_modules" || d.name.startsWith(".")) return [];
    const child = path.join(entry, d.name);
    if (d.isDirectory()) return sourceFiles(child);
    return /\.(ts|tsx|mts)$/.test(d.name) && !d.name.endsWith(".d.ts") ? [child] : [];
  });
}

describe("SQL outside db/", () => {
  const files = CHECKED.flatMap(sourceFiles);
  const violations = new Map(files.map((f) => [f, sqlViolations(f, readFileSync(path.join(ROOT, f), "utf8"))]));

  it("finds each kind of violation (guards the checker: one that saw nothing would pass)", () => {
    const planted = [
      `const flag = dialect === "sqlite" ? "0" : "false";`,
      `if (exec.dialect !== other) run();`,
      `switch (kind) { case "postgres": break; }`,
      'const q = `SELECT ${cols}\n FROM "Event" WHERE x = $1`;',
      `const d = 'DELETE FROM "Funnel"';`,
      'const u = `UPDATE "Funnel" SET a = 1`;',
      `await db.$queryRawUnsafe(text);`,
      `await db.$executeRaw\`VACUUM\`;`,
    ];
    for (const line of planted) expect(sqlViolations("planted.ts", line), line).toHaveLength(1);
    // Prose, comments and other comparisons are not SQL.
    const clean = [
      `// SELECT "id" FROM "Funnel" === "sqlite"`,
      `const label = "Select a product from the list";`,
      `if (provider === "pg") run();`,
      `const names = ["sqlite", "postgres"];`,
    ];
    for (const line of clean) expect(sqlViolations("clean.ts", line), line).toEqual([]);
  });

  it("reads the files it checks", () => {
    expect(files).toEqual(expect.arrayContaining(["server.ts", "ingest/writer.server.ts", "app/services/funnel-results/read.server.ts"]));
  });

  it("no file outside db/ branches on the dialect, holds raw SQL or calls Prisma's raw queries", () => {
    const wrong = [...violations].filter(([f, v]) => v.length > 0 && !(f in ALLOWED)).flatMap(([f, v]) => v.map((w) => `${f}:${w}`));
    expect(wrong).toEqual([]);
  });

  it("every allowed file still needs its entry (remove the entries of files made clean)", () => {
    const stale = Object.keys(ALLOWED).filter((f) => (violations.get(f) ?? []).length === 0);
    expect(stale).toEqual([]);
  });
});
