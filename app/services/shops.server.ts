import { randomBytes } from "node:crypto";
import type { Db } from "../../db/prisma";
import type { Ingestion } from "../../ingest/ingest.server";
import { env } from "../env.server";
import type { AdminGraphql } from "./admin-graphql.server";
import { adminQuery } from "./admin-graphql.server";
import { ensureWebPixel } from "./web-pixel.server";
import { registerOrdersWebhook } from "./orders-webhook.server";
import { allowedQueryParamsOf } from "../../core/shop-settings";

const SHOP_QUERY = `#graphql
query ShopForInstall { shop { name ianaTimezone currencyCode } }`;

/** A fresh per-shop ingest key: 256 random bits, URL-safe. */
export function newIngestKey(): string {
  return `ik_${randomBytes(32).toString("base64url")}`;
}

/**
 * What shop bookkeeping uses: the database, and ingestion's shop cache (an install or
 * uninstall must take effect for /collect at once). Routes pass appContext().
 */
export interface ShopDeps {
  db: Db;
  ingestion: Pick<Ingestion, "forgetShop">;
}

export function getShop({ db }: Pick<ShopDeps, "db">, domain: string) {
  return db.shop.findUnique({ where: { domain } });
}

/**
 * Installs running in this process, by shop domain. A page's route loaders run at once:
 * the first one to find no session runs the afterAuth hook (recordInstall), the others
 * get past `authenticate.admin` without waiting for it (the library runs the hook once
 * per session token and lets the other requests through). Their `requireShop` waits for
 * the install here, so the first page after install shows the pixel as it is, never the
 * row's "pending" default.
 */
const installsInFlight = new Map<string, Promise<unknown>>();

/** Resolves once no install of `domain` is running in this process (its failure is the install's to report). */
export async function installSettled(domain: string): Promise<void> {
  await installsInFlight.get(domain)?.catch(() => undefined);
}

/** The shop row for an authenticated admin request; created on first sight. */
export async function requireShop({ db }: Pick<ShopDeps, "db">, domain: string) {
  await installSettled(domain);
  const shop = await getShop({ db }, domain);
  if (shop) return shop;
  try {
    return await db.shop.create({ data: { domain, name: domain, ingestKey: newIngestKey() } });
  } catch (error) {
    // A page's route loaders run at once: on a shop's first request two of them can both
    // find no row; the one whose insert loses reads the winner's row instead of failing (500).
    if ((error as { code?: string }).code !== "P2002") throw error;
    return db.shop.findUniqueOrThrow({ where: { domain } });
  }
}

/**
 * Install / re-auth: records the shop from the Admin API and creates or updates its
 * web pixel. Idempotent: the ingest key survives re-installs, an uninstall mark is cleared.
 */
export function recordInstall(deps: ShopDeps, domain: string, admin: AdminGraphql) {
  // Registered before its first await, so a sibling loader past authentication sees it.
  const running = installShop(deps, domain, admin);
  installsInFlight.set(domain, running);
  const clear = () => {
    if (installsInFlight.get(domain) === running) installsInFlight.delete(domain);
  };
  running.then(clear, clear);
  return running;
}

async function installShop({ db, ingestion }: ShopDeps, domain: string, admin: AdminGraphql) {
  const { shop: info } = await adminQuery<{ shop: { name: string; ianaTimezone: string; currencyCode: string } }>(admin, SHOP_QUERY);
  const fields = { name: info.name, timeZone: info.ianaTimezone, currency: info.currencyCode, uninstalledAt: null };
  const shop = await db.$transaction(async (tx) => {
    const before = await tx.shop.findUnique({ where: { domain }, select: { timeZone: true } });
    const row = await tx.shop.upsert({ where: { domain }, create: { domain, ingestKey: newIngestKey(), ...fields }, update: fields });
    // Precomputed funnel results are per local day: a new zone means new days, so rebuild.
    if (before && before.timeZone !== row.timeZone) {
      await tx.funnel.updateMany({ where: { shopId: row.id }, data: { resultsState: "building", resultsMark: null } });
    }
    return row;
  });
  // A reinstall must take effect for ingestion at once: drop this process's cached
  // "uninstalled" entry (other processes keep such entries at most INACTIVE_TTL_MS).
  ingestion.forgetShop(domain);
  // Every token exchange (rare: install, lost session): the app URL may have changed
  // (`shopify app dev` tunnels), and "already taken" for the same address is a success.
  await syncOrdersWebhook({ db }, shop.id, admin);
  return syncPixel({ db }, shop.id, admin);
}

/** Subscribes the shop to orders/create and stores the outcome for the Setup page. */
export async function syncOrdersWebhook({ db }: Pick<ShopDeps, "db">, shopId: number, admin: AdminGraphql) {
  const result = await registerOrdersWebhook(admin, new URL("/webhooks/orders/create", env.SHOPIFY_APP_URL).toString());
  return db.shop.update({
    where: { id: shopId },
    data: { ordersWebhook: result.state, ordersWebhookError: result.state === "subscribed" ? null : result.error.slice(0, 1000) },
  });
}

/**
 * Creates/updates the web pixel for a shop and stores the outcome for the Settings page.
 * The pixel gets the merchant's kept query parameters too, so it does not strip what
 * ingestion would keep.
 */
export async function syncPixel({ db }: Pick<ShopDeps, "db">, shopId: number, admin: AdminGraphql) {
  const shop = await db.shop.findUniqueOrThrow({ where: { id: shopId } });
  const queryParams = allowedQueryParamsOf(shop.settings).join(",");
  const result = await ensureWebPixel(admin, shop.webPixelId, { ingestUrl: env.ingestUrl, ingestKey: shop.ingestKey, queryParams });
  return db.shop.update({
    where: { id: shopId },
    data: result.ok ? { webPixelId: result.id, pixelStatus: "created", pixelError: null } : { pixelStatus: "failed", pixelError: result.error.slice(0, 1000) },
  });
}

/**
 * app/uninstalled: sessions go, the shop is marked so ingestion for it stops. Data stays
 * until shop/redact. Shopify drops the shop-specific orders/create subscription with the
 * install, so it is marked to be made again on reinstall.
 */
export async function markUninstalled({ db, ingestion }: ShopDeps, domain: string) {
  await db.$transaction([
    db.session.deleteMany({ where: { shop: domain } }),
    db.shop.updateMany({ where: { domain, uninstalledAt: null }, data: { uninstalledAt: new Date() } }),
    db.shop.updateMany({ where: { domain }, data: { ordersWebhook: "pending", ordersWebhookError: null } }),
  ]);
  ingestion.forgetShop(domain);
}

/** app/scopes_update: keep the granted scopes on the shop and its sessions. */
export async function recordScopes({ db }: Pick<ShopDeps, "db">, domain: string, scopes: string[]) {
  const scope = scopes.join(",");
  await db.$transaction([
    db.shop.updateMany({ where: { domain }, data: { scopes: scope } }),
    db.session.updateMany({ where: { shop: domain }, data: { scope } }),
  ]);
}
