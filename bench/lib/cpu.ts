/**
 * CPU time of processes during a run (Linux /proc), to tell a CPU-bound process from
 * one that waits: `cpuShare` = CPU seconds ÷ wall seconds (1.0 = one core busy throughout).
 */
import { readdirSync, readFileSync } from "node:fs";

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** utime + stime of a process in seconds, null when it cannot be read. */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may contain spaces) start after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/**
 * CPU seconds of a PostgreSQL cluster: the postmaster and its live children, plus the
 * children it has already reaped (cutime/cstime). `dataDir` holds postmaster.pid.
 */
export function clusterCpuSeconds(dataDir: string): number | null {
  try {
    const postmaster = Number(readFileSync(`${dataDir}/postmaster.pid`, "utf8").split("\n")[0]);
    let total = 0;
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      } catch {
        continue;
      }
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const pid = Number(entry);
      const ppid = Number(fields[1]);
      if (pid === postmaster) total += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
      else if (ppid === postmaster) total += Number(fields[11]) + Number(fields[12]);
    }
    return total / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

export interface CpuMeter {
  /** CPU seconds per wall second for each pid (and "bench" for this process) since start. */
  stop(): Record<string, number | null>;
}

/** A pid, or a function giving CPU seconds (e.g. a whole PostgreSQL cluster). */
export type CpuSource = number | (() => number | null);

export function cpuMeter(sources: Record<string, CpuSource>): CpuMeter {
  const read = (src: CpuSource) => (typeof src === "number" ? cpuSeconds(src) : src());
  const t0 = performance.now();
  const own0 = process.cpuUsage();
  const start = Object.fromEntries(Object.entries(sources).map(([k, src]) => [k, read(src)]));
  return {
    stop() {
      const wall = (performance.now() - t0) / 1000;
      const out: Record<string, number | null> = {};
      for (const [k, src] of Object.entries(sources)) {
        const a = start[k];
        const b = read(src);
        out[k] = a === null || b === null || wall <= 0 ? null : (b - a) / wall;
      }
      const own = process.cpuUsage(own0);
      out["load generator (bench process)"] = wall > 0 ? (own.user + own.system) / 1e6 / wall : null;
      return out;
    },
  };
}

export function cpuText(shares: Record<string, number | null>): string {
  return Object.entries(shares)
    .map(([k, v]) => `${k} ${v === null ? "—" : `${Math.round(v * 100)} %`}`)
    .join(", ");
}
