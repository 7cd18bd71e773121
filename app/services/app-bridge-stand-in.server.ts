/**
 * What the stand-in's resource picker offers: the demo shop's catalog, as the simulator's
 * storefront has it (scripts/lib/simulation.ts PRODUCTS; /collections/all). Ids are
 * Shopify GIDs like the real picker's.
 */
export const DEMO_PICKER_RESOURCES = {
  product: [
    { id: "gid://shopify/Product/101", title: "Stoneware Mug", handle: "stoneware-mug" },
    { id: "gid://shopify/Product/102", title: "Linen Throw", handle: "linen-throw" },
    { id: "gid://shopify/Product/103", title: "Oak Serving Board", handle: "oak-serving-board" },
    { id: "gid://shopify/Product/104", title: "Wool Beanie", handle: "wool-beanie" },
    { id: "gid://shopify/Product/105", title: "Ceramic Vase", handle: "ceramic-vase" },
    { id: "gid://shopify/Product/106", title: "Canvas Tote", handle: "canvas-tote" },
  ],
  collection: [{ id: "gid://shopify/Collection/1", title: "All products", handle: "all" }],
} as const;

/**
 * The stand-in's `shopify.resourcePicker({ type })`: a modal dialog listing the demo's
 * resources of that type; resolves to [the chosen one] or undefined when cancelled, as
 * App Bridge's does.
 */
const RESOURCE_PICKER = `function resourcePicker(opts) {
    const type = opts && opts.type === "collection" ? "collection" : "product";
    const items = ${JSON.stringify(DEMO_PICKER_RESOURCES)}[type];
    return new Promise((resolve) => {
      const dialog = document.createElement("dialog");
      dialog.setAttribute("aria-labelledby", "mc-picker-title");
      dialog.style.cssText = "border:1px solid #8a8a8a;border-radius:12px;padding:16px;min-width:320px;font:14px system-ui,sans-serif;color:#1a1a1a";
      const title = document.createElement("h2");
      title.id = "mc-picker-title";
      title.textContent = type === "product" ? "Select product" : "Select collection";
      title.style.cssText = "font-size:16px;margin:0 0 12px";
      const list = document.createElement("ul");
      list.style.cssText = "list-style:none;margin:0 0 12px;padding:0";
      let done = false;
      const finish = (value) => {
        if (done) return;
        done = true;
        dialog.close();
        dialog.remove();
        resolve(value);
      };
      for (const item of items) {
        const li = document.createElement("li");
        const b = document.createElement("button");
        b.type = "button";
        b.textContent = item.title;
        b.style.cssText = "display:block;width:100%;text-align:left;padding:8px;margin:2px 0;border:1px solid #c9c9c9;border-radius:8px;background:#fff;color:#1a1a1a;cursor:pointer";
        b.addEventListener("click", () => finish([{ ...item }]));
        li.appendChild(b);
        list.appendChild(li);
      }
      const cancel = document.createElement("button");
      cancel.type = "button";
      cancel.textContent = "Cancel";
      cancel.addEventListener("click", () => finish(undefined));
      dialog.addEventListener("cancel", () => finish(undefined));
      dialog.append(title, list, cancel);
      document.body.appendChild(dialog);
      dialog.showModal();
    });
  }`;

/**
 * A minimal local stand-in for App Bridge, for demo mode only (no Shopify admin, no
 * network). Like the real one it provides `window.shopify.idToken()` and adds
 * `Authorization: Bearer <session token>` to same-origin fetches, and on the
 * /auth/session-token bounce page it reloads the `shopify-reload` URL with a fresh token.
 * Tokens come from /demo/session-token, which exists only in demo mode. Its resource
 * picker lists DEMO_PICKER_RESOURCES.
 */
export const APP_BRIDGE_STAND_IN = `(() => {
  if (window.shopify && window.shopify.__standIn) return;
  let cached = null;
  async function idToken() {
    if (cached && cached.exp > Date.now() + 5000) return cached.token;
    const res = await originalFetch("/demo/session-token", { credentials: "same-origin" });
    const { token } = await res.json();
    cached = { token, exp: Date.now() + 50000 };
    return token;
  }
  const originalFetch = window.fetch.bind(window);
  window.fetch = async (input, init) => {
    const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url, location.href);
    if (url.origin !== location.origin || url.pathname.startsWith("/demo/")) return originalFetch(input, init);
    const headers = new Headers(init && init.headers ? init.headers : input instanceof Request ? input.headers : undefined);
    if (!headers.has("Authorization")) headers.set("Authorization", "Bearer " + (await idToken()));
    return originalFetch(input, { ...(init || {}), headers });
  };
  const noop = () => {};
  window.shopify = {
    __standIn: true,
    idToken,
    toast: { show: (msg) => console.info("[toast]", msg), hide: noop },
    loading: noop,
    modal: { show: noop, hide: noop, toggle: noop },
    saveBar: { show: noop, hide: noop, toggle: noop },
    resourcePicker: ${RESOURCE_PICKER},
    config: { apiKey: document.currentScript && document.currentScript.dataset.apiKey },
  };
  if (location.pathname === "/auth/session-token") {
    const reload = new URLSearchParams(location.search).get("shopify-reload");
    if (reload) {
      idToken().then((token) => {
        const target = new URL(reload, location.href);
        if (target.origin !== location.origin) return;
        target.searchParams.set("id_token", token);
        location.replace(target.href);
      });
    }
  }
})();`;
