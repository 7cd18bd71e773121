import type { HeadersFunction, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, Outlet, useLoaderData, useLocation, useRouteError } from "@remix-run/react";
import { boundary } from "@shopify/shopify-app-remix/server";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { NavMenu } from "@shopify/app-bridge-react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { authenticate } from "../shopify.server";
import { env } from "../env.server";
import { DemoNav, NAV_ITEMS } from "../components/DemoNav";

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  await authenticate.admin(request);
  return json({ apiKey: env.SHOPIFY_API_KEY, demoMode: env.demoMode });
};

export default function App() {
  const { apiKey, demoMode } = useLoaderData<typeof loader>();
  const location = useLocation();
  // In demo mode the local App Bridge stand-in replaces Shopify's CDN script.
  const bridge = demoMode ? { __APP_BRIDGE_URL: "/demo/app-bridge.js" } : {};
  return (
    <AppProvider isEmbeddedApp apiKey={apiKey} {...bridge}>
      {demoMode ? (
        <DemoNav pathname={location.pathname} />
      ) : (
        <NavMenu>
          {NAV_ITEMS.map((item) => (
            <Link key={item.url} to={item.url} rel={item.url === "/app" ? "home" : undefined}>
              {item.label}
            </Link>
          ))}
        </NavMenu>
      )}
      {/* The page's main landmark (Shopify admin's own frame is outside the iframe). */}
      <main>
        <Outlet />
      </main>
    </AppProvider>
  );
}

// Shopify needs its own error and header handling for auth redirects inside the iframe.
export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
