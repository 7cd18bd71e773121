/**
 * Runs the real web pixel bundle (scripts/build-pixel.ts output, byte for byte what
 * ships) outside Shopify, with a stand-in for the strict sandbox's extension API.
 *
 * How `register` is satisfied: @shopify/web-pixels-extension's register() is literally
 * `shopify.extend("WebPixel::Render", fn)` against a global the sandbox provides. The
 * bundle is evaluated inside `new Function("shopify", "fetch", "setTimeout", …)`, so each
 * harness instance hands it its own `shopify`, `fetch` and timers as lexical bindings —
 * no import rewriting, no shared globals, several pixels per process.
 *
 *   const server = await startRecordingServer();
 *   const h = await createPixelHarness({ settings: { ingestUrl: server.url, ingestKey: "ik_test" } });
 *   for (const e of loadJourney().events) h.publish(e);
 *   await h.flush();                       // send what is pending, wait until idle
 *   h.stats();                             // { sent, dropped, discarded, requests, … }
 *
 * Sending is real HTTP (Node's fetch) to whatever URL the test passes. Differences from a
 * browser: no CORS enforcement (so a missing Access-Control-Allow-Origin is not caught
 * here), but the 64 KiB keepalive body cap is enforced like Chromium does.
 */
import { readFileSync } from "node:fs";
import http, { type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildPixel } from "../build-pixel";
import type { PixelHandle } from "../../extensions/web-pixel/src/index";
import type { CompactEvent } from "../../extensions/web-pixel/src/map";

const here = path.dirname(fileURLToPath(import.meta.url));
// Defaults (context, shop) come from the recorded journey kept with the tests.
export const JOURNEY_PATH = path.resolve(here, "../../test/fixtures/pixel-journey.json");
const KEEPALIVE_CAP = 64 * 1024;

// ---------------------------------------------------------------------------- fixture

export interface PixelEvent {
  id: string;
  name: string;
  type: "standard" | "custom" | "dom";
  timestamp: string;
  seq: number;
  clientId: string;
  context: Record<string, any>;
  data?: Record<string, any>;
  customData?: Record<string, any>;
}

export interface Journey {
  shop: string;
  note?: string;
  events: PixelEvent[];
}

/** The recorded visitor journey (a fresh deep copy each call). */
export function loadJourney(): Journey {
  return JSON.parse(readFileSync(JOURNEY_PATH, "utf8")) as Journey;
}

/** The fixture with every personal field Shopify could hand us filled in. */
export function withPii(e: PixelEvent): PixelEvent {
  const copy = structuredClone(e);
  const checkout = copy.data?.checkout;
  if (checkout) {
    const address = {
      firstName: "Jane",
      lastName: "Doe-Pii",
      address1: "12 Elmwood Street",
      address2: "Apt 7",
      city: "Springfield",
      zip: "99999",
      phone: "+1 555 0100 4242",
      country: "United States",
    };
    Object.assign(checkout, {
      email: "jane.doe.pii@example.com",
      phone: "+1 555 0100 4242",
      shippingAddress: address,
      billingAddress: address,
    });
    if (checkout.order) checkout.order.customer = { id: "gid://shopify/Customer/1", firstName: "Jane", email: "jane.doe.pii@example.com" };
  }
  return copy;
}
export const PII_VALUES = ["jane.doe.pii@example.com", "555 0100 4242", "12 Elmwood Street", "Doe-Pii", "Springfield", "99999"];

/**
 * The PII values that occur in `text` as whole tokens. Whole tokens, because a
 * short value such as the ZIP "99999" also occurs inside timestamps and ids
 * ("1796399999098") without being personal data.
 */
export function findPii(text: string): string[] {
  const escape = (v: string) => v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return PII_VALUES.filter((v) => new RegExp(`(?<![\\p{L}\\p{N}])${escape(v)}(?![\\p{L}\\p{N}])`, "u").test(text));
}

let counter = 0;
/** A custom event as Shopify delivers what `Shopify.analytics.publish(name, data)` sent. */
export function customEvent(name: string, customData: Record<string, any>, base?: Partial<PixelEvent>): PixelEvent {
  const template = base ?? loadJourney().events[0];
  counter++;
  return {
    id: `test-${process.pid}-${Date.now()}-${counter}`,
    name,
    type: "custom",
    timestamp: new Date().toISOString(),
    seq: template.seq ?? counter,
    clientId: template.clientId ?? "test-client",
    context: structuredClone(template.context ?? {}),
    customData,
  };
}

