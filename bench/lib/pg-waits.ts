/**
 * What PostgreSQL's backends of one database are doing, sampled from pg_stat_activity
 * while a load runs: running, waiting on a lock (and which), or idle inside a
 * transaction (waiting for the app's next statement).
 */
import pg from "pg";

export interface WaitSample {
  what: string;
  /** Backend-samples in this state. */
  count: number;
  share: number;
}

export async function sampleWaits(dbUrl: string, everyMs = 100): Promise<{ stop(): Promise<WaitSample[]> }> {
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  const counts = new Map<string, number>();
  let total = 0;
  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    try {
      const r = await client.query(
        `SELECT state, wait_event_type AS wt, wait_event AS we, query FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend' AND state <> 'idle'`,
      );
      for (const row of r.rows as { state: string; wt: string | null; we: string | null; query: string }[]) {
        const what =
          row.state === "active"
            ? row.wt
              ? `active, waiting on ${row.wt}: ${row.we}`
              : `running ${statementLabel(row.query)}`
            : row.state === "idle in transaction"
              ? "idle in transaction (waiting for the app's next statement)"
              : row.state;
        counts.set(what, (counts.get(what) ?? 0) + 1);
        total++;
      }
    } catch {
      /* a sample lost is fine */
    } finally {
      busy = false;
    }
  }, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await client.end().catch(() => {});
      return [...counts].map(([what, count]) => ({ what, count, share: total > 0 ? count / total : 0 })).sort((a, b) => b.count - a.count);
    },
  };
}

/** "SELECT … FROM Event", "UPDATE Event", "INSERT INTO Event"… */
export function statementLabel(sql: string): string {
  const verb = /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? "?";
  const table = /(?:INTO|FROM|UPDATE)\s+"?(\w+)"?/i.exec(sql)?.[1] ?? "";
  return `${verb}${table ? ` ${table}` : ""}`;
}

export function waitsText(w: readonly WaitSample[], top = 4): string {
  return w.length === 0
    ? "no busy backends sampled"
    : w
        .slice(0, top)
        .map((x) => `${x.what} ${(x.share * 100).toFixed(0)} %`)
        .join("; ");
}
