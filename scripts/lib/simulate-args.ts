/** `npm run simulate` flags → runSimulation options (pure; errors as text for the CLI). */
import { parseArgs } from "node:util";
import { SIMULATED_PRODUCTS, type SimulationOptions, type PlantedEffects, type DeviceKind, type BrokenStep } from "./simulation";

const DEVICES: readonly DeviceKind[] = ["mobile", "desktop", "tablet"];
const STEPS: readonly BrokenStep[] = ["add-to-cart", "checkout", "purchase"];

/** "2026-12-05T16:00Z", or "-2h" / "-30m" / "-1d" before now. */
function parseWhen(text: string, now: number): number | null {
  const rel = /^-(\d+(?:\.\d+)?)([mhd])$/.exec(text);
  if (rel) return now - Number(rel[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[rel[2] as "m" | "h" | "d"];
  const t = Date.parse(text);
  return Number.isFinite(t) ? t : null;
}

export function simulationArgs(
  argv: string[],
  defaults: { now: number; shop: string; key: string },
): { simulation: SimulationOptions & { ingestUrl: string; ingestKey: string } } | { error: string } {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        url: { type: "string", default: "http://localhost:3000" },
        shop: { type: "string", default: defaults.shop },
        key: { type: "string", default: defaults.key },
        visitors: { type: "string", default: "1000" },
        days: { type: "string", default: "30" },
        seed: { type: "string", default: String(defaults.now % 100_000) },
        "break-device": { type: "string" },
        "break-from": { type: "string" },
        "break-step": { type: "string" },
        "policy-exit-source": { type: "string" },
        "policy-exit-device": { type: "string" },
        "price-typo": { type: "string" },
      },
    }));
  } catch (err) {
    return { error: (err as Error).message };
  }
  const visitors = Number(values.visitors);
  const days = Number(values.days);
  const seed = Number(values.seed);
  if (!Number.isInteger(visitors) || visitors < 1) return { error: "--visitors must be a positive integer" };
  if (!Number.isFinite(days) || days <= 0) return { error: "--days must be a positive number" };
  if (!Number.isInteger(seed)) return { error: "--seed must be an integer" };
  const effects: PlantedEffects = {};
  if (values["break-device"] !== undefined || values["break-from"] !== undefined || values["break-step"] !== undefined) {
    const device = values["break-device"] as DeviceKind;
    if (!DEVICES.includes(device)) return { error: `--break-device must be one of ${DEVICES.join(", ")}` };
    const from = parseWhen(values["break-from"] ?? "", defaults.now);
    if (from === null) return { error: "--break-from must be a date (2026-12-05T16:00Z) or a time before now (-2h, -30m, -1d)" };
    const step = (values["break-step"] ?? "purchase") as BrokenStep;
    if (!STEPS.includes(step)) return { error: `--break-step must be one of ${STEPS.join(", ")}` };
    effects.brokenDevice = { device, from, step };
  }
  if (values["policy-exit-device"] !== undefined && values["policy-exit-source"] === undefined)
    return { error: "--policy-exit-device needs --policy-exit-source" };
  if (values["policy-exit-source"] !== undefined) {
    const device = values["policy-exit-device"] as DeviceKind | undefined;
    if (device !== undefined && !DEVICES.includes(device)) return { error: `--policy-exit-device must be one of ${DEVICES.join(", ")}` };
    effects.shippingPolicyExit = { source: values["policy-exit-source"], ...(device ? { device } : {}) };
  }
  if (values["price-typo"] !== undefined) {
    const product = values["price-typo"];
    if (!SIMULATED_PRODUCTS.some((p) => p.handle === product || String(p.id) === product))
      return { error: `--price-typo must name a simulated product: ${SIMULATED_PRODUCTS.map((p) => p.handle).join(", ")}` };
    effects.priceTypo = { product };
  }
  let ingestUrl: string;
  try {
    ingestUrl = new URL("/collect", values.url).toString();
  } catch {
    return { error: `--url is not a URL: ${values.url}` };
  }
  const to = defaults.now;
  return {
    simulation: {
      shop: values.shop!,
      ingestKey: values.key!,
      ingestUrl,
      visitors,
      seed,
      // Journeys end by now: the range's last minutes hold live sessions.
      from: to - days * 86_400_000,
      to,
      live: true,
      ...(Object.keys(effects).length > 0 ? { effects } : {}),
    },
  };
}
