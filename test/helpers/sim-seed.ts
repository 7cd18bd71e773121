/**
 * The simulator's journeys written straight into a shop (no pixel, no HTTP): the rows
 * ingestion would store (scripts/lib/simulation-events.ts), through the tests' seeding
 * (sessions and activity as the writer derives them). For big simulated shops in tests.
 */
import type { Db } from "../../db/prisma";
import { simulatedEventRows } from "../../scripts/lib/simulation-events";
import type { SimulatedVisitor } from "../../scripts/lib/simulation";
import { seedJourneys, type SeedJourney } from "./funnel-seed";

export function simulatedJourneys(visitors: readonly SimulatedVisitor[]): SeedJourney[] {
  return visitors
    .map((v) => ({
      clientId: v.clientId,
      events: simulatedEventRows(v).map((r) => ({
        id: r.eventId,
        name: r.name,
        ts: r.ts,
        seq: r.seq,
        path: r.path ?? undefined,
        device: (r.device ?? undefined) as "mobile" | "tablet" | "desktop" | undefined,
        utmSource: r.utmSource ?? undefined,
        utmCampaign: r.utmCampaign ?? undefined,
        referrer: r.referrer ?? undefined,
        productId: r.productId ?? undefined,
        checkoutToken: r.checkoutToken ?? undefined,
        orderId: r.orderId ?? undefined,
        customerId: r.customerId ?? undefined,
        props: (r.props ?? undefined) as Record<string, string | number | boolean> | undefined,
      })),
    }))
    .filter((j) => j.events.length > 0);
}

export const seedSimulation = (db: Db, shopId: number, visitors: readonly SimulatedVisitor[]) => seedJourneys(db, shopId, simulatedJourneys(visitors));