/** A copy of `event` with a new unique id (to publish the "same" event many times). */
export function withNewId(event: PixelEvent, suffix: string | number): PixelEvent {
  return { ...structuredClone(event), id: `${event.id}~${suffix}` };
}

// ---------------------------------------------------------------------------- harness

export interface ConsentState {
  analyticsProcessingAllowed: boolean;
  marketingAllowed: boolean;
  preferencesProcessingAllowed: boolean;
  saleOfDataAllowed: boolean;
}

export interface PixelHarnessOptions {
  settings: { ingestUrl: string; ingestKey: string } & Record<string, string>;
  /** init.data.shop.myshopifyDomain (default: the fixture's shop). */
  shop?: string;
  /** init.data.customer; only `id` should ever be read by the pixel. */
  customer?: Record<string, unknown> | null;
  /** init.customerPrivacy; `true`/`false` sets analytics only (default true). */
  consent?: boolean | Partial<ConsentState>;
  /** init.context (default: the first journey event's context). */
  context?: Record<string, any>;
  /** Multiplies every timer the pixel sets: 0.01 turns a 1 s backoff into 10 ms. */
  timeScale?: number;
  /** Bundle to run instead of a fresh build (e.g. the contents of dist/pixel.js). */
  code?: string;
}

export interface RecordedRequest {
  url: string;
  body: string;
  bytes: number;
  init: RequestInit;
  /** HTTP status; 0 while pending or when fetch rejected (then `error` is set). */
  status: number;
  error?: string;
  /** The server's answer body, once read (what it accepted or refused, and why). */
  response?: string;
}

export interface PixelHarness {
  /** Deliver a pixel event to the pixel's subscriptions (by name, all_events, all_standard/custom_events). */
  publish(event: PixelEvent): void;
  /** Shortcut: publish customEvent(name, customData). */
  publishCustom(name: string, customData: Record<string, any>): PixelEvent;
  /** Visitor makes a consent choice: fires customerPrivacy "visitorConsentCollected". */
  setConsent(consent: boolean | Partial<ConsentState>): void;
  /** Ask the pixel to send everything now and wait until nothing is queued/in flight/scheduled. */
  flush(): Promise<void>;
  /** Wait until idle without forcing a send (timers run their course). */
  idle(): Promise<void>;
  /** The pixel's counters: sent, dropped (+ droppedRetries/Rejected/Overflow), discarded (no consent), requests, retries, queued, inFlight, disabled (+ disabledReason after 401/403 outlasted the retries). */
  stats(): PixelHandle["stats"];
  /** Every fetch the pixel made, in order. */
  readonly requests: RecordedRequest[];
  /** Every timer the pixel set, with the delay it asked for (unscaled ms). */
  readonly timers: number[];
  /** Event names the pixel subscribed to. */
  readonly subscriptions: string[];
  /** Exceptions thrown by the pixel's callbacks (the sandbox would swallow them). */
  readonly errors: unknown[];
  /** Backing stores of the async browser.* stubs. */
  readonly storage: { local: Map<string, string>; session: Map<string, string>; cookies: Map<string, string> };
  /** Cancel pending timers (the pixel stops). */
  dispose(): void;
}

let cachedBuild: Promise<string> | undefined;
/** The production bundle, built once per test process (in memory: no file races). */
export function pixelBundle(): Promise<string> {
  cachedBuild ??= buildPixel({ write: false }).then((b) => b.code);
  return cachedBuild;
}

function asyncStorage(map: Map<string, string>) {
  return {
    getItem: async (k: string) => map.get(k) ?? null,
    setItem: async (k: string, v: string) => void map.set(k, String(v)),
    removeItem: async (k: string) => void map.delete(k),
    key: async (i: number) => [...map.keys()][i] ?? null,
    length: async () => map.size,
    clear: async () => map.clear(),
  };
}

function fullConsent(c: boolean | Partial<ConsentState> | undefined): ConsentState {
  const base: ConsentState = {
    analyticsProcessingAllowed: true,
    marketingAllowed: false,
    preferencesProcessingAllowed: false,
    saleOfDataAllowed: false,
  };
  if (typeof c === "boolean") return { ...base, analyticsProcessingAllowed: c };
  return { ...base, ...c };
}

