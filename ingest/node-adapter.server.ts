import type { IncomingMessage, ServerResponse } from "node:http";
import { clientAddress } from "./client-address";
import type { Ingestion } from "./ingest.server";
import { MAX_BODY_BYTES } from "./schema";

/** Bodies up to this size are read to the end (and dropped) before a 413, so the client sees the answer. */
const DRAIN_LIMIT = 1024 * 1024;

/** Reads a Node request body up to MAX_BODY_BYTES; null when it is larger (the excess is not kept). */
function readNodeBody(req: IncomingMessage): Promise<string | null> {
  const declared = Number(req.headers["content-length"] ?? 0);
  // Far too large: answer at once; Node closes the connection behind the 413.
  if (declared > DRAIN_LIMIT) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > DRAIN_LIMIT) {
        req.destroy();
        resolve(null);
      } else if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on("end", () => resolve(size > MAX_BODY_BYTES ? null : Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/**
 * /collect straight on Node's HTTP objects: the busiest endpoint skips the framework's
 * request/response conversion. Same `ingest()` as the Remix route.
 */
export async function collectNode(ingestion: Ingestion, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const answer = await ingestion.ingest({
    method: req.method ?? "GET",
    readBody: () => readNodeBody(req),
    // X-Forwarded-For only from a trusted proxy (TRUSTED_PROXIES): anyone can write it.
    ip: clientAddress(req.socket.remoteAddress, req.headers["x-forwarded-for"], ingestion.settings.trustedProxies),
    userAgent: req.headers["user-agent"] ?? "",
  });
  res.writeHead(answer.status, answer.headers);
  res.end(answer.body ?? undefined);
}
