/**
 * The demo's App Bridge stand-in offers a resource picker over the demo shop's own
 * catalog: the products the simulator's storefront sells (scripts/lib/simulation.ts), with
 * the GIDs Shopify's picker returns, and valid JavaScript around it.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const standIn = readFileSync(path.join(root, "scripts/demo/app-bridge-stand-in.js"), "utf8");
// The picker's data as written in the script (a literal of plain data), evaluated on its own.
const literal = /const PICKER_RESOURCES = (\{[\s\S]*?\n {2}\});/.exec(standIn)?.[1];
const resources = literal ? (new Function(`return (${literal});`)() as Record<"product" | "collection", unknown[]>) : null;

describe("App Bridge stand-in resource picker", () => {
  it("lists exactly the simulator's products, as Shopify GIDs with title and handle", () => {
    const source = readFileSync(path.join(root, "scripts/lib/simulation.ts"), "utf8");
    const simulated = [...source.matchAll(/\{ id: (\d+), handle: "([^"]+)", title: "([^"]+)"/g)].map((m) => ({
      id: `gid://shopify/Product/${m[1]}`,
      title: m[3],
      handle: m[2],
    }));
    expect(simulated.length).toBeGreaterThan(3);
    expect(resources?.product).toEqual(simulated);
    expect(source).toContain("/collections/all");
    expect(resources?.collection).toEqual([{ id: "gid://shopify/Collection/1", title: "All products", handle: "all" }]);
  });

  it("is one valid script whose window.shopify offers resourcePicker", () => {
    expect(() => new Function(standIn)).not.toThrow();
    expect(standIn).toMatch(/window\.shopify = \{[\s\S]*?\n {4}resourcePicker,\n[\s\S]*?\n {2}\};/);
  });
});
