/**
 * Remarketing audiences (docs/insights.md, "Remarketing audiences"): visitors who did
 * micro-conversion M within the lookback window and did not do macro goal Y in it.
 *
 * - Window: [now − N days, now) — rolling, not calendar days.
 * - Member visitor: at least one M event and no Y event in the window.
 * - Identity: a visitor is linked to the customer ids its events in the window carry
 *   (Event.customerId, present while the customer is logged in).
 * - Identified customers: customers linked to a member visitor, except those linked to
 *   any visitor that did Y in the window (bought on another device) or named on a Y event.
 * - Anonymous visitors: member visitors linked to no customer.
 * - History: the same rule one lookback period earlier, [now − 2N, now − N); of those
 *   members, how many did Y within the next N days ([now − N, now)), against the other
 *   visitors active then who had not done Y either (neither M nor Y) — visitor level.
 */
import { lift, type Counts, type LiftResult } from "../stats";
import type { CoreEvent, StepMatcher } from "../types";
import { firstMatch, inWindow, matchesMetric, visitorsInWindow, type Window } from "./visitors";
import { DAY_MS } from "../time";

export const MIN_LOOKBACK_DAYS = 1;
export const MAX_LOOKBACK_DAYS = 90;

export interface AudienceRule {
  micro: StepMatcher[];
  macro: StepMatcher[];
  lookbackDays: number;
}

export interface AudienceCustomer {
  /** Shopify customer id as stored (numeric for pixel data). */
  customerId: string;
  /** Member visitors (browsers) linked to this customer. */
  visitors: number;
  /** Last time one of them did the micro-conversion (epoch ms). */
  lastMicroAt: number;
}

export interface AudienceMembership extends Window {
  /** Visitors with any event in the window. */
  activeVisitors: number;
  /** Visitors who did M and not Y in the window. */
  memberVisitors: number;
  /** Identified customers, most recent micro-conversion first (then by id). */
  customers: AudienceCustomer[];
  /** Member visitors linked to no customer id. */
  anonymousVisitors: number;
  /** Customers linked to a member visitor but left out because they did Y (e.g. on another device). */
  excludedCustomers: number;
}

export function audienceWindow(now: number, lookbackDays: number): Window {
  return { from: now - lookbackDays * DAY_MS, to: now };
}

/** Who is in the audience over window `w`. */
export function audienceMembership(events: readonly CoreEvent[], rule: AudienceRule, w: Window): AudienceMembership {
  const byVisitor = visitorsInWindow(events, w);
  const converted = new Set<string>(); // customers excluded by Y
  const candidates = new Map<string, AudienceCustomer>();
  let members = 0;
  let anonymous = 0;
  for (const list of byVisitor.values()) {
    const customers = new Set<string>();
    let didY = false;
    let lastMicro = Number.NEGATIVE_INFINITY;
    for (const e of list) {
      if (e.customerId) customers.add(e.customerId);
      if (matchesMetric(e, rule.macro)) {
        didY = true;
        if (e.customerId) converted.add(e.customerId);
      } else if (matchesMetric(e, rule.micro)) lastMicro = e.ts;
    }
    if (didY) {
      for (const c of customers) converted.add(c);
      continue;
    }
    if (lastMicro === Number.NEGATIVE_INFINITY) continue;
    members++;
    if (customers.size === 0) anonymous++;
    for (const c of customers) {
      const row = candidates.get(c);
      if (row) {
        row.visitors++;
        row.lastMicroAt = Math.max(row.lastMicroAt, lastMicro);
      } else candidates.set(c, { customerId: c, visitors: 1, lastMicroAt: lastMicro });
    }
  }
  const customers = [...candidates.values()].filter((c) => !converted.has(c.customerId)).sort(compareCustomers);
  return {
    from: w.from,
    to: w.to,
    activeVisitors: byVisitor.size,
    memberVisitors: members,
    customers,
    anonymousVisitors: anonymous,
    excludedCustomers: candidates.size - customers.length,
  };
}

/** Most recent micro-conversion first, then by id: the order of the page and the CSV. */
export function compareCustomers(a: AudienceCustomer, b: AudienceCustomer): number {
  if (a.lastMicroAt !== b.lastMicroAt) return b.lastMicroAt - a.lastMicroAt;
  return a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0;
}

export interface AudienceHistory {
  /** When membership was taken: [now − 2N, now − N). */
  window: Window;
  /** When conversions were counted: [now − N, now). */
  followUp: Window;
  /** Members then, and how many of them did Y in the follow-up window. */
  members: Counts;
  /** Other visitors active then who had done neither M nor Y, and how many did Y afterwards. */
  others: Counts;
  lift: LiftResult;
  /** Set when the shop's data starts after the earlier window began, so "then" is incomplete. */
  caveat: string | null;
}

