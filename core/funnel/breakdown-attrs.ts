import type { BreakdownKey, EntryAttributes } from "../types";

/** The column (VisitorSession, FunnelUnitDay) holding each breakdown attribute. */
export const ATTR_COLUMN: Record<BreakdownKey, string> = {
  device: "device",
  source: "source",
  medium: "medium",
  campaign: "campaign",
  landingPath: "landingPath",
  visitorType: "visitorType",
  loggedIn: "loggedIn",
};

/** A breakdown column's value as the driver returns it (SQLite booleans are 0/1, counts may be bigint). */
export type AttrValue = string | number | boolean | bigint | null;

/**
 * Entry attributes of a unit read with its breakdown attribute only (reports read no
 * other): that one decoded from the row's value as the driver returns it, the rest defaults.
 */
export function attrsOf(key: BreakdownKey | null | undefined, value: AttrValue): EntryAttributes {
  const attrs: EntryAttributes = { device: null, source: "direct", medium: null, campaign: null, landingPath: null, visitorType: "new", loggedIn: false };
  if (!key) return attrs;
  if (key === "loggedIn") attrs.loggedIn = Boolean(Number(value));
  else if (key === "device") attrs.device = (value as EntryAttributes["device"]) ?? null;
  else if (key === "visitorType") attrs.visitorType = value === "returning" ? "returning" : "new";
  else if (key === "source") attrs.source = (value as string | null) ?? "direct";
  else attrs[key] = (value as string | null) ?? null;
  return attrs;
}
