import type { IncomingMessage, ServerResponse } from "node:http";
import { clientAddress } from "./client-address";
import type { Ingestion } from "./ingest.server";
import { readCappedBody } from "./read-body";
import { MAX_BODY_BYTES } from "./schema";

/** Bodies up to this size are read to the end (and dropped) before a 413, so the client sees the answer. */
const DRAIN_LIMIT = 1024 * 1024;

/**
 * /collect straight on Node's HTTP objects: the busiest endpoint skips the framework's
 * request/response conversion. Same `ingest()` as the Remix route.
 */
export async function collectNode(ingestion: Ingestion, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const answer = await ingestion.ingest({
    method: req.method ?? "GET",
    readBody: () => readCappedBody(req, Number(req.headers["content-length"] ?? 0), MAX_BODY_BYTES, DRAIN_LIMIT),
    // X-Forwarded-For only from a trusted proxy (TRUSTED_PROXIES): anyone can write it.
    ip: clientAddress(req.socket.remoteAddress, req.headers["x-forwarded-for"], ingestion.settings.trustedProxies),
    userAgent: req.headers["user-agent"] ?? "",
  });
  res.writeHead(answer.status, answer.headers);
  res.end(answer.body ?? undefined);
}
