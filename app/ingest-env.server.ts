import { parseIngestEnv } from "./env-schema";

/** Ingestion's settings (app/env-schema.ts); importing this module fails on a bad value. */
export const ingestEnv = parseIngestEnv(process.env);
