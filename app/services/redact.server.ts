import type { Prisma } from "../../generated/sqlite/index.js";
import prisma from "../db.server";
import { LONG_TRANSACTION } from "../db-client";
import { forgetShop } from "../../ingest/ingest.server";

type ModelName = Prisma.ModelName;

/**
 * How each table is emptied for one shop. Typed as a record over every model, so a
 * new model without a line here does not compile; test/integration/redact.test.ts
 * also fills every table and checks none keeps a row for the shop.
 */
function deletionsFor(db: Prisma.TransactionClient, shopId: number | null, domain: string): Record<ModelName, () => Promise<unknown>> {
  const id = shopId ?? -1;
  return {
    Session: () => db.session.deleteMany({ where: { shop: domain } }),
    FunnelUnitDay: () => db.funnelUnitDay.deleteMany({ where: { shopId: id } }),
    StaleVisitor: () => db.staleVisitor.deleteMany({ where: { shopId: id } }),
    FunnelStep: () => db.funnelStep.deleteMany({ where: { shopId: id } }),
    Funnel: () => db.funnel.deleteMany({ where: { shopId: id } }),
    Event: () => db.event.deleteMany({ where: { shopId: id } }),
    VisitorSession: () => db.visitorSession.deleteMany({ where: { shopId: id } }),
    ActivityBucket: () => db.activityBucket.deleteMany({ where: { shopId: id } }),
    Order: () => db.order.deleteMany({ where: { shopId: id } }),
    AudienceSync: () => db.audienceSync.deleteMany({ where: { shopId: id } }),
    Audience: () => db.audience.deleteMany({ where: { shopId: id } }),
    DataRequest: () => db.dataRequest.deleteMany({ where: { shopId: id } }),
    // Last: the row that holds the shop's id.
    Shop: () => db.shop.deleteMany({ where: { domain } }),
  };
}

/** shop/redact: deletes every row of the shop in every table, in one transaction. */
export async function deleteShopData(domain: string): Promise<void> {
  const shop = await prisma.shop.findUnique({ where: { domain }, select: { id: true } });
  // One transaction, as long as a big shop's delete takes (the default 5 s would expire it).
  await prisma.$transaction(async (tx) => {
    for (const run of Object.values(deletionsFor(tx, shop?.id ?? null, domain))) await run();
  }, LONG_TRANSACTION);
  forgetShop(domain);
}

/** customers/redact: removes the link between a customer and their events, everywhere. */
export async function redactCustomer(domain: string, customerId: string): Promise<number> {
  const shop = await prisma.shop.findUnique({ where: { domain }, select: { id: true } });
  if (!shop) return 0;
  const { count } = await prisma.event.updateMany({ where: { shopId: shop.id, customerId }, data: { customerId: null } });
  return count;
}
