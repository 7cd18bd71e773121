import { describe, expect, it } from "vitest";
import { buildChecklist, embedDeepLink, EMBED_SILENCE_PAGE_VIEWS, type EventFacts, type PixelFacts } from "../../core/trust/checklist";
import { humanSpan, localClock } from "../../core/trust/time";

const H = 3_600_000;
const NOW = Date.parse("2026-11-20T15:30:00Z");
const TZ = "America/New_York";

const pixel = (over: Partial<PixelFacts> = {}): PixelFacts => ({
  status: "created",
  error: null,
  webPixelId: "gid://shopify/WebPixel/1",
  ingestUrl: "https://app.example/collect",
  settings: { result: "current" },
  ...over,
});
const noEvents = (): EventFacts => ({
  standard: { count7d: 0, firstTs: null, latestTs: null },
  custom: { count7d: 0, firstTs: null, latestTs: null },
  hourBuckets: [],
  pageViewsSinceLatestCustom: 0,
});
/** Events every hour for 14 days up to `latest`. */
const hourly = (latest: number) => Array.from({ length: 14 * 24 }, (_, i) => Math.floor(latest / H) - i);
const sending = (over: Partial<EventFacts> = {}): EventFacts => ({
  standard: { count7d: 900, firstTs: NOW - 20 * 24 * H, latestTs: NOW - 10 * 60_000 },
  custom: { count7d: 300, firstTs: NOW - 20 * 24 * H, latestTs: NOW - 15 * 60_000 },
  hourBuckets: hourly(NOW - 10 * 60_000),
  pageViewsSinceLatestCustom: 3,
  ...over,
});
const subscribed = { state: "subscribed", error: null };
const build = (p: PixelFacts, e: EventFacts, orders: { state: string; error: string | null } = subscribed) =>
  buildChecklist({ shopDomain: "shop-a.myshopify.com", apiKey: "key123", timeZone: TZ, now: NOW, pixel: p, events: e, orders });
const states = (v: ReturnType<typeof build>) => Object.fromEntries(v.items.map((i) => [i.key, i.state]));

describe("embedDeepLink", () => {
  it("uses Shopify's documented app embed deep link: activateAppId=<api key>/<block handle>", () => {
    expect(embedDeepLink("shop-a.myshopify.com", "key123")).toBe(
      "https://shop-a.myshopify.com/admin/themes/current/editor?context=apps&activateAppId=key123/micro-conversions",
    );
  });
});

