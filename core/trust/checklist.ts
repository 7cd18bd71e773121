/**
 * The setup checklist (pure): facts gathered from the database and, when it could be
 * asked, from Shopify → a state per item and the sentences the merchant reads. The
 * checklist is "complete" only when every item is done; until then it is the first thing
 * a new merchant should see.
 */
import { quietVerdict, type QuietVerdict } from "./quiet";
import { count } from "./format";
import { humanSpan, momentLabel } from "./time";

/** The theme app embed block: extensions/theme-embed/blocks/micro-conversions.liquid. */
export const EMBED_BLOCK_HANDLE = "micro-conversions";
/**
 * With this many page views since the latest page-level event, an enabled embed would
 * almost surely have sent something (scroll depth alone fires on most pages): it was
 * probably switched off, or lost in a theme change — app embeds are per theme.
 */
export const EMBED_SILENCE_PAGE_VIEWS = 500;

export type ItemState = "done" | "warning" | "todo" | "error";

/**
 * Shopify's documented deep link that opens the theme editor's App embeds panel with our
 * embed ready to activate: activateAppId = <app client id>/<embed block handle>.
 * The merchant still clicks Save.
 */
export function embedDeepLink(shopDomain: string, apiKey: string, handle = EMBED_BLOCK_HANDLE): string {
  return `https://${shopDomain}/admin/themes/current/editor?context=apps&activateAppId=${encodeURIComponent(apiKey)}/${encodeURIComponent(handle)}`;
}

/** What Shopify holds for our pixel compared with what it should hold. */
export type PixelSettingsCheck =
  { result: "current" } | { result: "outdated"; differs: ("ingestUrl" | "ingestKey")[] } | { result: "missing" } | { result: "unchecked"; reason: string };

export interface PixelFacts {
  /** Shop.pixelStatus: "pending" | "created" | "failed". */
  status: string;
  error: string | null;
  webPixelId: string | null;
  ingestUrl: string;
  settings: PixelSettingsCheck;
  /** When the shop was (re)installed, epoch ms: a pixel still "pending" just after it is being set up, not missing. */
  installedAt?: number | null;
}

/**
 * How long after an install a "pending" pixel reads as being set up: the install hook
 * creates it within seconds, and a page served by another server process than the one
 * running the hook can read the row before the hook records it.
 */
export const PIXEL_SETUP_GRACE_MS = 2 * 60_000;

export interface KindFacts {
  count7d: number;
  firstTs: number | null;
  latestTs: number | null;
}

export interface EventFacts {
  standard: KindFacts;
  custom: KindFacts;
  /** floor(ts / 1 h) of hours with events, over the 14 days up to the latest event. */
  hourBuckets: number[];
  /** page_viewed events after the latest mc: event, counted up to EMBED_SILENCE_PAGE_VIEWS. */
  pageViewsSinceLatestCustom: number;
}

/** Shop.ordersWebhook / ordersWebhookError: the orders/create subscription made at install. */
export interface OrdersWebhookFacts {
  state: string;
  error: string | null;
}

/** Where a developer requests protected customer data access (README "Protected customer data"). */
export const PROTECTED_DATA_STEPS = [
  "In the Partner Dashboard (or Dev Dashboard): Apps → Micro-Conversions → API access → Protected customer data access → Request access.",
  'Select "Protected customer data" only (Level 1: no name, email, phone or address fields), give the reasons from the README, and save. Development stores work as soon as it is saved; a public app needs Shopify\'s review.',
  'Then press "Retry" here.',
];

export interface ChecklistItem {
  key: "pixel" | "embed" | "events" | "orders";
  state: ItemState;
  title: string;
  summary: string;
  /** Extra lines (evidence, what to do). */
  details: string[];
}

export interface KindView extends KindFacts {
  label: string;
  firstLabel: string | null;
  latestLabel: string | null;
}

export interface SetupChecklistView {
  complete: boolean;
  doneCount: number;
  now: number;
  timeZone: string;
  items: ChecklistItem[];
  pixel: { status: string; error: string | null; webPixelId: string | null; ingestUrl: string; settings: PixelSettingsCheck; canRetry: boolean };
  orders: { state: string; error: string | null; canRetry: boolean };
  embed: { detected: boolean; deepLink: string; pageViewsSinceLatestCustom: number };
  events: { standard: KindView; custom: KindView; quiet: QuietVerdict };
}

