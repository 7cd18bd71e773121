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

/** Entry attributes from a row's attribute columns as the driver returns them; a column not read takes its default. */
export function attrsFromColumns(row: Partial<Record<BreakdownKey, AttrValue>>): EntryAttributes {
  return {
    device: (row.device as EntryAttributes["device"] | undefined) ?? null,
    source: (row.source as string | null | undefined) ?? "direct",
    medium: (row.medium as string | null | undefined) ?? null,
    campaign: (row.campaign as string | null | undefined) ?? null,
    landingPath: (row.landingPath as string | null | undefined) ?? null,
    visitorType: row.visitorType === "returning" ? "returning" : "new",
    loggedIn: Boolean(Number(row.loggedIn ?? 0)),
  };
}

/** Entry attributes of a unit read with its breakdown attribute only (reports read no other). */
export function attrsOf(key: BreakdownKey | null | undefined, value: AttrValue): EntryAttributes {
  const row: Partial<Record<BreakdownKey, AttrValue>> = {};
  // Assigned, not a computed key inside a ternary: the Remix Vite build compiled
  // `key ? { [key]: value } : {}` to `key ? {} : {}` (seen in build/server/index.js).
  if (key) row[key] = value;
  return attrsFromColumns(row);
}
