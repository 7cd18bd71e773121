/**
 * The merchant settings stored as JSON text in `Shop.settings` (default "{}").
 * Pure (no Prisma, no node:*): used by the settings page, the retention job and tests.
 */
import { z } from "zod";
import { CLICK_ID_PARAMS, QUERY_PARAM_NAME, isPersonalKey } from "./privacy";

export const RETENTION_DAYS_MIN = 30;
export const RETENTION_DAYS_MAX = 1095;
/** 13 months: a report on last month can still be compared with the same month a year ago. */
export const RETENTION_DAYS_DEFAULT = 395;

export const retentionDaysSchema = z
  .number({ error: "Retention must be a number of days" })
  .int({ error: "Retention must be a whole number of days" })
  .min(RETENTION_DAYS_MIN, { error: `Keep data for at least ${RETENTION_DAYS_MIN} days` })
  .max(RETENTION_DAYS_MAX, { error: `Keep data for at most ${RETENTION_DAYS_MAX} days (3 years)` });

export const ALLOWED_QUERY_PARAMS_MAX = 20;

/**
 * Extra query parameters kept in stored url/referrer, besides utm_* and the ad platforms'
 * click ids (core/privacy.ts). Names only, lower case; a name that announces personal data
 * (email, phone, name, address…) cannot be added, and values that look personal are
 * dropped at ingestion whatever the name.
 */
export const allowedQueryParamsSchema = z
  .array(
    z
      .string()
      .regex(QUERY_PARAM_NAME, { error: "Parameter names are lower-case letters, digits and _ . - [ ] (at most 64)" })
      .refine((k) => !isPersonalKey(k), { error: "That parameter name suggests personal data; it cannot be kept" }),
  )
  .max(ALLOWED_QUERY_PARAMS_MAX, { error: `At most ${ALLOWED_QUERY_PARAMS_MAX} parameters` });

/**
 * Loose on purpose: keys this version does not know (written by a newer version or by
 * another feature) are kept, so saving one setting never drops another.
 */
export const shopSettingsSchema = z.looseObject({
  retentionDays: retentionDaysSchema.default(RETENTION_DAYS_DEFAULT),
  allowedQueryParams: allowedQueryParamsSchema.optional(),
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

export type QueryParamsFormResult = { ok: true; allowedQueryParams: string[] } | { ok: false; error: string };

/** What the settings form posts: names separated by commas, spaces or lines. utm_* and click ids are always kept. */
export function parseQueryParamsForm(input: { allowedQueryParams?: unknown }): QueryParamsFormResult {
  if (typeof input.allowedQueryParams !== "string") return { ok: false, error: "Enter parameter names separated by commas" };
  if (input.allowedQueryParams.length > 2000) return { ok: false, error: "The list is too long" };
  const always = (k: string) => k.startsWith("utm_") || (CLICK_ID_PARAMS as readonly string[]).includes(k);
  const names = [
    ...new Set(
      input.allowedQueryParams
        .split(/[\s,]+/)
        .map((k) => k.trim().toLowerCase())
        .filter((k) => k && !always(k)),
    ),
  ];
  const parsed = allowedQueryParamsSchema.safeParse(names);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = typeof issue?.path[0] === "number" ? `"${names[issue.path[0]]}": ` : "";
    return { ok: false, error: `${name}${issue?.message ?? "Invalid parameter list"}` };
  }
  return { ok: true, allowedQueryParams: parsed.data };
}

/** The merchant's extra query parameters; none when the stored settings cannot be read. */
export function allowedQueryParamsOf(settingsText: string | null | undefined): string[] {
  try {
    return parseShopSettings(settingsText).allowedQueryParams ?? [];
  } catch {
    return [];
  }
}

function issuesText(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
}