function pixelItem(p: PixelFacts, recentEvents: boolean, now: number): ChecklistItem {
  const title = "Web pixel connected";
  const id = p.webPixelId ? ` (pixel ${p.webPixelId})` : "";
  if (p.status === "failed") {
    return {
      key: "pixel",
      state: "error",
      title,
      summary: "Shopify refused to create the web pixel, so no storefront events can reach the app.",
      details: [`Error: ${p.error ?? "unknown"}`, "Retry below; if it keeps failing, check that the app still has the write_pixels scope."],
    };
  }
  if (p.status !== "created" && p.installedAt != null && now - p.installedAt < PIXEL_SETUP_GRACE_MS) {
    return {
      key: "pixel",
      state: "todo",
      title,
      summary: "Setting up: the app is connecting the web pixel right after the install (a few seconds).",
      details: ["Reload this page in a moment to see it connected; if it still says this after a minute or two, connect it now."],
    };
  }
  if (p.status !== "created") {
    return {
      key: "pixel",
      state: "todo",
      title,
      summary: "The web pixel has not been created yet.",
      details: ["It is created when the app is opened after install; you can also connect it now."],
    };
  }
  switch (p.settings.result) {
    case "current":
      return {
        key: "pixel",
        state: "done",
        title,
        summary: `Connected${id}. Shopify's copy of its settings sends events to ${p.ingestUrl} with this shop's key.`,
        details: [],
      };
    case "outdated":
      return {
        key: "pixel",
        state: "warning",
        title,
        summary: `Connected${id}, but Shopify's copy of its settings is out of date (${p.settings.differs.join(" and ")} differ${p.settings.differs.length === 1 ? "s" : ""}), so events may go to the wrong place or be refused.`,
        details: ["Update the pixel settings below."],
      };
    case "missing":
      return {
        key: "pixel",
        state: "error",
        title,
        summary: "Shopify has no web pixel for this app any more (it was removed), so nothing is being sent.",
        details: ["Reconnect it below."],
      };
    case "unchecked":
      return {
        key: "pixel",
        state: "done",
        title,
        summary: `Connected${id}.`,
        details: [
          `Its settings could not be compared with Shopify's copy just now (${p.settings.reason}).`,
          recentEvents
            ? "Events arrived in the last 7 days with this shop's key, so the settings work."
            : "No events in the last 7 days confirm the settings yet.",
        ],
      };
  }
}

function embedItem(e: EventFacts, deepLink: string, now: number, timeZone: string): ChecklistItem {
  const title = "Theme app embed enabled";
  const link = "Open the theme editor with the Micro-Conversions embed ready to turn on, then click Save.";
  if (e.custom.latestTs === null) {
    return {
      key: "embed",
      state: "todo",
      title,
      summary:
        e.standard.latestTs === null
          ? "No page-level events yet: turn the app embed on so scroll depth, video plays, downloads and form starts are captured."
          : `The pixel is sending, but no page-level (mc:) events have arrived: the app embed looks switched off in your theme.`,
      details: [link],
    };
  }
  if (e.pageViewsSinceLatestCustom >= EMBED_SILENCE_PAGE_VIEWS) {
    return {
      key: "embed",
      state: "warning",
      title,
      summary: `No page-level events in the last ${count(e.pageViewsSinceLatestCustom)}+ page views (latest ${momentLabel(e.custom.latestTs, now, timeZone)}). The embed may have been turned off, or lost when the theme changed — embeds are enabled per theme.`,
      details: [link],
    };
  }
  return {
    key: "embed",
    state: "done",
    title,
    summary: `Detected: page-level events are arriving (latest ${momentLabel(e.custom.latestTs, now, timeZone)}).`,
    details: [],
  };
}

