import type { LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { env } from "../env.server";

// Shopify opens the app with ?shop=…; everyone else goes to login (or the demo).
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const url = new URL(request.url);
  if (url.searchParams.get("shop")) throw redirect(`/app?${url.searchParams.toString()}`);
  throw redirect(env.demoMode ? "/demo" : "/auth/login");
};
