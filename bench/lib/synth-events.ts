/**
 * Large deterministic data sets for the report and admin benchmarks: one shop's
 * visitors, their sessions (stored as ingestion stores them: `${clientId}:${startTs}`,
 * ≤ 30 minutes between events, > 30 minutes between a visitor's sessions) and ~10 events
 * per session, with a purchase funnel (product view → add to cart → checkout → purchase)
 * among page views and scroll events. Generated in chunks so 10 M events never sit in
 * memory at once; the same seed gives the same rows for SQLite and DuckDB.
 */
import { createClient, type Client } from "@libsql/client";
import { SESSION_GAP_MS } from "../../core/types";
import { prng } from "./collect-load";
import { letEventLoopRun } from "../../db/executor";

export interface SynthEvent {
  eventId: string;
  name: string;
  ts: number;
  seq: number;
  clientId: string;
  sessionId: string;
  path: string;
  device: string;
  productId: string | null;
  checkoutToken: string | null;
  orderId: string | null;
  props: string | null;
  isBot: boolean;
  dedupeKey: string | null;
}

export interface SynthSession {
  id: string;
  clientId: string;
  startTs: number;
  endTs: number;
  eventCount: number;
  landingPath: string;
  source: string;
  medium: string | null;
  campaign: string | null;
  referrerHost: string | null;
  device: string;
  visitorType: "new" | "returning";
  isBot: boolean;
}

export interface SynthChunk {
  events: SynthEvent[];
  sessions: SynthSession[];
}

export interface SynthOptions {
  shopId: number;
  /** Events to generate (at least; the last visitor completes). */
  events: number;
  /** End of the data (epoch ms); sessions start in the 31 days before. */
  to: number;
  seed: number;
  /** Prefix making ids unique per data set. */
  tag: string;
}

export const FUNNEL_STEPS = ["product_viewed", "product_added_to_cart", "checkout_started", "checkout_completed"] as const;
const DAY = 86_400_000;
const SOURCES = [
  { source: "direct", medium: null, campaign: null, referrerHost: null },
  { source: "google.com", medium: null, campaign: null, referrerHost: "google.com" },
  { source: "instagram.com", medium: null, campaign: null, referrerHost: "instagram.com" },
  { source: "newsletter", medium: "email", campaign: "spring_sale", referrerHost: null },
  { source: "facebook", medium: "cpc", campaign: "retargeting_q2", referrerHost: null },
] as const;

/** Yields chunks of about `chunkEvents` events (whole visitors). */
export function* synthesize(opts: SynthOptions, chunkEvents = 20_000): Generator<SynthChunk> {
  const r = prng(opts.seed);
  let made = 0;
  let visitor = 0;
  let n = 0;
  let chunk: SynthChunk = { events: [], sessions: [] };
  const from = opts.to - 31 * DAY;
  while (made < opts.events) {
    const clientId = `${opts.tag}v${(visitor++).toString(36)}`;
    const isBot = r.chance(0.02);
    const device = r.pick(["mobile", "mobile", "mobile", "desktop", "desktop", "tablet"]);
    const sessions = r.chance(0.3) ? r.int(2, 4) : 1;
    let start = from + Math.floor(r.next() * (31 * DAY - 2 * 3_600_000));
    for (let k = 0; k < sessions && start < opts.to; k++) {
      const src = r.pick(SOURCES);
      const sessionId = `${clientId}:${start}`;
      const events: SynthEvent[] = [];
      let ts = start;
      let path = r.pick(["/", "/", "/collections/summer", "/collections/sale"]);
      const push = (name: string, extra: Partial<SynthEvent> = {}) => {
        events.push({
          eventId: `${opts.tag}${(n++).toString(36)}`,
          name,
          ts,
          seq: events.length,
          clientId,
          sessionId,
          path,
          device,
          productId: null,
          checkoutToken: null,
          orderId: null,
          props: null,
          isBot,
          dedupeKey: null,
          ...extra,
        });
        ts += r.int(3_000, 240_000);
      };
      push("page_viewed");
      const length = Math.max(3, Math.round(-Math.log(1 - r.next()) * 9));
      let stage = 0;
      let token: string | null = null;
      while (events.length < length) {
        const step = r.next();
        if (stage === 0 && step < 0.25) {
          const product = r.int(1, 400);
          path = `/products/p-${product}`;
          push("page_viewed");
          push("product_viewed", { productId: String(7_400_000 + product) });
          stage = r.chance(0.35) ? 1 : 0;
        } else if (stage === 1 && step < 0.6) {
          push("product_added_to_cart", { productId: String(7_400_000 + r.int(1, 400)) });
          stage = r.chance(0.5) ? 2 : -1;
        } else if (stage === 2 && step < 0.7) {
          token = `${opts.tag}c${(n++).toString(36)}`;
          path = "/checkouts/cn/information";
          push("checkout_started", { checkoutToken: token, dedupeKey: `checkout:${token}` });
          stage = r.chance(0.55) ? 3 : -1;
        } else if (stage === 3 && step < 0.8) {
          const order = `${opts.shopId}${(n++).toString().padStart(10, "0")}`;
          path = "/checkouts/cn/thank-you";
          push("checkout_completed", { checkoutToken: token, orderId: order, dedupeKey: `order:${order}` });
          stage = -1;
        } else if (step < 0.85) {
          push("mc:scroll_depth", { props: `{"percent":${r.pick([50, 75, 90])}}` });
        } else {
          path = r.pick(["/", "/collections/summer", "/pages/faq", "/cart", "/search"]);
          push("page_viewed");
        }
      }
      const end = events[events.length - 1].ts;
      chunk.sessions.push({
        id: sessionId,
        clientId,
        startTs: start,
        endTs: end,
        eventCount: events.length,
        landingPath: events[0].path,
        source: src.source,
        medium: src.medium,
        campaign: src.campaign,
        referrerHost: src.referrerHost,
        device,
        visitorType: k === 0 ? "new" : "returning",
        isBot,
      });
      for (const e of events) chunk.events.push(e);
      made += events.length;
      // The next session after a gap well over 30 minutes.
      start = end + SESSION_GAP_MS + r.int(60_000, 3 * DAY);
    }
    if (chunk.events.length >= chunkEvents) {
      yield chunk;
      chunk = { events: [], sessions: [] };
    }
  }
  if (chunk.events.length > 0) yield chunk;
}

