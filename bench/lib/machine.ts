/** The machine a run was measured on (written beside the results). */
import { readFileSync } from "node:fs";
import os from "node:os";

export interface MachineInfo {
  cpu: string;
  cores: number;
  ramGiB: number;
  node: string;
  os: string;
  date: string;
  /** 1-minute load average when the run started: other work on the machine depresses every figure. */
  loadAtStart: number;
}

function osName(): string {
  try {
    const release = readFileSync("/etc/os-release", "utf8");
    const pretty = /^PRETTY_NAME="?([^"\n]+)"?/m.exec(release)?.[1];
    if (pretty) return `${pretty} (${os.platform()} ${os.release()})`;
  } catch {
    /* not Linux */
  }
  return `${os.type()} ${os.release()}`;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.replace(/\s+/g, " ").trim() ?? "unknown",
    cores: cpus.length,
    ramGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    os: osName(),
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    loadAtStart: Math.round(os.loadavg()[0] * 100) / 100,
  };
}

/** Current 1-minute load average. */
export const loadNow = () => Math.round(os.loadavg()[0] * 100) / 100;