export async function createPixelHarness(opts: PixelHarnessOptions): Promise<PixelHarness> {
  const code = opts.code ?? (await pixelBundle());
  const journey = loadJourney();
  const scale = opts.timeScale ?? 1;
  const subs = new Map<string, Set<(e: unknown) => void>>();
  const privacySubs = new Map<string, Set<(e: unknown) => void>>();
  const requests: RecordedRequest[] = [];
  const timers: number[] = [];
  const errors: unknown[] = [];
  const live = new Set<ReturnType<typeof setTimeout>>();
  const storage = { local: new Map<string, string>(), session: new Map<string, string>(), cookies: new Map<string, string>() };
  let consent = fullConsent(opts.consent);

  const on = (table: Map<string, Set<(e: unknown) => void>>, name: string, fn: (e: unknown) => void) => {
    if (!table.has(name)) table.set(name, new Set());
    table.get(name)!.add(fn);
    return () => table.get(name)!.delete(fn);
  };

  // Payloads cross a postMessage boundary in the sandbox: deliver clones, isolate throws.
  const deliver = (fns: Set<(e: unknown) => void> | undefined, payload: unknown) => {
    for (const fn of fns ?? []) {
      try {
        fn(structuredClone(payload));
      } catch (err) {
        errors.push(err);
      }
    }
  };

  const init = {
    context: structuredClone(opts.context ?? journey.events[0].context),
    data: {
      customer: opts.customer === undefined ? null : structuredClone(opts.customer),
      cart: null,
      shop: {
        name: "Demo Shop",
        myshopifyDomain: opts.shop ?? journey.shop,
        countryCode: "US",
        storefrontUrl: `https://${opts.shop ?? journey.shop}`,
        paymentSettings: { currencyCode: "USD" },
      },
      purchasingCompany: null,
    },
    customerPrivacy: { ...consent },
  };

  const api = {
    settings: { ...opts.settings },
    init,
    _pixelInfo: { id: "harness", type: "APP", runtimeContext: "STRICT" },
    analytics: { subscribe: (name: string, fn: (e: unknown) => void) => on(subs, name, fn) },
    customerPrivacy: { subscribe: (name: string, fn: (e: unknown) => void) => on(privacySubs, name, fn) },
    browser: {
      localStorage: asyncStorage(storage.local),
      sessionStorage: asyncStorage(storage.session),
      cookie: {
        get: async (name?: string) => (name ? (storage.cookies.get(name) ?? "") : [...storage.cookies].map(([k, v]) => `${k}=${v}`).join("; ")),
        set: async (nameOrCookie: string, value?: string) => {
          if (value !== undefined) storage.cookies.set(nameOrCookie, value);
          else {
            const [pair] = nameOrCookie.split(";");
            const i = pair.indexOf("=");
            storage.cookies.set(pair.slice(0, i).trim(), pair.slice(i + 1).trim());
          }
          return nameOrCookie;
        },
      },
      sendBeacon: async () => false, // deprecated in the sandbox; the pixel must not need it
    },
  };

  let handle: PixelHandle | undefined;
  const shopify = {
    extend(point: string, fn: (api: unknown) => unknown) {
      if (point !== "WebPixel::Render") throw new Error(`unexpected extension point ${point}`);
      handle = fn(api) as PixelHandle;
    },
  };

  const harnessFetch = async (url: string, init: RequestInit = {}): Promise<Response> => {
    const body = typeof init.body === "string" ? init.body : "";
    const rec: RecordedRequest = { url: String(url), body, bytes: Buffer.byteLength(body), init, status: 0 };
    requests.push(rec);
    // Chromium rejects keepalive requests whose bodies exceed the 64 KiB quota.
    if (init.keepalive && rec.bytes > KEEPALIVE_CAP) {
      rec.error = "keepalive body over 64 KiB";
      throw new TypeError("Failed to fetch");
    }
    try {
      const res = await fetch(url, init);
      rec.status = res.status;
      rec.response = await res
        .clone()
        .text()
        .catch(() => undefined);
      return res;
    } catch (err) {
      rec.error = err instanceof Error ? `${err.message}${(err.cause as any)?.code ? ` (${(err.cause as any).code})` : ""}` : String(err);
      throw err;
    }
  };

  const scaledSetTimeout = (fn: () => void, ms = 0) => {
    timers.push(ms);
    const t = setTimeout(() => {
      live.delete(t);
      fn();
    }, ms * scale);
    live.add(t);
    return t;
  };
  const scaledClearTimeout = (t: ReturnType<typeof setTimeout>) => {
    live.delete(t);
    clearTimeout(t);
  };

  // Running the shipped bundle as Shopify's sandbox would is the point.
  new Function("shopify", "fetch", "setTimeout", "clearTimeout", code)(shopify, harnessFetch, scaledSetTimeout, scaledClearTimeout);
  if (!handle) throw new Error("pixel bundle did not call register()");
  const pixel: PixelHandle = handle;

  const publish = (event: PixelEvent) => {
    deliver(subs.get(event.name), event);
    deliver(subs.get("all_events"), event);
    if (event.type === "standard") deliver(subs.get("all_standard_events"), event);
    if (event.type === "custom") deliver(subs.get("all_custom_events"), event);
    if (event.type === "dom") deliver(subs.get("all_dom_events"), event);
  };

  return {
    publish,
    publishCustom(name, customData) {
      const e = customEvent(name, customData, journey.events[0]);
      publish(e);
      return e;
    },
    setConsent(c) {
      consent = fullConsent(c);
      deliver(privacySubs.get("visitorConsentCollected"), { customerPrivacy: { ...consent } });
    },
    async flush() {
      pixel.flush();
      await pixel.idle();
    },
    idle: () => pixel.idle(),
    stats: () => ({ ...pixel.stats }),
    requests,
    timers,
    get subscriptions() {
      return [...subs.keys()];
    },
    errors,
    storage,
    dispose() {
      for (const t of live) clearTimeout(t);
      live.clear();
    },
  };
}

