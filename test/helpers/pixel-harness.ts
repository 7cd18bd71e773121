// The pixel harness lives in scripts/lib/pixel-runtime.ts: the traffic simulator runs the
// real pixel through it too. Tests import it from here.
export * from "../../scripts/lib/pixel-runtime";
