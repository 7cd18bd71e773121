/**
 * Shopify's resource picker (App Bridge `shopify.resourcePicker`) for the builder's product
 * and collection filters. In the admin it is Shopify's own picker; in the demo, the App
 * Bridge stand-in's, which lists the demo shop's products and collections.
 */

export interface PickedResource {
  /** The number of the resource's GID (what the pixel stores as productId). */
  numericId: string;
  title: string;
  handle: string;
}

type Selected = { id?: unknown; title?: unknown; handle?: unknown };
type Picker = (opts: { type: "product" | "collection"; action: "select"; multiple: boolean }) => Promise<Selected[] | undefined | null>;

/** The chosen resource, or null when the merchant cancels (or no picker is available). */
export async function pickResource(type: "product" | "collection"): Promise<PickedResource | null> {
  const picker = (globalThis as { shopify?: { resourcePicker?: Picker } }).shopify?.resourcePicker;
  if (typeof picker !== "function") return null;
  const selection = await picker({ type, action: "select", multiple: false });
  const first = selection?.[0];
  if (!first || typeof first.id !== "string" || typeof first.title !== "string") return null;
  const numericId = /(\d+)$/.exec(first.id)?.[1];
  if (!numericId) return null;
  return { numericId, title: first.title, handle: typeof first.handle === "string" ? first.handle : "" };
}
