import { z } from "zod";
import { parseTrustedProxies, type TrustedProxies } from "../ingest/client-address";
import { databaseUrl } from "../db/url";

/** A whole number setting: "abc", "1.5" or an out-of-range value fails start-up. */
const int = (min: number, max: number, fallback: number) => z.coerce.number().int().min(min).max(max).default(fallback);
/** A positive rate (may be fractional). */
const rate = (fallback: number) => z.coerce.number().positive().max(1e9).default(fallback);

// Every setting the server reads, validated once at start-up: a misconfigured deployment
// fails loudly with the variable's name, not per request (README: Configuration).
const schema = z.object({
  SHOPIFY_API_KEY: z.string().min(1, "SHOPIFY_API_KEY is required"),
  SHOPIFY_API_SECRET: z.string().min(1, "SHOPIFY_API_SECRET is required"),
  SHOPIFY_APP_URL: z.string().url("SHOPIFY_APP_URL must be the app's public URL"),
  SCOPES: z.string().default("write_pixels,read_customer_events,read_orders"),
  DATABASE_URL: z.string(),
  /** Public URL the web pixel posts to; defaults to SHOPIFY_APP_URL + /collect. */
  INGEST_URL: z.string().url().optional(),
  SHOP_CUSTOM_DOMAIN: z.string().optional(),
  PORT: int(0, 65_535, 3000),
  HOST: z.string().min(1).default("127.0.0.1"),
  /**
   * Hours between data-retention runs in this process (app/services/retention-schedule.server.ts);
   * 0 disables them (e.g. on all but one of several processes). Capped below setInterval's ~24.8-day limit.
   */
  RETENTION_INTERVAL_HOURS: z.coerce.number().min(0).max(576).default(6),
  /** Milliseconds between refreshes of precomputed funnel results; 0 disables them (reports still refresh their shop). */
  FUNNEL_RESULTS_INTERVAL_MS: z.coerce.number().int().min(0).max(3_600_000).default(1_000),
  /** Oldest event timestamp /collect accepts; unset: ingest/normalize.ts DEFAULT_MAX_AGE_MS (72 h). */
  INGEST_MAX_AGE_HOURS: z.coerce.number().positive().max(100_000).optional(),
  INGEST_MAX_PENDING: int(1, 10_000_000, 20_000),
  INGEST_SHOP_RPS: rate(2_000),
  INGEST_SHOP_BURST: rate(4_000),
  INGEST_IP_RPS: rate(100),
  INGEST_IP_BURST: rate(200),
  AUDIENCE_SYNC_BUDGET_MS: int(1, 600_000, 15_000),
  AUDIENCE_SYNC_LEASE_MS: int(1, 3_600_000, 20_000),
  /** Seconds between checks for due daily audience syncs (services/audiences/auto-sync-schedule.server.ts); 0 disables them. */
  AUDIENCE_AUTO_SYNC_CHECK_SECONDS: int(0, 86_400, 600),
  /** Seconds between step-alarm checks of every saved funnel (services/step-alarm-schedule.server.ts); 0 disables them. */
  STEP_ALARM_CHECK_SECONDS: int(0, 86_400, 900),
  SERVER_HEADERS_TIMEOUT_MS: int(100, 600_000, 10_000),
  SERVER_REQUEST_TIMEOUT_MS: int(100, 3_600_000, 30_000),
  SERVER_KEEP_ALIVE_TIMEOUT_MS: int(100, 600_000, 5_000),
  SERVER_MAX_CONNECTIONS: int(10, 1_000_000, 2_000),
  SERVER_MAX_CONNECTIONS_PER_ADDRESS: int(1, 1_000_000, 256),
  /** Comma list of proxy IPs/CIDRs whose X-Forwarded-For is believed (app/client-address.ts); empty: none. */
  TRUSTED_PROXIES: z
    .string()
    .default("")
    .superRefine((value, ctx) => {
      const parsed = parseTrustedProxies(value);
      if (!parsed.ok) ctx.addIssue({ code: "custom", message: parsed.error });
    }),
});

export type Env = z.infer<typeof schema> & { ingestUrl: string; trustedProxies: TrustedProxies };

function invalid(error: z.ZodError): Error {
  return new Error(`Invalid environment: ${error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
}

export function parseEnv(raw: Record<string, string | undefined>): Env {
  const parsed = schema.safeParse({ ...raw, DATABASE_URL: databaseUrl(raw) });
  if (!parsed.success) throw invalid(parsed.error);
  const env = parsed.data;
  if (env.SERVER_HEADERS_TIMEOUT_MS > env.SERVER_REQUEST_TIMEOUT_MS) {
    throw new Error("Invalid environment: SERVER_HEADERS_TIMEOUT_MS must not exceed SERVER_REQUEST_TIMEOUT_MS");
  }
  const proxies = parseTrustedProxies(env.TRUSTED_PROXIES);
  if (!proxies.ok) throw new Error(`Invalid environment: TRUSTED_PROXIES: ${proxies.error}`);
  return {
    ...env,
    ingestUrl: env.INGEST_URL ?? new URL("/collect", env.SHOPIFY_APP_URL).toString(),
    trustedProxies: proxies.proxies,
  };
}

// Ingestion's own settings: /collect and the tools and tests that load it need no Shopify
// keys. The server still validates the whole schema (parseEnv) before it starts.
const ingestSchema = schema.pick({
  INGEST_MAX_AGE_HOURS: true,
  INGEST_MAX_PENDING: true,
  INGEST_SHOP_RPS: true,
  INGEST_SHOP_BURST: true,
  INGEST_IP_RPS: true,
  INGEST_IP_BURST: true,
  TRUSTED_PROXIES: true,
});
export type IngestEnv = z.infer<typeof ingestSchema> & { trustedProxies: TrustedProxies };

export function parseIngestEnv(raw: Record<string, string | undefined>): IngestEnv {
  const parsed = ingestSchema.safeParse(raw);
  if (!parsed.success) throw invalid(parsed.error);
  const proxies = parseTrustedProxies(parsed.data.TRUSTED_PROXIES);
  if (!proxies.ok) throw new Error(`Invalid environment: TRUSTED_PROXIES: ${proxies.error}`);
  return { ...parsed.data, trustedProxies: proxies.proxies };
}
