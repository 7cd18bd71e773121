import prisma from "../db.server";

/** What the dashboard says about data collection: counts and the latest event. */
export async function trackingStatus(shopId: number) {
  const [events, latest, custom] = await Promise.all([
    prisma.event.count({ where: { shopId } }),
    prisma.event.findFirst({ where: { shopId }, orderBy: { ts: "desc" }, select: { ts: true } }),
    prisma.event.count({ where: { shopId, name: { startsWith: "mc:" } } }),
  ]);
  return {
    events,
    customEvents: custom,
    latestEventAt: latest ? new Date(Number(latest.ts)).toISOString() : null,
  };
}
