/**
 * Shared vocabulary of the pure core. Nothing here imports Prisma, Node built-ins
 * or reads the clock: callers pass `now` and the shop's time zone explicitly.
 */

/** Device class derived from viewport width / user agent. */
export type Device = "mobile" | "tablet" | "desktop";

/** Attributes of a session's entry, used for breakdowns. */
export interface EntryAttributes {
  device: Device | null;
  /** utm_source, else referrer host, else "direct". */
  source: string;
  /** utm_medium of the entry (null without one). */
  medium: string | null;
  campaign: string | null;
  landingPath: string | null;
  /** "new" for a visitor's first session, else "returning". */
  visitorType: "new" | "returning";
  loggedIn: boolean;
}

/** One stored event as the core sees it (epoch-millisecond timestamps). */
export interface CoreEvent {
  /** The pixel's own event id: unique per event and shop. */
  id: string;
  /** Standard event name ("product_viewed") or custom name ("mc:scroll_depth"). */
  name: string;
  ts: number;
  seq: number;
  /** Pixel clientId: the visitor. */
  visitorId: string;
  path: string | null;
  productId: string | null;
  checkoutToken: string | null;
  orderId: string | null;
  customerId: string | null;
  /** Flat payload properties (customData of mc:* events, e.g. { percent: 75 }). */
  props: Record<string, string | number | boolean | null>;
  /** Entry attributes of the session this event belongs to (filled by ingestion). */
  attrs: EntryAttributes;
}

export type FilterOp = "equals" | "startsWith" | "contains";

/** A condition on an event. `prop` filters compare String(props[key]). */
export type StepFilter =
  // `title` names what a picker chose (a collection, a product) for display; matching ignores it.
  | { field: "path"; op: FilterOp; value: string; title?: string }
  | { field: "productId"; op: "equals"; value: string; title?: string }
  | { field: "prop"; key: string; op: "equals"; value: string };

/** One alternative of a step: an event name plus filters that must all hold. */
export interface StepMatcher {
  event: string;
  filters: StepFilter[];
}

/** A funnel step matches when any of its alternatives matches ("added to cart OR wishlist"). */
export interface FunnelStepDef {
  label: string;
  anyOf: StepMatcher[];
}

export type FunnelUnit = "session" | "visitor";

export interface FunnelDefinition {
  steps: FunnelStepDef[]; // 2..20
  unit: FunnelUnit;
  /** Conversion window for `visitor` units (1 min .. 90 days); sessions bound themselves. */
  windowMs: number;
}

export const SESSION_GAP_MS = 30 * 60 * 1000;
export const MIN_WINDOW_MS = 60 * 1000;
export const MAX_WINDOW_MS = 90 * 24 * 60 * 60 * 1000;
export const DEFAULT_VISITOR_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;
export const MIN_STEPS = 2;
export const MAX_STEPS = 20;

export type BreakdownKey = "device" | "source" | "medium" | "campaign" | "landingPath" | "visitorType" | "loggedIn";
