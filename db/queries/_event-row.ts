/** Shared by the report-events queries (not a query: files starting with _ are fragments). */

export type EventRow = {
  eventId: string;
  name: string;
  ts: bigint | number;
  seq: number;
  clientId: string;
  path: string | null;
  productId: string | null;
  checkoutToken: string | null;
  orderId: string | null;
  customerId: string | null;
  props: string | null;
  device: string | null;
  source: string | null;
  medium: string | null;
  campaign: string | null;
  landingPath: string | null;
  visitorType: string | null;
  loggedIn: boolean | number | null;
};

/** The columns an EventRow holds: events `e` joined with their sessions `s`. */
export const CORE_EVENT_COLUMNS = `e."eventId", e."name", e."ts", e."seq", e."clientId", e."path", e."productId", e."checkoutToken",
      e."orderId", e."customerId", e."props", s."device", s."source", s."medium", s."campaign", s."landingPath", s."visitorType", s."loggedIn"`;
