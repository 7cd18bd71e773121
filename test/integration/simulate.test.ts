import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureDemoShop } from "../../scripts/lib/demo-shop";
import { runSimulation, simulationFailure } from "../../scripts/lib/simulate-run";
import { simulateVisitors } from "../../scripts/lib/simulation";
import { root, startApp, type TestApp } from "../helpers/app-server";

/** `npm run simulate -- …args` as a merchant runs it: exit code and output. */
function simulateCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, "node_modules/tsx/dist/cli.mjs"), "scripts/simulate.mts", ...args], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

const SHOP = "sim-shop.myshopify.com";
const KEY = "ik_sim_shop_key_000000000000";

describe("traffic simulator → real pixel → /collect", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp({ env: { INGEST_IP_RPS: "100000", INGEST_IP_BURST: "100000" } });
    await ensureDemoShop(app.db, { domain: SHOP, ingestKey: KEY });
  });
  afterAll(() => app?.stop());

  it("stores every consented event once, with repeats collapsed, and the sessions the journeys contain", async () => {
    const to = Date.now() - 60_000;
    const opts = { shop: SHOP, visitors: 120, from: to - 2 * 86_400_000, to, seed: 7 };
    const result = await runSimulation({ ...opts, ingestUrl: `${app.url}/collect`, ingestKey: KEY });

    // Expected from the generated journeys themselves.
    const visitors = simulateVisitors(opts).filter((v) => v.consent);
    const events = visitors.flatMap((v) => v.events);
    const unique = new Set(
      events.map((e) => {
        const checkout = (e.data as { checkout?: { token: string; order?: { id: string } } } | undefined)?.checkout;
        if (e.name === "checkout_started") return `cs:${checkout!.token}`;
        if (e.name === "checkout_completed") return `cc:${checkout!.order!.id}`;
        return e.id;
      }),
    );
    expect(result.dropped).toBe(0);
    expect(result.sent).toBe(events.length);
    // What the server answered: every event stored or found already stored, none refused.
    expect(result.rejected).toBe(0);
    expect(result.accepted).toBe(unique.size);
    expect(result.accepted + result.duplicates).toBe(events.length);
    expect(simulationFailure(result)).toBeNull();
    expect(result.discardedNoConsent).toBeGreaterThan(0);

    const shop = await app.db.shop.findUniqueOrThrow({ where: { domain: SHOP } });
    expect(await app.db.event.count({ where: { shopId: shop.id } })).toBe(unique.size);
    const repeats = events.length - unique.size;
    expect(repeats).toBeGreaterThan(0); // the journeys do contain platform repeats

    // Sessions: a new one after each gap over 30 minutes, per visitor.
    let sessions = 0;
    for (const v of visitors) {
      const ts = v.events.map((e) => Date.parse(e.timestamp)).sort((a, b) => a - b);
      sessions += ts.filter((t, i) => i === 0 || t - ts[i - 1] > 30 * 60_000).length;
    }
    expect(await app.db.visitorSession.count({ where: { shopId: shop.id } })).toBe(sessions);
    expect(await app.db.visitorSession.count({ where: { shopId: shop.id, visitorType: "new" } })).toBe(visitors.filter((v) => v.events.length > 0).length);
  });

  it("sends live traffic: a short range (--days 0.02) holds sessions spread through it, the last minutes included", async () => {
    const shop = await ensureDemoShop(app.db, { domain: "sim-live.myshopify.com", ingestKey: "ik_sim_live_key_0000000000000" });
    const started = Date.now();
    const run = await simulateCli(["--url", app.url, "--shop", shop.domain, "--key", shop.ingestKey, "--days", "0.02", "--visitors", "80", "--seed", "5"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/\[simulate\] [1-9]\d* events published/);
    const events = await app.db.event.findMany({ where: { shopId: shop.id }, select: { ts: true } });
    const ts = events.map((e) => Number(e.ts));
    const range = 0.02 * 86_400_000;
    expect(ts.length).toBeGreaterThan(100);
    expect(Math.max(...ts)).toBeLessThanOrEqual(Date.now());
    // Sessions end by now: the last events are minutes old, not hours.
    expect(Math.max(...ts)).toBeGreaterThan(started - 5 * 60_000);
    // Spread through the range: both halves of it hold events.
    const mid = started - range / 2;
    expect(ts.filter((t) => t < mid && t >= started - range).length).toBeGreaterThan(10);
    expect(ts.filter((t) => t >= mid).length).toBeGreaterThan(10);
  });

  it("fails loudly, saying why, when the server refuses the events", async () => {
    // A key the server does not know: 401 for every batch.
    const wrongKey = await simulateCli([
      "--url",
      app.url,
      "--shop",
      SHOP,
      "--key",
      "ik_not_this_shops_key_000000",
      "--days",
      "0.02",
      "--visitors",
      "5",
      "--seed",
      "1",
    ]);
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toMatch(/\[simulate\] failed: the server refused 0 and the pixel dropped [1-9]\d* of [1-9]\d* events \(.*HTTP 401/);
    // Events older than the server keeps (INGEST_MAX_AGE_HOURS, 72 h by default): refused in a 202.
    const tooOld = await simulateCli(["--url", app.url, "--shop", SHOP, "--key", KEY, "--days", "10", "--visitors", "40", "--seed", "2"]);
    expect(tooOld.code).toBe(1);
    expect(tooOld.stderr).toMatch(
      /\[simulate\] failed: the server refused [1-9]\d* and the pixel dropped 0 of [1-9]\d* events \([1-9]\d* × ts: older than 72 hours/,
    );
    // Bad flags: exit 2 with the reason.
    const bad = await simulateCli(["--days", "0"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--days must be a positive number");
  });

  it("fails loudly when nothing is published: a backfill range too short for any journey", async () => {
    const to = Date.now() - 60_000;
    // Not live: journeys start on whole days and stop 3 hours before the end, so an hour holds none.
    const result = await runSimulation({ shop: SHOP, visitors: 20, from: to - 3_600_000, to, seed: 1, ingestUrl: `${app.url}/collect`, ingestKey: KEY });
    expect(result.published).toBe(0);
    expect(simulationFailure(result)).toMatch(/^0 events published: no journey of the 20 visitors falls in the range/);
  });

  it("is deterministic for a seed", () => {
    const opts = { shop: SHOP, visitors: 30, from: 0, to: 5 * 86_400_000, seed: 3 };
    expect(simulateVisitors(opts)).toEqual(simulateVisitors(opts));
    expect(simulateVisitors({ ...opts, seed: 4 })).not.toEqual(simulateVisitors(opts));
  });
});
