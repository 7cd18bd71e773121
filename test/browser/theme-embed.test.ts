// The theme app embed in real headless Chromium: a local page renders the block the way
// Liquid would, with a recording window.Shopify.analytics, and we drive real scrolls,
// clicks, typing, form submits and video playback.
import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { gzipSync } from "node:zlib";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from "vitest";
import { launchChromium } from "../helpers/chromium";
import { EMBED_BLOCK, EMBED_DEFAULTS, EMBED_SCHEMA, EMBED_SCRIPT, renderBlock, type Settings } from "../helpers/storefront";

const EXT = path.resolve(import.meta.dirname, "../../extensions/theme-embed");
const SCRIPT = EMBED_SCRIPT;
const BLOCK = EMBED_BLOCK;
const SCHEMA = EMBED_SCHEMA;
const DEFAULTS = EMBED_DEFAULTS;

interface PageOptions {
  settings?: Settings;
  /** Where window.Shopify.analytics comes from: defined up front, after a delay, or never. */
  shopify?: "now" | { afterMs: number } | "designMode";
  body?: string;
  /** Shopify.customerPrivacy.analyticsProcessingAllowed() answer; absent API when undefined. */
  analytics?: boolean;
  /** The pixel's beacon config in localStorage (as a consented pixel leaves it). */
  beaconConfig?: boolean;
}

// The storefront's own code: recording bus, and no real navigations during the test.
const RECORDER = `
  window.__published = [];
  window.__recorder = { publish(name, data) { window.__published.push({ name, data }); } };
  document.addEventListener("click", (e) => { if (e.target.closest("a")) e.preventDefault(); });
  document.addEventListener("submit", (e) => e.preventDefault());
  window.__listeners = [];
  window.__errors = [];
  window.addEventListener("error", (e) => window.__errors.push(String(e.message)));
`;
// Installed right before the embed so only the embed's listeners are recorded.
const SPY = `
  const add = EventTarget.prototype.addEventListener;
  EventTarget.prototype.addEventListener = function (type, fn, opts) {
    window.__listeners.push({ type, target: this === window ? "window" : this === document ? "document" : String(this.nodeName), opts: typeof opts === "object" ? opts : { capture: !!opts } });
    return add.call(this, type, fn, opts);
  };
`;

const BODY = `
  <main style="height: 4000px; margin: 0">
    <a id="pdf" href="/files/size-guide.pdf?token=s3cret#p2">Size guide</a>
    <a id="docx" href="/files/care.DOCX">Care</a>
    <a id="dlattr" href="/files/export" download>Export</a>
    <a id="ext-pdf" href="https://cdn.example.net/catalog.pdf">Catalog</a>
    <a id="outbound" href="https://example.org/blog/post?ref=jane%40example.com">Blog</a>
    <a id="internal" href="/collections/all?page=2">All</a>
    <a id="mailto" href="mailto:hello@example.com">Mail</a>
    <button class="wishlist-btn" data-product-id="8800000001"><span id="heart">♥</span></button>
    <div data-product-id="42"><button id="wl2" class="wishlist-btn">Save</button></div>
    <button id="not-wishlist" class="other">Other</button>

    <form id="ContactFooter" action="/contact#ContactFooter" method="post">
      <input type="hidden" name="form_type" value="customer"><input type="hidden" name="utf8" value="✓">
      <input id="nl-email" type="email" name="contact[email]"><button id="nl-submit">Subscribe</button>
    </form>
    <form id="ContactForm" action="/contact" method="post">
      <input type="hidden" name="form_type" value="contact">
      <textarea id="contact-body" name="contact[body]"></textarea><button id="contact-submit">Send</button>
    </form>
    <form name="quote-request" action="/apps/quotes"><input id="quote-qty" name="qty"><button id="quote-submit">Ask</button></form>
    <form id="product-form" action="/cart/add"><input type="hidden" name="form_type" value="product"><input id="qty" name="quantity"><button id="atc">Add</button></form>
    <form id="search" action="/search"><input id="q" name="q"><button id="search-submit">Go</button></form>

    <video id="v-stream" muted playsinline width="64" height="48"></video>
    <video id="v-cdn" muted preload="none" src="https://cdn.shopify.com/videos/c/o/v/mug-turntable.mp4?v=3"></video>
  </main>
`;

