/**
 * Once per test run: build the app (tests run the real production server) and start a
 * real PostgreSQL server. Both are required: a missing PostgreSQL fails the run.
 */
import type { TestProject } from "vitest/node";
import { buildApp } from "../../scripts/lib/build";
import { startPgServer } from "../../scripts/lib/pg-server";

declare module "vitest" {
  export interface ProvidedContext {
    pgBaseUrl: string;
  }
}

export default function setup(project: TestProject) {
  // Each project runs this setup; build once per test run.
  if (!process.env.MC_TEST_BUILT && process.env.SKIP_BUILD !== "1") {
    console.log("[test setup] building the app (npm run build)…");
    buildApp();
    process.env.MC_TEST_BUILT = "1";
  }
  const pg = startPgServer();
  project.provide("pgBaseUrl", pg.baseUrl);
  return () => pg.stop();
}