function eventsItem(e: EventFacts, quiet: QuietVerdict, now: number, timeZone: string): ChecklistItem {
  const title = "First events received";
  const latest = Math.max(e.standard.latestTs ?? -Infinity, e.custom.latestTs ?? -Infinity);
  if (!Number.isFinite(latest)) {
    return {
      key: "events",
      state: "todo",
      title,
      summary: "No events received yet.",
      details: [
        "Events arrive once visitors who accepted analytics cookies browse the store (a visit of your own, with cookies accepted, is enough to check).",
      ],
    };
  }
  const line = (label: string, k: KindFacts) =>
    k.latestTs === null ? `${label}: none yet.` : `${label}: latest ${momentLabel(k.latestTs, now, timeZone)}, ${count(k.count7d)} in the last 7 days.`;
  const details = [line("Standard events (page views, cart, checkout)", e.standard), line("Page-level events (mc:)", e.custom)];
  if (quiet.state === "quiet") {
    return {
      key: "events",
      state: "warning",
      title,
      summary: `No events for ${humanSpan(quiet.silentForMs!)}, while this shop usually has at most ${humanSpan(quiet.usualGapMs!)} between active hours. The pixel may have stopped sending.`,
      details: [...details, "Check that the pixel is connected and that the storefront loads; a theme or checkout change can also stop it."],
    };
  }
  const rhythm =
    quiet.state === "sending"
      ? `Usual gap between active hours: up to ${humanSpan(quiet.usualGapMs!)} (learned from ${count(quiet.activeHours)} active hours).`
      : "Not enough traffic yet to learn this shop's usual rhythm; a silence warning appears once it is known.";
  return { key: "events", state: "done", title, summary: `Events are arriving (latest ${momentLabel(latest, now, timeZone)}).`, details: [...details, rhythm] };
}

function ordersItem(o: OrdersWebhookFacts): ChecklistItem {
  const title = "Order reconciliation (orders/create webhook)";
  if (o.state === "subscribed") {
    return {
      key: "orders",
      state: "done",
      title,
      summary: "Shopify sends each new order to the app, so coverage compares the pixel's purchases with your orders.",
      details: [],
    };
  }
  if (o.state === "refused") {
    return {
      key: "orders",
      state: "error",
      title,
      summary:
        "Shopify refused the orders/create subscription: the app has not been granted protected customer data access. Events and funnels work; order coverage and audience tagging wait for it.",
      details: [`Shopify said: ${o.error ?? "not approved"}`, ...PROTECTED_DATA_STEPS],
    };
  }
  return {
    key: "orders",
    state: "todo",
    title,
    summary: "The orders/create subscription has not been made yet.",
    details: o.error ? [`Last attempt: ${o.error}`, "Retry below."] : ["It is made when the app is opened after install; you can also retry now."],
  };
}

function kindView(label: string, k: KindFacts, now: number, timeZone: string): KindView {
  return {
    ...k,
    label,
    firstLabel: k.firstTs === null ? null : momentLabel(k.firstTs, now, timeZone),
    latestLabel: k.latestTs === null ? null : momentLabel(k.latestTs, now, timeZone),
  };
}

export function buildChecklist(input: {
  shopDomain: string;
  apiKey: string;
  timeZone: string;
  now: number;
  pixel: PixelFacts;
  events: EventFacts;
  orders: OrdersWebhookFacts;
}): SetupChecklistView {
  const { now, timeZone, events } = input;
  const latest = Math.max(events.standard.latestTs ?? -Infinity, events.custom.latestTs ?? -Infinity);
  const quiet = quietVerdict({ latestTs: Number.isFinite(latest) ? latest : null, hourBuckets: events.hourBuckets, now });
  const deepLink = embedDeepLink(input.shopDomain, input.apiKey);
  const recent = events.standard.count7d + events.custom.count7d > 0;
  const items = [
    pixelItem(input.pixel, recent, now),
    embedItem(events, deepLink, now, timeZone),
    eventsItem(events, quiet, now, timeZone),
    ordersItem(input.orders),
  ];
  const doneCount = items.filter((i) => i.state === "done").length;
  return {
    complete: doneCount === items.length,
    doneCount,
    now,
    timeZone,
    items,
    pixel: {
      status: input.pixel.status,
      error: input.pixel.error,
      webPixelId: input.pixel.webPixelId,
      ingestUrl: input.pixel.ingestUrl,
      settings: input.pixel.settings,
      canRetry: items[0].state !== "done",
    },
    orders: { state: input.orders.state, error: input.orders.error, canRetry: items[3].state !== "done" },
    embed: { detected: events.custom.latestTs !== null, deepLink, pageViewsSinceLatestCustom: events.pageViewsSinceLatestCustom },
    events: {
      standard: kindView("Standard events", events.standard, now, timeZone),
      custom: kindView("Page-level events (mc:)", events.custom, now, timeZone),
      quiet,
    },
  };
}