function pageHtml(o: PageOptions): string {
  const settings = { ...DEFAULTS, wishlist_selector: ".wishlist-btn", ...o.settings };
  const privacy = o.analytics === undefined ? "" : `window.Shopify.customerPrivacy = { analyticsProcessingAllowed: () => ${o.analytics} };`;
  const config = o.beaconConfig
    ? `localStorage.setItem("mc:beacon", JSON.stringify({ u: location.origin + "/collect", s: "demo-shop.myshopify.com", k: "ik_embed", c: "visitor-7" }));`
    : `localStorage.removeItem("mc:beacon");`;
  const shopify =
    o.shopify === "designMode"
      ? `window.Shopify = { designMode: true, analytics: window.__recorder };`
      : typeof o.shopify === "object"
        ? `setTimeout(() => { window.Shopify = { analytics: window.__recorder }; }, ${o.shopify.afterMs});`
        : `window.Shopify = { analytics: window.__recorder };`;
  return `<!doctype html><html><head><meta charset="utf-8"><title>Demo Shop</title>
    <style>body { margin: 0 }</style>
    <script>${RECORDER}${shopify}${privacy}${config}</script></head>
    <body>${o.body ?? BODY}<script>${SPY}</script>${renderBlock(settings)}</body></html>`;
}

// ----------------------------------------------------------------------------- fixtures

let server: http.Server;
let origin: string;
const pages = new Map<string, string>();
let browser: Browser;
let context: BrowserContext;
let page: Page;
let pageErrors: string[];
const beacons: Array<{ contentType: string; body: any }> = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/collect") {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        beacons.push({ contentType: String(req.headers["content-type"]), body: JSON.parse(Buffer.concat(chunks).toString()) });
        res.writeHead(202).end();
      });
    } else if (url.pathname === "/assets/micro-conversions.js") {
      res.writeHead(200, { "Content-Type": "text/javascript" }).end(SCRIPT);
    } else if (pages.has(url.pathname)) {
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" }).end(pages.get(url.pathname));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
});

beforeEach(async () => {
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
  pageErrors = [];
  beacons.length = 0;
  page.on("pageerror", (e) => pageErrors.push(e.message));
});

afterEach(async () => {
  expect(pageErrors).toEqual([]);
  await context.close();
});

let pageCounter = 0;
async function open(o: PageOptions = {}): Promise<void> {
  const p = `/page-${++pageCounter}`;
  pages.set(p, pageHtml(o));
  await page.goto(origin + p); // waits for "load": the deferred embed has run by then
}

type Published = { name: string; data: Record<string, unknown> };
const published = (): Promise<Published[]> => page.evaluate(() => (window as any).__published);
const named = async (name: string) => (await published()).filter((p) => p.name === name).map((p) => p.data);
/** Lets scroll events, rAF callbacks and the embed's work settle. */
const settle = () => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 30)))));

async function scrollTo(y: number): Promise<void> {
  await page.evaluate((top) => window.scrollTo(0, top), y);
  await settle();
}

// ----------------------------------------------------------------------------- tests

