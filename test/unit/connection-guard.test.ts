/** The admission rules of connection-guard.ts on a real node:http server over loopback. */
import { createServer, request, type Server } from "node:http";
import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { effectiveMaxConnections, guardConnections, openFileLimit } from "../../connection-guard";

let server: Server | undefined;
const open: Socket[] = [];
afterEach(async () => {
  for (const s of open) s.destroy();
  open.length = 0;
  await new Promise((r) => (server ? server.close(r) : r(null)));
  server = undefined;
});

/** A server whose requests to /hold stay unanswered (busy connections) until released. */
async function start(opts: { maxConnections: number; perAddress: number; exempt?: string[] }) {
  const held: (() => void)[] = [];
  server = createServer((req, res) => {
    if (req.url === "/hold") held.push(() => res.end("ok"));
    else res.end("ok");
  });
  const stats = guardConnections(server, { ...opts, exempt: (a) => (opts.exempt ?? []).includes(a) });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return { port, stats, release: () => held.splice(0).forEach((f) => f()) };
}

const settle = () => new Promise((r) => setTimeout(r, 100));

function silent(port: number, from: string): Promise<Socket> {
  return new Promise((resolve) => {
    const s = connect({ port, host: "127.0.0.1", localAddress: from }, () => resolve(s));
    s.on("error", () => {});
    open.push(s);
  });
}

function busy(port: number, from: string) {
  const req = request({ port, host: "127.0.0.1", localAddress: from, path: "/hold", agent: false });
  req.on("error", () => {});
  req.end();
}

function get(port: number, from: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ port, host: "127.0.0.1", localAddress: from, path: "/", agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", () => resolve(0));
    req.end();
  });
}

const isClosed = (s: Socket) => s.destroyed || s.readyState === "closed" || (s as Socket & { closed?: boolean }).closed === true;

describe("guardConnections", () => {
  it("at an address's cap, closes that address's longest-idle connection for the newcomer", async () => {
    const { port, stats } = await start({ maxConnections: 100, perAddress: 2 });
    const first = await silent(port, "127.0.0.2");
    await settle();
    const second = await silent(port, "127.0.0.2");
    await settle();
    expect(await get(port, "127.0.0.2")).toBe(200);
    await settle();
    expect(isClosed(first)).toBe(true);
    expect(isClosed(second)).toBe(false);
    // Another address is not affected by 127.0.0.2's cap.
    const other = await silent(port, "127.0.0.3");
    await settle();
    expect(isClosed(other)).toBe(false);
    expect(stats().evictedIdle).toBe(1);
  });

  it("never closes a connection that is answering a request: the newcomer is refused instead", async () => {
    const { port, stats, release } = await start({ maxConnections: 100, perAddress: 2 });
    busy(port, "127.0.0.4");
    busy(port, "127.0.0.4");
    await settle();
    expect(await get(port, "127.0.0.4")).toBe(0);
    expect(stats()).toMatchObject({ open: 2, refused: 1, evictedIdle: 0 });
    release();
  });

  it("at the total limit, the longest-idle connection of any address makes room", async () => {
    const { port, stats } = await start({ maxConnections: 3, perAddress: 100 });
    const idle = [await silent(port, "127.0.0.5"), await silent(port, "127.0.0.6"), await silent(port, "127.0.0.7")];
    await settle();
    expect(await get(port, "127.0.0.1")).toBe(200);
    await settle();
    expect(idle.map(isClosed)).toEqual([true, false, false]);
    expect(stats().evictedIdle).toBe(1);
  });

  it("exempt addresses (trusted proxies) have no per-address cap", async () => {
    const { port, stats } = await start({ maxConnections: 100, perAddress: 1, exempt: ["127.0.0.8"] });
    const sockets = [await silent(port, "127.0.0.8"), await silent(port, "127.0.0.8"), await silent(port, "127.0.0.8")];
    await settle();
    expect(sockets.map(isClosed)).toEqual([false, false, false]);
    expect(stats()).toMatchObject({ open: 3, evictedIdle: 0, refused: 0 });
  });
});

describe("effectiveMaxConnections", () => {
  it("stays under the open-file limit, keeping descriptors for the rest of the process", () => {
    expect(effectiveMaxConnections(2_000, 1_024)).toBe(768);
    expect(effectiveMaxConnections(2_000, 20_000)).toBe(2_000);
    expect(effectiveMaxConnections(2_000, null)).toBe(2_000);
    expect(openFileLimit()).toBeGreaterThan(0);
  });
});