// ---------------------------------------------------------------------------- ingest stand-in

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}
/** "destroy" = drop the connection without answering (a network error for the client). */
export type ScriptedReply = number | Reply | "destroy";

export interface ReceivedRequest {
  method: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Parsed JSON body (undefined if it was not JSON). */
  batch?: { v: number; shop: string; key: string; ua?: string; events: CompactEvent[] };
  /** Status it was answered with (0 = destroyed). */
  status: number;
}

export interface RecordingServer {
  url: string;
  port: number;
  requests: ReceivedRequest[];
  /** Queue replies for the next requests, in order; afterwards requests get 202. */
  script(...replies: ScriptedReply[]): void;
  /** Events of requests that were answered 2xx, in arrival order. */
  acceptedEvents(): CompactEvent[];
  close(): Promise<void>;
}

/**
 * A minimal /collect stand-in on 127.0.0.1 that records every request. It answers like
 * the real endpoint's contract (docs/event-schema.md): 202 with counts, CORS headers.
 */
export function startRecordingServer(opts: { port?: number } = {}): Promise<RecordingServer> {
  const requests: ReceivedRequest[] = [];
  const replies: ScriptedReply[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      let batch: ReceivedRequest["batch"];
      try {
        batch = JSON.parse(body);
      } catch {
        batch = undefined;
      }
      const rec: ReceivedRequest = { method: req.method ?? "", headers: req.headers, body, batch, status: 0 };
      requests.push(rec);
      const reply = replies.shift() ?? 202;
      if (reply === "destroy") {
        req.socket.destroy();
        return;
      }
      const r: Reply = typeof reply === "number" ? { status: reply } : reply;
      rec.status = r.status;
      const n = batch?.events?.length ?? 0;
      res.writeHead(r.status, {
        "Content-Type": "application/json",
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Expose-Headers": "Retry-After",
        ...r.headers,
      });
      res.end(r.body ?? (r.status === 202 ? JSON.stringify({ accepted: n, duplicates: 0, rejected: [] }) : "{}"));
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => {
      const port = (server.address() as AddressInfo).port;
      resolve({
        url: `http://127.0.0.1:${port}/collect`,
        port,
        requests,
        script: (...r) => void replies.push(...r),
        acceptedEvents: () => requests.filter((r) => r.status >= 200 && r.status < 300).flatMap((r) => r.batch?.events ?? []),
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

/** Polls `cond` until it holds (or throws after `timeoutMs`): for real-time assertions. */
export async function waitFor(cond: () => boolean, timeoutMs = 5000, stepMs = 5): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`waitFor: condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
