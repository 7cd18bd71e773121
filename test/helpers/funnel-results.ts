/**
 * Waiting for the background refresher instead of racing it: reports answer "as of" its
 * progress (app/services/funnel-results/read.server.ts), so a test that asserts figures
 * from the precomputed rows first waits for the state it asserts.
 */
import type { Db } from "../../db/prisma";

/**
 * Waits until the funnel's results are ready and current to `since` (epoch ms): its build
 * is done and no marking of the shop older than `since` is waiting, so every event stored
 * before `since` is in the rows and a report's `asOf` is at least `since`.
 */
export async function waitForResults(db: Db, shopId: number, funnelId: string, since = Date.now(), timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = (await db.funnel.findUniqueOrThrow({ where: { id: funnelId }, select: { resultsState: true } })).resultsState;
    const waiting = await db.staleVisitor.count({ where: { shopId, markedAt: { lt: BigInt(since) } } });
    if (state === "ready" && waiting === 0) return;
    if (Date.now() > deadline)
      throw new Error(`funnel ${funnelId}: results ${state}, ${waiting} visitors marked before ${since} still waiting after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
