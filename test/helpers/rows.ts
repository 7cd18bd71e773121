/**
 * Puts at least one row for a shop into every table, and counts a shop's rows per
 * table. Driven by Prisma's model list, so a new model without a line here fails.
 */
import { visitorBucket } from "../../core/diagnosis/paths";
import { Prisma } from "../../generated/sqlite/index.js";
import type { Db } from "../../db/prisma";
import { ensureDemoShop } from "../../scripts/lib/demo-shop";
import { rebuildActivity } from "../../app/services/activity.server";

type Shop = { id: number; domain: string };

export async function fillEveryTable(db: Db, domain: string): Promise<Shop> {
  const shop = await ensureDemoShop(db, { domain, ingestKey: `ik_${domain}` });
  const base = { shopId: shop.id, name: "page_viewed", seq: 1, clientId: "c1", sessionId: "c1:0", receivedAt: 0n };
  await db.event.createMany({
    data: [
      { ...base, eventId: "e1", ts: 1000n, customerId: "777" },
      { ...base, eventId: "e2", ts: 2000n, customerId: "888" },
    ],
  });
  await db.visitorSession.create({
    data: { shopId: shop.id, id: "c1:0", clientId: "c1", startTs: 1000n, endTs: 2000n, eventCount: 2, source: "direct", visitorType: "new" },
  });
  const funnel = await db.funnel.create({
    data: { shopId: shop.id, name: "Purchase", steps: { create: [{ shopId: shop.id, position: 1, label: "View", matchers: "[]" }] } },
  });
  await db.funnelVersion.create({
    data: { shopId: shop.id, funnelId: funnel.id, version: 1, name: "Purchase", unit: "session", windowMinutes: 10080, steps: "[]" },
  });
  await db.order.create({
    data: { shopId: shop.id, orderId: "5001", createdAt: 1000n, totalPrice: 10, currency: "USD", onlineStore: true, receivedAt: 1000n },
  });
  await db.funnelUnitDay.create({
    data: {
      shopId: shop.id,
      funnelId: funnel.id,
      unitId: "c1:1000",
      day: 0,
      clientId: "c1",
      entryTs: 1000n,
      furthest: 1,
      msFromPrev: "",
      latestStartTs: 1000n,
      lastTs: 2000n,
      multi: false,
      source: "direct",
      visitorType: "new",
      loggedIn: false,
      visitorBucket: visitorBucket("c1"),
    },
  });
  await rebuildActivity(db, shop.id);
  await db.alert.create({
    data: {
      shopId: shop.id,
      funnelId: funnel.id,
      step: 2,
      fromLabel: "A",
      toLabel: "B",
      segment: "overall",
      granularity: "hour",
      since: new Date(0),
      lastCheckedAt: new Date(0),
      expectedRate: 0.5,
      expectedLow: 0.4,
      expectedHigh: 0.6,
      baselineSettled: 100,
      baselineConverted: 50,
      settled: 40,
      converted: 5,
      observedRate: 0.125,
    },
  });
  await db.staleVisitor.create({ data: { shopId: shop.id, clientId: "c1", sinceTs: 1000n, version: 1, markedAt: 1000n } });
  const audience = await db.audience.create({
    data: { shopId: shop.id, name: "Carted, not bought", microMatcher: "{}", macroMatcher: "{}", tag: "mc-carted" },
  });
  await db.audienceSync.create({ data: { shopId: shop.id, audienceId: audience.id } });
  await db.dataRequest.create({ data: { shopId: shop.id, requestKey: "dr-1", customerId: "42", ordersJson: "[1]" } });
  return shop;
}

export async function countRowsForShop(db: Db, shop: Shop): Promise<Record<string, number>> {
  const counters: Record<Prisma.ModelName, () => Promise<number>> = {
    Session: () => db.session.count({ where: { shop: shop.domain } }),
    Shop: () => db.shop.count({ where: { domain: shop.domain } }),
    Event: () => db.event.count({ where: { shopId: shop.id } }),
    VisitorSession: () => db.visitorSession.count({ where: { shopId: shop.id } }),
    ActivityBucket: () => db.activityBucket.count({ where: { shopId: shop.id } }),
    Funnel: () => db.funnel.count({ where: { shopId: shop.id } }),
    FunnelStep: () => db.funnelStep.count({ where: { shopId: shop.id } }),
    FunnelVersion: () => db.funnelVersion.count({ where: { shopId: shop.id } }),
    FunnelUnitDay: () => db.funnelUnitDay.count({ where: { shopId: shop.id } }),
    StaleVisitor: () => db.staleVisitor.count({ where: { shopId: shop.id } }),
    Order: () => db.order.count({ where: { shopId: shop.id } }),
    Audience: () => db.audience.count({ where: { shopId: shop.id } }),
    AudienceSync: () => db.audienceSync.count({ where: { shopId: shop.id } }),
    DataRequest: () => db.dataRequest.count({ where: { shopId: shop.id } }),
    Alert: () => db.alert.count({ where: { shopId: shop.id } }),
  };
  const out: Record<string, number> = {};
  for (const model of Object.values(Prisma.ModelName)) out[model] = await counters[model]();
  return out;
}
