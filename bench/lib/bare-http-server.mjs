// The HTTP ceiling for POST /collect: a bare node:http server that reads the body,
// parses it (JSON.parse) and answers 202 with the same headers and answer shape as the
// app, storing nothing. Started by bench/ingest.bench.ts as its own process, like the app.
import { createServer } from "node:http";

const headers = {
  "Content-Type": "application/json",
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "POST, OPTIONS",
  "Access-Control-Allow-Headers": "Content-Type",
  "Access-Control-Expose-Headers": "Retry-After",
  "Access-Control-Max-Age": "86400",
};

const server = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    let accepted;
    try {
      const batch = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      accepted = Array.isArray(batch.events) ? batch.events.length : 0;
    } catch {
      res.writeHead(400, headers);
      res.end('{"error":"body is not valid JSON"}');
      return;
    }
    res.writeHead(202, headers);
    res.end(JSON.stringify({ accepted, duplicates: 0, rejected: [] }));
  });
});
server.keepAliveTimeout = 5_000;
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  console.log(`[bare-http] listening on http://127.0.0.1:${server.address().port}`);
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.close(() => process.exit(0)));
