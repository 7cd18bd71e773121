import { PassThrough } from "node:stream";
import { renderToPipeableStream } from "react-dom/server";
import { RemixServer } from "@remix-run/react";
import { createReadableStreamFromReadable, type EntryContext } from "@remix-run/node";
import { isbot } from "isbot";
import { addDocumentResponseHeaders } from "./shopify.server";
import prisma, { dialect } from "../db/prisma.server";
import { env } from "./env.server";
import { startResultsRefresher } from "./services/funnel-results.server";
import { startRetentionSchedule } from "./services/retention-schedule.server";
import { startAudienceAutoSync } from "./services/audiences/auto-sync-schedule.server";
import { sqlExecutor } from "../ingest/ingest.server";

const ABORT_DELAY = 5000;

export default async function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
) {
  // Sets the frame-ancestors CSP for the shop and admin.shopify.com.
  addDocumentResponseHeaders(request, responseHeaders);
  const callback = isbot(request.headers.get("user-agent") ?? "") ? "onAllReady" : "onShellReady";

  return new Promise((resolve, reject) => {
    const { pipe, abort } = renderToPipeableStream(
      <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} />,
      {
        [callback]: () => {
          const body = new PassThrough();
          const stream = createReadableStreamFromReadable(body);
          responseHeaders.set("Content-Type", "text/html");
          resolve(new Response(stream, { headers: responseHeaders, status: responseStatusCode }));
          pipe(body);
        },
        onShellError(error) {
          reject(error);
        },
        onError(error) {
          responseStatusCode = 500;
          console.error(error);
        },
      },
    );
    setTimeout(abort, ABORT_DELAY);
  });
}

// The production server (server.ts) answers POST /collect with this before Remix:
// exported from the entry module so it shares this build's Prisma client and writer.
export { collectNode } from "../ingest/node-adapter.server";

/**
 * Jobs of a long-running server process, on this build's clients (server.ts starts them):
 * funnel results kept current after ingestion, and data retention.
 */
export function startBackgroundJobs(): () => void {
  const interval = env.FUNNEL_RESULTS_INTERVAL_MS;
  const stopResults = interval > 0 ? startResultsRefresher({ db: prisma, dialect, exec: sqlExecutor }, interval) : () => {};
  const stopRetention = startRetentionSchedule();
  const stopAutoSync = startAudienceAutoSync();
  return () => {
    stopResults();
    stopRetention();
    stopAutoSync();
  };
}
