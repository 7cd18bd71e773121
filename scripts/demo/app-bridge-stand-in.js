/*
 * A minimal local stand-in for App Bridge, served by the demo server only (no Shopify
 * admin, no network) at /demo/app-bridge.js in place of Shopify's CDN script. Like the
 * real one it provides `window.shopify.idToken()`, adds `Authorization: Bearer <session
 * token>` to same-origin fetches, reloads the `shopify-reload` URL with a fresh token on
 * the /auth/session-token bounce page, and shows the app's <ui-nav-menu> links (Shopify
 * admin draws them in its own sidebar; the demo has no admin around the app).
 * Tokens come from the demo server's /demo/session-token.
 */
(() => {
  if (window.shopify && window.shopify.__standIn) return;
  const originalFetch = window.fetch.bind(window);
  let cached = null;
  async function idToken() {
    if (cached && cached.exp > Date.now() + 5000) return cached.token;
    const res = await originalFetch("/demo/session-token", { credentials: "same-origin" });
    const { token } = await res.json();
    cached = { token, exp: Date.now() + 50000 };
    return token;
  }
  window.fetch = async (input, init) => {
    const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url, location.href);
    if (url.origin !== location.origin || url.pathname.startsWith("/demo/")) return originalFetch(input, init);
    const headers = new Headers(init && init.headers ? init.headers : input instanceof Request ? input.headers : undefined);
    if (!headers.has("Authorization")) headers.set("Authorization", "Bearer " + (await idToken()));
    return originalFetch(input, { ...(init || {}), headers });
  };
  // The resource picker (`shopify.resourcePicker({ type })`): a modal dialog over the demo
  // shop's catalog as the simulator's storefront has it (scripts/lib/simulation.ts PRODUCTS;
  // /collections/all), with Shopify GIDs like the real picker's; resolves to [the chosen
  // one], or undefined when cancelled, as App Bridge's does.
  const PICKER_RESOURCES = {
    product: [
      { id: "gid://shopify/Product/101", title: "Stoneware Mug", handle: "stoneware-mug" },
      { id: "gid://shopify/Product/102", title: "Linen Throw", handle: "linen-throw" },
      { id: "gid://shopify/Product/103", title: "Oak Serving Board", handle: "oak-serving-board" },
      { id: "gid://shopify/Product/104", title: "Wool Beanie", handle: "wool-beanie" },
      { id: "gid://shopify/Product/105", title: "Ceramic Vase", handle: "ceramic-vase" },
      { id: "gid://shopify/Product/106", title: "Canvas Tote", handle: "canvas-tote" },
    ],
    collection: [{ id: "gid://shopify/Collection/1", title: "All products", handle: "all" }],
  };
  function resourcePicker(opts) {
    const type = opts && opts.type === "collection" ? "collection" : "product";
    const items = PICKER_RESOURCES[type];
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
        b.style.cssText =
          "display:block;width:100%;text-align:left;padding:8px;margin:2px 0;border:1px solid #c9c9c9;border-radius:8px;background:#fff;color:#1a1a1a;cursor:pointer";
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
  }

  const noop = () => {};
  window.shopify = {
    __standIn: true,
    idToken,
    toast: { show: (msg) => console.info("[toast]", msg), hide: noop },
    loading: noop,
    modal: { show: noop, hide: noop, toggle: noop },
    saveBar: { show: noop, hide: noop, toggle: noop },
    resourcePicker,
    config: { apiKey: document.currentScript && document.currentScript.dataset.apiKey },
  };

  // The app's navigation as a bar at the top of the page, the current page marked.
  const style = document.createElement("style");
  style.textContent =
    "ui-nav-menu{display:flex;flex-wrap:wrap;gap:16px;align-items:center;padding:8px 16px;background:#fff;border-bottom:1px solid #e3e3e3;font:14px/20px -apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,sans-serif}" +
    "ui-nav-menu::before{content:'Micro-Conversions \u00b7 demo';font-weight:650}" +
    "ui-nav-menu a{color:inherit;text-decoration:none;font-weight:450}" +
    "ui-nav-menu a[aria-current=page]{font-weight:650;text-decoration:underline}";
  document.head.appendChild(style);
  const markCurrent = () => {
    for (const menu of document.querySelectorAll("ui-nav-menu")) {
      for (const a of menu.querySelectorAll("a[href]")) {
        const path = new URL(a.href, location.href).pathname;
        const current = path === "/app" ? location.pathname === "/app" || location.pathname === "/app/" : location.pathname.startsWith(path);
        if (current) a.setAttribute("aria-current", "page");
        else a.removeAttribute("aria-current");
      }
    }
  };
  for (const method of ["pushState", "replaceState"]) {
    const original = history[method].bind(history);
    history[method] = (...args) => {
      original(...args);
      markCurrent();
    };
  }
  addEventListener("popstate", markCurrent);
  customElements.define(
    "ui-nav-menu",
    class extends HTMLElement {
      connectedCallback() {
        this.setAttribute("role", "navigation");
        this.setAttribute("aria-label", "App navigation");
        // Children are parsed after the element itself: mark once the document is read.
        if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", markCurrent, { once: true });
        else markCurrent();
      }
    },
  );

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
})();
