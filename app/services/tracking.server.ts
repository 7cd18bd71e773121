import type { Db } from "../../db/prisma";
import { activityTotals } from "./activity.server";

/** What the dashboard says about data collection: counts (from the activity buckets) and the latest event. */
export async function trackingStatus(db: Db, shopId: number) {
  const [totals, latest] = await Promise.all([
    activityTotals(db, shopId),
    db.event.findFirst({ where: { shopId }, orderBy: { ts: "desc" }, select: { ts: true } }),
  ]);
  return {
    events: totals.events,
    customEvents: totals.customEvents,
    latestEventAt: latest ? new Date(Number(latest.ts)).toISOString() : null,
  };
}

/** Whether the shop has stored any event at all (one indexed row read). */
export async function hasEvents(db: Db, shopId: number): Promise<boolean> {
  return (await db.event.findFirst({ where: { shopId }, select: { eventId: true } })) !== null;
}
