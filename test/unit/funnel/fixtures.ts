/** Builders shared by the funnel tests. */
import type { CoreEvent, EntryAttributes, FunnelDefinition, FunnelStepDef, StepFilter } from "../../../core/types";
import { DEFAULT_VISITOR_WINDOW_MS } from "../../../core/types";

export const SEC = 1000;
export const MIN = 60 * SEC;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;
/** Monday 2026-01-05 12:00 UTC. */
export const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);

export const defaultAttrs: EntryAttributes = {
  device: "desktop",
  source: "direct",
  medium: null,
  campaign: null,
  landingPath: "/",
  visitorType: "new",
  loggedIn: false,
};

let counter = 0;

/** An event with sensible defaults; id and seq are unique unless given. */
export function ev(p: Partial<CoreEvent> & { name: string; ts: number }): CoreEvent {
  counter++;
  return {
    id: `e${counter}`,
    seq: counter,
    visitorId: "v1",
    path: null,
    productId: null,
    checkoutToken: null,
    orderId: null,
    customerId: null,
    props: {},
    attrs: defaultAttrs,
    ...p,
  };
}

/** A step matching one event name with optional filters. */
export function step(event: string, filters: StepFilter[] = [], label = event): FunnelStepDef {
  return { label, anyOf: [{ event, filters }] };
}

/** A funnel over plain event names (or prebuilt steps). */
export function funnel(steps: (string | FunnelStepDef)[], unit: FunnelDefinition["unit"] = "session", windowMs = DEFAULT_VISITOR_WINDOW_MS): FunnelDefinition {
  return { steps: steps.map((s) => (typeof s === "string" ? step(s) : s)), unit, windowMs };
}

/** The shop funnel of the worked example. */
export const SHOP_STEPS = ["product_viewed", "product_added_to_cart", "checkout_started", "checkout_completed"];

/** Params with a wide range around T0 and `now` far in the future (nothing in progress). */
export function params(over: Partial<{ from: number; to: number; now: number; timeZone: string }> = {}) {
  return { from: T0 - 30 * DAY, to: T0 + 30 * DAY, now: T0 + 365 * DAY, timeZone: "UTC", ...over };
}
