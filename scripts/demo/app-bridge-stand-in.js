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
  const noop = () => {};
  window.shopify = {
    __standIn: true,
    idToken,
    toast: { show: (msg) => console.info("[toast]", msg), hide: noop },
    loading: noop,
    modal: { show: noop, hide: noop, toggle: noop },
    saveBar: { show: noop, hide: noop, toggle: noop },
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