/**
 * How the audience converted historically: membership by the same rule one lookback
 * period back, conversions in the lookback period that followed.
 * `dataSince` (the shop's first stored event) only feeds the caveat.
 */
export function audienceHistory(events: readonly CoreEvent[], rule: AudienceRule, now: number, dataSince: number | null = null): AudienceHistory {
  const n = rule.lookbackDays * DAY_MS;
  const window = { from: now - 2 * n, to: now - n };
  const followUp = { from: now - n, to: now };
  const then = visitorsInWindow(events, window);
  const after = visitorsInWindow(events, followUp);
  const convertedAfter = (visitorId: string) => {
    const list = after.get(visitorId);
    return list !== undefined && firstMatch(list, rule.macro) >= 0;
  };
  const members = { converted: 0, total: 0 };
  const others = { converted: 0, total: 0 };
  for (const [visitorId, list] of then) {
    if (firstMatch(list, rule.macro) >= 0) continue; // had already converted: in neither group
    const group = firstMatch(list, rule.micro) >= 0 ? members : others;
    group.total++;
    if (convertedAfter(visitorId)) group.converted++;
  }
  const caveat =
    dataSince === null
      ? "no stored events yet"
      : dataSince > window.from
        ? `the shop's data starts ${Math.ceil((dataSince - window.from) / DAY_MS)} day(s) after this earlier period began, so it is incomplete`
        : null;
  return { window, followUp, members, others, lift: lift(members, others), caveat };
}

/**
 * A funnel step's drop-offs as an audience ("reached step k−1, never reached step k"):
 * exactly the units the report counts in dropOff[k] — furthest step k−1 and not waiting
 * (semantics v2) — from the funnel engine's per-unit results over the report's range.
 *
 * - Member visitors: the visitors of those units (for a session funnel, one visitor per
 *   distinct browser whose session dropped off there, so memberVisitors ≤ memberUnits).
 * - Identity: as for event audiences, the customer ids the range's events of a member
 *   visitor carry.
 * - Excluded customers: those also linked to a visitor with a unit that got past the step
 *   (reached step k, e.g. in another session or on another device).
 * - lastMicroAt: the latest entry time of that customer's dropped-off units.
 */
export interface DropOffUnit {
  /** The unit's visitor (pixel clientId). */
  visitorId: string;
  /** The deciding attempt's furthest step (1-based). */
  furthest: number;
  inProgress: boolean;
  /** Entry time of the deciding attempt (epoch ms). */
  entryTs: number;
}

export interface DropOffMembership extends AudienceMembership {
  /** Units (sessions or visitors) of dropOff[k]: equals the report's figure. */
  memberUnits: number;
}

export function dropOffMembership(units: readonly DropOffUnit[], step: number, events: readonly CoreEvent[], w: Window): DropOffMembership {
  const customersOf = new Map<string, Set<string>>();
  for (const e of events) {
    if (!e.customerId || !inWindow(e.ts, w)) continue;
    const set = customersOf.get(e.visitorId);
    if (set) set.add(e.customerId);
    else customersOf.set(e.visitorId, new Set([e.customerId]));
  }
  const lastEntry = new Map<string, number>(); // member visitor → latest dropped-off entry
  const passed = new Set<string>(); // visitors with a unit that reached step k
  const active = new Set<string>();
  let memberUnits = 0;
  for (const u of units) {
    active.add(u.visitorId);
    if (u.furthest >= step) passed.add(u.visitorId);
    else if (u.furthest === step - 1 && !u.inProgress) {
      memberUnits++;
      lastEntry.set(u.visitorId, Math.max(lastEntry.get(u.visitorId) ?? Number.NEGATIVE_INFINITY, u.entryTs));
    }
  }
  const converted = new Set<string>();
  for (const v of passed) for (const c of customersOf.get(v) ?? []) converted.add(c);
  const candidates = new Map<string, AudienceCustomer>();
  let anonymous = 0;
  for (const [v, last] of lastEntry) {
    const cs = customersOf.get(v);
    if (!cs || cs.size === 0) {
      anonymous++;
      continue;
    }
    for (const c of cs) {
      const row = candidates.get(c);
      if (row) {
        row.visitors++;
        row.lastMicroAt = Math.max(row.lastMicroAt, last);
      } else candidates.set(c, { customerId: c, visitors: 1, lastMicroAt: last });
    }
  }
  const customers = [...candidates.values()].filter((c) => !converted.has(c.customerId)).sort(compareCustomers);
  return {
    from: w.from,
    to: w.to,
    activeVisitors: active.size,
    memberVisitors: lastEntry.size,
    memberUnits,
    customers,
    anonymousVisitors: anonymous,
    excludedCustomers: candidates.size - customers.length,
  };
}
