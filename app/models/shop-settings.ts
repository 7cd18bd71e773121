/**
 * The merchant settings stored as JSON text in `Shop.settings` (default "{}").
 * Pure (no Prisma, no node:*): used by the settings page, the retention job and tests.
 */
import { z } from "zod";

export const RETENTION_DAYS_MIN = 30;
export const RETENTION_DAYS_MAX = 1095;
/** 13 months: a report on last month can still be compared with the same month a year ago. */
export const RETENTION_DAYS_DEFAULT = 395;

export const retentionDaysSchema = z
  .number({ error: "Retention must be a number of days" })
  .int({ error: "Retention must be a whole number of days" })
  .min(RETENTION_DAYS_MIN, { error: `Keep data for at least ${RETENTION_DAYS_MIN} days` })
  .max(RETENTION_DAYS_MAX, { error: `Keep data for at most ${RETENTION_DAYS_MAX} days (3 years)` });

/**
 * Loose on purpose: keys this version does not know (written by a newer version or by
 * another feature) are kept, so saving one setting never drops another.
 */
export const shopSettingsSchema = z.looseObject({
  retentionDays: retentionDaysSchema.default(RETENTION_DAYS_DEFAULT),
});

export type ShopSettings = z.infer<typeof shopSettingsSchema>;

export class ShopSettingsError extends Error {
  override name = "ShopSettingsError";
}

/**
 * Parses the stored column. "{}", "" and missing keys give the defaults. Corrupt JSON or
 * an out-of-range value throws instead of falling back to a default: the retention job
 * must never delete more than the merchant chose because it misread a setting.
 */
export function parseShopSettings(text: string | null | undefined): ShopSettings {
  let raw: unknown = {};
  if (text && text.trim() !== "") {
    try {
      raw = JSON.parse(text);
    } catch {
      throw new ShopSettingsError("Shop.settings is not valid JSON");
    }
  }
  const parsed = shopSettingsSchema.safeParse(raw);
  if (!parsed.success) throw new ShopSettingsError(`Shop.settings is invalid: ${issuesText(parsed.error)}`);
  return parsed.data;
}

/** Validates again before writing, so nothing invalid reaches the column. */
export function serializeShopSettings(settings: ShopSettings): string {
  return JSON.stringify(shopSettingsSchema.parse(settings));
}

/** What the settings form posts: `retentionDays` as text from a number field. */
export const retentionFormSchema = z.object({
  retentionDays: z
    .string({ error: "Enter the number of days to keep data" })
    .trim()
    .regex(/^\d{1,6}$/, { error: "Retention must be a whole number of days" })
    .transform(Number)
    .pipe(retentionDaysSchema),
});

export type RetentionFormResult = { ok: true; retentionDays: number } | { ok: false; error: string };

export function parseRetentionForm(input: { retentionDays?: unknown }): RetentionFormResult {
  const parsed = retentionFormSchema.safeParse(input);
  if (!parsed.success) return { ok: false, error: parsed.error.issues[0]?.message ?? "Invalid retention period" };
  return { ok: true, retentionDays: parsed.data.retentionDays };
}

function issuesText(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
}