describe("theme embed in Chromium", () => {
  it("scroll depth: 50/75/90 once each, in order, on real scrolling", async () => {
    await open();
    // Document 4000 px, viewport 800 px: depth = (scrollY + 800) / 4000.
    await scrollTo(1100); // 47.5 %
    expect(await named("mc:scroll_depth")).toEqual([]);
    await scrollTo(1300); // 52.5 %
    expect(await named("mc:scroll_depth")).toEqual([{ percent: 50 }]);
    await scrollTo(2300); // 77.5 %
    await scrollTo(2900); // 92.5 %
    await scrollTo(0);
    await scrollTo(3200);
    expect(await named("mc:scroll_depth")).toEqual([{ percent: 50 }, { percent: 75 }, { percent: 90 }]);
  });

  it("scroll depth: a jump to the bottom fires all three; handler is rAF-throttled (≤ 1 layout read per frame)", async () => {
    await open();
    const reads = await page.evaluate(async () => {
      let count = 0;
      const desc = Object.getOwnPropertyDescriptor(Element.prototype, "scrollHeight")!;
      Object.defineProperty(Element.prototype, "scrollHeight", {
        configurable: true,
        get() {
          count++;
          return desc.get!.call(this);
        },
      });
      window.scrollTo(0, 3200);
      for (let i = 0; i < 50; i++) window.dispatchEvent(new Event("scroll")); // a burst within one frame
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      return count;
    });
    expect(reads).toBeLessThanOrEqual(2);
    expect(await named("mc:scroll_depth")).toEqual([{ percent: 50 }, { percent: 75 }, { percent: 90 }]);
  });

  it("registers only passive listeners, delegated on document/window", async () => {
    await open();
    const listeners = await page.evaluate(() => (window as any).__listeners as Array<{ type: string; target: string; opts: any }>);
    const types = listeners.map((l) => `${l.target}:${l.type}`);
    expect(types).toEqual(expect.arrayContaining(["window:scroll", "document:play", "document:click", "document:input", "document:submit"]));
    for (const l of listeners.filter((l) => l.type !== "message" && l.target !== "IFRAME")) {
      expect(l.opts.passive, `${l.target}:${l.type}`).toBe(true);
      expect(["document", "window"]).toContain(l.target);
    }
  });

  it("file downloads: known extensions and download links, URL without query/hash", async () => {
    await open();
    for (const id of ["pdf", "docx", "dlattr", "ext-pdf"]) await page.click(`#${id}`);
    expect(await named("mc:file_download")).toEqual([
      { url: `${origin}/files/size-guide.pdf`, extension: "pdf" },
      { url: `${origin}/files/care.DOCX`, extension: "docx" },
      { url: `${origin}/files/export`, extension: "" },
      { url: "https://cdn.example.net/catalog.pdf", extension: "pdf" },
    ]);
    expect(await named("mc:outbound_click")).toEqual([]); // the off-site PDF counts once, as a download
  });

  it("outbound clicks: other hosts only, no query (it may hold an email), no mailto/internal", async () => {
    await open();
    for (const id of ["outbound", "internal", "mailto"]) await page.click(`#${id}`);
    expect(await named("mc:outbound_click")).toEqual([{ url: "https://example.org/blog/post", host: "example.org" }]);
    expect(JSON.stringify(await published())).not.toContain("jane");
  });

  it("forms: start once on first input, submit with Shopify's form_type; commerce/search forms skipped", async () => {
    await open();
    await page.fill("#nl-email", "jane.doe@example.com");
    await page.type("#nl-email", "x");
    await page.click("#nl-submit");
    await page.fill("#contact-body", "Where is my order?");
    await page.click("#contact-submit");
    await page.fill("#quote-qty", "3");
    await page.click("#quote-submit");
    await page.fill("#qty", "2");
    await page.click("#atc");
    await page.fill("#q", "mug");
    await page.click("#search-submit");
    expect(await named("mc:form_start")).toEqual([
      { formType: "customer", formId: "ContactFooter" },
      { formType: "contact", formId: "ContactForm" },
      { formType: "custom", formId: "quote-request" },
    ]);
    expect(await named("mc:form_submit")).toEqual([
      { formType: "customer", formId: "ContactFooter" },
      { formType: "contact", formId: "ContactForm" },
      { formType: "custom", formId: "quote-request" },
    ]);
    const all = JSON.stringify(await published());
    for (const typed of ["jane.doe", "Where is my order", "mug"]) expect(all).not.toContain(typed);
  });

  it("wishlist: clicks matching the merchant's selector, with data-product-id when present", async () => {
    await open();
    await page.click("#heart");
    await page.click("#wl2");
    await page.click("#not-wishlist");
    expect(await named("mc:wishlist_add")).toEqual([{ productId: "8800000001" }, { productId: "42" }]);
  });

  it("HTML5 video: a real play() (muted, MediaStream source) and a Shopify-hosted source, once per video", async () => {
    await open();
    const played = await page.evaluate(async () => {
      const canvas = document.createElement("canvas");
      canvas.width = 64;
      canvas.height = 48;
      const g = canvas.getContext("2d")!;
      const tick = setInterval(() => g.fillRect(Math.random() * 60, 0, 4, 4), 20);
      const v = document.getElementById("v-stream") as HTMLVideoElement;
      v.srcObject = canvas.captureStream(25);
      await v.play();
      v.pause();
      await v.play(); // resume: not a new play
      clearInterval(tick);
      return !v.paused;
    });
    expect(played).toBe(true);
    // Cannot fetch from the Shopify CDN here; the element's 'play' event is what we listen to.
    await page.evaluate(() => {
      const v = document.getElementById("v-cdn")!;
      v.dispatchEvent(new Event("play"));
      v.dispatchEvent(new Event("play"));
    });
    await settle();
    expect(await named("mc:video_play")).toEqual([
      { provider: "html5", src: "" },
      { provider: "shopify", src: "mug-turntable.mp4" },
    ]);
  });

  it("YouTube (enablejsapi=1) and Vimeo iframes: detected through their postMessage protocols", async () => {
    // Stand-ins for the players' iframe APIs, served on the real player origins.
    await context.route(/^https:\/\/www\.youtube\.com\/embed\//, (route) =>
      route.fulfill({
        contentType: "text/html",
        body: `<script>
          addEventListener("message", (e) => {
            let m; try { m = JSON.parse(e.data); } catch { return; }
            if (m.event !== "listening") return; // YouTube stays silent until the page listens
            parent.postMessage(JSON.stringify({ event: "initialDelivery", info: { playerState: -1 } }), "*");
            setTimeout(() => parent.postMessage(JSON.stringify({ event: "onStateChange", info: 1 }), "*"), 20);
            setTimeout(() => parent.postMessage(JSON.stringify({ event: "infoDelivery", info: { playerState: 1 } }), "*"), 40);
          });
        </script>`,
      }),
    );
    await context.route(/^https:\/\/player\.vimeo\.com\/video\//, (route) =>
      route.fulfill({
        contentType: "text/html",
        body: `<script>
          parent.postMessage(JSON.stringify({ event: "ready", player_id: "" }), "*");
          let sent = false;
          addEventListener("message", (e) => {
            const m = typeof e.data === "string" ? JSON.parse(e.data) : e.data;
            if (m.method === "addEventListener" && m.value === "play" && !sent) {
              sent = true;
              setTimeout(() => parent.postMessage({ event: "play", data: { seconds: 0 } }, "*"), 20);
            }
          });
        </script>`,
      }),
    );
    await open({
      body: `<iframe id="yt" src="https://www.youtube.com/embed/dQw4w9WgXcQ?enablejsapi=1&rel=0"></iframe>
             <iframe id="yt-nojs" src="https://www.youtube.com/embed/abcdefghijk"></iframe>
             <iframe id="vimeo" src="https://player.vimeo.com/video/76979871?h=8272103f6e"></iframe>`,
    });
    await page.waitForFunction(() => (window as any).__published.length >= 2, null, { timeout: 5000 });
    await page.waitForTimeout(150);
    const videos = await named("mc:video_play");
    expect(videos).toHaveLength(2);
    expect(videos).toEqual(
      expect.arrayContaining([
        { provider: "youtube", src: "dQw4w9WgXcQ" },
        { provider: "vimeo", src: "76979871" },
      ]),
    );
  });

  it("each toggle switches its kind off", async () => {
    await open({
      settings: {
        track_scroll: false,
        track_video: false,
        track_downloads: false,
        track_outbound: false,
        track_forms: false,
        track_wishlist: true,
      },
    });
    await scrollTo(3200);
    for (const id of ["pdf", "outbound", "heart"]) await page.click(`#${id}`);
    await page.fill("#nl-email", "a");
    await page.click("#nl-submit");
    await page.evaluate(() => document.getElementById("v-cdn")!.dispatchEvent(new Event("play")));
    await settle();
    expect((await published()).map((p) => p.name)).toEqual(["mc:wishlist_add"]);
  });

  it("an invalid or empty wishlist selector breaks nothing", async () => {
    await open({ settings: { wishlist_selector: "button[[" } });
    await page.click("#heart");
    await page.click("#outbound");
    expect((await published()).map((p) => p.name)).toEqual(["mc:outbound_click"]);
    await open({ settings: { wishlist_selector: "   " } });
    await page.click("#heart");
    expect(await published()).toEqual([]);
  });

  it("queues (bounded) until Shopify.analytics exists, then publishes in order", async () => {
    await open({ shopify: { afterMs: 700 } });
    await page.click("#pdf");
    await page.click("#outbound");
    expect(await published()).toEqual([]);
    await page.waitForFunction(() => (window as any).__published.length === 2, null, { timeout: 5000 });
    expect((await published()).map((p) => p.name)).toEqual(["mc:file_download", "mc:outbound_click"]);
    await page.click("#heart");
    expect((await published()).map((p) => p.name)).toEqual(["mc:file_download", "mc:outbound_click", "mc:wishlist_add"]);
  });

  it("never throws when Shopify.analytics never appears", async () => {
    await open({ shopify: { afterMs: 60_000 } });
    for (let i = 0; i < 80; i++) await page.evaluate(() => document.getElementById("heart")!.click());
    await page.waitForTimeout(200);
    expect(await published()).toEqual([]);
  });

  it("does nothing inside the theme editor (Shopify.designMode)", async () => {
    await open({ shopify: "designMode" });
    await page.click("#pdf");
    await scrollTo(3200);
    expect(await published()).toEqual([]);
  });
});

