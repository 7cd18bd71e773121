import type { HeadersFunction, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, Outlet, useLoaderData, useRouteError } from "@remix-run/react";
import { boundary } from "@shopify/shopify-app-remix/server";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { NavMenu } from "@shopify/app-bridge-react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { authenticate } from "../shopify.server";
import { env } from "../env.server";

const NAV_ITEMS = [
  { url: "/app", label: "Dashboard" },
  { url: "/app/funnels", label: "Funnels" },
  { url: "/app/insights", label: "Insights" },
  { url: "/app/audiences", label: "Audiences" },
  { url: "/app/setup", label: "Setup" },
  { url: "/app/data-requests", label: "Data requests" },
  { url: "/app/settings", label: "Settings" },
];

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  await authenticate.admin(request);
  return json({ apiKey: env.SHOPIFY_API_KEY });
};

export default function App() {
  const { apiKey } = useLoaderData<typeof loader>();
  return (
    <AppProvider isEmbeddedApp apiKey={apiKey}>
      {/* Shopify admin draws these links in its sidebar (the demo's App Bridge stand-in, as a bar). */}
      <NavMenu>
        {NAV_ITEMS.map((item) => (
          <Link key={item.url} to={item.url} rel={item.url === "/app" ? "home" : undefined}>
            {item.label}
          </Link>
        ))}
      </NavMenu>
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
