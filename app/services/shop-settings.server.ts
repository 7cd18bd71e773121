import type { Db } from "../../db/prisma";
import {
  parseQueryParamsForm,
  parseRetentionForm,
  parseShopSettings,
  RETENTION_DAYS_DEFAULT,
  serializeShopSettings,
  ShopSettingsError,
  type QueryParamsFormResult,
  type RetentionFormResult,
  type ShopSettings,
} from "../../core/shop-settings";

export interface RetentionView {
  /** null when the stored settings cannot be read: the retention job skips the shop then. */
  retentionDays: number | null;
  problem: string | null;
}

export function retentionView(settingsText: string): RetentionView {
  try {
    return { retentionDays: parseShopSettings(settingsText).retentionDays, problem: null };
  } catch (error) {
    if (!(error instanceof ShopSettingsError)) throw error;
    return { retentionDays: null, problem: error.message };
  }
}

/**
 * Stores a change to Shop.settings, keeping the other keys. The write is conditional on
 * the text it read, so two saves at once cannot drop each other's keys (the loser
 * re-reads and merges again).
 */
async function patchSettings(db: Db, shopId: number, patch: Partial<ShopSettings>): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const { settings: current } = await db.shop.findUniqueOrThrow({ where: { id: shopId }, select: { settings: true } });
    // Unreadable stored settings are replaced: the merchant is setting them again now.
    const base = retentionView(current).problem === null ? parseShopSettings(current) : { retentionDays: RETENTION_DAYS_DEFAULT };
    const next = serializeShopSettings({ ...base, ...patch });
    const { count } = await db.shop.updateMany({ where: { id: shopId, settings: current }, data: { settings: next } });
    if (count === 1) return;
  }
  throw new Error("Shop.settings kept changing during the update");
}

/** Settings form: validates `retentionDays` and stores it. */
export async function updateRetention(db: Db, shopId: number, input: { retentionDays?: unknown }): Promise<RetentionFormResult> {
  const parsed = parseRetentionForm(input);
  if (!parsed.ok) return parsed;
  await patchSettings(db, shopId, { retentionDays: parsed.retentionDays });
  return parsed;
}

/** Settings form: validates the extra query parameters kept at ingestion and stores them. */
export async function updateAllowedQueryParams(db: Db, shopId: number, input: { allowedQueryParams?: unknown }): Promise<QueryParamsFormResult> {
  const parsed = parseQueryParamsForm(input);
  if (!parsed.ok) return parsed;
  await patchSettings(db, shopId, { allowedQueryParams: parsed.allowedQueryParams });
  return parsed;
}
