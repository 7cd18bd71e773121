import { Link } from "@remix-run/react";
import { Box, InlineStack, Text } from "@shopify/polaris";

export const NAV_ITEMS = [
  { url: "/app", label: "Dashboard" },
  { url: "/app/funnels", label: "Funnels" },
  { url: "/app/insights", label: "Insights" },
  { url: "/app/audiences", label: "Audiences" },
  { url: "/app/setup", label: "Setup" },
  { url: "/app/data-requests", label: "Data requests" },
  { url: "/app/settings", label: "Settings" },
];

/**
 * Shopify admin draws the app's navigation from <NavMenu>; the offline demo has no
 * admin around the app, so it shows the same items as a bar of its own.
 */
export function DemoNav({ pathname }: { pathname: string }) {
  const active = (url: string) => (url === "/app" ? pathname === "/app" || pathname === "/app/" : pathname.startsWith(url));
  return (
    <Box background="bg-surface" paddingInline="400" paddingBlock="200" borderBlockEndWidth="025" borderColor="border">
      <nav aria-label="App navigation">
        <InlineStack gap="400" blockAlign="center">
          <Text as="span" variant="headingSm">Micro-Conversions · demo</Text>
          {NAV_ITEMS.map((item) => (
            <Link key={item.url} to={item.url} aria-current={active(item.url) ? "page" : undefined}
              style={{ fontWeight: active(item.url) ? 650 : 450, textDecoration: active(item.url) ? "underline" : "none", color: "inherit" }}>
              {item.label}
            </Link>
          ))}
        </InlineStack>
      </nav>
    </Box>
  );
}
