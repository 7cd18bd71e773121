import { assertDemoMode } from "../services/demo.server";
import { APP_BRIDGE_STAND_IN } from "../services/app-bridge-stand-in.server";

// Served in place of cdn.shopify.com/shopifycloud/app-bridge.js when DEMO_MODE=1.
export const loader = async () => {
  assertDemoMode();
  return new Response(APP_BRIDGE_STAND_IN, {
    headers: { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "no-store" },
  });
};
