import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig } from "vite";
import path from "node:path";

// Remix's plugin is skipped under Vitest: tests import modules directly.
export default defineConfig({
  resolve: { alias: { "~": path.resolve(__dirname, "app") } },
  server: { port: Number(process.env.PORT ?? 3000) },
  plugins: [
    process.env.VITEST
      ? null
      : remix({
          ignoredRouteFiles: ["**/.*"],
          future: {
            v3_fetcherPersist: true,
            v3_relativeSplatPath: true,
            v3_throwAbortReason: true,
            v3_lazyRouteDiscovery: true,
            v3_singleFetch: false,
            v3_routeConfig: false,
          },
        }),
  ],
  // One copy of Polaris and shopify-app-remix in SSR, or AppProvider's i18n context splits.
  ssr: { noExternal: [/^@shopify\/polaris/, /^@shopify\/shopify-app-remix/] },
  build: { assetsInlineLimit: 0 },
});
