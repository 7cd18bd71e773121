/**
 * Summary of a V8 .cpuprofile (`node --cpu-prof`): where the time went, by function
 * (self and inclusive) and by area (a package, a Node built-in, the app bundle, GC, idle).
 * Pure (tested in test/unit/bench-cpuprofile.test.ts).
 */

export interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber?: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  name: string;
  area: string;
  ms: number;
  /** Share of the non-idle time. */
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  idleMs: number;
  busyMs: number;
  /** Self time by area. */
  areas: ProfileEntry[];
  /** Self time by function. */
  self: ProfileEntry[];
  /** Inclusive time of the app's own functions (the server bundle), by function. */
  appInclusive: ProfileEntry[];
}

/** Where a frame's code lives: "node_modules/<pkg>", "node:<module>", "app", "(gc)"… */
export function areaOf(frame: CpuProfileNode["callFrame"]): string {
  const { url, functionName } = frame;
  if (!url) {
    if (functionName === "(garbage collector)") return "(garbage collector)";
    if (functionName === "(idle)") return "(idle)";
    if (functionName === "(program)") return "(program: native, outside JS)";
    return functionName.startsWith("(") ? functionName : "(native)";
  }
  if (url.startsWith("node:")) {
    const mod = url.slice(5).replace(/^internal\//, "internal/");
    return `node:${mod
      .split("/")
      .slice(0, mod.startsWith("internal/") ? 2 : 1)
      .join("/")}`;
  }
  const nm = url.lastIndexOf("/node_modules/");
  if (nm >= 0) {
    const rest = url.slice(nm + "/node_modules/".length).split("/");
    return rest[0].startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (/\/build\/server\/index\.js$/.test(url)) return "app (Remix server bundle)";
  if (/\/build\/server\.js$/.test(url)) return "app (server.js)";
  if (/\/generated\//.test(url)) return "generated Prisma client";
  return url.replace(/^file:\/\//, "");
}

const isApp = (url: string) => /\/build\/server(\/index)?\.js$/.test(url);

function label(frame: CpuProfileNode["callFrame"]): string {
  const name = frame.functionName || "(anonymous)";
  if (!frame.url) return name;
  const file = frame.url
    .replace(/^file:\/\//, "")
    .replace(/^.*\/node_modules\//, "")
    .replace(/^.*\/build\//, "build/");
  return `${name} (${file}:${frame.lineNumber + 1})`;
}

/**
 * `lastMs`: only the samples of the profile's last `lastMs` milliseconds (the load run,
 * leaving out start-up and warm-up).
 */
export function summarizeProfile(profile: CpuProfile, top = 15, lastMs = Infinity): ProfileSummary {
  const byId = new Map<number, CpuProfileNode>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const selfUs = new Map<number, number>();
  const from = profile.endTime - lastMs * 1000;
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    const dt = Math.max(0, profile.timeDeltas[i] ?? 0);
    at += dt;
    if (at < from) continue;
    selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
  }
  let totalUs = 0;
  let idleUs = 0;
  const areaUs = new Map<string, number>();
  const fnUs = new Map<string, { area: string; us: number }>();
  const inclUs = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    totalUs += us;
    const area = areaOf(node.callFrame);
    if (area === "(idle)") {
      idleUs += us;
      continue;
    }
    areaUs.set(area, (areaUs.get(area) ?? 0) + us);
    const key = label(node.callFrame);
    const f = fnUs.get(key);
    if (f) f.us += us;
    else fnUs.set(key, { area, us });
    // Inclusive time of app functions: each function once per stack (recursion counts once).
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const frame = byId.get(cur)!.callFrame;
      if (!isApp(frame.url)) continue;
      const k = label(frame);
      if (seen.has(k)) continue;
      seen.add(k);
      inclUs.set(k, (inclUs.get(k) ?? 0) + us);
    }
  }
  const busyUs = totalUs - idleUs;
  const entry = (name: string, area: string, us: number): ProfileEntry => ({ name, area, ms: us / 1000, share: busyUs > 0 ? us / busyUs : 0 });
  const sortTop = (list: ProfileEntry[]) => list.sort((a, b) => b.ms - a.ms).slice(0, top);
  return {
    totalMs: totalUs / 1000,
    idleMs: idleUs / 1000,
    busyMs: busyUs / 1000,
    areas: sortTop([...areaUs].map(([a, us]) => entry(a, a, us))),
    self: sortTop([...fnUs].map(([k, f]) => entry(k, f.area, f.us))),
    appInclusive: sortTop([...inclUs].map(([k, us]) => entry(k, "app", us))),
  };
}
