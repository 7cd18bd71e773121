import { redirect } from "@remix-run/node";
import { assertDemoMode, demoAdminUrl } from "../services/demo.server";

// Demo entry: what Shopify admin does when a merchant opens the app.
export const loader = async () => {
  assertDemoMode();
  throw redirect(demoAdminUrl());
};