describe("theme embed: navigation-time events also sent by beacon", () => {
  const waitBeacons = async (n: number) => {
    const end = Date.now() + 5000;
    while (beacons.length < n && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100)); // and no more than n
  };

  it("with analytics consent and the pixel's config: download, outbound click and form submit are beaconed with the id the pixel will use", async () => {
    await open({ analytics: true, beaconConfig: true });
    await page.click("#pdf");
    await page.click("#outbound");
    await page.fill("#contact-body", "Where is my order?");
    await page.click("#contact-submit");
    await page.click("#heart"); // wishlist: no navigation follows, the pixel alone sends it
    await scrollTo(3200);
    await waitBeacons(3);
    expect(beacons).toHaveLength(3);
    for (const b of beacons) {
      expect(b.contentType).toBe("text/plain;charset=UTF-8");
      expect(b.body).toMatchObject({ v: 1, shop: "demo-shop.myshopify.com", key: "ik_embed" });
      expect(b.body.events).toHaveLength(1);
      expect(b.body.events[0]).toMatchObject({ seq: 0, clientId: "visitor-7", path: expect.stringMatching(/^\/page-\d+$/) });
      expect(b.body.events[0].id).toMatch(/^mc-[a-z0-9]{8,}$/);
      expect(Date.parse(b.body.events[0].ts)).toBeGreaterThan(Date.now() - 60_000);
    }
    const sent = beacons.map((b) => b.body.events[0]);
    expect(sent.map((e) => [e.name, e.props])).toEqual([
      ["mc:file_download", { url: `${origin}/files/size-guide.pdf`, extension: "pdf" }],
      ["mc:outbound_click", { url: "https://example.org/blog/post", host: "example.org" }],
      ["mc:form_submit", { formType: "contact", formId: "ContactForm" }],
    ]);
    // The published copies (what the pixel receives) carry the same ids.
    const pub = await published();
    for (const e of sent) expect(pub.find((p) => p.name === e.name)!.data).toEqual({ _mcid: e.id, ...e.props });
    expect(new Set(sent.map((e) => e.id)).size).toBe(3);
    expect(pub.find((p) => p.name === "mc:wishlist_add")!.data).not.toHaveProperty("_mcid");
    expect(JSON.stringify(beacons)).not.toContain("Where is my order");
  });

  it("no beacon without consent, without the Customer Privacy API, or without the pixel's config", async () => {
    for (const o of [
      { analytics: false, beaconConfig: true },
      { analytics: undefined, beaconConfig: true },
      { analytics: true, beaconConfig: false },
    ]) {
      await open(o);
      await page.click("#pdf");
      await page.click("#outbound");
      const pub = await published();
      expect(pub.map((p) => p.name)).toEqual(["mc:file_download", "mc:outbound_click"]);
      for (const p of pub) expect(p.data).not.toHaveProperty("_mcid");
    }
    await waitBeacons(1);
    expect(beacons).toEqual([]);
  });
});

