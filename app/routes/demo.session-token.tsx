import { json } from "@remix-run/node";
import { assertDemoMode, demoToken } from "../services/demo.server";

// Stand-in for App Bridge's idToken(): a fresh session token for the demo shop.
export const loader = async () => {
  assertDemoMode();
  return json({ token: demoToken() }, { headers: { "Cache-Control": "no-store" } });
};
