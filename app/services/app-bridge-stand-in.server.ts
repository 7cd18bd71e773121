/**
 * A minimal local stand-in for App Bridge, for demo mode only (no Shopify admin, no
 * network). Like the real one it provides `window.shopify.idToken()` and adds
 * `Authorization: Bearer <session token>` to same-origin fetches, and on the
 * /auth/session-token bounce page it reloads the `shopify-reload` URL with a fresh token.
 * Tokens come from /demo/session-token, which exists only in demo mode.
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
