/**
 * Production/demo HTTP server: static assets + the Remix request handler, with
 * timeouts so slow or idle clients cannot tie up the process.
 * Run after `npm run build`: `node build/server.js` (bundled from this file).
 */
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import compression from "compression";
import express from "express";
import { createServer } from "node:http";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseEnv, type Env } from "./app/env-schema";
import { effectiveMaxConnections, guardConnections, openFileLimit } from "./connection-guard";

declare global {
  /** Set by the demo server (scripts/demo/server.ts) before it runs this file: its stand-ins, mounted in front of Remix. */
  var __mcServerLayers: ((app: express.Express) => void)[] | undefined;
}

const root = process.cwd();
// Every setting is validated before anything starts: a bad value names itself and stops the process.
let env: Env;
try {
  env = parseEnv(process.env);
} catch (e) {
  console.error(`[server] ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
const port = env.PORT;
const host = env.HOST;

const build = (await import(pathToFileURL(path.join(root, "build/server/index.js")).href)) as ServerBuild;

// The pixel endpoint first, on Node's own objects: it is the hot path (see ingest/).
type Collect = (req: express.Request, res: express.Response) => Promise<void>;
const entry = build.entry.module as unknown as { collectNode: Collect; startBackgroundJobs: () => () => void };
const collectNode = entry.collectNode;

const app = express();
app.disable("x-powered-by");
app.all("/collect", (req, res, next) => {
  collectNode(req, res).catch(next);
});
app.use(compression());
// Fingerprinted assets are immutable; everything else is short-lived.
app.use("/assets", express.static(path.join(root, "build/client/assets"), { immutable: true, maxAge: "1y" }));
app.use(express.static(path.join(root, "build/client"), { maxAge: "1h" }));
for (const layer of globalThis.__mcServerLayers ?? []) layer(app);
app.all("*", createRequestHandler({ build, mode: process.env.NODE_ENV }));

// Timeouts are checked every second (Node's default is every 30 s).
const server = createServer({ connectionsCheckingInterval: 1_000 }, app);
// A deep accept queue (the kernel caps it at net.core.somaxconn): under a flood of new
// connections Node's default of 511 overflowed, a dropped SYN is only retried after 1 s, and
// a well-behaved client's request then took over a second (test/faults/idle-sockets.test.ts).
server.listen({ port, host, backlog: 4096 }, () => {
  const address = server.address();
  const actual = typeof address === "object" && address ? address.port : port;
  // Tests and the demo script wait for this line.
  console.log(`[server] listening on http://${host}:${actual}`);
});
// Funnel results kept current after ingestion, data retention, audience auto-sync (app/context.server.ts).
const stopJobs = entry.startBackgroundJobs();
// Slow or stuck clients must not hold sockets: headers within 10 s (also the limit for a
// connection that sends nothing), whole request within 30 s, idle keep-alive 5 s.
server.headersTimeout = env.SERVER_HEADERS_TIMEOUT_MS;
server.requestTimeout = env.SERVER_REQUEST_TIMEOUT_MS;
server.keepAliveTimeout = env.SERVER_KEEP_ALIVE_TIMEOUT_MS;
// Admission instead of Node's maxConnections (which refuses newcomers while idle sockets
// hold every slot): a per-address cap, and the longest-idle connection makes room.
const maxConnections = effectiveMaxConnections(env.SERVER_MAX_CONNECTIONS);
if (maxConnections < env.SERVER_MAX_CONNECTIONS) {
  console.warn(
    `[server] SERVER_MAX_CONNECTIONS ${env.SERVER_MAX_CONNECTIONS} lowered to ${maxConnections}: the open-file limit is ${openFileLimit()} (raise it with ulimit -n)`,
  );
}
guardConnections(server, {
  maxConnections,
  perAddress: env.SERVER_MAX_CONNECTIONS_PER_ADDRESS,
  exempt: (address) => env.trustedProxies.has(address),
});

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    stopJobs();
    server.close(() => process.exit(0));
  });
}
