// Preload for the demo server and tests only (`node --import ./scripts/local-shopify/intercept.mjs`):
// sends the app's calls to Shopify (https://<shop>.myshopify.com/admin/...) to the local
// Admin API stand-in at LOCAL_SHOPIFY_URL instead. The app's own code path is unchanged;
// nothing else leaves the machine. Must load before the app captures globalThis.fetch.
const target = process.env.LOCAL_SHOPIFY_URL;
if (target) {
  const realFetch = globalThis.fetch;
  globalThis.fetch = (input, init) => {
    const url = new URL(typeof input === "string" || input instanceof URL ? input : input.url);
    if (!url.hostname.endsWith(".myshopify.com")) return realFetch(input, init);
    const local = new URL(`${target.replace(/\/$/, "")}/${url.hostname}${url.pathname}${url.search}`);
    if (input instanceof Request) return realFetch(new Request(local, input), init);
    return realFetch(local, init);
  };
}