const EVENT_COLUMNS = [
  "shopId",
  "eventId",
  "name",
  "ts",
  "seq",
  "clientId",
  "sessionId",
  "path",
  "device",
  "productId",
  "checkoutToken",
  "orderId",
  "props",
  "isBot",
  "dedupeKey",
  "receivedAt",
] as const;
const SESSION_COLUMNS = [
  "shopId",
  "id",
  "clientId",
  "startTs",
  "endTs",
  "eventCount",
  "landingPath",
  "source",
  "medium",
  "campaign",
  "referrerHost",
  "device",
  "visitorType",
  "loggedIn",
  "isBot",
] as const;

const tuples = (rows: number, width: number) => {
  const one = `(${Array.from({ length: width }, () => "?").join(",")})`;
  return Array.from({ length: rows }, () => one).join(",");
};

/**
 * Writes generated chunks into a migrated SQLite file with the app's driver, in large
 * transactions (BEGIN/COMMIT on one connection, multi-row INSERTs with plain `?`).
 * `onProgress(events)` after each chunk.
 */
export async function writeSqlite(
  dbUrl: string,
  opts: SynthOptions,
  onProgress: (events: number, sessions: number) => void,
): Promise<{ events: number; sessions: number }> {
  const client: Client = createClient({ url: dbUrl });
  try {
    // A generated data set: durability does not matter while loading it.
    await client.execute("PRAGMA synchronous=OFF");
    await client.execute("PRAGMA cache_size=-262144");
    await client.execute("PRAGMA busy_timeout=5000");
    const perStmtE = Math.floor(30_000 / EVENT_COLUMNS.length);
    const perStmtS = Math.floor(30_000 / SESSION_COLUMNS.length);
    const fullE = `INSERT INTO "Event" (${EVENT_COLUMNS.map((c) => `"${c}"`).join(",")}) VALUES ${tuples(perStmtE, EVENT_COLUMNS.length)}`;
    const fullS = `INSERT INTO "VisitorSession" (${SESSION_COLUMNS.map((c) => `"${c}"`).join(",")}) VALUES ${tuples(perStmtS, SESSION_COLUMNS.length)}`;
    let events = 0;
    let sessions = 0;
    let inTx = 0;
    await client.execute("BEGIN IMMEDIATE");
    for (const chunk of synthesize(opts, 25_000)) {
      for (let i = 0; i < chunk.events.length; i += perStmtE) {
        const part = chunk.events.slice(i, i + perStmtE);
        const args: unknown[] = [];
        for (const e of part) {
          args.push(
            opts.shopId,
            e.eventId,
            e.name,
            e.ts,
            e.seq,
            e.clientId,
            e.sessionId,
            e.path,
            e.device,
            e.productId,
            e.checkoutToken,
            e.orderId,
            e.props,
            e.isBot ? 1 : 0,
            e.dedupeKey,
            e.ts,
          );
        }
        const sql = part.length === perStmtE ? fullE : fullE.slice(0, fullE.indexOf(" VALUES ")) + ` VALUES ${tuples(part.length, EVENT_COLUMNS.length)}`;
        await client.execute({ sql, args: args as never });
      }
      for (let i = 0; i < chunk.sessions.length; i += perStmtS) {
        const part = chunk.sessions.slice(i, i + perStmtS);
        const args: unknown[] = [];
        for (const s of part) {
          args.push(
            opts.shopId,
            s.id,
            s.clientId,
            s.startTs,
            s.endTs,
            s.eventCount,
            s.landingPath,
            s.source,
            s.medium,
            s.campaign,
            s.referrerHost,
            s.device,
            s.visitorType,
            0,
            s.isBot ? 1 : 0,
          );
        }
        const sql = part.length === perStmtS ? fullS : fullS.slice(0, fullS.indexOf(" VALUES ")) + ` VALUES ${tuples(part.length, SESSION_COLUMNS.length)}`;
        await client.execute({ sql, args: args as never });
      }
      events += chunk.events.length;
      sessions += chunk.sessions.length;
      inTx += chunk.events.length;
      if (inTx >= 250_000) {
        await client.execute("COMMIT");
        await client.execute("BEGIN IMMEDIATE");
        inTx = 0;
      }
      onProgress(events, sessions);
      await letEventLoopRun();
    }
    await client.execute("COMMIT");
    // No ANALYZE: the app never runs it, so its queries meet the planner without statistics.
    return { events, sessions };
  } finally {
    client.close();
  }
}