describe("theme embed: asset budget and block schema", () => {
  it("micro-conversions.js is ≤ 3 KB gzipped", () => {
    const gz = gzipSync(SCRIPT, { level: 9 }).length;
    expect(gz).toBeLessThanOrEqual(3 * 1024);
  });

  it("is plain ES2017 (parses as a classic script; no optional chaining, ??, or modules)", () => {
    expect(() => new Function(SCRIPT)).not.toThrow();
    expect(SCRIPT).not.toMatch(/\?\.|\?\?|^\s*(import|export)\s/m);
  });

  it("app embed block targets body, loads the asset deferred, exposes selector + toggles", () => {
    expect(SCHEMA.target).toBe("body");
    expect(BLOCK).toMatch(/<script src="\{\{ 'micro-conversions\.js' \| asset_url \}\}" defer><\/script>/);
    const byId = Object.fromEntries(SCHEMA.settings.filter((s: any) => s.id).map((s: any) => [s.id, s]));
    expect(byId.wishlist_selector.type).toBe("text");
    for (const t of ["track_scroll", "track_video", "track_downloads", "track_outbound", "track_forms", "track_wishlist"]) {
      expect(byId[t]).toMatchObject({ type: "checkbox", default: true });
    }
    const toml = readFileSync(path.join(EXT, "shopify.extension.toml"), "utf8");
    expect(toml).toMatch(/^type = "theme"$/m);
  });

  it("renders a config that parses as JSON", () => {
    const html = renderBlock({ ...DEFAULTS, wishlist_selector: ' [data-x="1"] ' });
    const json = /<script type="application\/json" id="mc-config">([\s\S]*?)<\/script>/.exec(html)![1];
    expect(JSON.parse(json)).toEqual({
      wishlistSelector: '[data-x="1"]',
      scroll: true,
      video: true,
      downloads: true,
      outbound: true,
      forms: true,
      wishlist: true,
    });
  });
});
