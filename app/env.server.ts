import { z } from "zod";
import { databaseUrl } from "./db-url";

// Validated once at start-up: a misconfigured deployment fails loudly, not per request.
const schema = z.object({
  SHOPIFY_API_KEY: z.string().min(1, "SHOPIFY_API_KEY is required"),
  SHOPIFY_API_SECRET: z.string().min(1, "SHOPIFY_API_SECRET is required"),
  SHOPIFY_APP_URL: z.string().url("SHOPIFY_APP_URL must be the app's public URL"),
  SCOPES: z.string().default("write_pixels,read_customer_events,read_orders"),
  DATABASE_URL: z.string(),
  /** Public URL the web pixel posts to; defaults to SHOPIFY_APP_URL + /collect. */
  INGEST_URL: z.string().url().optional(),
  /** Demo mode serves the local App Bridge stand-in and token minting. Never in production. */
  DEMO_MODE: z.enum(["0", "1"]).default("0"),
  SHOP_CUSTOM_DOMAIN: z.string().optional(),
  /**
   * Hours between data-retention runs in this process (app/services/retention-schedule.server.ts);
   * 0 disables them (e.g. on all but one of several processes). Capped below setInterval's ~24.8-day limit.
   */
  RETENTION_INTERVAL_HOURS: z.coerce.number().min(0).max(576).default(6),
  /** Milliseconds between refreshes of precomputed funnel results; 0 disables them (reports still refresh their shop). */
  FUNNEL_RESULTS_INTERVAL_MS: z.coerce.number().int().min(0).max(3_600_000).default(1_000),
});

export type Env = z.infer<typeof schema> & { ingestUrl: string; demoMode: boolean };

export function parseEnv(raw: Record<string, string | undefined>): Env {
  const parsed = schema.safeParse({ ...raw, DATABASE_URL: databaseUrl(raw) });
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Invalid environment: ${issues}`);
  }
  const env = parsed.data;
  if (env.DEMO_MODE === "1" && !isLoopbackUrl(env.SHOPIFY_APP_URL)) {
    // Demo mode mints admin session tokens: it must never run on a reachable deployment.
    throw new Error("DEMO_MODE=1 is only allowed when SHOPIFY_APP_URL is a localhost URL");
  }
  return {
    ...env,
    ingestUrl: env.INGEST_URL ?? new URL("/collect", env.SHOPIFY_APP_URL).toString(),
    demoMode: env.DEMO_MODE === "1",
  };
}

export const env = parseEnv(process.env);

function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname;
  return host === "localhost" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}