/**
 * The same chunks into a migrated PostgreSQL database (multi-row INSERTs in transactions
 * of ~250,000 events on one connection; `$n` placeholders). `onProgress` after each chunk.
 */
export async function writePostgres(
  dbUrl: string,
  opts: SynthOptions,
  onProgress: (events: number, sessions: number) => void,
): Promise<{ events: number; sessions: number }> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  const placeholders = (rows: number, width: number) =>
    Array.from({ length: rows }, (_, r) => `(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`).join(",")})`).join(",");
  try {
    // A generated data set: durability does not matter while loading it.
    await client.query("SET synchronous_commit = off");
    const perStmtE = Math.floor(30_000 / EVENT_COLUMNS.length);
    const perStmtS = Math.floor(30_000 / SESSION_COLUMNS.length);
    const colsE = EVENT_COLUMNS.map((c) => `"${c}"`).join(",");
    const colsS = SESSION_COLUMNS.map((c) => `"${c}"`).join(",");
    let events = 0;
    let sessions = 0;
    let inTx = 0;
    await client.query("BEGIN");
    for (const chunk of synthesize(opts, 25_000)) {
      for (let i = 0; i < chunk.events.length; i += perStmtE) {
        const part = chunk.events.slice(i, i + perStmtE);
        const args: unknown[] = [];
        for (const e of part) {
          args.push(
            opts.shopId,
            e.eventId,
            e.name,
            e.ts,
            e.seq,
            e.clientId,
            e.sessionId,
            e.path,
            e.device,
            e.productId,
            e.checkoutToken,
            e.orderId,
            e.props,
            e.isBot,
            e.dedupeKey,
            e.ts,
          );
        }
        await client.query(`INSERT INTO "Event" (${colsE}) VALUES ${placeholders(part.length, EVENT_COLUMNS.length)}`, args);
      }
      for (let i = 0; i < chunk.sessions.length; i += perStmtS) {
        const part = chunk.sessions.slice(i, i + perStmtS);
        const args: unknown[] = [];
        for (const s of part) {
          args.push(
            opts.shopId,
            s.id,
            s.clientId,
            s.startTs,
            s.endTs,
            s.eventCount,
            s.landingPath,
            s.source,
            s.medium,
            s.campaign,
            s.referrerHost,
            s.device,
            s.visitorType,
            false,
            s.isBot,
          );
        }
        await client.query(`INSERT INTO "VisitorSession" (${colsS}) VALUES ${placeholders(part.length, SESSION_COLUMNS.length)}`, args);
      }
      events += chunk.events.length;
      sessions += chunk.sessions.length;
      inTx += chunk.events.length;
      if (inTx >= 250_000) {
        await client.query("COMMIT");
        await client.query("BEGIN");
        inTx = 0;
      }
      onProgress(events, sessions);
      await letEventLoopRun();
    }
    await client.query("COMMIT");
    // Statistics, as autovacuum would have gathered them on a live database by now.
    await client.query(`ANALYZE "Event"`);
    await client.query(`ANALYZE "VisitorSession"`);
    return { events, sessions };
  } finally {
    await client.end();
  }
}
