/**
 * A storefront stand-in for real Chromium: pages that carry the theme embed (rendered the
 * way Liquid would) and a host script playing Shopify's part — `Shopify.analytics.publish`
 * and `page_viewed` delivered to the real web pixel bundle running in a dedicated Web
 * Worker (what the strict sandbox is; Shopify adds a sandboxed iframe around it, which
 * dies with the page just the same). The pixel's requests go wherever its settings say,
 * e.g. the real app server's /collect.
 *
 *   const store = await startStorefront({ ingestUrl, ingestKey, shop });
 *   await page.goto(store.page("/", { body: '<a id="out" href="…">' }));
 */
import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { pixelBundle } from "./pixel-harness";

const EXT = path.resolve(import.meta.dirname, "../../extensions/theme-embed");
export const EMBED_SCRIPT = readFileSync(path.join(EXT, "assets/micro-conversions.js"), "utf8");
export const EMBED_BLOCK = readFileSync(path.join(EXT, "blocks/micro-conversions.liquid"), "utf8");
export const EMBED_SCHEMA = JSON.parse(/\{%\s*schema\s*%\}([\s\S]*?)\{%\s*endschema\s*%\}/.exec(EMBED_BLOCK)![1]);

export type Settings = Record<string, string | boolean>;
export const EMBED_DEFAULTS: Settings = Object.fromEntries(
  EMBED_SCHEMA.settings.filter((s: { id?: string }) => s.id).map((s: { id: string; default?: unknown }) => [s.id, s.default ?? ""]),
);

/** Just enough Liquid for the block: comments and schema dropped, settings + asset_url filled in. */
export function renderBlock(settings: Settings): string {
  return EMBED_BLOCK.replace(/\{%-?\s*comment\s*-?%\}[\s\S]*?\{%-?\s*endcomment\s*-?%\}/g, "")
    .replace(/\{%\s*schema\s*%\}[\s\S]*?\{%\s*endschema\s*%\}/, "")
    .replace(/\{\{\s*block\.settings\.(\w+)((?:\s*\|\s*\w+)*)\s*\}\}/g, (_, id: string, filters: string) => {
      let v: unknown = settings[id];
      if (/\|\s*strip/.test(filters)) v = String(v ?? "").trim();
      if (!/\|\s*json/.test(filters)) throw new Error(`unexpected filters for ${id}: ${filters}`);
      return JSON.stringify(v ?? null);
    })
    .replace(/\{\{\s*'micro-conversions\.js'\s*\|\s*asset_url\s*\}\}/, "/assets/micro-conversions.js");
}

export interface PixelConfig {
  ingestUrl: string;
  ingestKey: string;
  shop: string;
}

// Runs inside the worker: the sandbox's extension API around the real bundle.
const WORKER_SHIM = `
  const cfg = JSON.parse(decodeURIComponent(location.hash.slice(1)));
  const subs = new Map();
  const on = (name, fn) => { if (!subs.has(name)) subs.set(name, []); subs.get(name).push(fn); };
  const api = {
    settings: { ingestUrl: cfg.ingestUrl, ingestKey: cfg.ingestKey },
    init: {
      context: cfg.context,
      data: { customer: null, cart: null, purchasingCompany: null,
        shop: { name: "Demo Shop", myshopifyDomain: cfg.shop, countryCode: "US", storefrontUrl: "https://" + cfg.shop, paymentSettings: { currencyCode: "USD" } } },
      customerPrivacy: { analyticsProcessingAllowed: cfg.consent, marketingAllowed: false, preferencesProcessingAllowed: false, saleOfDataAllowed: false },
    },
    analytics: { subscribe: on },
    customerPrivacy: { subscribe: () => {} },
    // Top-frame storage, as in the sandbox: asynchronous calls carried out by the page.
    browser: {
      localStorage: {
        setItem: async (k, v) => postMessage({ ls: "set", k, v: String(v) }),
        removeItem: async (k) => postMessage({ ls: "remove", k }),
        getItem: async () => null,
      },
      sendBeacon: async () => false,
    },
  };
  self.shopify = { extend: (point, fn) => { self.__pixel = fn(api); } };
  self.onmessage = (m) => {
    const e = m.data;
    for (const fn of [...(subs.get(e.name) || []), ...(subs.get("all_events") || []),
      ...(subs.get(e.type === "custom" ? "all_custom_events" : "all_standard_events") || [])]) fn(e);
  };
  importScripts(cfg.origin + "/pixel.js");
`;

