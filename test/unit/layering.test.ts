/**
 * The layers between top-level folders (docs/decisions/009-data-layer.md): core imports
 * none of the others, db only core, ingest db and core, app never extensions/, scripts/ or
 * bench/; no import cycle between folders; services never import app/components. Imports
 * are read with TypeScript's own pre-processor (static, dynamic and re-exports, type-only
 * too), from every .ts/.tsx/.mts file of each folder.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../..");
const FOLDERS = ["core", "db", "ingest", "app", "extensions", "scripts", "bench"] as const;
type Folder = (typeof FOLDERS)[number];

/** What each folder may import besides itself. A DAG, so following it cannot make a cycle. */
const ALLOWED: Record<Folder, readonly Folder[]> = {
  core: [],
  db: ["core"],
  ingest: ["db", "core"],
  app: ["ingest", "db", "core"],
  extensions: ["core"],
  scripts: ["app", "ingest", "db", "core", "extensions"],
  bench: ["scripts", "app", "ingest", "db", "core", "extensions"],
};

interface Edge {
  file: string;
  spec: string;
  /** The imported path, relative to the repository root. */
  target: string;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name === "build" || entry.name === "dist" || entry.name.startsWith(".")) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (/\.(ts|tsx|mts)$/.test(entry.name) && !entry.name.endsWith(".d.ts")) out.push(full);
  }
  return out;
}

/** Relative and `~/` imports of one file (packages are not layers). */
function importsOf(file: string): Edge[] {
  const info = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
  const edges: Edge[] = [];
  for (const { fileName: spec } of info.importedFiles) {
    let target: string;
    if (spec.startsWith("~/")) target = path.join(ROOT, "app", spec.slice(2));
    else if (spec.startsWith(".")) target = path.resolve(path.dirname(file), spec);
    else continue;
    edges.push({ file: path.relative(ROOT, file), spec, target: path.relative(ROOT, target) });
  }
  return edges;
}

const folderOf = (relative: string): string => relative.split(path.sep)[0];

/** Every import that crosses from one top-level folder into another. */
function crossings(): Map<Folder, Map<Folder, Edge[]>> {
  const graph = new Map<Folder, Map<Folder, Edge[]>>(FOLDERS.map((f) => [f, new Map()]));
  for (const from of FOLDERS) {
    for (const file of sourceFiles(path.join(ROOT, from))) {
      for (const edge of importsOf(file)) {
        const to = folderOf(edge.target) as Folder;
        if (to === from || !FOLDERS.includes(to)) continue;
        const byTarget = graph.get(from)!;
        byTarget.set(to, [...(byTarget.get(to) ?? []), edge]);
      }
    }
  }
  return graph;
}

/** Cycles of a folder graph, each as the folders along it (first repeated at the end). */
function folderCycles(graph: ReadonlyMap<string, Iterable<string>>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === "open") cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return cycles;
}

const describeEdges = (edges: Edge[]) => edges.map((e) => `${e.file} imports ${e.spec}`);

describe("layers between top-level folders", () => {
  const graph = crossings();

  it("reads the imports it checks (ingest uses db and core, app uses ingest)", () => {
    // Guards the parser: a checker that sees no imports would pass every rule below.
    expect([...graph.get("ingest")!.keys()]).toEqual(expect.arrayContaining(["db", "core"]));
    expect([...graph.get("app")!.keys()]).toEqual(expect.arrayContaining(["ingest", "db", "core"]));
  });

  it("finds a cycle when there is one", () => {
    expect(
      folderCycles(
        new Map([
          ["a", ["b"]],
          ["b", ["c"]],
          ["c", ["a"]],
        ]),
      ),
    ).toEqual([["a", "b", "c", "a"]]);
    expect(
      folderCycles(
        new Map([
          ["a", ["b"]],
          ["b", []],
        ]),
      ),
    ).toEqual([]);
  });

  it("has no import cycle between folders", () => {
    const cycles = folderCycles(new Map([...graph].map(([from, to]) => [from, [...to.keys()]])));
    expect(cycles.map((c) => c.join(" → "))).toEqual([]);
  });

  for (const from of FOLDERS) {
    it(`${from}/ imports only ${ALLOWED[from].join(", ") || "nothing of the others"}`, () => {
      const forbidden = [...graph.get(from)!].filter(([to]) => !ALLOWED[from].includes(to)).flatMap(([, edges]) => edges);
      expect(describeEdges(forbidden)).toEqual([]);
    });
  }

  it("services never import app/components (shared helpers live in app/lib or core)", () => {
    const wrong = sourceFiles(path.join(ROOT, "app/services"))
      .flatMap(importsOf)
      .filter((e) => e.target.startsWith(path.join("app", "components") + path.sep));
    expect(describeEdges(wrong)).toEqual([]);
  });
});

/**
 * Services get what they use from their caller (a route passes `appContext()` or the
 * objects in it; tests and tools pass their own), so none imports the process's Prisma
 * singleton (db/prisma.server) or calls appContext(). The files below still do and are
 * listed until they are moved over; an entry that no longer does fails too, so the list
 * only shrinks.
 */
const SINGLETON_ALLOWED = new Set<string>([]);

/** How a service file reaches for a process singleton, if it does. */
function singletonUses(file: string, text: string): string[] {
  const uses: string[] = [];
  for (const { fileName: spec } of ts.preProcessFile(text, true, true).importedFiles) {
    if (!spec.startsWith(".")) continue;
    const target = path.relative(ROOT, path.resolve(path.dirname(file), spec)).replace(/\.(ts|tsx)$/, "");
    if (target === path.join("db", "prisma.server")) uses.push(`imports ${spec}`);
  }
  if (/\bappContext\s*\(/.test(text.replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, ""))) uses.push("calls appContext()");
  return uses;
}

describe("services are given their dependencies", () => {
  const services = sourceFiles(path.join(ROOT, "app/services")).map((file) => ({
    file,
    name: path.relative(ROOT, file).split(path.sep).join("/"),
    uses: singletonUses(file, readFileSync(file, "utf8")),
  }));

  it("sees a singleton import and an appContext() call", () => {
    const file = path.join(ROOT, "app/services/x.server.ts");
    expect(singletonUses(file, 'import prisma, { dialect } from "../../db/prisma.server";\nconst r = appContext().reports;')).toEqual([
      "imports ../../db/prisma.server",
      "calls appContext()",
    ]);
    expect(singletonUses(file, 'import type { Db } from "../../db/prisma";\n// appContext() is the routes\' job\nexport const f = (db: Db) => db;')).toEqual(
      [],
    );
  });

  it("no service imports db/prisma.server or calls appContext() (outside the allow-list)", () => {
    const wrong = services.filter((s) => s.uses.length > 0 && !SINGLETON_ALLOWED.has(s.name)).map((s) => `${s.name} ${s.uses.join(", ")}`);
    expect(wrong).toEqual([]);
  });

  it("every file on the allow-list still needs it (remove those that were moved over)", () => {
    const names = new Set(services.map((s) => s.name));
    const stale = [...SINGLETON_ALLOWED].filter((name) => !names.has(name) || services.find((s) => s.name === name)!.uses.length === 0);
    expect(stale).toEqual([]);
  });
});
