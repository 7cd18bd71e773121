/**
 * The demo's App Bridge stand-in offers a resource picker over the demo shop's own
 * catalog: the products the simulator's storefront sells (scripts/lib/simulation.ts), with
 * the GIDs Shopify's picker returns, and valid JavaScript around it.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { APP_BRIDGE_STAND_IN, DEMO_PICKER_RESOURCES } from "../../app/services/app-bridge-stand-in.server";

const root = path.resolve(import.meta.dirname, "../..");

describe("App Bridge stand-in resource picker", () => {
  it("lists exactly the simulator's products, as Shopify GIDs with title and handle", () => {
    const source = readFileSync(path.join(root, "scripts/lib/simulation.ts"), "utf8");
    const simulated = [...source.matchAll(/\{ id: (\d+), handle: "([^"]+)", title: "([^"]+)"/g)].map((m) => ({ id: `gid://shopify/Product/${m[1]}`, title: m[3], handle: m[2] }));
    expect(simulated.length).toBeGreaterThan(3);
    expect(DEMO_PICKER_RESOURCES.product).toEqual(simulated);
    expect(source).toContain("/collections/all");
    expect(DEMO_PICKER_RESOURCES.collection).toEqual([{ id: "gid://shopify/Collection/1", title: "All products", handle: "all" }]);
  });

  it("is one valid script that defines shopify.resourcePicker", () => {
    expect(() => new Function(APP_BRIDGE_STAND_IN)).not.toThrow();
    expect(APP_BRIDGE_STAND_IN).toContain("resourcePicker: function resourcePicker(opts)");
    expect(APP_BRIDGE_STAND_IN).toContain('"gid://shopify/Product/101"');
  });
});
