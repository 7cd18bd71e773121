import { PassThrough } from "node:stream";
import { renderToPipeableStream } from "react-dom/server";
import { RemixServer } from "@remix-run/react";
import { createReadableStreamFromReadable, type EntryContext } from "@remix-run/node";
import { isbot } from "isbot";
import { addDocumentResponseHeaders } from "./shopify.server";
import type { IncomingMessage, ServerResponse } from "node:http";
import { appContext } from "./context.server";
import { startAudienceAutoSync } from "./services/audiences/auto-sync-schedule.server";
import { collectNode as collectOnNode } from "../ingest/node-adapter.server";

// How long a streamed page waits for its deferred data before giving up (the browser then
// shows the part's error). The funnel report's diagnosis takes seconds on a large shop.
const ABORT_DELAY = 15_000;

export default async function handleRequest(request: Request, responseStatusCode: number, responseHeaders: Headers, remixContext: EntryContext) {
  // Sets the frame-ancestors CSP for the shop and admin.shopify.com.
  addDocumentResponseHeaders(request, responseHeaders);
  const callback = isbot(request.headers.get("user-agent") ?? "") ? "onAllReady" : "onShellReady";

  return new Promise((resolve, reject) => {
    const { pipe, abort } = renderToPipeableStream(<RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} />, {
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
    });
    setTimeout(abort, ABORT_DELAY);
  });
}

// The production server (server.ts) is bundled apart from this build: these two hand it
// the build's one context (app/context.server.ts), so it shares its writer and clients.

/** POST /collect on Node's own objects, answered before Remix. */
export const collectNode = (req: IncomingMessage, res: ServerResponse) => collectOnNode(appContext().ingestion, req, res);

/** The context's background jobs (results refresher, retention, audience auto-sync). */
export const startBackgroundJobs = (): (() => void) => appContext().startBackgroundJobs({ audienceAutoSync: startAudienceAutoSync });
