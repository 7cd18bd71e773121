import type { Prisma } from "../../generated/sqlite/index.js";
import { LONG_TRANSACTION, type Db } from "../../db/prisma";
import type { Ingestion } from "../../ingest/ingest.server";
import { customerIdForms, scrubJsonText, scrubSyncCursor, scrubText, scrubUrl } from "./redact-scrub";

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
    Alert: () => db.alert.deleteMany({ where: { shopId: id } }),
    FunnelVersion: () => db.funnelVersion.deleteMany({ where: { shopId: id } }),
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

/** What the redactions use: the database, and ingestion's shop cache (a deleted shop must stop being accepted at once). */
export interface RedactDeps {
  db: Db;
  ingestion: Pick<Ingestion, "forgetShop">;
}

/** shop/redact: deletes every row of the shop in every table, in one transaction. */
export async function deleteShopData({ db, ingestion }: RedactDeps, domain: string): Promise<void> {
  const shop = await db.shop.findUnique({ where: { domain }, select: { id: true } });
  // One transaction, as long as a big shop's delete takes (the default 5 s would expire it).
  await db.$transaction(async (tx) => {
    for (const run of Object.values(deletionsFor(tx, shop?.id ?? null, domain))) await run();
  }, LONG_TRANSACTION);
  ingestion.forgetShop(domain);
}

export interface CustomerRedaction {
  /** Events unlinked from the customer (customerId cleared). */
  unlinked: number;
  /** Events whose props, url or referrer held the id. */
  eventsScrubbed: number;
  /** Audience sync runs whose plan/cursor or error held the id. */
  syncsScrubbed: number;
  /** Pending data requests that named the customer (kept, without the id). */
  requestsUnlinked: number;
}

/**
 * customers/redact: removes the customer's id from every column that can hold one
 * (test/integration/webhooks.test.ts classifies every text column of the schema):
 * Event.customerId (cleared), Event.props / url / referrer (the values that are the id),
 * AudienceSync.cursor (plans, tagged lists, recorded errors) and AudienceSync.error.
 * Audience members are computed from the events, so the customer leaves every audience.
 * Idempotent: a replay finds nothing left to change.
 */
export async function redactCustomer(db: Db, domain: string, customerId: string): Promise<CustomerRedaction> {
  const shop = await db.shop.findUnique({ where: { domain }, select: { id: true } });
  if (!shop) return { unlinked: 0, eventsScrubbed: 0, syncsScrubbed: 0, requestsUnlinked: 0 };
  const shopId = shop.id;
  const forms = customerIdForms(customerId);
  return db.$transaction(async (tx) => {
    const { count: unlinked } = await tx.event.updateMany({ where: { shopId, customerId: { in: forms } }, data: { customerId: null } });

    // Candidates by substring, then exact checks in scrub*: only values that are the id go.
    const mentions = { contains: customerId };
    const events = await tx.event.findMany({
      where: { shopId, OR: [{ props: mentions }, { url: mentions }, { referrer: mentions }] },
      select: { eventId: true, props: true, url: true, referrer: true },
    });
    let eventsScrubbed = 0;
    for (const e of events) {
      const props = scrubJsonText(e.props, forms);
      const url = scrubUrl(e.url, forms);
      const referrer = scrubUrl(e.referrer, forms);
      if (props === null && url === null && referrer === null) continue;
      await tx.event.update({
        where: { shopId_eventId: { shopId, eventId: e.eventId } },
        data: { ...(props !== null && { props }), ...(url !== null && { url }), ...(referrer !== null && { referrer }) },
      });
      eventsScrubbed++;
    }

    const syncs = await tx.audienceSync.findMany({
      where: { shopId, OR: [{ cursor: mentions }, { error: mentions }] },
      select: { id: true, cursor: true, error: true },
    });
    let syncsScrubbed = 0;
    for (const run of syncs) {
      const cursor = scrubSyncCursor(run.cursor, forms);
      const error = run.error === null ? null : scrubText(run.error, forms);
      const errorChanged = error !== run.error;
      if (cursor === null && !errorChanged) continue;
      await tx.audienceSync.update({ where: { id: run.id }, data: { ...(cursor !== null && { cursor }), ...(errorChanged && { error }) } });
      syncsScrubbed++;
    }
    // A pending data request stays for the merchant to answer; it no longer names the customer.
    const { count: requestsUnlinked } = await tx.dataRequest.updateMany({ where: { shopId, customerId: { in: forms } }, data: { customerId: null } });
    return { unlinked, eventsScrubbed, syncsScrubbed, requestsUnlinked };
  }, LONG_TRANSACTION);
}
