/**
 * Entry attributes as both report paths read them: the precomputed rows (read.server.ts)
 * and the events (events-sql.server.ts) select one breakdown column and map it the way
 * loadReportEvents maps a stored session, so the two paths cannot disagree.
 */
import type { BreakdownKey, EntryAttributes } from "../../../core/types";

/** VisitorSession / FunnelUnitDay column of each breakdown attribute (same names in both tables). */
export const ATTR_COLUMN: Record<BreakdownKey, string> = {
  device: "device",
  source: "source",
  campaign: "campaign",
  landingPath: "landingPath",
  visitorType: "visitorType",
  loggedIn: "loggedIn",
};

/** A breakdown column's value as the driver returns it (SQLite booleans are 0/1, counts may be bigint). */
export type AttrValue = string | number | boolean | bigint | null;

/** Entry attributes with only the breakdown's one read from the row (reports read no other). */
export function attrsOf(key: BreakdownKey | undefined, value: AttrValue): EntryAttributes {
  const attrs: EntryAttributes = { device: null, source: "direct", campaign: null, landingPath: null, visitorType: "new", loggedIn: false };
  switch (key) {
    case "device":
      attrs.device = (value as EntryAttributes["device"]) ?? null;
      break;
    case "source":
      attrs.source = (value as string | null) ?? "direct";
      break;
    case "campaign":
    case "landingPath":
      attrs[key] = (value as string | null) ?? null;
      break;
    case "visitorType":
      attrs.visitorType = value === "returning" ? "returning" : "new";
      break;
    case "loggedIn":
      // true/false on PostgreSQL, 1/0 on SQLite.
      attrs.loggedIn = Boolean(Number(value));
      break;
  }
  return attrs;
}
