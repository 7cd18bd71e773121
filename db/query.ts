/**
 * Queries with named parameters (`:shopId`), compiled once per dialect: PostgreSQL gets
 * `$1…$n`, SQLite `?1…?n`, both numbered by first appearance so a name may repeat and
 * appear in any order. When every name appears once, SQLite gets plain `?` instead:
 * numbered `?NNN` made 1,000-row INSERTs ~20× slower per row (bench/, db/executor.ts).
 * One query per file under db/queries/; nothing outside db/ needs to know the dialect's
 * placeholder or literal syntax.
 */
import { dialectOf, type Db } from "./prisma";
import type { Dialect } from "./sql";

/** Parameter values by name. */
export type Params = Record<string, unknown>;

/** One statement: its SQL with `:name` parameters, the same on both databases or one per dialect. */
export interface Query<P extends Params = Params, R = Record<string, unknown>> {
  readonly name: string;
  readonly sql: string | ((dialect: Dialect) => string);
  /** Type only: the parameters and the row the statement answers with. */
  readonly __types?: { params: P; row: R };
}

export function defineQuery<P extends Params, R = Record<string, unknown>>(name: string, sql: Query<P, R>["sql"]): Query<P, R> {
  if (typeof sql === "string") return { name, sql };
  // A text per dialect, built once: builders' statements can be long (multi-row INSERTs).
  const texts = new Map<Dialect, string>();
  return {
    name,
    sql: (dialect) => {
      let text = texts.get(dialect);
      if (text === undefined) texts.set(dialect, (text = sql(dialect)));
      return text;
    },
  };
}

export interface Compiled {
  /** The dialect's SQL text. */
  text: string;
  /** Parameter names in placeholder order ($1 / ?1 is names[0]). */
  names: readonly string[];
}

const compiled = new Map<string, Compiled>();

/**
 * Compiles `:name` parameters for `dialect`. Skipped: string literals, quoted identifiers,
 * comments and PostgreSQL's `::type` casts. Compiled texts are kept (the same few
 * statements run again and again).
 */
export function compileSql(sql: string, dialect: Dialect): Compiled {
  const key = `${dialect}\u0000${sql}`;
  const hit = compiled.get(key);
  if (hit) return hit;
  const names: string[] = [];
  const index = new Map<string, number>();
  let repeated = false;
  const parts: (string | number)[] = [];
  let last = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    if (c === "'" || c === '"') {
      const end = sql.indexOf(c, i + 1);
      i = end < 0 ? sql.length : end + 1;
    } else if (c === "-" && sql[i + 1] === "-") {
      const end = sql.indexOf("\n", i);
      i = end < 0 ? sql.length : end + 1;
    } else if (c === "/" && sql[i + 1] === "*") {
      const end = sql.indexOf("*/", i + 2);
      i = end < 0 ? sql.length : end + 2;
    } else if (c === ":" && sql[i + 1] === ":") {
      i += 2;
    } else if (c === ":" && /[A-Za-z_]/.test(sql[i + 1] ?? "")) {
      let end = i + 1;
      while (end < sql.length && /[A-Za-z0-9_]/.test(sql[end])) end++;
      const name = sql.slice(i + 1, end);
      let n = index.get(name);
      if (n === undefined) {
        n = names.push(name);
        index.set(name, n);
      } else repeated = true;
      parts.push(sql.slice(last, i), n);
      last = i = end;
    } else i++;
  }
  parts.push(sql.slice(last));
  const placeholder = dialect === "postgres" ? (n: number) => `$${n}` : repeated ? (n: number) => `?${n}` : () => "?";
  const text = parts.map((p) => (typeof p === "number" ? placeholder(p) : p)).join("");
  const result: Compiled = { text, names };
  if (compiled.size >= 500) compiled.clear();
  compiled.set(key, result);
  return result;
}