describe("buildChecklist", () => {
  it("fresh shop: pixel connected, embed and events still to do, not complete", () => {
    const v = build(pixel({ settings: { result: "unchecked", reason: "not asked" } }), noEvents());
    expect(states(v)).toEqual({ pixel: "done", embed: "todo", events: "todo", orders: "done" });
    expect(v.complete).toBe(false);
    expect(v.doneCount).toBe(2);
    expect(v.items[0].details.join(" ")).toContain("No events in the last 7 days confirm the settings yet");
    expect(v.embed).toEqual({ detected: false, deepLink: embedDeepLink("shop-a.myshopify.com", "key123"), pageViewsSinceLatestCustom: 0 });
    expect(v.events.quiet.state).toBe("no-events");
  });

  it("everything sending: complete", () => {
    const v = build(pixel(), sending());
    expect(states(v)).toEqual({ pixel: "done", embed: "done", events: "done", orders: "done" });
    expect(v.complete).toBe(true);
    expect(v.pixel.canRetry).toBe(false);
    expect(v.items[2].summary).toBe(`Events are arriving (latest ${localClock(NOW - 10 * 60_000, TZ)} (10 min ago)).`);
    expect(v.events.standard.latestLabel).toBe("2026-11-20 10:20 (10 min ago)");
  });

  it("standard events only: the embed looks switched off", () => {
    const v = build(pixel(), sending({ custom: { count7d: 0, firstTs: null, latestTs: null } }));
    expect(states(v)).toEqual({ pixel: "done", embed: "todo", events: "done", orders: "done" });
    expect(v.items[1].summary).toContain("no page-level (mc:) events have arrived");
  });

  it("page-level events stopped while page views go on: warning, with the deep link", () => {
    const v = build(pixel(), sending({ pageViewsSinceLatestCustom: EMBED_SILENCE_PAGE_VIEWS }));
    expect(states(v).embed).toBe("warning");
    expect(v.items[1].summary).toContain("may have been turned off");
    expect(v.embed.detected).toBe(true);
  });

  it("quiet shop: events item warns with its usual gap", () => {
    const latest = NOW - 9 * H;
    const v = build(
      pixel(),
      sending({
        standard: { count7d: 500, firstTs: NOW - 30 * 24 * H, latestTs: latest },
        custom: { count7d: 80, firstTs: NOW - 30 * 24 * H, latestTs: latest - H },
        hourBuckets: hourly(latest),
      }),
    );
    expect(states(v).events).toBe("warning");
    expect(v.events.quiet).toMatchObject({ state: "quiet", usualGapMs: 2 * H, silentForMs: 9 * H });
    expect(v.items[2].summary).toBe(
      `No events for ${humanSpan(9 * H)}, while this shop usually has at most 2 h between active hours. The pixel may have stopped sending.`,
    );
    expect(v.complete).toBe(false);
  });

  it("pixel failed: error with the message and a retry", () => {
    const v = build(
      pixel({ status: "failed", error: "ACCESS_DENIED: write_pixels missing", settings: { result: "unchecked", reason: "the pixel is not created yet" } }),
      sending(),
    );
    expect(states(v).pixel).toBe("error");
    expect(v.items[0].details[0]).toBe("Error: ACCESS_DENIED: write_pixels missing");
    expect(v.pixel.canRetry).toBe(true);
  });

  it("pixel pending, removed in Shopify, or with outdated settings: not done, retry offered", () => {
    expect(states(build(pixel({ status: "pending" }), noEvents())).pixel).toBe("todo");
    expect(build(pixel({ status: "pending", installedAt: NOW - 3 * 60_000 }), noEvents()).items[0].summary).toBe("The web pixel has not been created yet.");
    // Just installed (another server process may still be running the install hook): being set up, not missing.
    const fresh = build(pixel({ status: "pending", installedAt: NOW - 20_000 }), noEvents());
    expect(states(fresh).pixel).toBe("todo");
    expect(fresh.items[0].summary).toMatch(/^Setting up: /);
    expect(fresh.pixel.canRetry).toBe(true);
    const missing = build(pixel({ settings: { result: "missing" } }), sending());
    expect(states(missing).pixel).toBe("error");
    expect(missing.pixel.canRetry).toBe(true);
    const outdated = build(pixel({ settings: { result: "outdated", differs: ["ingestUrl"] } }), sending());
    expect(states(outdated).pixel).toBe("warning");
    expect(outdated.items[0].summary).toContain("ingestUrl differs");
  });

  it("is JSON-safe (props survive a loader round trip)", () => {
    const v = build(pixel(), sending());
    expect(JSON.parse(JSON.stringify(v))).toEqual(v);
  });

  it("orders/create refused for lack of protected customer data access: an error with Shopify's words, the dashboard steps and a retry; not complete", () => {
    const message =
      "This app is not approved to subscribe to webhook topics containing protected customer data. See https://shopify.dev/docs/apps/launch/protected-customer-data for more details.";
    const v = build(pixel(), sending(), { state: "refused", error: message });
    expect(states(v)).toEqual({ pixel: "done", embed: "done", events: "done", orders: "error" });
    expect(v.complete).toBe(false);
    expect(v.orders).toEqual({ state: "refused", error: message, canRetry: true });
    expect(v.items[3].details[0]).toBe(`Shopify said: ${message}`);
    expect(v.items[3].details.join(" ")).toContain("Protected customer data access → Request access");
    expect(v.items[3].details.join(" ")).toContain("Level 1");
  });

  it("orders/create not subscribed yet: to do, with the last attempt's error when there was one", () => {
    expect(build(pixel(), sending(), { state: "pending", error: null }).items[3]).toMatchObject({
      state: "todo",
      details: [expect.stringContaining("made when the app is opened")],
    });
    const failed = build(pixel(), sending(), { state: "pending", error: "Shopify answered HTTP 500" });
    expect(failed.items[3]).toMatchObject({ state: "todo", details: ["Last attempt: Shopify answered HTTP 500", "Retry below."] });
    expect(failed.orders.canRetry).toBe(true);
  });
});

describe("time labels", () => {
  it("prints wall-clock times of the shop's zone and short spans", () => {
    expect(localClock(Date.parse("2026-11-04T04:50:00Z"), TZ)).toBe("2026-11-03 23:50");
    expect(humanSpan(30_000)).toBe("less than a minute");
    expect(humanSpan(45 * 60_000)).toBe("45 min");
    expect(humanSpan(3 * H + 5 * 60_000)).toBe("3 h 5 min");
    expect(humanSpan(26 * H)).toBe("1 d 2 h");
  });
});
