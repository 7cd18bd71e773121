/**
 * Thousands of idle sockets, from a few addresses or from many, never keep other clients
 * out: while 5,000 silent connections are held open (each reopened a second after the
 * server closes it), a client opening a fresh connection per request gets every answer,
 * with p99 under 1 s. All of 127.0.0.0/8 is loopback on Linux, so attacker sockets bind
 * 127.0.0.2… / 127.0.1.x as their source and the well-behaved client uses 127.0.0.1.
 */
import { request } from "node:http";
import { fork } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDemoShop } from "../../scripts/lib/demo-shop";
import { root, startApp, type TestApp } from "../helpers/app-server";
import { makeBatches } from "../helpers/load-client";

const SHOP = "idle-sockets.myshopify.com";
const KEY = "ik_idle_sockets_key_0000000000";
const IDLE_SOCKETS = 5_000;

interface AttackStats {
  opened: number;
  openNow: number;
  closedByServer: number;
}

/** Holds `count` silent connections spread over `addresses` from another process; a closed one is reopened after 1 s. */
function holdIdle(url: string, count: number, addresses: string[]) {
  const { hostname, port } = new URL(url);
  const child = fork(path.join(root, "test/helpers/idle-attacker.mjs"), [], {
    env: { ...process.env, IDLE_ATTACK: JSON.stringify({ host: hostname, port: Number(port), count, addresses, reopenMs: 1_000 }) },
  });
  const next = () => new Promise<AttackStats>((resolve) => child.once("message", (m) => resolve(m as AttackStats)));
  const ready = next();
  return {
    ready,
    stats: () => {
      const answer = next();
      child.send("stats");
      return answer;
    },
    stop: async () => {
      if (!child.connected) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.send("stop");
      await exited;
    },
  };
}

/** One POST /collect on a fresh connection from 127.0.0.1: status and milliseconds. */
function postFresh(url: string, body: string): Promise<{ status: number; ms: number }> {
  const { hostname, port } = new URL(url);
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request(
      {
        host: hostname,
        port: Number(port),
        path: "/collect",
        method: "POST",
        agent: false,
        localAddress: "127.0.0.1",
        headers: { "Content-Type": "text/plain" },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error("timeout")));
    req.on("error", () => resolve({ status: 0, ms: performance.now() - started }));
    req.end(body);
  });
}

async function wellBehavedClient(app: TestApp, prefix: string) {
  const batches = makeBatches({ shop: SHOP, key: KEY, visitors: 200, eventsPerVisitor: 2, prefix });
  const results: { status: number; ms: number }[] = [];
  let next = 0;
  const worker = async () => {
    while (next < batches.length) results.push(await postFresh(app.url, batches[next++].body));
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  const ms = results.map((r) => r.ms).sort((a, b) => a - b);
  return { statuses: results.map((r) => r.status), p99: ms[Math.ceil(ms.length * 0.99) - 1] };
}

describe.each([
  ["a few addresses (8)", Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 2}`)],
  ["many addresses (100)", Array.from({ length: 100 }, (_, i) => `127.0.1.${i + 1}`)],
])("5,000 idle sockets from %s", (_label, addresses) => {
  let app: TestApp;
  let attack: ReturnType<typeof holdIdle> | undefined;
  beforeAll(async () => {
    // Default connection settings; only the rate limits are lifted (the good client sends 200 batches fast).
    app = await startApp({ env: { INGEST_IP_RPS: "100000", INGEST_IP_BURST: "100000" } });
    await ensureDemoShop(app.db, { domain: SHOP, ingestKey: KEY });
  });
  afterAll(async () => {
    await attack?.stop();
    await app?.stop();
  });

  it("other clients' requests all succeed with p99 under 1 s", async () => {
    const before = await wellBehavedClient(app, `calm-${addresses.length}`);
    attack = holdIdle(app.url, IDLE_SOCKETS, addresses);
    await attack.ready;
    const during = await wellBehavedClient(app, `idle-${addresses.length}`);
    const held = await attack.stats();
    console.log(
      `[idle-sockets] ${addresses.length} addresses: ${JSON.stringify(held)}, good client p99 ${during.p99.toFixed(0)} ms (${before.p99.toFixed(0)} ms before the attack)`,
    );
    expect(held.opened).toBeGreaterThanOrEqual(IDLE_SOCKETS);
    expect(during.statuses.filter((s) => s !== 202)).toEqual([]);
    expect(during.p99).toBeLessThan(1_000);
  }, 120_000);
});
