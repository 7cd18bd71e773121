import { parseEnv } from "./env-schema";

export { parseEnv, type Env } from "./env-schema";

/** The process's settings (app/env-schema.ts); importing this module fails on a bad value. */
export const env = parseEnv(process.env);