// Runs on the page before the embed: Shopify's page-side part.
function hostScript(cfg: PixelConfig & { consent: boolean; privacyApi: boolean; sandboxDelayMs: number }): string {
  return `
  (function () {
    var clientId = localStorage.getItem("_mc_test_cid") || crypto.randomUUID();
    localStorage.setItem("_mc_test_cid", clientId);
    var seq = 0;
    var context = function () {
      var l = location;
      return {
        document: { location: { href: l.href, pathname: l.pathname, search: l.search, host: l.host, hostname: l.hostname, origin: l.origin, protocol: l.protocol, port: l.port, hash: l.hash }, referrer: document.referrer, title: document.title, characterSet: "UTF-8" },
        navigator: { userAgent: navigator.userAgent, language: navigator.language, cookieEnabled: true, languages: navigator.languages },
        window: { innerWidth: innerWidth, innerHeight: innerHeight, outerWidth: outerWidth, outerHeight: outerHeight, origin: l.origin, screen: { width: screen.width, height: screen.height } },
      };
    };
    var cfg = ${JSON.stringify(cfg)};
    cfg.origin = location.origin;
    cfg.context = context();
    var shim = new Blob([${JSON.stringify(WORKER_SHIM)}], { type: "text/javascript" });
    var worker = new Worker(URL.createObjectURL(shim) + "#" + encodeURIComponent(JSON.stringify(cfg)));
    worker.onmessage = function (m) {
      if (m.data.ls === "set") localStorage.setItem(m.data.k, m.data.v);
      if (m.data.ls === "remove") localStorage.removeItem(m.data.k);
    };
    var deliver = function (name, type, extra, delay) {
      var e = { id: "sh-" + crypto.randomUUID(), name: name, type: type, timestamp: new Date().toISOString(), seq: ++seq, clientId: clientId, context: context() };
      for (var k in extra) e[k] = extra[k];
      // sandboxDelayMs: Shopify's delivery to the sandbox is asynchronous; a late one is
      // how an event misses the pixel when the page goes.
      if (delay) setTimeout(function () { worker.postMessage(e); }, delay);
      else worker.postMessage(e);
      (window.__delivered = window.__delivered || []).push(e);
      return e;
    };
    window.Shopify = {
      analytics: { publish: function (name, data) { deliver(name, "custom", { customData: data }, cfg.sandboxDelayMs); } },
    };
    if (cfg.privacyApi) window.Shopify.customerPrivacy = { analyticsProcessingAllowed: function () { return cfg.consent; } };
    deliver("page_viewed", "standard", { data: {} });
  })();`;
}

export interface StorefrontPage {
  body: string;
  /** The pixel's ingest URL for this page (default: the storefront's). */
  ingestUrl?: string;
  /** Visitor's analytics consent (default true). */
  consent?: boolean;
  /** Whether the page has Shopify.customerPrivacy (the embed beacons only with it; default true). */
  privacyApi?: boolean;
  /** Delay before custom events reach the pixel's worker (default 0). */
  sandboxDelayMs?: number;
  settings?: Settings;
}

export interface Storefront {
  origin: string;
  /** Registers a page and returns its URL. */
  page(p: string, o: StorefrontPage): string;
  /** Paths requested so far (navigation targets included). */
  hits: string[];
  close(): Promise<void>;
}

export async function startStorefront(cfg: PixelConfig): Promise<Storefront> {
  const bundle = await pixelBundle();
  const pages = new Map<string, StorefrontPage>();
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    hits.push(`${req.method} ${url.pathname}`);
    req.resume();
    const p = pages.get(url.pathname);
    if (url.pathname === "/assets/micro-conversions.js") res.writeHead(200, { "Content-Type": "text/javascript" }).end(EMBED_SCRIPT);
    else if (url.pathname === "/pixel.js") res.writeHead(200, { "Content-Type": "text/javascript" }).end(bundle);
    else if (p) {
      const html = `<!doctype html><html><head><meta charset="utf-8"><title>Demo Shop</title>
        <script>${hostScript({
          ...cfg,
          ingestUrl: p.ingestUrl ?? cfg.ingestUrl,
          consent: p.consent ?? true,
          privacyApi: p.privacyApi ?? true,
          sandboxDelayMs: p.sandboxDelayMs ?? 0,
        })}</script></head>
        <body>${p.body}${renderBlock({ ...EMBED_DEFAULTS, ...p.settings })}</body></html>`;
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" }).end(html);
    } else res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" }).end(`<!doctype html><title>${url.pathname}</title><p>landed</p>`);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    hits,
    page(p, o) {
      pages.set(p, o);
      return origin + p;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/**
 * A slow link in front of a URL: each request is held `delayMs` before it is forwarded
 * (latency + a slow upload). For requests CDP network emulation does not reach: Chromium
 * applies Network.emulateNetworkConditions to the page's target, not to a worker's fetch.
 */
export async function startSlowLink(target: string, delayMs: number): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      setTimeout(async () => {
        try {
          const up = await fetch(target, {
            method: req.method,
            headers: { "content-type": req.headers["content-type"] ?? "text/plain", "user-agent": req.headers["user-agent"] ?? "" },
            body: req.method === "POST" ? Buffer.concat(chunks) : undefined,
          });
          const headers: Record<string, string> = {};
          up.headers.forEach((v, k) => (headers[k] = v));
          delete headers["content-encoding"];
          delete headers["content-length"];
          res.writeHead(up.status, headers).end(Buffer.from(await up.arrayBuffer()));
        } catch {
          res.writeHead(502).end();
        }
      }, delayMs);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/collect`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