/** The statement's text for `dialect` and its values in placeholder order; a missing parameter throws. */
export function bindQuery<P extends Params>(query: Query<P, unknown>, dialect: Dialect, params: P): { text: string; values: unknown[] } {
  const { text, names } = compiledFor(query, dialect);
  const values = new Array<unknown>(names.length);
  for (let i = 0; i < names.length; i++) {
    const value = params[names[i]];
    if (value === undefined || !Object.hasOwn(params, names[i])) throw new Error(`query ${query.name}: parameter :${names[i]} is missing`);
    values[i] = value;
  }
  return { text, values };
}

// Each query's compiled text per dialect, by the query itself: a multi-row INSERT's text is
// long, and looking it up by its text would hash all of it on every run.
const byQuery = new WeakMap<object, Partial<Record<Dialect, Compiled>>>();
function compiledFor(query: Query<Params, unknown>, dialect: Dialect): Compiled {
  let entry = byQuery.get(query);
  if (!entry) byQuery.set(query, (entry = {}));
  return (entry[dialect] ??= compileSql(typeof query.sql === "string" ? query.sql : query.sql(dialect), dialect));
}

/** Prisma's client or one of its transactions: what raw queries need. */
export interface RawClient {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
}

/** Runs a query on Prisma's connection and answers its rows. */
export async function queryRows<P extends Params, R>(db: RawClient, dialect: Dialect, query: Query<P, R>, params: P): Promise<R[]> {
  const { text, values } = bindQuery(query, dialect, params);
  return db.$queryRawUnsafe<R[]>(text, ...values);
}

/** Runs a statement on Prisma's connection and answers the number of rows it changed. */
export async function executeQuery<P extends Params>(db: RawClient, dialect: Dialect, query: Query<P, unknown>, params: P): Promise<number> {
  const { text, values } = bindQuery(query, dialect, params);
  return db.$executeRawUnsafe(text, ...values);
}

/** A raw-SQL reader: the executor, one of its transactions, or a report reader (db/executor.ts). */
export interface QueryRunner {
  readonly dialect: Dialect;
  query<T = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<T[]>;
}

/** A raw-SQL writer: the executor or one of its transactions. */
export interface StatementRunner {
  readonly dialect: Dialect;
  execute(sql: string, ...params: unknown[]): Promise<number>;
}

/** Runs a query on the executor, a transaction or a reader, and answers its rows. */
export async function readRows<P extends Params, R>(on: QueryRunner, query: Query<P, R>, params: P): Promise<R[]> {
  const { text, values } = bindQuery(query, on.dialect, params);
  return on.query<R>(text, ...values);
}

/** Runs a statement on the executor or a transaction, and answers the number of rows it changed. */
export async function runStatement<P extends Params>(on: StatementRunner, query: Query<P, unknown>, params: P): Promise<number> {
  const { text, values } = bindQuery(query, on.dialect, params);
  return on.execute(text, ...values);
}

/**
 * Runs a multi-row statement whose only parameters are `rowsList(columns, rows.length)`
 * (db/sql.ts), binding the rows' values in order: their names are row-major, so no
 * parameter object is built (30,000 names cost several times the statement's own binding).
 */
export async function runRows<C extends string>(
  on: StatementRunner,
  query: Query<Params, unknown>,
  columns: readonly C[],
  rows: readonly Record<C, unknown>[],
): Promise<number> {
  const { text, names } = compiledFor(query, on.dialect);
  if (names.length !== rows.length * columns.length || names[0] !== `${columns[0]}0`)
    throw new Error(`query ${query.name}: not ${rows.length} rows of the given columns`);
  const values = new Array<unknown>(names.length);
  let i = 0;
  for (const row of rows) for (const c of columns) values[i++] = row[c];
  return on.execute(text, ...values);
}

/** queryRows on a client made by createDb (its dialect is known). */
export function rowsOf<P extends Params, R>(db: Db, query: Query<P, R>, params: P): Promise<R[]> {
  return queryRows(db, dialectOf(db), query, params);
}

/** executeQuery on a client made by createDb (its dialect is known). */
export function executeOn<P extends Params>(db: Db, query: Query<P, unknown>, params: P): Promise<number> {
  return executeQuery(db, dialectOf(db), query, params);
}
