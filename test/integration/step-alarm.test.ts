/**
 * The hourly step alarm on SQLite and PostgreSQL, over the production build's precomputed
 * results: five weeks of steady Purchase-funnel traffic, then mobile sessions that stop
 * adding to cart (50 % → 5 %) from a given hour.
 * - A shop of ~1,000 sessions a day (hourly comparison): checked 2 hours after the break,
 *   the job opens one alert naming "Viewed a product → Added to cart", mobile, since the
 *   break's hour; an hour later it updates it (no second alert); 2 hours after the
 *   recovery it clears it; the next check does not raise it again.
 * - The same traffic without a break: no alert. Shop A's alerts never show for shop B.
 * - A demo-sized shop (~150 sessions a day, daily comparison) whose break started 2 days
 *   ago: the real server's schedule (STEP_ALARM_CHECK_SECONDS=1) opens the alert, naming the
 *   break's day, and keeps one alert over several runs.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../../db/prisma";
import { alarmStepGroups, runStepAlarm } from "../../app/services/step-alarm.server";
import { readWindow, stepOutcome, weekOf, WEEK_HOURS, type StepHourGroup } from "../../core/diagnosis/watch-run";
import type { ResultsDeps } from "../../app/services/funnel-results/state.server";
import { createSqlExecutor } from "../../db/executor";
import { ensureDemoShop } from "../../scripts/lib/demo-shop";
import { startApp, type TestApp } from "../helpers/app-server";
import { adminHeaders } from "../helpers/shopify-auth";
import { seedJourneys } from "../helpers/funnel-seed";
import { alarmTraffic } from "../helpers/alarm-traffic";
import { waitForResults } from "../helpers/funnel-results";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe.each(["sqlite", "postgres"] as const)("step alarm on %s", (kind) => {
  let app: TestApp;
  let deps: ResultsDeps;
  const realNow = Date.now();
  const hourNow = Math.floor(realNow / HOUR) * HOUR;
  // Shop A: mobile broken for 4 hours, 12 hours ago.
  const breakA = hourNow - 12 * HOUR;
  const recoverA = breakA + 4 * HOUR;
  // Shop D: demo-sized, mobile broken since 2 days ago.
  const breakD = realNow - 2 * DAY;
  const A = `alarm-a-${kind}.myshopify.com`;
  const B = `alarm-b-${kind}.myshopify.com`;
  const D = `alarm-d-${kind}.myshopify.com`;
  const shopIds: Record<string, number> = {};
  const funnelIds: Record<string, string> = {};

  const get = (path: string, shop: string) => fetch(`${app.url}${path}`, { headers: adminHeaders(shop), redirect: "manual" });
  const alertsOf = (shop: string) => app.db.alert.findMany({ where: { shopId: shopIds[shop] }, orderBy: { openedAt: "asc" } });

  beforeAll(async () => {
    app = await startApp({ db: kind, env: { STEP_ALARM_CHECK_SECONDS: "0" } });
    const { db, dialect } = createDb(app.dbUrl);
    deps = { db, dialect, exec: createSqlExecutor(app.dbUrl) };
    const shops = [
      [A, { perDay: 1000, seed: 21, breakAt: breakA, recoverAt: recoverA }],
      [B, { perDay: 1000, seed: 22 }],
      [D, { perDay: 150, seed: 23, breakAt: breakD }],
    ] as const;
    for (const [domain, traffic] of shops) {
      const shop = await ensureDemoShop(app.db, { domain, ingestKey: `ik_${domain}`, timeZone: "UTC" });
      shopIds[domain] = shop.id;
      await seedJourneys(app.db, shop.id, alarmTraffic({ prefix: `${kind}-${domain}`, end: realNow - 5 * MIN, ...traffic }));
      const list = await (await get("/app/funnels?_data=routes%2Fapp.funnels._index", domain)).json();
      funnelIds[domain] = list.funnels.find((f: { name: string }) => f.name === "Purchase").id;
    }
    // The alarm checks as of the background refresher's progress: wait until every seeded
    // event is in the rows (the checks below pass their own, earlier, clock).
    const seeded = Date.now();
    for (const domain of [A, B, D]) await waitForResults(app.db, shopIds[domain], funnelIds[domain], seeded, 120_000);
  }, 600_000);
  afterAll(async () => {
    await deps?.exec.close();
    await deps?.db.$disconnect();
    await app?.stop();
  });

  it("reads each step's units by core's rule (reached it within STEP_WITHIN_MS, or that long passed), the baseline weeks judged alike", async () => {
    const rows = await app.db.funnelUnitDay.findMany({
      where: { shopId: shopIds[A], funnelId: funnelIds[A] },
      select: { entryTs: true, furthest: true, msFromPrev: true, device: true },
    });
    // Checks a few minutes into an hour (sessions start in an hour's first 15 minutes), when
    // the latest units are still being judged.
    for (const now of [breakA + 2 * HOUR + 10 * MIN, recoverA + 25 * MIN]) {
      const { fromHour, endHour } = readWindow(now);
      const want = new Map<string, StepHourGroup>();
      let pending = 0;
      for (const r of rows) {
        const hour = Math.floor(Number(r.entryTs) / HOUR);
        if (hour < fromHour || hour >= endHour) continue;
        const unit = { entryTs: Number(r.entryTs), furthest: r.furthest, msFromPrev: r.msFromPrev === "" ? [] : r.msFromPrev.split(",").map(Number) };
        for (let step = 2; step <= 4; step++) {
          const outcome = stepOutcome(unit, step, now - weekOf(hour, endHour) * WEEK_HOURS * HOUR);
          if (outcome === "not counted") {
            if (hour === endHour - 1 && step === 2 && unit.entryTs <= now) pending++;
            continue;
          }
          const key = `${hour}|${r.device}|${step}`;
          const g = want.get(key) ?? { hour, device: r.device, step, settled: 0, converted: 0 };
          g.settled++;
          if (outcome === "converted") g.converted++;
          want.set(key, g);
        }
      }
      // Some of the latest hour's units had entered but were not judged yet at step 2.
      expect(pending).toBeGreaterThan(0);
      const order = (a: StepHourGroup, b: StepHourGroup) => a.hour - b.hour || a.step - b.step || String(a.device).localeCompare(String(b.device));
      const got = await alarmStepGroups(deps, { id: shopIds[A], timeZone: "UTC" }, funnelIds[A], 4, now);
      expect(got.length).toBeGreaterThan(1000);
      expect(got.sort(order)).toEqual([...want.values()].sort(order));
    }
  });

  it("opens one alert 2 hours after the break, naming the step, the device and the hour it started", async () => {
    const now = breakA + 2 * HOUR + 10 * MIN;
    const reports = await runStepAlarm(deps, now, { shopIds: [shopIds[A]] });
    const purchase = reports.find((r) => r.funnelId === funnelIds[A])!;
    expect(purchase.series).toBe(3 * 3); // 3 transitions × (overall, desktop, mobile)
    const alerts = await alertsOf(A);
    const mobile = alerts.filter((a) => a.segment === "mobile");
    expect(mobile).toHaveLength(1);
    expect(mobile[0]).toMatchObject({
      funnelId: funnelIds[A],
      step: 2,
      fromLabel: "Viewed a product",
      toLabel: "Added to cart",
      granularity: "hour",
      status: "open",
    });
    expect(Math.abs(mobile[0].since.getTime() - breakA)).toBeLessThanOrEqual(HOUR);
    expect(mobile[0].observedRate).toBeLessThan(mobile[0].expectedLow);
    expect(mobile[0].observedRate).toBeCloseTo(mobile[0].converted / mobile[0].settled, 12);
    expect(mobile[0].expectedRate).toBeGreaterThan(0.4);
    expect(mobile[0].expectedRate).toBeLessThan(0.6);
    // Only the broken transition: nothing on desktop, nothing on later steps.
    expect(alerts.filter((a) => a.segment === "desktop" || a.step !== 2)).toEqual([]);
  });

  it("shows the open alert in the funnel's report JSON in words, and in the shop's history, never to another shop", async () => {
    const report = await (await get(`/app/funnels/${funnelIds[A]}/report`, A)).json();
    const mobile = report.alerts.find((a: { segment: string }) => a.segment === "mobile");
    expect(mobile).toMatchObject({ step: 2, status: "open", funnelId: funnelIds[A] });
    expect(mobile.sentence).toMatch(
      /^Viewed a product → Added to cart fell from \d+\.\d % \(expected \d+–\d+ %\) to \d+\.\d % on mobile since .+: \d+ of \d+ sessions went on within 20 minutes \(same hours of the previous 4 weeks: [\d,]+ of [\d,]+\)\.$/,
    );
    expect(mobile.sentence).toContain(`${mobile.converted} of ${mobile.settled} sessions`);
    const history = await (await get("/app/alerts?_data=routes%2Fapp.alerts", A)).json();
    expect(history.alerts.map((a: { id: string }) => a.id).sort()).toEqual((await alertsOf(A)).map((a) => a.id).sort());
    // Shop B: none of A's alerts, on its own report, its history, or A's funnel id.
    expect((await (await get(`/app/funnels/${funnelIds[B]}/report`, B)).json()).alerts).toEqual([]);
    expect((await (await get("/app/alerts?_data=routes%2Fapp.alerts", B)).json()).alerts).toEqual([]);
    expect((await get(`/app/funnels/${funnelIds[A]}/report`, B)).status).toBe(404);
  });

  it("updates the open alert while the step stays low instead of opening another", async () => {
    const before = await alertsOf(A);
    await runStepAlarm(deps, breakA + 3 * HOUR + 10 * MIN, { shopIds: [shopIds[A]] });
    const after = await alertsOf(A);
    // The overall fall may cross the bar only now (a new alert of its own); each step and segment has one.
    const keys = after.map((a) => `${a.step}:${a.segment}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(after.filter((a) => a.segment === "mobile").map((a) => a.id)).toEqual(before.filter((a) => a.segment === "mobile").map((a) => a.id));
    const m0 = before.find((a) => a.segment === "mobile")!;
    const m1 = after.find((a) => a.segment === "mobile")!;
    expect(m1.status).toBe("open");
    expect(m1.since).toEqual(m0.since);
    expect(m1.settled).toBeGreaterThan(m0.settled);
  });

  it("clears the alert 2 hours after the step recovers, keeps it as history, and does not raise the old drop again", async () => {
    const now = recoverA + 2 * HOUR + 10 * MIN;
    await runStepAlarm(deps, now, { shopIds: [shopIds[A]] });
    const alerts = await alertsOf(A);
    const mobile = alerts.filter((a) => a.segment === "mobile");
    expect(mobile).toHaveLength(1);
    expect(mobile[0].status).toBe("cleared");
    expect(mobile[0].clearedAt?.getTime()).toBe(now);
    await runStepAlarm(deps, now + HOUR, { shopIds: [shopIds[A]] });
    expect((await alertsOf(A)).filter((a) => a.segment === "mobile")).toHaveLength(1);
    expect((await alertsOf(A)).filter((a) => a.status === "open")).toEqual([]);
  });

  it("raises nothing on a shop with steady traffic, at any of those checks", async () => {
    for (const now of [breakA + 2 * HOUR + 10 * MIN, breakA + 3 * HOUR + 10 * MIN, recoverA + 2 * HOUR + 10 * MIN, realNow]) {
      await runStepAlarm(deps, now, { shopIds: [shopIds[B]] });
    }
    expect(await alertsOf(B)).toEqual([]);
  });

  it("compares days on a demo-sized shop, and the real server's schedule opens the alert once", async () => {
    const server = await startApp({ dbUrl: app.dbUrl, env: { STEP_ALARM_CHECK_SECONDS: "1" } });
    try {
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline && (await alertsOf(D)).length === 0) await new Promise((r) => setTimeout(r, 250));
      // Several more runs of the schedule.
      await new Promise((r) => setTimeout(r, 3_500));
      expect(server.logs.join("")).toMatch(/\[step-alarm\] \d+ funnels: /);
    } finally {
      await server.stop();
    }
    const alerts = await alertsOf(D);
    const mobile = alerts.filter((a) => a.segment === "mobile");
    expect(mobile).toHaveLength(1);
    expect(mobile[0]).toMatchObject({ funnelId: funnelIds[D], step: 2, toLabel: "Added to cart", granularity: "day", status: "open" });
    expect(Math.abs(mobile[0].since.getTime() - breakD)).toBeLessThanOrEqual(DAY);
    expect(alerts.filter((a) => a.segment === "desktop" || a.step !== 2)).toEqual([]);
    // The schedule's runs at the real time left shops A and B as they were.
    expect((await alertsOf(A)).filter((a) => a.status === "open")).toEqual([]);
    expect(await alertsOf(B)).toEqual([]);
  });
});
